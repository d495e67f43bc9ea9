//! Poor ratings on the desktop: a notification for each newly opened rectification case, the
//! due-soon/overdue reminders, and the `cases-changed` event that keeps the UI's inbox counter.
//!
//! The case itself is opened by core in the transaction that stores the rating; this module only
//! tells people, in core's words (`hallkeeper_core::notices`). It hangs on the sync client's
//! ratings hook, which runs on the blocking pool right after a page is stored. A rating pulled
//! before the hook is set (or while the app was closed) still has its case — it shows as unread
//! in the inbox — it only missed its notification. A click on a case notification opens the case
//! (`crate::notifications`).

use crate::notifications::{self, Target};
use hallkeeper_client::SyncClient;
use hallkeeper_core::notices::{self, Notice};
use hallkeeper_core::proto::events::CASES_CHANGED;
use hallkeeper_core::proto::CasesChanged;
use hallkeeper_core::store::{CaseSummary, RatingsApplied};
use hallkeeper_core::Store;
use std::sync::Arc;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Runtime};

/// How often the reminders are looked for (a new hall day is noticed within this).
const ALERT_EVERY: Duration = Duration::from_secs(15 * 60);

fn raise<R: Runtime>(app: &AppHandle<R>, raised: Vec<Notice<'_, CaseSummary>>) {
    for n in raised {
        let target = Target::Case { case_id: &n.about.id };
        notifications::show(app, "poor rating", &n.title, &n.body, Some(target));
    }
}

fn emit_unread<R: Runtime>(app: &AppHandle<R>, unread: u32) {
    if let Err(e) = app.emit(CASES_CHANGED, CasesChanged { unread }) {
        tracing::warn!("cannot tell the UI that cases changed: {e}");
    }
}

/// Tells the UI the cases changed, with the unread count (read off the async runtime).
pub async fn notify_cases_changed<R: Runtime>(app: &AppHandle<R>, store: Arc<Store>) {
    match tauri::async_runtime::spawn_blocking(move || store.unread_cases()).await {
        Ok(Ok(unread)) => emit_unread(app, unread),
        Ok(Err(e)) => tracing::warn!("cannot count unread cases: {e}"),
        Err(e) => tracing::warn!("unread cases not counted: {e}"),
    }
}

/// What the ratings hook does with a stored page: notify each case opened, then the counter.
/// Runs on the blocking pool, inside the sync client's pull.
fn on_ratings<R: Runtime>(app: &AppHandle<R>, store: &Store, applied: &RatingsApplied) {
    if applied.poor.is_empty() {
        return;
    }
    let mut opened = Vec::with_capacity(applied.poor.len());
    for r in &applied.poor {
        match store.case_for_rating(&r.id) {
            Ok(Some(s)) => opened.push(s),
            Ok(None) => tracing::warn!(rating = %r.id, "a poor rating has no case"),
            Err(e) => tracing::warn!(rating = %r.id, "cannot read the case of a poor rating: {e}"),
        }
    }
    raise(app, notices::new_case_notices(notifications::locale(app), &opened));
    match store.unread_cases() {
        Ok(unread) => emit_unread(app, unread),
        Err(e) => tracing::warn!("cannot count unread cases: {e}"),
    }
}

/// Hangs the notifications on the sync client's ratings hook, and follows pulled changes: a case
/// or a step made on another PC arrives in the change log (docs/sync.md, "Records"), and the
/// inbox and an open case must show it.
pub fn wire<R: Runtime>(app: &AppHandle<R>, sync: &SyncClient, store: Arc<Store>) {
    let hook_app = app.clone();
    sync.set_ratings_hook(Arc::new(move |store: &Store, applied: &RatingsApplied| {
        on_ratings(&hook_app, store, applied)
    }));
    let mut pulled = sync.subscribe_pulled();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut seen = pulled.borrow_and_update().changes;
        while pulled.changed().await.is_ok() {
            let changes = pulled.borrow_and_update().changes;
            if changes != seen {
                seen = changes;
                notify_cases_changed(&app, store.clone()).await;
            }
        }
    });
}

/// Raises the due-soon and overdue reminders, once per hall day per case (core marks them), for
/// the life of the app.
pub async fn run_alerts<R: Runtime>(app: AppHandle<R>, store: Arc<Store>) {
    loop {
        let s = store.clone();
        let taken = tauri::async_runtime::spawn_blocking(move || {
            s.take_case_alerts(hallkeeper_core::clock::hall_date(s.now()))
        })
        .await;
        match taken {
            Ok(Ok(alerts)) if !alerts.is_empty() => {
                raise(&app, notices::case_alert_notices(notifications::locale(&app), &alerts))
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!("rectification reminders not read: {e}"),
            Err(e) => tracing::warn!("rectification reminders task failed: {e}"),
        }
        tokio::time::sleep(ALERT_EVERY).await;
    }
}
