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

/// Longest UI error text kept in the log; a runaway message must not flood it.
const UI_ERROR_MAX_CHARS: usize = 2000;

/// Errors the web view would otherwise only print to a console nobody sees (uncaught errors,
/// rejected promises, Vue render errors) go to the app's log. The end-to-end suite fails a test
/// whose run logged one.
#[tauri::command]
pub fn report_ui_error(kind: String, message: String) {
    let kind: String = kind.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '.').take(40).collect();
    let message: String = message.chars().take(UI_ERROR_MAX_CHARS).collect();
    tracing::error!(target: "hallkeeper::ui", "UI error ({kind}): {message}");
}
