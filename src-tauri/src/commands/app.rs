use crate::AppState;
use std::io::Write;
use tauri::State;

/// The UI calls this once after its first paint with data. The line on stdout is what the
/// startup benchmark waits for; the log line is for people.
#[tauri::command]
pub fn ui_ready(state: State<'_, AppState>) {
    if let Some(elapsed) = state.mark_ready() {
        let ms = elapsed.as_millis();
        tracing::info!(ms, "first interactive paint");
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "HALLKEEPER_READY {ms}");
        let _ = out.flush();
    }
}
