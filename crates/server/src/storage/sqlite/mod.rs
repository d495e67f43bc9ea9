//! SQLite storage: one file, WAL, foreign keys on; one connection used from the blocking pool
//! (a hall's traffic is a few writes a second, well within one connection), and a second one on
//! a thread of its own that checkpoints the WAL, so that no request pays for the copy. One file per concern;
//! each runs SQL and maps rows, the decisions are the rules' (`crate::sync`, `crate::appointments`).

use super::{
    AppointmentChange, Booked, DeviceRecord, NewAppointment, Slot, SlotUse, SlotsReplaced, StorageError,
    StorageResult,
};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use hallkeeper_proto::{
    Appointment, Device, EventsPage, Hall, HallConfig, PullResponse, PushResponse, Rating, RatingsPage,
    SyncHeads, SyncOp, TicketEvent,
};
use rusqlite::{Connection, TransactionBehavior};
use std::future::Future;
use std::path::Path;
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../sql/sqlite/0001_halls_devices_events_ratings.sql")),
    (2, include_str!("../sql/sqlite/0002_appointments.sql")),
    (3, include_str!("../sql/sqlite/0003_sync.sql")),
    (4, include_str!("../sql/sqlite/0004_sync_down.sql")),
    (5, include_str!("../sql/sqlite/0005_rating_seq.sql")),
    (6, include_str!("../sql/sqlite/0006_sms.sql")),
    (7, include_str!("../sql/sqlite/0007_accounts.sql")),
];

mod accounts;
mod appointments;
mod devices;
mod halls;
mod sms;
mod sync;
mod tickets;

#[derive(Clone)]
pub struct SqliteStorage {
    conn: Arc<Mutex<Connection>>,
    /// Checkpoints the WAL off the request path (a file only; None in memory).
    checkpointer: Option<Arc<Checkpointer>>,
}

/// How long the checkpointer lets writes gather after a checkpoint before the next one.
const CHECKPOINT_GAP: std::time::Duration = std::time::Duration::from_millis(100);

/// WAL pages after which the committing connection checkpoints by itself after all, should the
/// checkpointer fall behind (SQLite's default is 1,000; at that size the checkpoint ran on
/// whichever request committed the thousandth page, ~4 ms every ~225 ticket issues: the bench's
/// one-connection p99 tail, docs/benchmarks.md).
const FALLBACK_AUTOCHECKPOINT_PAGES: i64 = 10_000;

