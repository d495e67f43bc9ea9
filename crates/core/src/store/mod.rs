//! The desktop's local store: one SQLite file (WAL, foreign keys on, a busy timeout), opened
//! and migrated once. Reads share one connection; every write is one `BEGIN IMMEDIATE`
//! transaction that also appends to the audit log, so a change and its record land together.

// First: its macro is for the modules below.
#[macro_use]
mod columns;
mod audit;
mod bindings;
pub mod catalog;
mod coverage;
mod dashboard;
pub use dashboard::queue_settings;
pub mod migrations;
mod offline;
mod outbox;
pub use outbox::{OutboxOp, OutboxStatus};
pub use settings::{DEFAULT_LOCK_MINUTES, MAX_LOCK_MINUTES};
mod pull;
mod rating_reasons;
pub use rating_reasons::{
    rating_reasons_problem, DEFAULT_RATING_REASONS, RATING_REASONS_ACTION, RATING_REASONS_KEY,
};
mod rating_rows;
mod ratings;
mod report_facts;
mod reports;
/// A rating as this desktop keeps it: proto's `LocalRating` (the inbox's `CaseDetail` carries it).
pub use hallkeeper_proto::LocalRating as StoredRating;
pub use pull::{PullApplied, RejectedOp, SyncLocal};
pub use ratings::{RatingSummary, RatingsApplied};
mod rectification;
pub use rectification::{
    CaseAlerts, CaseDetail, CaseSummary, InboxFilter, RatingCaseOutcome, EVIDENCE_MAX_BYTES,
};
mod seed;
mod settings;
mod sms_rules;
pub use sms_rules::{sms_rule_problems, SMS_RULES_ACTION, SMS_RULES_KEY};
mod staff;
mod stars;
pub use stars::{STAR_RULE_ACTION, STAR_RULE_KEY};
mod windows;

use crate::access::Actor;
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::ids::IdGen;
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// File name of the store inside the data folder.
pub const STORE_FILE: &str = "hallkeeper.db";

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

pub struct Store {
    conn: Mutex<Connection>,
    clock: Arc<dyn Clock>,
    ids: IdGen,
    path: Option<PathBuf>,
    /// Moves with every committed write except appended ticket events: what the dashboard
    /// read of the hall is still good for.
    generation: AtomicU64,
    dashboard_cache: Mutex<Option<dashboard::DashboardCache>>,
    /// The account of the person signed in on this PC ([`Store::set_signed_in`]).
    signed_in: std::sync::RwLock<Option<String>>,
    /// Whether that person's role lets the server take the month's stars from this PC
    /// (`star_month` needs `cases.work`, 值班长 and up): a 监督员's PC publishes none rather
    /// than queue operations the server refuses ([`Store::publish_star_month`]).
    pub(crate) publishes_stars: std::sync::atomic::AtomicBool,
}

impl Store {
    /// Says who is signed in on this PC (None: nobody). The store's own writes that go to the
    /// server (a case opened for a poor rating just pulled) are made for that person and carry
    /// their account as author: the server refuses an operation without one
    /// (`access.author_missing`), and the person's role is what it re-checks.
    pub fn set_signed_in(&self, person: Option<&crate::access::Person>) {
        *self.signed_in.write().unwrap_or_else(|p| p.into_inner()) = person.map(|p| p.account_id.clone());
        let publishes = person.is_some_and(|p| {
            // The hall of each grant (a 系统管理员's holds everywhere): this PC works in one hall.
            let cap = crate::access::Capability::WorkCases;
            p.grants.iter().any(|g| {
                hallkeeper_access::allows(std::slice::from_ref(g), g.hall_id.as_deref().unwrap_or(""), cap)
            })
        });
        self.publishes_stars.store(publishes, Ordering::SeqCst);
    }

