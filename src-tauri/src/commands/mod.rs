//! The commands the UI invokes. Each is a thin adapter: take arguments, call core on a blocking
//! thread through [`crate::AppState::call`], return core's answer, and after a write tell every
//! open page what changed (the `data-changed` event).
//!
//! Most commands are one store call and have one of two shapes, written with the macros below
//! (defined before the modules so that they can use them):
//!
//! ```text
//! read_command! {
//!     pub fn list_staff() -> Vec<Staff> = |s| s.list_staff();
//! }
//! write_command! {
//!     pub fn create_staff(input: StaffInput) -> Staff
//!         = |s, actor| s.create_staff(actor, &input), notifies Staff;
//! }
//! ```
//!
//! Each becomes a `#[tauri::command] pub async fn` of that name and those arguments (the UI sends
//! them in camelCase, Tauri's default), so `tauri::generate_handler!` and the UI name it as before.

/// A command that only reads: runs the expression on the store on a blocking thread
/// ([`crate::AppState::call`]), the arguments moved in.
macro_rules! read_command {
    ($(#[$attr:meta])* pub fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $out:ty
        = |$s:pat_param| $body:expr;) => {
        $(#[$attr])*
        #[tauri::command]
        pub async fn $name(
            state: tauri::State<'_, crate::AppState>,
            $($arg: $ty),*
        ) -> Result<$out, crate::CommandError> {
            state.call(move |$s| $body).await
        }
    };
}

/// A write by the signed-in person ([`write_notifying`]): runs the expression with the store and the
/// person, then tells every open page that the entities after `notifies` changed (with `if`, only
/// when the answer says the write changed anything).
macro_rules! write_command {
    ($(#[$attr:meta])* pub fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $out:ty
        = |$s:ident, $actor:ident| $body:expr,
        notifies $($entity:ident),+ $(if |$answer:ident| $changed:expr)?;) => {
        $(#[$attr])*
        #[tauri::command]
        pub async fn $name<R: tauri::Runtime>(
            app: tauri::AppHandle<R>,
            state: tauri::State<'_, crate::AppState>,
            $($arg: $ty),*
        ) -> Result<$out, crate::CommandError> {
            let entities = [$(crate::commands::Entity::$entity),+];
            let changed = write_command!(@changed $out $(, |$answer| $changed)?);
            crate::commands::write_notifying(&app, &state, &entities, changed, move |$s, $actor| $body).await
        }
    };
    (@changed $out:ty) => { |_: &$out| true };
    (@changed $out:ty, |$answer:ident| $changed:expr) => { |$answer: &$out| $changed };
}

pub mod accounts;
pub mod app;
pub mod audit;
pub mod bindings;
pub mod catalog;
pub mod dashboard;
pub mod devices;
pub mod queue_actions;
pub mod rating_reasons;
pub mod rectification;
pub mod reports;
pub mod session;
pub mod settings;
pub mod sms;
pub mod staff;
pub mod stars;
pub mod sync;
pub mod windows;

/// Event names the UI listens to.
pub use hallkeeper_core::proto::events::{DATA_CHANGED, IMPORT_PROGRESS, SYNC_STATUS};
use hallkeeper_core::proto::DataChanged;
pub use hallkeeper_core::proto::DataEntity as Entity;
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// A write by the signed-in person: runs `work` as them on a blocking thread (as
/// [`crate::AppState::call`]), then, when `changed` says of the answer that the write changed
/// anything, tells every open page that each of `entities` changed. Whether the person may is
/// decided before any command runs (the invoke handler asks core, see [`crate::with_commands`]);
/// here only who they are.
pub(crate) async fn write_notifying<T, F, R: Runtime>(
    app: &AppHandle<R>,
    state: &crate::AppState,
    entities: &[Entity],
    changed: impl FnOnce(&T) -> bool,
    work: F,
) -> Result<T, crate::CommandError>
where
    T: Send + 'static,
    F: FnOnce(&hallkeeper_core::Store, &hallkeeper_core::access::Person) -> Result<T, hallkeeper_core::Error>
        + Send
        + 'static,
{
    let actor = state.person()?;
    let out = state.call(move |s| work(s, &actor)).await?;
    if changed(&out) {
        for &entity in entities {
            notify_changed(app, entity);
        }
    }
    Ok(out)
}

pub(crate) fn notify_changed<R: Runtime>(app: &AppHandle<R>, entity: Entity) {
    if let Some(feed) = app.try_state::<std::sync::Arc<crate::dashboard_feed::FeedTrigger>>() {
        feed.poke(matches!(entity, Entity::Thresholds));
    }
    if let Some(link) = app.try_state::<crate::AppState>().and_then(|s| s.link().cloned()) {
        link.ops_written();
        if matches!(entity, Entity::Windows | Entity::Catalog | Entity::Bindings | Entity::SmsRules) {
            link.config_changed();
        }
    }
    if let Err(e) = app.emit(DATA_CHANGED, DataChanged { entity }) {
        tracing::warn!("cannot tell the UI that {entity:?} changed: {e}");
    }
}

/// A status that differs from the one the UI holds only in what moves with every pull (cursors,
/// the last sync's time) waits this long at most; anything the supervisor would notice (the
/// connection, pending or refused changes, an error, progress) goes at once. In a busy hall pulls
/// come several times a second, and each event re-renders the header.
const ROUTINE_STATUS_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

fn routine_only(a: &hallkeeper_core::proto::SyncStatus, b: &hallkeeper_core::proto::SyncStatus) -> bool {
    a.connection == b.connection
        && a.pending == b.pending
        && a.rejected == b.rejected
        && a.last_error == b.last_error
        && a.progress == b.progress
        && a.server_url == b.server_url
}

/// Forwards the sync client's status to the UI (`sync-status`) and tells every page to refetch
/// when a pull changed the store, for the life of the app.
pub(crate) async fn forward_sync<R: Runtime>(
    app: AppHandle<R>,
    sync: std::sync::Arc<hallkeeper_client::SyncClient>,
) {
    use std::time::Instant;
    let mut status = sync.subscribe();
    let mut pulled = sync.subscribe_pulled();
    let mut seen = *pulled.borrow();
    // The status as it is now, for a UI that loaded before this task subscribed.
    let mut sent = status.borrow_and_update().clone();
    let mut sent_at = Instant::now();
    if let Err(e) = app.emit(SYNC_STATUS, &sent) {
        tracing::warn!("cannot send the sync status to the UI: {e}");
    }
    // A routine change held back until this instant.
    let mut held: Option<Instant> = None;
    loop {
        let due = async {
            match held {
                Some(at) => tokio::time::sleep_until(at.into()).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            changed = status.changed() => {
                if changed.is_err() { return; }
                let now = status.borrow_and_update().clone();
                if routine_only(&sent, &now) && sent_at.elapsed() < ROUTINE_STATUS_EVERY {
                    held.get_or_insert(sent_at + ROUTINE_STATUS_EVERY);
                    continue;
                }
                held = None;
                sent_at = Instant::now();
                if let Err(e) = app.emit(SYNC_STATUS, &now) {
                    tracing::warn!("cannot send the sync status to the UI: {e}");
                }
                sent = now;
            }
            () = due => {
                held = None;
                let now = status.borrow().clone();
                sent_at = Instant::now();
                if let Err(e) = app.emit(SYNC_STATUS, &now) {
                    tracing::warn!("cannot send the sync status to the UI: {e}");
                }
                sent = now;
            }
            changed = pulled.changed() => {
                if changed.is_err() { return; }
                let tick = *pulled.borrow_and_update();
                let config_moved = tick.changes != seen.changes;
                seen = tick;
                if config_moved {
                    for entity in [Entity::Windows, Entity::Catalog, Entity::Bindings, Entity::Staff, Entity::Roster] {
                        if let Err(e) = app.emit(DATA_CHANGED, DataChanged { entity }) {
                            tracing::warn!("cannot tell the UI that {entity:?} changed: {e}");
                        }
                    }
                }
            }
        }
    }
}
