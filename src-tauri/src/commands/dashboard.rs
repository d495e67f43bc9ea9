//! The live queue monitor (总览): the dashboard now, the thresholds that colour it, and the
//! dashboard's own write (an overflow binding for the rest of the day). The dashboard also
//! arrives as the `dashboard` event whenever it changes (see `crate::dashboard_feed`).

use super::{notify_changed, Entity};
use crate::{AppState, CommandError};
use hallkeeper_core::proto::{BindingsChange, Dashboard, ThresholdSettings};
use tauri::{AppHandle, Runtime, State};

#[tauri::command]
pub async fn get_dashboard(state: State<'_, AppState>) -> Result<Dashboard, CommandError> {
    state.call(|s| s.dashboard()).await
}

#[tauri::command]
pub async fn get_thresholds(state: State<'_, AppState>) -> Result<ThresholdSettings, CommandError> {
    state.call(|s| s.threshold_settings()).await
}

/// Saves every threshold at once; a refusal names the field (`windowDefault.waitingAlarm`,
/// `windows[2].thresholds.waitAlarmMin`, `quietMin` …).
#[tauri::command]
pub async fn set_thresholds<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    settings: ThresholdSettings,
) -> Result<ThresholdSettings, CommandError> {
    let actor = state.operator();
    let saved = state.call(move |s| s.set_threshold_settings(&actor, &settings)).await?;
    notify_changed(&app, Entity::Thresholds);
    Ok(saved)
}

/// Binds a matter to a window as overflow until the end of today's hall day.
#[tauri::command(rename_all = "camelCase")]
pub async fn bind_overflow_today<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    window_id: String,
    matter_id: String,
) -> Result<BindingsChange, CommandError> {
    let actor = state.operator();
    let change = state.call(move |s| s.bind_overflow_today(&actor, &window_id, &matter_id)).await?;
    notify_changed(&app, Entity::Bindings);
    Ok(change)
}
