use crate::{AppState, CommandError};
use hallkeeper_core::proto::AuditPage;
use tauri::State;

#[tauri::command]
pub async fn list_audit(
    state: State<'_, AppState>,
    limit: usize,
    before: Option<String>,
) -> Result<AuditPage, CommandError> {
    state.call(move |s| s.list_audit(limit, before.as_deref())).await
}