    /// Opens (creating if needed) the store in `dir`, and brings its schema up to date.
    pub fn open_in_dir(dir: &Path, clock: Arc<dyn Clock>) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|source| Error::DataDir { path: dir.to_owned(), source })?;
        Self::open(&dir.join(STORE_FILE), clock)
    }

    pub fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<Self> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let open_err = |source| Error::Open { path: path.to_owned(), source };
        let conn = Connection::open_with_flags(path, flags).map_err(open_err)?;
        let mut store = Self::configure(conn, clock)?;
        store.path = Some(path.to_owned());
        Ok(store)
    }

    /// A private in-memory store, for tests and previews.
    pub fn open_in_memory(clock: Arc<dyn Clock>) -> Result<Self> {
        Self::configure(Connection::open_in_memory()?, clock)
    }

    fn configure(mut conn: Connection, clock: Arc<dyn Clock>) -> Result<Self> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        // An in-memory database answers "memory"; a file must really be in WAL mode.
        if mode != "wal" && mode != "memory" {
            return Err(Error::Corrupt(format!("journal mode is {mode}, expected wal")));
        }
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        migrations::migrate(&mut conn)?;
        let store = Self {
            conn: Mutex::new(conn),
            clock,
            ids: IdGen::new(),
            path: None,
            generation: AtomicU64::new(0),
            dashboard_cache: Mutex::new(None),
            signed_in: std::sync::RwLock::new(None),
            publishes_stars: std::sync::atomic::AtomicBool::new(false),
        };
        // Events and ratings held from before the reports were fed get their facts, once.
        store.backfill_report_facts()?;
        Ok(store)
    }

    /// Where the store lives (None when in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The hall's date now (UTC+8), `YYYY-MM-DD`.
    pub fn hall_today(&self) -> String {
        crate::clock::hall_date(self.clock.now()).to_string()
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock rolled its transaction back (Transaction's Drop), so
        // the connection is still sound.
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        f(&self.lock())
    }

    /// Runs `f` in one immediate transaction; commits only if it returns Ok.
    pub(crate) fn write<T>(
        &self,
        actor: &(impl Actor + ?Sized),
        f: impl FnOnce(&Write<'_>) -> Result<T>,
    ) -> Result<T> {
        let out = self.write_quietly(actor, f)?;
        self.hall_rows_changed();
        Ok(out)
    }

    /// What was read of the hall's windows, catalog and seating must be read again.
    pub(crate) fn hall_rows_changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// A write that leaves the hall's windows, catalog and seating as they were (appending
    /// ticket events), so what was read of them stays good.
    pub(crate) fn write_quietly<T>(
        &self,
        actor: &(impl Actor + ?Sized),
        f: impl FnOnce(&Write<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let w = Write {
            tx,
            now: self.clock.now(),
            ids: &self.ids,
            actor: actor.name(),
            actor_id: actor.account_id(),
            signed_in: self.signed_in.read().unwrap_or_else(|p| p.into_inner()).clone(),
        };
        let out = f(&w)?;
        w.tx.commit()?;
        Ok(out)
    }

    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }
}

/// An open write transaction with its instant and author.
pub(crate) struct Write<'a> {
    pub(crate) tx: Transaction<'a>,
    pub(crate) now: DateTime<Utc>,
    ids: &'a IdGen,
    /// Who the audit log names: a person's display name, or the store's own (`sync`).
    actor: &'a str,
    /// The person's account id (audit entries and outbox operations carry it); None for the
    /// store's own writes.
    pub(crate) actor_id: Option<&'a str>,
    /// The person signed in on this PC, author of the outbox operations of a write that names
    /// no person of its own (the store's `sync` writes).
    signed_in: Option<String>,
}