/// A thread with a connection of its own that runs `PRAGMA wal_checkpoint(PASSIVE)` after
/// writes, at most every [`CHECKPOINT_GAP`]. A passive checkpoint on another connection neither
/// waits for nor blocks the writer, so the copy of the WAL into the database file and its fsync
/// leave the storage mutex free. Dropped with the last handle of the storage: the thread ends
/// and its connection closes (the last one, which removes the WAL) before the drop returns.
struct Checkpointer {
    wake: Option<std::sync::mpsc::SyncSender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpointer {
    fn start(path: &Path) -> StorageResult<Self> {
        use std::sync::mpsc::RecvTimeoutError;
        let conn = Connection::open(path).map_err(|e| backend(format!("{}: {e}", path.display())))?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(backend)?;
        let (wake, woken) = std::sync::mpsc::sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                let mut due = woken.recv().is_ok();
                while due {
                    let run = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(0));
                    if let Err(e) = run {
                        tracing::warn!("SQLite checkpoint: {e}");
                    }
                    // Writes gather for the gap; a wake-up in it makes the next checkpoint due at
                    // its end. The storage being dropped ends the thread at once.
                    let gap_end = std::time::Instant::now() + CHECKPOINT_GAP;
                    let mut pending = false;
                    loop {
                        match woken.recv_timeout(gap_end.saturating_duration_since(std::time::Instant::now()))
                        {
                            Ok(()) => pending = true,
                            Err(RecvTimeoutError::Timeout) => break,
                            Err(RecvTimeoutError::Disconnected) => return,
                        }
                    }
                    due = pending || woken.recv().is_ok();
                }
            })
            .map_err(|e| backend(format!("checkpoint thread: {e}")))?;
        Ok(Self { wake: Some(wake), thread: Some(thread) })
    }

    /// After a statement ran: a checkpoint is due (one wake-up pending at most).
    fn poke(&self) {
        if let Some(w) = &self.wake {
            let _ = w.try_send(());
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.wake = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub(super) fn backend(e: impl std::fmt::Display) -> StorageError {
    StorageError::Backend(e.to_string())
}

pub(super) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl SqliteStorage {
    pub fn open(path: &Path) -> StorageResult<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| backend(format!("{}: {e}", dir.display())))?;
        }
        let conn = Connection::open(path).map_err(|e| backend(format!("{}: {e}", path.display())))?;
        let conn = Self::configure(conn)?;
        conn.pragma_update(None, "wal_autocheckpoint", FALLBACK_AUTOCHECKPOINT_PAGES).map_err(backend)?;
        let checkpointer = Checkpointer::start(path)?;
        Ok(Self { conn: Arc::new(Mutex::new(conn)), checkpointer: Some(Arc::new(checkpointer)) })
    }

    pub fn open_in_memory() -> StorageResult<Self> {
        let conn = Self::configure(Connection::open_in_memory().map_err(backend)?)?;
        Ok(Self { conn: Arc::new(Mutex::new(conn)), checkpointer: None })
    }

    fn configure(conn: Connection) -> StorageResult<Connection> {
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(backend)?;
        let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(backend)?;
        conn.pragma_update(None, "foreign_keys", true).map_err(backend)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(backend)?;
        Ok(conn)
    }

    /// Runs `f` with the connection on the blocking pool.
    pub(super) async fn with<T, F>(&self, f: F) -> StorageResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StorageResult<T> + Send + 'static,
    {
        let conn = self.conn.clone();
        let out = tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(backend)?;
        if let Some(c) = &self.checkpointer {
            c.poke();
        }
        out
    }
}

pub(super) fn conflict_or(e: rusqlite::Error, what: &str) -> StorageError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => StorageError::Conflict(what.to_owned()),
        _ => backend(e),
    }
}

pub(super) fn bad_column(i: usize, what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, what.into())
}

/// Runs a future that never waits to its end: the SQLite statements of an algorithm written once
/// for both backends (`crate::sync::push`) run on the calling thread and are ready at once.
pub(super) fn ready<T>(f: impl Future<Output = StorageResult<T>>) -> StorageResult<T> {
    match pin!(f).as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(r) => r,
        Poll::Pending => Err(StorageError::Backend("a SQLite statement waited".into())),
    }
}

