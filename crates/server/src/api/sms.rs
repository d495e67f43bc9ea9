//! SMS reminders for the supervisor's desktop (admin token): the hall's outbox (numbers masked),
//! counts per day and rule, the sending side's status, and a test message to the supervisor's
//! own number. The rules themselves come with the hall's configuration (`HallConfig::sms`).

use crate::api::appointments::parse_day;
use crate::api::params::AdminHall;
use crate::appointments::hall_day;
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::sms::outbox::{new_row, Due, QuietPolicy, RowPhone, Subject};
use crate::sms::sender::deliver;
use crate::sms::SmsService;
use crate::storage::sms::{Enqueued, OutboxFilter};
use crate::AppState;
use axum::extract::{Query, State};
use axum::Json;
use chrono::Duration;
use hallkeeper_proto::{
    SmsCounts, SmsDeliveryStatus, SmsOutboxEntry, SmsServiceStatus, SmsTestRequest, SmsTestResult,
};
use hallkeeper_sms::{Phone, Template, TemplateValues};
use std::sync::Arc;

/// Rows a listing answers at most.
const OUTBOX_LIMIT_MAX: u32 = 1000;
/// Characters of a free-text test message at most (about three segments).
const TEST_TEXT_MAX: usize = 200;

fn sms_of(state: &AppState) -> Result<&SmsService, ApiError> {
    state
        .sms
        .as_deref()
        .ok_or(ApiError::Conflict {
            code: "sms.not_configured", message: "服务器未开启短信提醒".into()
        })
}

#[derive(Debug, serde::Deserialize)]
pub struct OutboxQuery {
    status: Option<String>,
    rule: Option<String>,
    day: Option<String>,
    limit: Option<u32>,
}

/// `GET …/sms/outbox?status=&rule=&day=&limit=`: newest first, 200 by default.
pub async fn outbox(
    State(state): State<Arc<AppState>>,
    AdminHall { id: hall_id, .. }: AdminHall,
    Query(q): Query<OutboxQuery>,
) -> Result<Json<Vec<SmsOutboxEntry>>, ApiError> {
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(SmsDeliveryStatus::parse(s).ok_or_else(|| {
            ApiError::bad("request.invalid_field", "status", format!("没有这种短信状态：{s}"))
        })?),
    };
    let rule_id = q.rule.filter(|r| !r.is_empty());
    if let Some(r) = &rule_id {
        crate::api::check_id("rule", r)?;
    }
    let day = parse_day(q.day.as_deref().filter(|d| !d.is_empty()))?;
    let limit = q.limit.unwrap_or(200).clamp(1, OUTBOX_LIMIT_MAX);
    let filter = OutboxFilter { status, rule_id, day, limit };
    Ok(Json(state.storage.sms().outbox(&hall_id, &filter).await?))
}

#[derive(Debug, serde::Deserialize)]
pub struct CountsQuery {
    days: Option<u32>,
}

/// `GET …/sms/counts?days=N` (1–90, 7 by default): today and the N−1 days before.
pub async fn counts(
    State(state): State<Arc<AppState>>,
    AdminHall { id: hall_id, .. }: AdminHall,
    Query(q): Query<CountsQuery>,
) -> Result<Json<SmsCounts>, ApiError> {
    let days = q.days.unwrap_or(7);
    if !(1..=90).contains(&days) {
        return Err(ApiError::bad("request.invalid_field", "days", "days 应为 1–90"));
    }
    let from = hall_day((state.now)()) - Duration::days(i64::from(days) - 1);
    Ok(Json(SmsCounts { days: state.storage.sms().counts(&hall_id, from).await? }))
}

/// `GET …/sms/status`.
pub async fn status(
    State(state): State<Arc<AppState>>,
    AdminHall { id: hall_id, .. }: AdminHall,
) -> Result<Json<SmsServiceStatus>, ApiError> {
    let enabled_rules = state
        .storage
        .config(&hall_id)
        .await?
        .and_then(|c| c.sms)
        .map_or(0, |s| s.rules.iter().filter(|r| r.enabled).count() as u32);
    let Some(sms) = state.sms.as_deref() else {
        return Ok(Json(SmsServiceStatus {
            enabled: false,
            provider: "none".into(),
            paused: false,
            paused_until: None,
            last_error_code: None,
            last_error: None,
            last_error_at: None,
            last_sent_at: None,
            pending: 0,
            unknown: 0,
            enabled_rules,
        }));
    };
    let store = state.storage.sms();
    let mut out = sms.status((state.now)());
    out.pending = store.status_count(&hall_id, SmsDeliveryStatus::Pending).await?;
    out.unknown = store.status_count(&hall_id, SmsDeliveryStatus::Unknown).await?;
    out.enabled_rules = enabled_rules;
    Ok(Json(out))
}

