use super::{notify_changed, Entity};
use crate::{AppState, CommandError};
use hallkeeper_core::proto::{BindInput, Binding, BindingsChange, UnbindInput};
use tauri::{AppHandle, Runtime, State};

#[tauri::command]
pub async fn list_bindings(state: State<'_, AppState>) -> Result<Vec<Binding>, CommandError> {
    state.call(|s| s.list_bindings()).await
}

#[tauri::command]
pub async fn bind_matters<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    input: BindInput,
) -> Result<BindingsChange, CommandError> {
    let actor = state.person()?;
    let change = state.call(move |s| s.bind_matters(&actor, &input)).await?;
    if change.changed > 0 {
        notify_changed(&app, Entity::Bindings);
    }
    Ok(change)
}

#[tauri::command]
pub async fn unbind_matters<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    input: UnbindInput,
) -> Result<BindingsChange, CommandError> {
    let actor = state.person()?;
    let change = state.call(move |s| s.unbind_matters(&actor, &input)).await?;
    if change.changed > 0 {
        notify_changed(&app, Entity::Bindings);
    }
    Ok(change)
}
