//! The poor-rating inbox and the rectification ledger (整改台账). Cases open by themselves as
//! poor ratings are pulled (see `crate::poor_ratings`); here the supervisor reads them, takes
//! steps, attaches evidence and chooses the deadline profile. After a change the UI hears
//! `cases-changed` {unread}.

use crate::poor_ratings::notify_cases_changed;
use crate::{AppState, CommandError};
use hallkeeper_core::rectification::{Action, Attachment, DeadlineProfile, ProfileExt as _, Step};
use hallkeeper_core::store::{CaseAlerts, CaseDetail, CaseSummary, InboxFilter};
use std::path::PathBuf;
use tauri::{AppHandle, Runtime, State};

read_command! {
    /// The inbox, newest first: `filter` {state?, unread, overdue, dueSoon, openOnly, offset, limit},
    /// every field optional.
    pub fn list_poor_ratings(filter: Option<InboxFilter>) -> Vec<CaseSummary>
        = |s| s.poor_rating_inbox(&filter.unwrap_or_default());
}

read_command! {
    pub fn get_case(case_id: String) -> CaseDetail = |s| s.case(&case_id);
}

/// Takes one step (`action` as `{type: "verify"}`, `{type: "call_back", reached, satisfied}` …)
/// by the operator, now; answers the case as it is after. Evidence cited in `attachments` must
/// have been attached to this case first (`attach_evidence`).
#[tauri::command(rename_all = "camelCase")]
pub async fn case_action<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    case_id: String,
    action: Action,
    note: Option<String>,
    attachments: Option<Vec<Attachment>>,
) -> Result<CaseDetail, CommandError> {
    let actor = state.person()?;
    let detail = state
        .call(move |s| {
            let step = Step {
                action,
                actor: actor.name.clone(),
                at: s.now(),
                note,
                attachments: attachments.unwrap_or_default(),
            };
            s.case_action(&actor, &case_id, step)?;
            s.case(&case_id)
        })
        .await?;
    notify_cases_changed(&app, state.store()).await;
    Ok(detail)
}

#[tauri::command(rename_all = "camelCase")]
pub async fn mark_case_read<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    case_id: String,
) -> Result<u32, CommandError> {
    let unread = state
        .call(move |s| {
            s.mark_case_read(&case_id)?;
            s.unread_cases()
        })
        .await?;
    notify_cases_changed(&app, state.store()).await;
    Ok(unread)
}

read_command! {
    pub fn unread_case_count() -> u32 = |s| s.unread_cases();
}

read_command! {
    /// Overdue and due-soon cases today (hall date).
    pub fn case_alerts() -> CaseAlerts = |s| s.case_alerts(hallkeeper_core::clock::hall_date(s.now()));
}

/// Copies the file the dialog chose into the evidence folder and records it on the case; the
/// answer is what `case_action` cites in `attachments`.
#[tauri::command(rename_all = "camelCase")]
pub async fn attach_evidence<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    case_id: String,
    path: String,
) -> Result<Attachment, CommandError> {
    let actor = state.person()?;
    let attached = state.call(move |s| s.attach_evidence(&actor, &case_id, &PathBuf::from(path))).await?;
    notify_cases_changed(&app, state.store()).await;
    Ok(attached)
}

/// The built-in profiles (默认, 四川省, 德州市) to start from.
#[tauri::command]
pub async fn list_deadline_profiles() -> Result<Vec<DeadlineProfile>, CommandError> {
    Ok(DeadlineProfile::builtins())
}

read_command! {
    pub fn get_deadline_profile() -> DeadlineProfile = |s| s.deadline_profile();
}

/// Sets the profile new cases open under; a refusal names the field (`rectifyWorkingDays` …).
#[tauri::command]
pub async fn set_deadline_profile(
    state: State<'_, AppState>,
    profile: DeadlineProfile,
) -> Result<DeadlineProfile, CommandError> {
    let actor = state.person()?;
    state.call(move |s| s.set_deadline_profile(&actor, &profile)).await
}
