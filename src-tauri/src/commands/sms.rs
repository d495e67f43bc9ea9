//! SMS reminders (短信提醒). The rules live in the local store and go to the server with the hall
//! configuration (a save asks for a re-put); the editor's preview and budget are computed here with
//! `hallkeeper-sms`, the same code the server runs; the outbox, counts, status and the test message
//! are the server's (admin API, through [`crate::hall_server::ServerLink`]).

use crate::hall_server::ServerLink;
use crate::{AppState, CommandError};
use hallkeeper_client::{query_string, ClientError};
use hallkeeper_core::notices;
use hallkeeper_core::proto::{
    Locale, SmsBudget, SmsCounts, SmsOutboxEntry, SmsPreview, SmsRuleSet, SmsServiceStatus, SmsTestRequest,
    SmsTestResult, SmsTrigger,
};
use hallkeeper_core::Rejection;
use hallkeeper_sms::budget::{self, AlibabaLimits, Assumptions, TencentLimits};
use hallkeeper_sms::{segments, Phone, SmsError, Template, TemplateValues, TriggerExt as _};
use std::sync::Arc;
use tauri::State;

/// The signature the preview counts: the embedded server's (a remote server's may differ; the
/// count then differs by the difference in length).
fn sign_name() -> String {
    hallkeeper_server::sms::SmsSettings::default().sign_name
}

fn refused(state: &AppState, e: impl Into<Rejection>) -> CommandError {
    let e = hallkeeper_core::Error::Rejected(e.into());
    CommandError(e.to_body(state.locale()))
}

/// A template refusal at the `template` field, whatever the crate calls it.
fn template_refused(state: &AppState, e: SmsError) -> CommandError {
    let e = match e {
        SmsError::AtField { inner, .. } => *inner,
        other => other,
    };
    let mut r = Rejection::from(e);
    r.field = Some("template".into());
    refused(state, r)
}

#[tauri::command]
pub async fn get_sms_rules(state: State<'_, AppState>) -> Result<Option<SmsRuleSet>, CommandError> {
    let local = state.call(|s| s.sms_rules()).await?;
    if local.is_some() {
        return Ok(local);
    }
    // Never set on this PC: the hall's rules are the ones another supervisor PC gave the server
    // (a configuration without rules leaves them there). Shown, and saved here only when edited.
    let Some(link) = state.link().cloned() else { return Ok(None) };
    match link.admin().get::<hallkeeper_core::proto::HallConfig>("config").await {
        Ok(config) => Ok(config.sms),
        Err(e) => {
            tracing::info!("the hall's SMS rules could not be read from the server: {e}");
            Ok(None)
        }
    }
}

write_command! {
    /// Saves the rules (refused at the first problem's field, `rules[1].template`) and sends them
    /// to the server with the hall configuration.
    pub fn set_sms_rules(rules: SmsRuleSet) -> SmsRuleSet
        = |s, actor| s.set_sms_rules(actor, &rules), notifies SmsRules;
}

/// The template with sample values, its length and segments; an unknown placeholder, or one the
/// trigger cannot fill, is refused at `template` with its position.
#[tauri::command]
pub async fn preview_sms_template(
    state: State<'_, AppState>,
    template: String,
    trigger: SmsTrigger,
) -> Result<SmsPreview, CommandError> {
    let parsed = Template::parse(&template).map_err(|e| template_refused(&state, e))?;
    let available = trigger.available_placeholders();
    if let Some((p, position)) = parsed.occurrences().find(|(p, _)| !available.contains(p)) {
        let e = SmsError::TemplatePlaceholderUnavailable {
            name: p.as_str().to_owned(),
            position,
            trigger: trigger.kind().to_owned(),
        };
        return Err(template_refused(&state, e));
    }
    let body = parsed.render(&TemplateValues::sample()).map_err(|e| template_refused(&state, e))?;
    let sign_name = sign_name();
    let text = segments::signed_text(&sign_name, &body);
    let count = segments::count_text(&text);
    Ok(SmsPreview {
        text,
        chars: count.chars,
        segments: count.segments,
        sign_name,
        available: available.iter().map(|p| p.as_str().to_owned()).collect(),
    })
}

/// How many messages per citizen per day the rules imply (worst case: two tickets a day), and
/// each provider default limit they exceed.
#[tauri::command]
pub async fn sms_budget(rules: SmsRuleSet) -> Result<SmsBudget, CommandError> {
    Ok(budget::estimate(
        &rules,
        &Assumptions::default(),
        &TencentLimits::default(),
        &AlibabaLimits::default(),
    ))
}

// ---- the server's side ----

fn link(state: &AppState) -> Result<Arc<ServerLink>, CommandError> {
    state.link().cloned().ok_or_else(|| unreachable_error(state.locale(), "not connected yet"))
}

fn unreachable_error(locale: Locale, detail: &str) -> CommandError {
    CommandError(notices::sms_server_unreachable(locale, detail))
}

fn link_error(locale: Locale, e: ClientError) -> CommandError {
    tracing::warn!("SMS request to the server failed: {e}");
    if let Some(body) = e.server_error() {
        return CommandError(body);
    }
    match &e {
        ClientError::Unreachable { reason, .. } => unreachable_error(locale, reason),
        ClientError::Refused { status, .. } => CommandError(notices::sms_server_refused(locale, *status)),
        other => unreachable_error(locale, &other.to_string()),
    }
}

/// The server's outbox, newest first, numbers masked.
#[tauri::command]
pub async fn sms_outbox(
    state: State<'_, AppState>,
    status: Option<String>,
    rule: Option<String>,
    day: Option<String>,
) -> Result<Vec<SmsOutboxEntry>, CommandError> {
    let link = link(&state)?;
    let path = format!("sms/outbox{}", query_string(&[("status", status), ("rule", rule), ("day", day)]));
    link.admin().get(&path).await.map_err(|e| link_error(state.locale(), e))
}

/// Per day and rule, the last `days` hall days (7 by default).
#[tauri::command]
pub async fn sms_counts(state: State<'_, AppState>, days: Option<u32>) -> Result<SmsCounts, CommandError> {
    let link = link(&state)?;
    let path = format!("sms/counts?days={}", days.unwrap_or(7));
    link.admin().get(&path).await.map_err(|e| link_error(state.locale(), e))
}

#[tauri::command]
pub async fn sms_status(state: State<'_, AppState>) -> Result<SmsServiceStatus, CommandError> {
    let link = link(&state)?;
    link.admin().get("sms/status").await.map_err(|e| link_error(state.locale(), e))
}

/// One message to the supervisor's own number: a saved rule's text with sample values, or a text
/// of its own. The number is checked here first (refused at `phone`).
#[tauri::command(rename_all = "camelCase")]
pub async fn sms_test_send(
    state: State<'_, AppState>,
    phone: String,
    rule_id: Option<String>,
    text: Option<String>,
) -> Result<SmsTestResult, CommandError> {
    let parsed = Phone::parse(&phone).map_err(|e| {
        let mut r = Rejection::from(e);
        r.field = Some("phone".into());
        refused(&state, r)
    })?;
    let link = link(&state)?;
    let body = SmsTestRequest {
        phone: parsed.expose().to_owned(),
        rule_id: rule_id.filter(|r| !r.is_empty()),
        text: text.filter(|t| !t.trim().is_empty()),
    };
    link.admin().post("sms/test", &body).await.map_err(|e| link_error(state.locale(), e))
}
