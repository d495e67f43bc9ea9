use super::{notify_changed, Entity, IMPORT_PROGRESS};
use crate::{AppState, CommandError};
use hallkeeper_core::proto::{
    Catalog, CoverageReport, ImportInspection, ImportOutcome, ImportPreview, ImportProgress, ImportRequest,
};
use hallkeeper_core::store::catalog::inspect_file;
use std::path::PathBuf;
use tauri::{AppHandle, Emitter, Runtime, State};

#[tauri::command]
pub async fn get_catalog(state: State<'_, AppState>) -> Result<Catalog, CommandError> {
    state.call(|s| s.catalog()).await
}

#[tauri::command]
pub async fn get_coverage(state: State<'_, AppState>) -> Result<CoverageReport, CommandError> {
    state.call(|s| s.coverage()).await
}

#[tauri::command]
pub async fn inspect_catalog_file(
    state: State<'_, AppState>,
    path: String,
) -> Result<ImportInspection, CommandError> {
    state.call(move |_| inspect_file(&PathBuf::from(path))).await
}

fn progress<R: Runtime>(app: AppHandle<R>) -> impl Fn(ImportProgress) + Sync + Send {
    move |p| {
        if let Err(e) = app.emit(IMPORT_PROGRESS, p) {
            tracing::debug!("cannot report import progress: {e}");
        }
    }
}

#[tauri::command]
pub async fn preview_catalog_import<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: ImportRequest,
) -> Result<ImportPreview, CommandError> {
    let report = progress(app);
    state.call(move |s| s.preview_import(&request, &report)).await
}

#[tauri::command]
pub async fn apply_catalog_import<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: ImportRequest,
    fingerprint: String,
) -> Result<ImportOutcome, CommandError> {
    let actor = state.person()?;
    let report = progress(app.clone());
    let outcome = state.call(move |s| s.apply_import(&actor, &request, &fingerprint, &report)).await?;
    notify_changed(&app, Entity::Catalog);
    Ok(outcome)
}
