//! Desktop notifications: raising core's notices (`hallkeeper_core::notices`, which words and
//! batches them) and following a click on one. The dashboard feed and the poor-rating notices
//! both raise through here; a click comes back here only, and goes to the UI as an event.
//!
//! A click (reported by tauri-plugin-notification ≥ 2.6 on Linux through the Desktop
//! Notifications `default` action, on Windows and macOS natively) brings the main window to the
//! front and sends `dashboard-focus` {subject, subjectId} (a queue alarm: the UI shows that
//! tile) or `case-focus` {caseId} (a poor rating: the UI opens the case).

use crate::AppState;
use hallkeeper_core::proto::events::{CASE_FOCUS, DASHBOARD_FOCUS};
use hallkeeper_core::proto::{AlertSubject, CaseFocus, DashboardFocus, Locale};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

/// The notification's extra field that makes a click open a case rather than a dashboard tile.
pub const CASE_ID_EXTRA: &str = "caseId";
/// A queue alarm's extra fields: what its click shows.
const SUBJECT_EXTRA: &str = "subject";
const SUBJECT_ID_EXTRA: &str = "subjectId";

/// What a click on a notification opens.
pub enum Target<'a> {
    Tile { subject: AlertSubject, subject_id: &'a str },
    Case { case_id: &'a str },
}

/// The UI's current language (Chinese before the state is managed).
pub fn locale<R: Runtime>(app: &AppHandle<R>) -> Locale {
    app.try_state::<AppState>().map_or(Locale::ZhCn, |s| s.locale())
}

/// Raises one notification; `what` names it in the log.
pub fn show<R: Runtime>(app: &AppHandle<R>, what: &str, title: &str, body: &str, target: Option<Target<'_>>) {
    let mut builder = app.notification().builder().title(title).body(body);
    builder = match target {
        Some(Target::Tile { subject, subject_id }) => {
            builder.extra(SUBJECT_EXTRA, subject).extra(SUBJECT_ID_EXTRA, subject_id)
        }
        Some(Target::Case { case_id }) => builder.extra(CASE_ID_EXTRA, case_id),
        None => builder,
    };
    match builder.show() {
        // show() only prepares it: whether a notification daemon took it is not known here.
        Ok(()) => tracing::info!(title, "{what} notification raised"),
        Err(e) => tracing::warn!(title, "{what} notification not raised: {e}"),
    }
}

/// Brings the main window to the front and sends `event` to the UI. Window calls belong on the
/// main thread; a click arrives on the plugin's (D-Bus) thread.
pub fn focus_main<R: Runtime, P: Serialize + Clone + Send + 'static>(
    app: &AppHandle<R>,
    event: &'static str,
    payload: P,
) {
    let on_main = app.clone();
    let _ = app.run_on_main_thread(move || {
        if let Some(w) = on_main.get_webview_window("main") {
            let _ = w.unminimize();
            let _ = w.show();
            let _ = w.set_focus();
        }
        if let Err(e) = on_main.emit(event, payload) {
            tracing::warn!("cannot send {event} to the UI: {e}");
        }
    });
}

/// Registers what a click on a notification does. Must run before the first notification is
/// shown (the plugin offers the click only on notifications shown while a handler exists).
pub fn handle_clicks<R: Runtime>(app: &AppHandle<R>) {
    let handle = app.clone();
    let registered = app.notification().on_action(move |performed| {
        let Some(n) = performed.notification() else { return };
        let extra = n.extra();
        if let Some(case_id) = extra.get(CASE_ID_EXTRA).and_then(|v| v.as_str()) {
            tracing::info!(%case_id, "poor rating notification clicked");
            focus_main(&handle, CASE_FOCUS, CaseFocus { case_id: case_id.to_owned() });
            return;
        }
        let subject =
            extra.get(SUBJECT_EXTRA).and_then(|v| serde_json::from_value::<AlertSubject>(v.clone()).ok());
        let subject_id = extra.get(SUBJECT_ID_EXTRA).and_then(|v| v.as_str()).map(str::to_owned);
        let (Some(subject), Some(subject_id)) = (subject, subject_id) else { return };
        tracing::info!(action = performed.action_id(), %subject_id, "queue alarm notification clicked");
        focus_main(&handle, DASHBOARD_FOCUS, DashboardFocus { subject, subject_id });
    });
    if let Err(e) = registered {
        tracing::warn!("clicks on notifications will not be followed: {e}");
    }
}
