use super::{write, Entity};
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
    write(&app, &state, Entity::Windows, move |s, actor| s.create_window(actor, &input)).await
}

#[tauri::command]
pub async fn update_window<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    input: WindowInput,
) -> Result<Window, CommandError> {
    write(&app, &state, Entity::Windows, move |s, actor| s.update_window(actor, &id, &input)).await
}

#[tauri::command]
pub async fn set_window_state<R: Runtime>(
    handle: AppHandle<R>,
    app: State<'_, AppState>,
    id: String,
    state: WindowState,
) -> Result<Window, CommandError> {
    write(&handle, &app, Entity::Windows, move |s, actor| s.set_window_state(actor, &id, state)).await
}

#[tauri::command]
pub async fn delete_window<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> Result<(), CommandError> {
    write(&app, &state, Entity::Windows, move |s, actor| s.delete_window(actor, &id)).await
}

#[tauri::command(rename_all = "camelCase")]
pub async fn reorder_windows<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    ordered_ids: Vec<String>,
) -> Result<Vec<Window>, CommandError> {
    write(&app, &state, Entity::Windows, move |s, actor| s.reorder_windows(actor, &ordered_ids)).await
}
