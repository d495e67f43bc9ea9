use super::{notify_changed, Entity, IMPORT_PROGRESS};
use crate::{AppState, CommandError};
use hallkeeper_core::proto::{
    Catalog, CoverageReport, ImportInspection, ImportOutcome, ImportPreview, ImportProgress, ImportRequest,
};
use hallkeeper_core::store::catalog::inspect_file;
use std::path::PathBuf;
use tauri::{AppHandle, Emitter, Runtime, State};

read_command! {
    pub fn get_catalog() -> Catalog = |s| s.catalog();
}

read_command! {
    pub fn get_coverage() -> CoverageReport = |s| s.coverage();
}

read_command! {
    /// Reads the file on the store's blocking thread (it may be large); the store is not asked.
    pub fn inspect_catalog_file(path: String) -> ImportInspection = |_| inspect_file(&PathBuf::from(path));
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