crate::storage::backend_storage! {
    impl Storage for SqliteStorage {
        fn sms(&self) -> &dyn super::sms::SmsStorage {
            self
        }

        fn accounts(&self) -> &dyn super::accounts::AccountStorage {
            self
        }

        async fn migrate(&self) -> StorageResult<()> {
            self.with(|conn| {
                let known = MIGRATIONS.last().map_or(0, |m| m.0);
                // One migration per immediate transaction, the version read inside it: two servers
                // starting on one file cannot both apply the same step.
                loop {
                    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
                    let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(backend)?;
                    if found > known {
                        return Err(StorageError::SchemaTooNew { found, known });
                    }
                    let Some((version, sql)) = MIGRATIONS.iter().find(|m| m.0 > found) else {
                        return Ok(());
                    };
                    tx.execute_batch(sql).map_err(backend)?;
                    tx.pragma_update(None, "user_version", version).map_err(backend)?;
                    tx.commit().map_err(backend)?;
                }
            })
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sync::DEPENDENTS;
    use super::tickets::{EVENTS_AFTER, RATINGS_AFTER};
    use super::*;
    use crate::storage::Storage;
    use crate::sync;
    use crate::sync::push::dependents_query;
    use rusqlite::params;

    /// SQLite's plan for a hall's page query (`?1` hall, `?2` after, `?3` limit).
    async fn query_plan(storage: &SqliteStorage, sql: &'static str) -> String {
        storage
            .with(move |c| {
                let mut st = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).map_err(backend)?;
                let detail: Vec<String> = st
                    .query_map(params!["h1", 0, 10], |r| r.get::<_, String>(3))
                    .map_err(backend)?
                    .collect::<rusqlite::Result<_>>()
                    .map_err(backend)?;
                Ok(detail.join("; "))
            })
            .await
            .unwrap()
    }

    /// The cascade's queries must match the indexes' expressions verbatim, or SQLite reads every
    /// binding or seat of the hall instead.
    #[tokio::test]
    async fn dependents_are_found_through_an_index() {
        let storage = SqliteStorage::open_in_memory().unwrap();
        storage.migrate().await.unwrap();
        let deps = [sync::dependents("window", "w-a"), sync::dependents("staff", "s-1")].concat();
        let plans = storage
            .with(move |c| {
                let mut plans = Vec::new();
                for dep in &deps {
                    let (sql, _) = dependents_query(dep, &DEPENDENTS).unwrap();
                    let mut st = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).map_err(backend)?;
                    let n = st.parameter_count();
                    let detail: Vec<String> = st
                        .query_map(rusqlite::params_from_iter(vec!["x"; n]), |r| r.get::<_, String>(3))
                        .map_err(backend)?
                        .collect::<rusqlite::Result<_>>()
                        .map_err(backend)?;
                    plans.push(detail.join("; "));
                }
                Ok(plans)
            })
            .await
            .unwrap();
        assert_eq!(plans.len(), 3);
        assert!(plans[0].contains("USING INDEX sqlite_autoindex_sync_rows_1"), "{}", plans[0]);
        assert!(plans[1].contains("USING INDEX sync_rows_by_key_tail"), "{}", plans[1]);
        assert!(plans[2].contains("USING INDEX sync_rows_by_staff"), "{}", plans[2]);
        assert_eq!(dependents_query(&sync::dependents("window", "w/a")[0], &DEPENDENTS), None);

        let events = query_plan(&storage, EVENTS_AFTER).await;
        assert!(
            events.contains("USING COVERING INDEX ticket_events_by_hall")
                || events.contains("USING INDEX ticket_events_by_hall"),
            "{events}"
        );
        assert!(!events.contains("TEMP B-TREE"), "no sort: {events}");

        let ratings = query_plan(&storage, RATINGS_AFTER).await;
        assert!(ratings.contains("USING INDEX ratings_by_hall"), "{ratings}");
        assert!(!ratings.contains("TEMP B-TREE"), "no sort: {ratings}");
    }

    /// The WAL is copied into the database file off the request path, soon after the writes and
    /// long before SQLite's own threshold: the file holds every page without any connection
    /// closing or reaching `FALLBACK_AUTOCHECKPOINT_PAGES`; dropping the storage closes it all.
    #[tokio::test]
    async fn writes_are_checkpointed_in_the_background() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.db");
        let storage = SqliteStorage::open(&path).unwrap();
        storage.migrate().await.unwrap();
        let (pages, page_size, threshold) = storage
            .with(|c| {
                let get = |pragma: &str| c.query_row(&format!("PRAGMA {pragma}"), [], |r| r.get::<_, i64>(0));
                Ok((get("page_count"), get("page_size"), get("wal_autocheckpoint")))
            })
            .await
            .unwrap();
        let (pages, page_size) = (pages.unwrap() as u64, page_size.unwrap() as u64);
        assert_eq!(threshold.unwrap(), FALLBACK_AUTOCHECKPOINT_PAGES);
        assert!(pages > 10 && pages < FALLBACK_AUTOCHECKPOINT_PAGES as u64, "{pages} pages");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let len = std::fs::metadata(&path).unwrap().len();
            if len == pages * page_size {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "{len} bytes in the file, {pages} pages written");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        // Dropping the storage ends the thread and closes both connections, the last removing the WAL.
        drop(storage);
        assert!(!path.with_extension("db-wal").exists());
    }
}
