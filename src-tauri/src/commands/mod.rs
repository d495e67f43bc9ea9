//! The commands the UI invokes. Each is a thin adapter: take arguments, call core on a blocking
//! thread through [`crate::AppState::call`], return core's answer, and after a write tell every
//! open page what changed (the `data-changed` event).

pub mod app;
pub mod audit;
pub mod bindings;
pub mod catalog;
pub mod settings;
pub mod staff;
pub mod windows;

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// Event names the UI listens to.
pub const DATA_CHANGED: &str = "data-changed";
pub const IMPORT_PROGRESS: &str = "import-progress";

/// What kind of record a write touched: the UI refetches what depends on it.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Windows,
    Catalog,
    Bindings,
    Staff,
    Roster,
}

#[derive(Clone, Serialize)]
struct DataChanged {
    entity: Entity,
}

pub(crate) fn notify_changed<R: Runtime>(app: &AppHandle<R>, entity: Entity) {
    if let Some(link) = app.try_state::<crate::AppState>().and_then(|s| s.link().cloned()) {
        link.ops_written();
        if matches!(entity, Entity::Windows | Entity::Catalog | Entity::Bindings) {
            link.config_changed();
        }
    }
    if let Err(e) = app.emit(DATA_CHANGED, DataChanged { entity }) {
        tracing::warn!("cannot tell the UI that {entity:?} changed: {e}");
    }
}