/// `POST …/sms/test`: one message to the supervisor's own number, sent at once (quiet hours and
/// the daily cap do not apply; a paused provider is tried anyway — that is how a fix is checked).
/// At most one per 30 s and 20 a day per hall. Audited: the outbox keeps the row (rule `test`,
/// the number masked) and the log says who asked.
pub async fn test(
    State(state): State<Arc<AppState>>,
    AdminHall { id: hall_id, hall, .. }: AdminHall,
    ApiJson(input): ApiJson<SmsTestRequest>,
) -> Result<Json<SmsTestResult>, ApiError> {
    let sms = sms_of(&state)?;
    let phone = Phone::parse(&input.phone)
        .map_err(|_| ApiError::bad("sms.phone_invalid", "phone", "手机号码应为 11 位中国大陆手机号"))?;
    let (rule_id, trigger, body, params) = match (input.rule_id.as_deref(), input.text.as_deref()) {
        (Some(rule_id), None) => {
            let config =
                state.storage.config(&hall_id).await?.ok_or(ApiError::NotConfigured(hall_id.clone()))?;
            let rule = config
                .sms
                .as_ref()
                .and_then(|s| s.rules.iter().find(|r| r.id == rule_id))
                .ok_or_else(|| ApiError::bad("sms.rule_unknown", "ruleId", "本大厅没有这条短信规则"))?;
            let values = TemplateValues::sample().with(hallkeeper_sms::Placeholder::Hall, hall.name.clone());
            let t = Template::parse(&rule.template)
                .map_err(|e| ApiError::bad("sms.rule_invalid", "ruleId", format!("规则模板有误：{e}")))?;
            let render = t.render(&values).and_then(|b| Ok((b, t.params(&values)?)));
            let (body, params) = render
                .map_err(|e| ApiError::bad("sms.rule_invalid", "ruleId", format!("规则模板有误：{e}")))?;
            (rule.id.clone(), "test", body, params)
        }
        (None, Some(text)) => {
            let text = text.trim();
            if text.is_empty() || text.chars().count() > TEST_TEXT_MAX {
                return Err(ApiError::bad(
                    "sms.text_invalid",
                    "text",
                    format!("测试短信应为 1–{TEST_TEXT_MAX} 个字"),
                ));
            }
            ("test".to_owned(), "test", text.to_owned(), vec![("text".to_owned(), text.to_owned())])
        }
        _ => {
            return Err(ApiError::bad(
                "sms.test_invalid",
                "ruleId",
                "请指定规则 ruleId 或测试内容 text（二选一）",
            ))
        }
    };
    let now = (state.now)();
    sms.admit_test(&hall_id, now)
        .map_err(|message| ApiError::Conflict { code: "sms.test_rate_limited", message })?;
    let text = hallkeeper_sms::segments::signed_text(&sms.settings.sign_name, &body);
    let test_id = crate::ids::id_at(now);
    let due = Due {
        hall_id: &hall_id,
        subject: Subject::Test(test_id),
        phone: RowPhone::Clear(&phone),
        now,
        expires_at: now + Duration::minutes(10),
        quiet: QuietPolicy::Skip,
    };
    let row = new_row(
        sms,
        rule_id.clone(),
        trigger.to_owned(),
        params,
        text,
        SmsDeliveryStatus::Pending,
        now,
        due,
    )?
    .ok_or(ApiError::Conflict {
        code: "sms.seal_failed", message: "手机号码无法加密保存".into()
    })?;
    // A test row counts toward no cap: it has no lookup hash.
    let row = crate::storage::sms::NewOutboxRow { phone_hash: None, ..row };
    let store = state.storage.sms();
    if store.enqueue(&row).await? != Enqueued::Inserted(SmsDeliveryStatus::Pending) {
        return Err(ApiError::Conflict {
            code: "sms.test_not_queued",
            message: "测试短信未能加入发送队列".into(),
        });
    }
    tracing::info!(target: "audit", hall = %hall_id, phone = %phone, rule = %rule_id, row = %row.id, "SMS test message requested by the administrator");
    let attempt = crate::ids::id_at(now);
    if let Some(claimed) = store.claim_row(&row.id, now, &attempt).await? {
        deliver(sms, store, claimed, || (state.now)()).await?;
    }
    let entry = store
        .outbox_entry(&row.id)
        .await?
        .ok_or_else(|| ApiError::NotFound { code: "sms.not_found", what: format!("短信 {}", row.id) })?;
    Ok(Json(SmsTestResult { entry }))
}
