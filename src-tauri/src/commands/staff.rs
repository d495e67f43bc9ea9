use super::{notify_changed, write, Entity};
use crate::{AppState, CommandError};
use hallkeeper_core::proto::{Roster, SeatInput, Staff, StaffInput};
use tauri::{AppHandle, Runtime, State};

#[tauri::command]
pub async fn list_staff(state: State<'_, AppState>) -> Result<Vec<Staff>, CommandError> {
    state.call(|s| s.list_staff()).await
}

#[tauri::command]
pub async fn create_staff<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    input: StaffInput,
) -> Result<Staff, CommandError> {
    write(&app, &state, Entity::Staff, move |s, actor| s.create_staff(actor, &input)).await
}

#[tauri::command]
pub async fn update_staff<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    input: StaffInput,
) -> Result<Staff, CommandError> {
    write(&app, &state, Entity::Staff, move |s, actor| s.update_staff(actor, &id, &input)).await
}

#[tauri::command]
pub async fn delete_staff<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> Result<(), CommandError> {
    let actor = state.person()?;
    state.call(move |s| s.delete_staff(&actor, &id)).await?;
    notify_changed(&app, Entity::Staff);
    notify_changed(&app, Entity::Roster);
    Ok(())
}

#[tauri::command]
pub async fn get_roster(state: State<'_, AppState>) -> Result<Roster, CommandError> {
    state.call(|s| s.roster_today()).await
}

#[tauri::command]
pub async fn set_seat<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    input: SeatInput,
) -> Result<Roster, CommandError> {
    write(&app, &state, Entity::Roster, move |s, actor| s.set_seat(actor, &input)).await
}
