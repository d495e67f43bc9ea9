//! The sync status and "sync now". The status also arrives as the `sync-status` event whenever
//! it changes, so the header's indicator is live without polling.

use crate::{AppState, CommandError};
use hallkeeper_core::proto::{ErrorBody, SyncConnection, SyncStatus};
use tauri::State;

/// What the status says before the server link exists (the app is starting, or there is none).
fn unconnected(state: &AppState) -> SyncStatus {
    let local = state.store().sync_local().unwrap_or_default();
    SyncStatus {
        server_url: String::new(),
        embedded: false,
        connection: SyncConnection::Connecting,
        pending: local.pending,
        rejected: Vec::new(),
        last_sync_at: None,
        last_error: None,
        progress: None,
        events_cursor: local.events_cursor,
        changes_cursor: local.pull_cursor,
    }
}

#[tauri::command]
pub async fn get_sync_status(state: State<'_, AppState>) -> Result<SyncStatus, CommandError> {
    Ok(match state.link().and_then(|l| l.sync().cloned()) {
        Some(sync) => sync.status(),
        None => unconnected(&state),
    })
}

/// Pushes everything pending and pulls to the server's head; answers the status after, or why
/// it could not.
#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> Result<SyncStatus, CommandError> {
    let Some(link) = state.link().cloned() else {
        return Err(CommandError(hallkeeper_core::notices::not_connected(
            state.locale(),
            hallkeeper_core::FailureCode::SyncNotConnected.as_str(),
        )));
    };
    match link.sync_now(&state.store()).await {
        Ok(report) => {
            tracing::info!(
                pushed = report.pushed,
                changes = report.pulled_changes,
                events = report.pulled_events,
                "sync now"
            );
            Ok(link.start_sync(state.store()).status())
        }
        Err(e) => {
            tracing::warn!(code = %e.code(), "sync now failed: {e}");
            Err(CommandError(ErrorBody { code: e.code(), message: e.message(state.locale()), field: None }))
        }
    }
}
