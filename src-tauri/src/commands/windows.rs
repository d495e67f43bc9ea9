use super::{notify_changed, Entity};
use crate::{AppState, CommandError};
use hallkeeper_core::proto::{Window, WindowInput, WindowState};
use tauri::{AppHandle, Runtime, State};

#[tauri::command]
pub async fn list_windows(state: State<'_, AppState>) -> Result<Vec<Window>, CommandError> {
    state.call(|s| s.list_windows()).await
}

#[tauri::command]
pub async fn create_window<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    input: WindowInput,
) -> Result<Window, CommandError> {
    let actor = state.operator();
    let window = state.call(move |s| s.create_window(&actor, &input)).await?;
    notify_changed(&app, Entity::Windows);
    Ok(window)
}

#[tauri::command]
pub async fn update_window<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    input: WindowInput,
) -> Result<Window, CommandError> {
    let actor = state.operator();
    let window = state.call(move |s| s.update_window(&actor, &id, &input)).await?;
    notify_changed(&app, Entity::Windows);
    Ok(window)
}

#[tauri::command]
pub async fn set_window_state<R: Runtime>(
    handle: AppHandle<R>,
    app: State<'_, AppState>,
    id: String,
    state: WindowState,
) -> Result<Window, CommandError> {
    let actor = app.operator();
    let window = app.call(move |s| s.set_window_state(&actor, &id, state)).await?;
    notify_changed(&handle, Entity::Windows);
    Ok(window)
}

#[tauri::command]
pub async fn delete_window<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> Result<(), CommandError> {
    let actor = state.operator();
    state.call(move |s| s.delete_window(&actor, &id)).await?;
    notify_changed(&app, Entity::Windows);
    Ok(())
}

#[tauri::command(rename_all = "camelCase")]
pub async fn reorder_windows<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    ordered_ids: Vec<String>,
) -> Result<Vec<Window>, CommandError> {
    let actor = state.operator();
    let windows = state.call(move |s| s.reorder_windows(&actor, &ordered_ids)).await?;
    notify_changed(&app, Entity::Windows);
    Ok(windows)
}
