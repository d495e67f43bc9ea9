use super::{write_notifying, Entity};
use crate::{AppState, CommandError};
use hallkeeper_core::proto::{Window, WindowInput, WindowState};
use tauri::{AppHandle, Runtime, State};

read_command! {
    pub fn list_windows() -> Vec<Window> = |s| s.list_windows();
}

write_command! {
    pub fn create_window(input: WindowInput) -> Window
        = |s, actor| s.create_window(actor, &input), notifies Windows;
}

write_command! {
    pub fn update_window(id: String, input: WindowInput) -> Window
        = |s, actor| s.update_window(actor, &id, &input), notifies Windows;
}

/// Written out rather than with `write_command!`: its argument `state` (the window's) takes the
/// name the macro gives the app's state.
#[tauri::command]
pub async fn set_window_state<R: Runtime>(
    handle: AppHandle<R>,
    app: State<'_, AppState>,
    id: String,
    state: WindowState,
) -> Result<Window, CommandError> {
    write_notifying(
        &handle,
        &app,
        &[Entity::Windows],
        |_| true,
        move |s, actor| s.set_window_state(actor, &id, state),
    )
    .await
}

write_command! {
    pub fn delete_window(id: String) -> () = |s, actor| s.delete_window(actor, &id), notifies Windows;
}

write_command! {
    pub fn reorder_windows(ordered_ids: Vec<String>) -> Vec<Window>
        = |s, actor| s.reorder_windows(actor, &ordered_ids), notifies Windows;
}
