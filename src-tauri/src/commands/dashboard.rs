//! The live queue monitor (总览): the dashboard now, the thresholds that colour it, and the
//! dashboard's own write (an overflow binding for the rest of the day). The dashboard also
//! arrives as the `dashboard` and `dashboard-delta` events whenever it changes (see `crate::dashboard_feed`).

use crate::dashboard_feed::FeedTrigger;
use crate::{AppState, CommandError};
use hallkeeper_core::proto::{BindingsChange, Dashboard, ThresholdSettings};
use std::sync::Arc;
use tauri::{AppHandle, Manager, Runtime, State};

/// The dashboard feed's last picture (what its next `dashboard-delta` applies to), or one
/// computed now before the feed's first.
#[tauri::command]
pub async fn get_dashboard<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Dashboard, CommandError> {
    if let Some(d) = app.try_state::<Arc<FeedTrigger>>().and_then(|f| f.latest()) {
        return Ok(d);
    }
    state.call(|s| s.dashboard()).await
}

read_command! {
    pub fn get_thresholds() -> ThresholdSettings = |s| s.threshold_settings();
}

write_command! {
    /// Saves every threshold at once; a refusal names the field (`windowDefault.waitingAlarm`,
    /// `windows[2].thresholds.waitAlarmMin`, `quietMin` …).
    pub fn set_thresholds(settings: ThresholdSettings) -> ThresholdSettings
        = |s, actor| s.set_threshold_settings(actor, &settings), notifies Thresholds;
}

write_command! {
    /// Binds a matter to a window as overflow until the end of today's hall day.
    pub fn bind_overflow_today(window_id: String, matter_id: String) -> BindingsChange
        = |s, actor| s.bind_overflow_today(actor, &window_id, &matter_id), notifies Bindings;
}