impl Write<'_> {
    pub(crate) fn new_id(&self) -> String {
        self.ids.next(self.now)
    }

    pub(crate) fn now_text(&self) -> String {
        timestamp(self.now)
    }

    /// Whose change an outbox operation of this write is: the person writing, else the person
    /// signed in on this PC (for the store's own writes), else nobody.
    pub(crate) fn author(&self) -> Option<&str> {
        self.actor_id.or(self.signed_in.as_deref())
    }

    /// The hall's date at this write (UTC+8), `YYYY-MM-DD`.
    pub(crate) fn hall_today(&self) -> String {
        crate::clock::hall_date(self.now).to_string()
    }

    /// Appends to the audit log inside this transaction; a window or staff record's change also
    /// goes to the sync outbox as the fields it set (or a delete).
    pub(crate) fn audit(&self, change: Change<'_>) -> Result<()> {
        let synced = match change.action {
            "window.create" | "window.update" | "window.state" | "window.delete" => {
                Some(outbox::Entity::Window)
            }
            "staff.create" | "staff.update" | "staff.delete" => Some(outbox::Entity::Staff),
            _ => None,
        };
        if let (Some(entity), Some(id)) = (synced, change.entity_id) {
            let op = match &change.after {
                None => Some(outbox::delete()),
                Some(after) => {
                    let fields = outbox::changed_fields(change.before.as_ref(), after);
                    match change.before {
                        None => Some(outbox::create(fields)),
                        Some(_) => (!fields.is_empty()).then(|| outbox::upsert(fields)),
                    }
                }
            };
            self.record_ops(op.map(|op| (entity, id.to_owned(), op)))?;
        }
        let json = |v: Option<serde_json::Value>| v.map(|v| v.to_string());
        self.tx.execute(
            "INSERT INTO audit_log (id, at, actor, action, entity_type, entity_id, summary, before_json, after_json, actor_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            rusqlite::params![
                self.new_id(),
                self.now_text(),
                self.actor,
                change.action,
                change.entity_type,
                change.entity_id,
                change.summary,
                json(change.before),
                json(change.after),
                self.actor_id,
            ],
        )?;
        Ok(())
    }
}

/// What an audit entry says about one change; before/after are snapshots of the record.
pub(crate) struct Change<'a> {
    pub action: &'static str,
    pub entity_type: &'static str,
    pub entity_id: Option<&'a str>,
    pub summary: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

pub(crate) fn snapshot<T: Serialize>(value: &T) -> Result<serde_json::Value> {
    serde_json::to_value(value)
        .map_err(|e| Error::Corrupt(format!("cannot snapshot a record for the audit log: {e}")))
}

pub(crate) fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use crate::clock::FixedClock;

    pub(crate) fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339).unwrap().with_timezone(&Utc)
    }

    pub(crate) fn store() -> (Store, Arc<FixedClock>) {
        let clock = Arc::new(FixedClock::new(at("2026-11-25T01:30:00Z")));
        (Store::open_in_memory(clock.clone()).unwrap(), clock)
    }

    impl Store {
        /// Raw SQL for tests that set up rows no command makes yet.
        pub(crate) fn exec_for_test(&self, sql: &str) {
            self.lock().execute_batch(sql).unwrap();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;

    #[test]
    fn a_file_store_uses_wal_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in_dir(&dir.path().join("nested"), Arc::new(SystemClock)).unwrap();
        store
            .read(|c| {
                let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
                let fk: i64 = c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
                let busy: i64 = c.query_row("PRAGMA busy_timeout", [], |r| r.get(0))?;
                assert_eq!((mode.as_str(), fk, busy), ("wal", 1, 5000));
                Ok(())
            })
            .unwrap();
        assert!(dir.path().join("nested").join(STORE_FILE).exists());
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let (store, _) = testing::store();
        let r: Result<()> = store.write("tester", |w| {
            w.audit(Change {
                action: "test.write",
                entity_type: "test",
                entity_id: None,
                summary: "should vanish".into(),
                before: None,
                after: None,
            })?;
            Err(Error::Corrupt("refused on purpose".into()))
        });
        assert!(r.is_err());
        let n: i64 =
            store.read(|c| Ok(c.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))?)).unwrap();
        assert_eq!(n, 0);
    }

    #[test]
    fn an_unopenable_path_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, b"x").unwrap();
        let err = match Store::open_in_dir(&file.join("sub"), Arc::new(SystemClock)) {
            Err(e) => e,
            Ok(_) => panic!("opening under a file must fail"),
        };
        assert_eq!(err.code(), "store.open_failed");
        assert!(err.to_string().contains("not-a-dir"), "{err}");
    }
}
