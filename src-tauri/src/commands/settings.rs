use crate::{AppState, CommandError};
use hallkeeper_core::proto::Settings;
use tauri::State;

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> Result<Settings, CommandError> {
    let fallback = state.default_operator().to_owned();
    state.call(move |s| s.settings(&fallback)).await
}

/// Saves the UI language; later errors come back in it.
#[tauri::command]
pub async fn set_locale(state: State<'_, AppState>, locale: String) -> Result<Settings, CommandError> {
    let fallback = state.default_operator().to_owned();
    let settings = state
        .call(move |s| {
            s.set_locale(&locale)?;
            s.settings(&fallback)
        })
        .await?;
    state.set_locale(settings.locale);
    Ok(settings)
}
