//! One behaviour suite for the `Storage` trait, run against every implementation: SQLite always
//! (a file in a temporary folder), PostgreSQL when `HALLKEEPER_TEST_POSTGRES_URL` is set (each
//! test in a database of its own, see `common/pg.rs`; `HALLKEEPER_REQUIRE_POSTGRES=1` makes a
//! missing URL a failure instead of a skip).

#[path = "common/pg.rs"]
mod pg;

use chrono::{DateTime, NaiveDate, Utc};
use hallkeeper_proto::{Account, HallRole, Role};
use hallkeeper_proto::{
    Appointment, AppointmentState, Binding, BindingPriority, Department, Device, DeviceKind, Hall,
    HallConfig, Matter, MatterState, NoShowReason, PriorityClass, QueueSettings, Rating, RatingLevel, SyncOp,
    TicketEvent, TicketEventKind, TransferTarget, Window, WindowKind, WindowState,
};
use hallkeeper_server::storage::accounts::{AccountRecord, AuditFilter, NewAuditEntry, SessionRecord};
use hallkeeper_server::storage::postgres::PostgresStorage;
use hallkeeper_server::storage::sqlite::SqliteStorage;
use hallkeeper_server::storage::{
    AppointmentChange, Booked, DeviceRecord, NewAppointment, Slot, SlotUse, SlotsReplaced, Storage,
    StorageError,
};
use hallkeeper_sync::Hlc;
use std::path::PathBuf;
use std::sync::Arc;

/// The schema version the server's migrations end at.
const KNOWN_VERSION: i64 = 7;

/// One store under test, and what the suite needs to reach past the trait: another handle on the
/// same data (a second server, a restart) and the stored schema version.
struct Backend {
    store: Arc<dyn Storage>,
    place: Place,
}

enum Place {
    Sqlite { path: PathBuf, _dir: tempfile::TempDir },
    Postgres { db: pg::TestDatabase },
}

impl Backend {
    async fn sqlite() -> Backend {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.db");
        let store = Arc::new(SqliteStorage::open(&path).unwrap());
        Backend { store, place: Place::Sqlite { path, _dir: dir } }
    }

    /// None when PostgreSQL tests are skipped.
    async fn postgres() -> Option<Backend> {
        let db = pg::fresh_test_database().await?;
        let store = Arc::new(PostgresStorage::connect(db.url()).await.unwrap());
        Some(Backend { store, place: Place::Postgres { db } })
    }

    /// Migrated, as a server has it once started.
    async fn migrated(self) -> Backend {
        self.store.migrate().await.unwrap();
        self
    }

    fn s(&self) -> &dyn Storage {
        &*self.store
    }

    /// A second handle on the same data, as another server (or the same one restarted) opens it.
    async fn open_again(&self) -> Arc<dyn Storage> {
        match &self.place {
            Place::Sqlite { path, .. } => Arc::new(SqliteStorage::open(path).unwrap()),
            Place::Postgres { db } => Arc::new(PostgresStorage::connect(db.url()).await.unwrap()),
        }
    }

    /// The stored schema version, read behind the trait's back.
    async fn schema_version(&self) -> i64 {
        match &self.place {
            Place::Sqlite { path, .. } => {
                let conn = rusqlite::Connection::open(path).unwrap();
                conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap()
            }
            Place::Postgres { db } => pg_client(db.url())
                .await
                .query_one("SELECT version FROM schema_version", &[])
                .await
                .unwrap()
                .get(0),
        }
    }

    /// Pretends a newer server has migrated the store further.
    async fn set_schema_version(&self, version: i64) {
        match &self.place {
            Place::Sqlite { path, .. } => {
                let conn = rusqlite::Connection::open(path).unwrap();
                conn.pragma_update(None, "user_version", version).unwrap();
            }
            Place::Postgres { db } => {
                pg_client(db.url())
                    .await
                    .execute("UPDATE schema_version SET version = $1", &[&version])
                    .await
                    .unwrap();
            }
        }
    }
}

impl Backend {
    /// The hall's merged sync rows as stored: (entity, key, row), read behind the trait's back.
    async fn sync_rows(&self, hall_id: &str) -> Vec<(String, String, serde_json::Value)> {
        match &self.place {
            Place::Sqlite { path, .. } => {
                let conn = rusqlite::Connection::open(path).unwrap();
                let mut st = conn
                    .prepare("SELECT entity, entity_key, row FROM sync_rows WHERE hall_id = ?1 ORDER BY entity, entity_key")
                    .unwrap();
                st.query_map([hall_id], |r| {
                    let row: String = r.get(2)?;
                    Ok((r.get(0)?, r.get(1)?, serde_json::from_str(&row).unwrap()))
                })
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
            }
            Place::Postgres { db } => pg_client(db.url())
                .await
                .query(
                    "SELECT entity, entity_key, row FROM sync_rows WHERE hall_id = $1 ORDER BY entity, entity_key",
                    &[&hall_id],
                )
                .await
                .unwrap()
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2)))
                .collect(),
        }
    }

    /// One synced row's current values (None when deleted or never written).
    async fn sync_values(
        &self,
        hall_id: &str,
        entity: &str,
        key: &str,
    ) -> Option<serde_json::Map<String, serde_json::Value>> {
        self.sync_rows(hall_id)
            .await
            .into_iter()
            .find(|(e, k, _)| e == entity && k == key)
            .and_then(|(_, _, row)| hallkeeper_server::sync::row_from_json(&row).unwrap().values())
    }
}

async fn pg_client(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

/// Declares each behaviour as a test per implementation: `sqlite::name` and `postgres::name`.
macro_rules! suite {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::$name(super::Backend::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    if let Some(backend) = super::Backend::postgres().await {
                        super::$name(backend).await;
                    }
                }
            )*
        }
    };
}

suite!(
    migrating_twice_changes_nothing,
    a_newer_schema_is_refused,
    halls_are_created_listed_and_unique,
    a_hall_config_is_put_replaced_and_read,
    a_config_for_an_unknown_hall_is_not_found,
    devices_are_found_by_token_until_revoked,
    devices_are_listed_per_hall,
    a_device_needs_its_hall_and_a_unique_id_and_token,
    events_come_back_per_hall_and_day_in_append_order,
    a_moves_events_are_appended_together_in_order,
    one_rating_per_ticket,
    ratings_since_a_time,
    data_outlives_the_handle,
    appointment_slots_are_replaced_and_counted,
    a_slot_holding_bookings_cannot_go_or_shrink_below_them,
    bookings_take_places_until_the_slot_is_full,
    concurrent_bookings_never_overfill_a_slot,
    a_cancelled_booking_frees_its_place,
    check_in_marks_the_booking_and_logs_its_ticket_together,
    bookings_past_their_window_become_no_shows,
    appointments_are_per_hall,
    sync_a_push_is_applied_once_when_replayed,
    sync_the_later_edit_wins_whatever_the_push_order,
    sync_an_op_referencing_a_deleted_row_is_rejected_and_stays_rejected,
    sync_malformed_ops_are_rejected_alone,
    sync_pull_pages_are_contiguous,
    sync_concurrent_pushes_keep_change_ids_gapless,
    sync_a_delete_takes_the_rows_that_reference_it,
    sync_a_delete_cascades_only_to_what_is_visible,
    sync_events_are_paged_by_seq_per_hall,
    sync_events_followed_while_appended_are_never_missed,
    sync_heads_follow_changes_and_events,
    sync_ratings_are_paged_by_seq_per_hall,
    sync_ratings_followed_while_added_are_never_missed,
    ratings_given_before_the_upgrade_are_numbered_in_order,
    accounts_are_created_found_and_unique_by_login,
    the_first_account_is_made_once,
    accounts_are_listed_per_hall_and_updated_with_their_grants,
    sessions_are_stored_hashed_touched_and_revoked,
    audit_entries_are_paged_newest_first_per_hall,
);

// ---- fixtures ----

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn hall(id: &str) -> Hall {
    Hall { id: id.into(), name: format!("{id} 政务服务中心") }
}

fn window(id: &str, number: &str) -> Window {
    Window {
        id: id.into(),
        number: number.into(),
        name: format!("{number}窗口"),
        zone: "一楼".into(),
        kind: WindowKind::General,
        state: WindowState::Open,
        position: 0,
        created_at: "2026-11-25T00:00:00.000Z".into(),
        updated_at: "2026-11-25T00:00:00.000Z".into(),
    }
}

fn config(prefix: &str) -> HallConfig {
    HallConfig {
        windows: vec![window("w-a", "A01")],
        departments: vec![Department {
            id: "d-pol".into(),
            code: "D-POL".into(),
            name: "成都市公安局".into(),
        }],
        matters: vec![Matter {
            id: "m-id".into(),
            catalog_code: "M-ID".into(),
            name: "居民身份证换领".into(),
            department_id: "d-pol".into(),
            matter_type: "公共服务".into(),
            required: true,
            time_limit_days: Some(0),
            ticket_prefix: prefix.into(),
            state: MatterState::Active,
        }],
        bindings: vec![Binding {
            window_id: "w-a".into(),
            matter_id: "m-id".into(),
            priority: BindingPriority::Primary,
        }],
        settings: QueueSettings { max_recalls: 2, fallback_prefix: "Z".into() },
        sms: None,
    }
}

fn device(id: &str, hall_id: &str, created_at: &str) -> DeviceRecord {
    DeviceRecord {
        device: Device {
            id: id.into(),
            hall_id: hall_id.into(),
            kind: DeviceKind::Caller,
            name: format!("{id} 叫号器"),
            window_id: Some("w-a".into()),
            created_at: created_at.into(),
            revoked_at: None,
        },
        token_hash: format!("hash-of-{id}"),
    }
}

fn event(ticket: &str, at: &str, kind: TicketEventKind) -> TicketEvent {
    TicketEvent { ticket_id: ticket.into(), at: t(at), kind }
}

fn issued(sequence: u32) -> TicketEventKind {
    TicketEventKind::Issued {
        matter_id: "m-id".into(),
        class: PriorityClass::Normal,
        prefix: "A".into(),
        sequence,
    }
}

fn called() -> TicketEventKind {
    TicketEventKind::Called { window_id: "w-a".into() }
}

fn rating(id: &str, hall_id: &str, ticket: &str, at: &str) -> Rating {
    Rating {
        id: id.into(),
        hall_id: hall_id.into(),
        ticket_id: ticket.into(),
        ticket_number: "A001".into(),
        window_id: "w-a".into(),
        matter_id: "m-id".into(),
        level: RatingLevel::Dissatisfied,
        reasons: vec!["等候时间长".into(), "态度不好".into()],
        comment: "排了一个小时".into(),
        at: at.into(),
    }
}

fn slot(start: &str, end: &str, capacity: u32) -> Slot {
    Slot { start: start.into(), end: end.into(), capacity }
}

fn new_appt(hall_id: &str, code: &str, day_s: &str, start: &str, booked_at: &str) -> NewAppointment {
    NewAppointment {
        id: format!("appt-{hall_id}-{code}"),
        hall_id: hall_id.into(),
        code: code.into(),
        matter_id: "m-id".into(),
        day: day(day_s),
        start: start.into(),
        phone: Some("13812345678".into()),
        booked_at: t(booked_at),
    }
}

async fn book_ok(s: &dyn Storage, a: &NewAppointment) -> Appointment {
    match s.book(a).await.unwrap() {
        Booked::Done(appt) => *appt,
        other => panic!("expected a booking for {}, got {other:?}", a.code),
    }
}

/// Capacity and places held, by start.
async fn places(s: &dyn Storage, hall_id: &str, day_s: &str) -> Vec<(String, u32, u32)> {
    s.slots(hall_id, "m-id", day(day_s))
        .await
        .unwrap()
        .into_iter()
        .map(|u| (u.slot.start, u.slot.capacity, u.held))
        .collect()
}

/// A hall `h1` with two slots of m-id on 2026-11-25: 09:00–09:30 (2 places), 09:30–10:00 (1).
async fn hall_with_slots(b: &Backend) {
    b.s().create_hall(&hall("h1")).await.unwrap();
    let slots = [slot("09:00", "09:30", 2), slot("09:30", "10:00", 1)];
    assert_eq!(b.s().put_slots("h1", "m-id", day("2026-11-25"), &slots).await.unwrap(), SlotsReplaced::Done);
}

// ---- behaviours ----

async fn migrating_twice_changes_nothing(b: Backend) {
    b.s().migrate().await.unwrap();
    assert_eq!(b.schema_version().await, KNOWN_VERSION);
    b.s().create_hall(&hall("h1")).await.unwrap();

    b.s().migrate().await.unwrap();
    b.open_again().await.migrate().await.unwrap();
    assert_eq!(b.schema_version().await, KNOWN_VERSION);
    assert_eq!(b.s().halls().await.unwrap(), [hall("h1")]);
}

async fn a_newer_schema_is_refused(b: Backend) {
    let b = b.migrated().await;
    b.s().create_hall(&hall("h1")).await.unwrap();
    b.set_schema_version(KNOWN_VERSION + 1).await;

    for store in [b.store.clone(), b.open_again().await] {
        match store.migrate().await {
            Err(StorageError::SchemaTooNew { found, known }) => {
                assert_eq!((found, known), (KNOWN_VERSION + 1, KNOWN_VERSION))
            }
            other => panic!("expected SchemaTooNew, got {other:?}"),
        }
    }
    assert_eq!(b.schema_version().await, KNOWN_VERSION + 1, "a refused migration leaves the version");
    assert_eq!(b.s().halls().await.unwrap(), [hall("h1")], "and the data");
}

async fn halls_are_created_listed_and_unique(b: Backend) {
    let b = b.migrated().await;
    assert_eq!(b.s().halls().await.unwrap(), []);
    assert_eq!(b.s().hall("hall-b").await.unwrap(), None);

    // Listed by id, bytewise (upper case before lower case, as SQLite's TEXT sorts).
    for id in ["hall-b", "hall-a", "Hall-c"] {
        b.s().create_hall(&hall(id)).await.unwrap();
    }
    assert_eq!(b.s().hall("hall-b").await.unwrap(), Some(hall("hall-b")));
    assert_eq!(b.s().halls().await.unwrap(), [hall("Hall-c"), hall("hall-a"), hall("hall-b")]);

    let again = Hall { id: "hall-a".into(), name: "另一个名字".into() };
    assert!(matches!(b.s().create_hall(&again).await, Err(StorageError::Conflict(_))));
    assert_eq!(b.s().hall("hall-a").await.unwrap(), Some(hall("hall-a")), "the first one is kept");
    assert_eq!(b.s().halls().await.unwrap().len(), 3);
}

async fn a_hall_config_is_put_replaced_and_read(b: Backend) {
    let b = b.migrated().await;
    b.s().create_hall(&hall("h1")).await.unwrap();
    b.s().create_hall(&hall("h2")).await.unwrap();
    assert_eq!(b.s().config("h1").await.unwrap(), None);

    b.s().put_config("h1", &config("A"), t("2026-11-25T01:00:00Z")).await.unwrap();
    assert_eq!(b.s().config("h1").await.unwrap(), Some(config("A")));

    let mut bigger = config("B");
    bigger.windows.push(window("w-b", "B01"));
    b.s().put_config("h1", &bigger, t("2026-11-25T02:00:00Z")).await.unwrap();
    assert_eq!(b.s().config("h1").await.unwrap(), Some(bigger), "replaced whole");
    assert_eq!(b.s().config("h2").await.unwrap(), None, "other halls keep theirs");
}

async fn a_config_for_an_unknown_hall_is_not_found(b: Backend) {
    let b = b.migrated().await;
    match b.s().put_config("nowhere", &config("A"), t("2026-11-25T01:00:00Z")).await {
        Err(StorageError::NotFound(_)) => {}
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert_eq!(b.s().config("nowhere").await.unwrap(), None);
}

async fn devices_are_found_by_token_until_revoked(b: Backend) {
    let b = b.migrated().await;
    b.s().create_hall(&hall("h1")).await.unwrap();
    let d = device("dev-1", "h1", "2026-11-25T01:30:00.000Z");
    b.s().add_device(&d).await.unwrap();
    b.s().add_device(&device("dev-2", "h1", "2026-11-25T01:31:00.000Z")).await.unwrap();

    assert_eq!(b.s().device_by_token_hash("hash-of-dev-1").await.unwrap(), Some(d.device.clone()));
    assert_eq!(b.s().device_by_token_hash("hash-of-nobody").await.unwrap(), None);

    // Revoking is per hall: the right device in another hall's name is not revoked.
    assert!(!b.s().revoke_device("h2", "dev-1", t("2026-11-25T02:00:00Z")).await.unwrap());
    assert!(!b.s().revoke_device("h1", "dev-9", t("2026-11-25T02:00:00Z")).await.unwrap());
    assert!(b.s().revoke_device("h1", "dev-1", t("2026-11-25T02:00:00.250Z")).await.unwrap());
    assert!(
        !b.s().revoke_device("h1", "dev-1", t("2026-11-25T03:00:00Z")).await.unwrap(),
        "revoked once only"
    );

    assert_eq!(b.s().device_by_token_hash("hash-of-dev-1").await.unwrap(), None);
    assert!(b.s().device_by_token_hash("hash-of-dev-2").await.unwrap().is_some(), "others still work");
    let listed = b.s().devices("h1").await.unwrap();
    assert_eq!(
        listed[0].revoked_at.as_deref(),
        Some("2026-11-25T02:00:00.250Z"),
        "kept, with the first revocation time"
    );
    assert_eq!(listed[0].created_at, "2026-11-25T01:30:00.000Z");
    assert_eq!(listed[1].revoked_at, None);
}

async fn devices_are_listed_per_hall(b: Backend) {
    let b = b.migrated().await;
    b.s().create_hall(&hall("h1")).await.unwrap();
    b.s().create_hall(&hall("h2")).await.unwrap();
    assert_eq!(b.s().devices("h1").await.unwrap(), []);

    // Listed by creation time, then id.
    let later = device("dev-a", "h1", "2026-11-25T03:00:00.000Z");
    let first = device("dev-c", "h1", "2026-11-25T01:00:00.000Z");
    let same_time = device("dev-b", "h1", "2026-11-25T01:00:00.000Z");
    let elsewhere = device("dev-x", "h2", "2026-11-25T02:00:00.000Z");
    for d in [&later, &first, &same_time, &elsewhere] {
        b.s().add_device(d).await.unwrap();
    }
    assert_eq!(b.s().devices("h1").await.unwrap(), [same_time.device, first.device, later.device]);
    assert_eq!(b.s().devices("h2").await.unwrap(), [elsewhere.device]);
    assert_eq!(b.s().devices("h3").await.unwrap(), []);
}

async fn a_device_needs_its_hall_and_a_unique_id_and_token(b: Backend) {
    let b = b.migrated().await;
    b.s().create_hall(&hall("h1")).await.unwrap();
    b.s().add_device(&device("dev-1", "h1", "2026-11-25T01:30:00.000Z")).await.unwrap();

    let mut same_id = device("dev-1", "h1", "2026-11-25T01:31:00.000Z");
    same_id.token_hash = "another-hash".into();
    assert!(matches!(b.s().add_device(&same_id).await, Err(StorageError::Conflict(_))));
    let mut same_token = device("dev-2", "h1", "2026-11-25T01:31:00.000Z");
    same_token.token_hash = "hash-of-dev-1".into();
    assert!(matches!(b.s().add_device(&same_token).await, Err(StorageError::Conflict(_))));
    // A foreign key says no: SQLite reports it as a constraint violation like the others.
    assert!(matches!(
        b.s().add_device(&device("dev-3", "nowhere", "2026-11-25T01:31:00.000Z")).await,
        Err(StorageError::Conflict(_))
    ));
    assert_eq!(b.s().devices("h1").await.unwrap().len(), 1);
    assert_eq!(b.s().devices("nowhere").await.unwrap(), []);
}

async fn events_come_back_per_hall_and_day_in_append_order(b: Backend) {
    let b = b.migrated().await;
    b.s().create_hall(&hall("h1")).await.unwrap();
    b.s().create_hall(&hall("h2")).await.unwrap();
    let (today, tomorrow) = (day("2026-11-25"), day("2026-11-26"));
    assert_eq!(b.s().events("h1", today).await.unwrap(), []);

    // Append order, not time order: the log is what happened, as the queue saw it.
    let log = vec![
        event("t-1", "2026-11-25T01:30:00.000Z", issued(1)),
        event("t-2", "2026-11-25T01:31:00.000Z", issued(2)),
        event("t-1", "2026-11-25T01:32:00.000Z", called()),
        event(
            "t-1",
            "2026-11-25T01:31:30.123456789Z",
            TicketEventKind::NoShow { window_id: "w-a".into(), reason: NoShowReason::RecallLimit },
        ),
        event(
            "t-2",
            "2026-11-25T01:33:00.000Z",
            TicketEventKind::Transferred {
                window_id: "w-a".into(),
                target: TransferTarget::Matter { matter_id: "m-other".into() },
            },
        ),
    ];
    let mut interleaved = 0;
    for (i, e) in log.iter().enumerate() {
        b.s().append_event("h1", today, e).await.unwrap();
        // Other halls' and days' events in between.
        if i % 2 == 0 {
            b.s()
                .append_event("h2", today, &event("u-1", "2026-11-25T01:30:00Z", issued(i as u32)))
                .await
                .unwrap();
            b.s()
                .append_event("h1", tomorrow, &event("t-9", "2026-11-26T01:30:00Z", issued(i as u32)))
                .await
                .unwrap();
            interleaved += 1;
        }
    }
    assert_eq!(b.s().events("h1", today).await.unwrap(), log, "all of them, in append order, times exact");
    assert_eq!(b.s().events("h2", today).await.unwrap().len(), interleaved);
    let next_day = b.s().events("h1", tomorrow).await.unwrap();
    assert_eq!(next_day.len(), interleaved);
    assert!(next_day.iter().all(|e| e.ticket_id == "t-9"));
    assert_eq!(b.s().events("h1", day("2026-11-24")).await.unwrap(), []);
    assert_eq!(b.s().events("h3", today).await.unwrap(), []);
}

async fn a_moves_events_are_appended_together_in_order(b: Backend) {
    let b = b.migrated().await;
    b.s().create_hall(&hall("h1")).await.unwrap();
    let today = day("2026-11-25");
    let first = event("t-0", "2026-11-25T01:30:00.000Z", issued(1));
    b.s().append_event("h1", today, &first).await.unwrap();
    let moved: Vec<TicketEvent> = (1..=3)
        .map(|i| {
            event(
                &format!("t-{i}"),
                "2026-11-25T01:40:00.000Z",
                TicketEventKind::Transferred {
                    window_id: String::new(),
                    target: TransferTarget::Window { window_id: "w-c".into() },
                },
            )
        })
        .collect();
    b.s().append_events("h1", today, &moved).await.unwrap();
    b.s().append_events("h1", today, &[]).await.unwrap();

    let mut all = vec![first];
    all.extend(moved.iter().cloned());
    assert_eq!(b.s().events("h1", today).await.unwrap(), all, "in order, after what came before");
    let page = b.s().events_after("h1", 0, 10).await.unwrap();
    let seqs: Vec<i64> = page.events.iter().map(|r| r.seq).collect();
    assert_eq!(seqs.len(), 4);
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    assert_eq!(b.s().sync_heads("h1").await.unwrap().event_seq, seqs[3]);

    // An unknown hall takes none of them.
    assert!(b.s().append_events("nowhere", today, &moved).await.is_err());
    assert_eq!(b.s().events("nowhere", today).await.unwrap(), []);
}

async fn one_rating_per_ticket(b: Backend) {
    let b = b.migrated().await;
    b.s().create_hall(&hall("h1")).await.unwrap();
    b.s().create_hall(&hall("h2")).await.unwrap();
    let first = rating("r-1", "h1", "t-1", "2026-11-25T01:40:00.000Z");
    b.s().add_rating(&first).await.unwrap();

    let mut second = rating("r-2", "h1", "t-1", "2026-11-25T01:41:00.000Z");
    second.level = RatingLevel::VerySatisfied;
    assert!(matches!(b.s().add_rating(&second).await, Err(StorageError::Conflict(_))));
    // The same ticket id in another hall is another ticket.
    b.s().add_rating(&rating("r-3", "h2", "t-1", "2026-11-25T01:41:00.000Z")).await.unwrap();
    // And a rating id is unique.
    assert!(matches!(
        b.s().add_rating(&rating("r-1", "h1", "t-2", "2026-11-25T01:42:00.000Z")).await,
        Err(StorageError::Conflict(_))
    ));

    assert_eq!(
        b.s().ratings("h1", t("2026-11-25T00:00:00Z")).await.unwrap(),
        [first],
        "the first one stands"
    );
}

async fn ratings_since_a_time(b: Backend) {
    let b = b.migrated().await;
    b.s().create_hall(&hall("h1")).await.unwrap();
    b.s().create_hall(&hall("h2")).await.unwrap();
    let mut happy = rating("r-b", "h1", "t-3", "2026-11-25T03:00:00.000Z");
    happy.level = RatingLevel::VerySatisfied;
    happy.reasons = vec![];
    happy.comment = String::new();
    let all = [
        rating("r-a", "h1", "t-1", "2026-11-25T01:00:00.000Z"),
        rating("r-z", "h1", "t-2", "2026-11-25T02:00:00.500Z"),
        rating("r-y", "h1", "t-4", "2026-11-25T02:00:00.500Z"),
        happy.clone(),
    ];
    for r in &all {
        b.s().add_rating(r).await.unwrap();
    }
    b.s().add_rating(&rating("r-x", "h2", "t-1", "2026-11-25T02:30:00.000Z")).await.unwrap();

    let since = |s: &'static str| {
        let store = b.store.clone();
        async move { store.ratings("h1", t(s)).await.unwrap().into_iter().map(|r| r.id).collect::<Vec<_>>() }
    };
    // By time, then id; `since` is inclusive, to the millisecond.
    assert_eq!(since("2026-11-25T00:00:00Z").await, ["r-a", "r-y", "r-z", "r-b"]);
    assert_eq!(since("2026-11-25T02:00:00.500Z").await, ["r-y", "r-z", "r-b"]);
    assert_eq!(since("2026-11-25T02:00:00.500900Z").await, ["r-y", "r-z", "r-b"]);
    assert_eq!(since("2026-11-25T02:00:00.501Z").await, ["r-b"]);
    assert_eq!(since("2026-11-25T03:00:00.001Z").await, Vec::<String>::new());
    // "Since ever", as the admin API asks when no time is given.
    assert_eq!(b.s().ratings("h1", DateTime::<Utc>::MIN_UTC).await.unwrap().len(), 4);
    assert_eq!(b.s().ratings("h1", t("2026-11-25T02:59:00Z")).await.unwrap(), [happy], "every field back");
    assert_eq!(b.s().ratings("h2", t("2026-11-25T00:00:00Z")).await.unwrap().len(), 1);
}

async fn data_outlives_the_handle(b: Backend) {
    let b = b.migrated().await;
    b.s().create_hall(&hall("h1")).await.unwrap();
    b.s().put_config("h1", &config("A"), t("2026-11-25T01:00:00Z")).await.unwrap();
    b.s().add_device(&device("dev-1", "h1", "2026-11-25T01:30:00.000Z")).await.unwrap();
    b.s()
        .append_event("h1", day("2026-11-25"), &event("t-1", "2026-11-25T01:30:00Z", issued(1)))
        .await
        .unwrap();
    b.s().add_rating(&rating("r-1", "h1", "t-1", "2026-11-25T01:40:00.000Z")).await.unwrap();
    b.s().put_slots("h1", "m-id", day("2026-11-26"), &[slot("09:00", "09:30", 2)]).await.unwrap();
    let booked =
        book_ok(b.s(), &new_appt("h1", "ABCD2345", "2026-11-26", "09:00", "2026-11-25T01:45:00Z")).await;

    let again = b.open_again().await;
    again.migrate().await.unwrap();
    assert_eq!(again.halls().await.unwrap(), [hall("h1")]);
    assert_eq!(again.config("h1").await.unwrap(), Some(config("A")));
    assert_eq!(
        again.devices("h1").await.unwrap(),
        [device("dev-1", "h1", "2026-11-25T01:30:00.000Z").device]
    );
    assert_eq!(again.events("h1", day("2026-11-25")).await.unwrap().len(), 1);
    assert_eq!(again.ratings("h1", t("2026-11-25T00:00:00Z")).await.unwrap().len(), 1);
    assert_eq!(again.appointment("h1", "ABCD2345").await.unwrap(), Some(booked));
    assert_eq!(places(&*again, "h1", "2026-11-26").await, [("09:00".into(), 2, 1)]);
}

async fn appointment_slots_are_replaced_and_counted(b: Backend) {
    let b = b.migrated().await;
    b.s().create_hall(&hall("h1")).await.unwrap();
    assert_eq!(b.s().slots("h1", "m-id", day("2026-11-25")).await.unwrap(), []);

    let first = [slot("09:00", "09:30", 2), slot("10:00", "10:30", 5), slot("14:00", "15:00", 1)];
    assert_eq!(b.s().put_slots("h1", "m-id", day("2026-11-25"), &first).await.unwrap(), SlotsReplaced::Done);
    // Another matter and another day keep theirs.
    b.s().put_slots("h1", "m-other", day("2026-11-25"), &[slot("09:00", "12:00", 9)]).await.unwrap();
    b.s().put_slots("h1", "m-id", day("2026-11-26"), &[slot("08:00", "08:30", 3)]).await.unwrap();
    let listed = b.s().slots("h1", "m-id", day("2026-11-25")).await.unwrap();
    assert_eq!(
        listed,
        first.iter().map(|s| SlotUse { slot: s.clone(), held: 0 }).collect::<Vec<_>>(),
        "every field back, by start"
    );

    // Replaced whole: a slot may go, change its times or its capacity while nobody booked it.
    let second = [slot("09:00", "09:45", 3), slot("11:00", "11:30", 1)];
    b.s().put_slots("h1", "m-id", day("2026-11-25"), &second).await.unwrap();
    assert_eq!(places(b.s(), "h1", "2026-11-25").await, [("09:00".into(), 3, 0), ("11:00".into(), 1, 0)]);
    assert_eq!(b.s().slots("h1", "m-id", day("2026-11-25")).await.unwrap()[0].slot.end, "09:45");
    assert_eq!(places(b.s(), "h1", "2026-11-26").await, [("08:00".into(), 3, 0)]);
    assert_eq!(b.s().slots("h1", "m-other", day("2026-11-25")).await.unwrap().len(), 1);

    // Emptied.
    b.s().put_slots("h1", "m-id", day("2025-11-25"), &[]).await.unwrap();
    b.s().put_slots("h1", "m-id", day("2026-11-25"), &[]).await.unwrap();
    assert_eq!(b.s().slots("h1", "m-id", day("2026-11-25")).await.unwrap(), []);
    // Slots belong to a hall that exists.
    assert!(b.s().put_slots("nowhere", "m-id", day("2026-11-25"), &first).await.is_err());
}

async fn a_slot_holding_bookings_cannot_go_or_shrink_below_them(b: Backend) {
    let b = b.migrated().await;
    hall_with_slots(&b).await;
    book_ok(b.s(), &new_appt("h1", "AAAA2222", "2026-11-25", "09:00", "2026-11-24T02:00:00Z")).await;
    book_ok(b.s(), &new_appt("h1", "AAAA3333", "2026-11-25", "09:00", "2026-11-24T02:01:00Z")).await;
    let d = day("2026-11-25");
    let in_use = |capacity| SlotsReplaced::InUse(SlotUse { slot: slot("09:00", "09:30", capacity), held: 2 });

    // Dropped, moved, lengthened, shrunk below its bookings: refused, nothing changed.
    for refused in [
        vec![slot("09:30", "10:00", 1)],
        vec![slot("09:05", "09:30", 2)],
        vec![slot("09:00", "09:40", 2)],
        vec![slot("09:00", "09:30", 1), slot("09:30", "10:00", 1)],
    ] {
        assert_eq!(b.s().put_slots("h1", "m-id", d, &refused).await.unwrap(), in_use(2), "{refused:?}");
        assert_eq!(places(b.s(), "h1", "2026-11-25").await, [("09:00".into(), 2, 2), ("09:30".into(), 1, 0)]);
    }
    // Kept with as many places or more, the rest changed: fine.
    let kept = [slot("09:00", "09:30", 2), slot("10:00", "10:30", 4)];
    assert_eq!(b.s().put_slots("h1", "m-id", d, &kept).await.unwrap(), SlotsReplaced::Done);
    b.s().put_slots("h1", "m-id", d, &[slot("09:00", "09:30", 6)]).await.unwrap();
    assert_eq!(places(b.s(), "h1", "2026-11-25").await, [("09:00".into(), 6, 2)]);
    // A cancelled booking holds nothing.
    b.s().cancel_appointment("h1", "AAAA2222", t("2026-11-24T03:00:00Z")).await.unwrap();
    assert_eq!(
        b.s().put_slots("h1", "m-id", d, &[]).await.unwrap(),
        SlotsReplaced::InUse(SlotUse { slot: slot("09:00", "09:30", 6), held: 1 })
    );
    assert_eq!(
        b.s().put_slots("h1", "m-id", d, &[slot("09:00", "09:30", 1)]).await.unwrap(),
        SlotsReplaced::Done
    );
    b.s().cancel_appointment("h1", "AAAA3333", t("2026-11-24T03:00:00Z")).await.unwrap();
    assert_eq!(b.s().put_slots("h1", "m-id", d, &[]).await.unwrap(), SlotsReplaced::Done);
    assert_eq!(b.s().appointments("h1", d).await.unwrap().len(), 2, "cancelled bookings outlive their slot");
}

async fn bookings_take_places_until_the_slot_is_full(b: Backend) {
    let b = b.migrated().await;
    hall_with_slots(&b).await;
    let a =
        book_ok(b.s(), &new_appt("h1", "BBBB2222", "2026-11-25", "09:30", "2026-11-24T02:00:00.123Z")).await;
    assert_eq!(
        a,
        Appointment {
            id: "appt-h1-BBBB2222".into(),
            hall_id: "h1".into(),
            code: "BBBB2222".into(),
            matter_id: "m-id".into(),
            day: day("2026-11-25"),
            start: "09:30".into(),
            end: "10:00".into(),
            phone: Some("13812345678".into()),
            state: AppointmentState::Booked,
            booked_at: t("2026-11-24T02:00:00.123Z"),
            cancelled_at: None,
            checked_in_at: None,
            ticket_id: None,
            no_show_at: None,
        },
        "the slot's end filled in"
    );
    assert_eq!(b.s().appointment("h1", "BBBB2222").await.unwrap(), Some(a.clone()), "read back as answered");
    let full = new_appt("h1", "BBBB3333", "2026-11-25", "09:30", "2026-11-24T02:01:00Z");
    assert_eq!(b.s().book(&full).await.unwrap(), Booked::Full);
    assert_eq!(b.s().appointment("h1", "BBBB3333").await.unwrap(), None, "a refused booking leaves nothing");

    let mut no_phone = new_appt("h1", "BBBB4444", "2026-11-25", "09:00", "2026-11-24T02:02:00Z");
    no_phone.phone = None;
    assert_eq!(book_ok(b.s(), &no_phone).await.phone, None);
    for wrong in [
        new_appt("h1", "BBBB5555", "2026-11-25", "09:15", "2026-11-24T02:03:00Z"),
        new_appt("h1", "BBBB5555", "2026-11-26", "09:00", "2026-11-24T02:03:00Z"),
        NewAppointment {
            matter_id: "m-other".into(),
            ..new_appt("h1", "BBBB5555", "2026-11-25", "09:00", "2026-11-24T02:03:00Z")
        },
    ] {
        assert_eq!(b.s().book(&wrong).await.unwrap(), Booked::NoSuchSlot, "{wrong:?}");
    }
    // A code is unique in its hall.
    let same_code = new_appt("h1", "BBBB4444", "2026-11-25", "09:00", "2026-11-24T02:04:00Z");
    let same_code = NewAppointment { id: "another-id".into(), ..same_code };
    assert!(matches!(b.s().book(&same_code).await, Err(StorageError::Conflict(_))));
    assert_eq!(places(b.s(), "h1", "2026-11-25").await, [("09:00".into(), 2, 1), ("09:30".into(), 1, 1)]);
    // Listed by slot, then booking time.
    let listed: Vec<String> =
        b.s().appointments("h1", day("2026-11-25")).await.unwrap().into_iter().map(|a| a.code).collect();
    assert_eq!(listed, ["BBBB4444", "BBBB2222"]);
    assert_eq!(b.s().appointments("h1", day("2026-11-26")).await.unwrap(), []);
}

async fn concurrent_bookings_never_overfill_a_slot(b: Backend) {
    let b = b.migrated().await;
    b.s().create_hall(&hall("h1")).await.unwrap();
    b.s().put_slots("h1", "m-id", day("2026-11-25"), &[slot("09:00", "09:30", 3)]).await.unwrap();
    // Three handles, as three servers on one database would have.
    let stores = [b.store.clone(), b.open_again().await, b.open_again().await];
    let attempts: Vec<_> = (0..8)
        .map(|i| {
            let store = stores[i % stores.len()].clone();
            let a = new_appt(
                "h1",
                &format!("CCCC{}", 2222 + i * 1111),
                "2026-11-25",
                "09:00",
                "2026-11-24T02:00:00Z",
            );
            tokio::spawn(async move { store.book(&a).await.unwrap() })
        })
        .collect();
    let mut outcomes = Vec::new();
    for a in attempts {
        outcomes.push(a.await.unwrap());
    }
    let booked = outcomes.iter().filter(|o| matches!(o, Booked::Done(_))).count();
    let full = outcomes.iter().filter(|o| **o == Booked::Full).count();
    assert_eq!((booked, full), (3, 5), "{outcomes:?}");
    assert_eq!(places(b.s(), "h1", "2026-11-25").await, [("09:00".into(), 3, 3)]);
    assert_eq!(b.s().appointments("h1", day("2026-11-25")).await.unwrap().len(), 3);
}

async fn a_cancelled_booking_frees_its_place(b: Backend) {
    let b = b.migrated().await;
    hall_with_slots(&b).await;
    book_ok(b.s(), &new_appt("h1", "DDDD2222", "2026-11-25", "09:30", "2026-11-24T02:00:00Z")).await;
    let next = new_appt("h1", "DDDD3333", "2026-11-25", "09:30", "2026-11-24T02:01:00Z");
    assert_eq!(b.s().book(&next).await.unwrap(), Booked::Full);

    let cancelled =
        match b.s().cancel_appointment("h1", "DDDD2222", t("2026-11-24T02:05:00.5Z")).await.unwrap() {
            AppointmentChange::Done(a) => *a,
            other => panic!("expected the cancellation, got {other:?}"),
        };
    assert_eq!(cancelled.state, AppointmentState::Cancelled);
    assert_eq!(cancelled.cancelled_at, Some(t("2026-11-24T02:05:00.500Z")));
    assert_eq!(
        b.s().cancel_appointment("h1", "DDDD2222", t("2026-11-24T02:06:00Z")).await.unwrap(),
        AppointmentChange::NotBooked(AppointmentState::Cancelled),
        "cancelled once only"
    );
    assert_eq!(
        b.s().appointment("h1", "DDDD2222").await.unwrap().unwrap().cancelled_at,
        Some(t("2026-11-24T02:05:00.500Z")),
        "with the first time"
    );
    assert_eq!(
        b.s().cancel_appointment("h1", "ZZZZ2222", t("2026-11-24T02:06:00Z")).await.unwrap(),
        AppointmentChange::NotFound
    );
    assert_eq!(places(b.s(), "h1", "2026-11-25").await[1], ("09:30".into(), 1, 0));
    book_ok(b.s(), &next).await;
    let states: Vec<_> = b
        .s()
        .appointments("h1", day("2026-11-25"))
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.code, a.state))
        .collect();
    assert_eq!(
        states,
        [("DDDD2222".into(), AppointmentState::Cancelled), ("DDDD3333".into(), AppointmentState::Booked)]
    );
}

async fn check_in_marks_the_booking_and_logs_its_ticket_together(b: Backend) {
    let b = b.migrated().await;
    hall_with_slots(&b).await;
    book_ok(b.s(), &new_appt("h1", "EEEE2222", "2026-11-25", "09:00", "2026-11-24T02:00:00Z")).await;
    book_ok(b.s(), &new_appt("h1", "EEEE3333", "2026-11-25", "09:00", "2026-11-24T02:01:00Z")).await;
    let today = day("2026-11-25");
    let issued = |ticket: &str, at: &str| TicketEvent {
        ticket_id: ticket.into(),
        at: t(at),
        kind: TicketEventKind::Issued {
            matter_id: "m-id".into(),
            class: PriorityClass::Appointment,
            prefix: "A".into(),
            sequence: 1,
        },
    };

    let first = issued("t-appt-1", "2026-11-25T00:45:00.250Z");
    let done = match b.s().check_in_appointment("h1", "EEEE2222", today, &first).await.unwrap() {
        AppointmentChange::Done(a) => *a,
        other => panic!("expected the check-in, got {other:?}"),
    };
    assert_eq!(done.state, AppointmentState::CheckedIn);
    assert_eq!(done.checked_in_at, Some(t("2026-11-25T00:45:00.250Z")));
    assert_eq!(done.ticket_id.as_deref(), Some("t-appt-1"));
    assert_eq!(
        b.s().events("h1", today).await.unwrap(),
        std::slice::from_ref(&first),
        "the ticket is in the log"
    );

    // A second check-in, or one of a cancelled booking, changes nothing and logs nothing.
    let again = issued("t-appt-2", "2026-11-25T00:46:00Z");
    assert_eq!(
        b.s().check_in_appointment("h1", "EEEE2222", today, &again).await.unwrap(),
        AppointmentChange::NotBooked(AppointmentState::CheckedIn)
    );
    b.s().cancel_appointment("h1", "EEEE3333", t("2026-11-25T00:40:00Z")).await.unwrap();
    assert_eq!(
        b.s().check_in_appointment("h1", "EEEE3333", today, &again).await.unwrap(),
        AppointmentChange::NotBooked(AppointmentState::Cancelled)
    );
    assert_eq!(
        b.s().check_in_appointment("h1", "ZZZZ9999", today, &again).await.unwrap(),
        AppointmentChange::NotFound
    );
    assert_eq!(b.s().events("h1", today).await.unwrap(), [first]);
    // A checked-in booking cannot be cancelled, and still holds its place.
    assert_eq!(
        b.s().cancel_appointment("h1", "EEEE2222", t("2026-11-25T00:47:00Z")).await.unwrap(),
        AppointmentChange::NotBooked(AppointmentState::CheckedIn)
    );
    assert_eq!(places(b.s(), "h1", "2026-11-25").await[0], ("09:00".into(), 2, 1));
    assert_eq!(b.s().appointment("h1", "EEEE2222").await.unwrap(), Some(done));
}

async fn bookings_past_their_window_become_no_shows(b: Backend) {
    let b = b.migrated().await;
    hall_with_slots(&b).await;
    // Slot ends: 09:30 and 10:00 hall time, 01:30Z and 02:00Z.
    book_ok(b.s(), &new_appt("h1", "FFFF2222", "2026-11-25", "09:00", "2026-11-24T02:00:00Z")).await;
    book_ok(b.s(), &new_appt("h1", "FFFF3333", "2026-11-25", "09:00", "2026-11-24T02:01:00Z")).await;
    book_ok(b.s(), &new_appt("h1", "FFFF4444", "2026-11-25", "09:30", "2026-11-24T02:02:00Z")).await;
    b.s().cancel_appointment("h1", "FFFF3333", t("2026-11-24T03:00:00Z")).await.unwrap();

    // Exactly at the end is not yet before it.
    assert_eq!(
        b.s().mark_no_shows("h1", t("2026-11-25T01:30:00Z"), t("2026-11-25T01:45:00Z")).await.unwrap(),
        0
    );
    assert_eq!(
        b.s().mark_no_shows("h2", t("2026-11-26T00:00:00Z"), t("2026-11-26T00:00:00Z")).await.unwrap(),
        0
    );
    assert_eq!(
        b.s()
            .mark_no_shows("h1", t("2026-11-25T01:30:00.001Z"), t("2026-11-25T01:45:00.001Z"))
            .await
            .unwrap(),
        1
    );
    let late = b.s().appointment("h1", "FFFF2222").await.unwrap().unwrap();
    assert_eq!(
        (late.state, late.no_show_at),
        (AppointmentState::NoShow, Some(t("2026-11-25T01:45:00.001Z")))
    );
    // Marked once, and cancelled or later bookings are left alone.
    assert_eq!(
        b.s().mark_no_shows("h1", t("2026-11-25T01:59:00Z"), t("2026-11-25T02:14:00Z")).await.unwrap(),
        0
    );
    assert_eq!(
        b.s().appointment("h1", "FFFF3333").await.unwrap().unwrap().state,
        AppointmentState::Cancelled
    );
    assert_eq!(b.s().appointment("h1", "FFFF4444").await.unwrap().unwrap().state, AppointmentState::Booked);
    assert_eq!(
        b.s().mark_no_shows("h1", t("2026-11-26T00:00:00Z"), t("2026-11-26T00:15:00Z")).await.unwrap(),
        1
    );
    // A no-show can be neither cancelled nor checked in, and it still held its place.
    assert_eq!(
        b.s().cancel_appointment("h1", "FFFF2222", t("2026-11-26T01:00:00Z")).await.unwrap(),
        AppointmentChange::NotBooked(AppointmentState::NoShow)
    );
    assert_eq!(places(b.s(), "h1", "2026-11-25").await, [("09:00".into(), 2, 1), ("09:30".into(), 1, 1)]);
    assert_eq!(
        b.s().appointment("h1", "FFFF2222").await.unwrap().unwrap().no_show_at,
        Some(t("2026-11-25T01:45:00.001Z")),
        "the first time it was noticed"
    );
}

async fn appointments_are_per_hall(b: Backend) {
    let b = b.migrated().await;
    hall_with_slots(&b).await;
    b.s().create_hall(&hall("h2")).await.unwrap();
    let d = day("2026-11-25");
    assert_eq!(b.s().slots("h2", "m-id", d).await.unwrap(), [], "h1's slots are h1's");
    assert_eq!(
        b.s().book(&new_appt("h2", "GGGG2222", "2026-11-25", "09:30", "2026-11-24T02:00:00Z")).await.unwrap(),
        Booked::NoSuchSlot
    );
    b.s().put_slots("h2", "m-id", d, &[slot("09:30", "10:00", 1)]).await.unwrap();
    // The same code in two halls is two bookings; the same slot in two halls is two slots.
    let in_h1 =
        book_ok(b.s(), &new_appt("h1", "GGGG2222", "2026-11-25", "09:30", "2026-11-24T02:00:00Z")).await;
    let in_h2 =
        book_ok(b.s(), &new_appt("h2", "GGGG2222", "2026-11-25", "09:30", "2026-11-24T02:01:00Z")).await;
    assert_eq!(b.s().appointment("h1", "GGGG2222").await.unwrap(), Some(in_h1));
    assert_eq!(b.s().appointment("h2", "GGGG2222").await.unwrap(), Some(in_h2.clone()));
    assert_eq!(b.s().appointment("h3", "GGGG2222").await.unwrap(), None);
    assert_eq!(b.s().appointments("h2", d).await.unwrap(), [in_h2]);

    // Changes in one hall leave the other's alone.
    b.s().cancel_appointment("h1", "GGGG2222", t("2026-11-24T03:00:00Z")).await.unwrap();
    assert_eq!(b.s().appointment("h2", "GGGG2222").await.unwrap().unwrap().state, AppointmentState::Booked);
    assert_eq!(
        b.s().mark_no_shows("h1", t("2026-11-26T00:00:00Z"), t("2026-11-26T00:00:00Z")).await.unwrap(),
        0
    );
    assert_eq!(b.s().appointment("h2", "GGGG2222").await.unwrap().unwrap().state, AppointmentState::Booked);
    b.s().put_slots("h1", "m-id", d, &[]).await.unwrap();
    assert_eq!(places(b.s(), "h2", "2026-11-25").await, [("09:30".into(), 1, 1)]);
    assert_eq!(
        b.s().put_slots("h2", "m-id", d, &[]).await.unwrap(),
        SlotsReplaced::InUse(SlotUse { slot: slot("09:30", "10:00", 1), held: 1 })
    );
}

// ---- PostgreSQL only ----

/// Servers starting at once on one database: the migration lock makes them take turns, and all
/// of them start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_servers_starting_at_once_migrate_once() {
    let Some(b) = Backend::postgres().await else { return };
    let mut stores = vec![b.store.clone()];
    for _ in 0..3 {
        stores.push(b.open_again().await);
    }
    let runs: Vec<_> = stores
        .iter()
        .map(|s| {
            tokio::spawn({
                let s = s.clone();
                async move { s.migrate().await }
            })
        })
        .collect();
    for run in runs {
        run.await.unwrap().unwrap();
    }
    assert_eq!(b.schema_version().await, KNOWN_VERSION);
    b.s().create_hall(&hall("h1")).await.unwrap();
}

/// Device and rating times given in another offset or precision come back in the one format.
#[tokio::test]
async fn postgres_times_come_back_in_the_sqlite_format() {
    let Some(b) = Backend::postgres().await else { return };
    let b = b.migrated().await;
    b.s().create_hall(&hall("h1")).await.unwrap();
    b.s().add_device(&device("dev-1", "h1", "2026-11-25T09:30:00+08:00")).await.unwrap();
    b.s().add_rating(&rating("r-1", "h1", "t-1", "2026-11-25T09:40:00.5+08:00")).await.unwrap();
    assert_eq!(b.s().devices("h1").await.unwrap()[0].created_at, "2026-11-25T01:30:00.000Z");
    assert_eq!(
        b.s().ratings("h1", t("2026-11-25T00:00:00Z")).await.unwrap()[0].at,
        "2026-11-25T01:40:00.500Z"
    );

    let mut bad = device("dev-2", "h1", "yesterday");
    bad.token_hash = "hash-2".into();
    assert!(matches!(b.s().add_device(&bad).await, Err(StorageError::Backend(_))));
}

// ---- sync ----

fn hlc(millis: i64, device: &str) -> String {
    format!("{millis:018}-00000-{device}")
}

fn upsert(seq: i64, device: &str, millis: i64, entity: &str, key: &str, fields: serde_json::Value) -> SyncOp {
    SyncOp {
        seq,
        op_id: format!("{device}-{seq}"),
        hlc: hlc(millis, device),
        entity: entity.into(),
        key: key.into(),
        change: serde_json::json!({ "kind": "upsert", "fields": fields }),
        author: None,
    }
}

fn delete(seq: i64, device: &str, millis: i64, entity: &str, key: &str) -> SyncOp {
    SyncOp {
        seq,
        op_id: format!("{device}-{seq}"),
        hlc: hlc(millis, device),
        entity: entity.into(),
        key: key.into(),
        change: serde_json::json!({ "kind": "delete" }),
        author: None,
    }
}

fn change_ids(p: &hallkeeper_proto::PullResponse) -> Vec<i64> {
    p.changes.iter().map(|c| c.change_id).collect()
}

async fn sync_a_push_is_applied_once_when_replayed(b: Backend) {
    let b = b.migrated().await;
    b.s().create_hall(&hall("h1")).await.unwrap();
    let ops = [
        upsert(1, "pc1", 10, "window", "w-a", serde_json::json!({ "number": "A01", "name": "综合受理" })),
        upsert(2, "pc1", 11, "matter", "m-1", serde_json::json!({ "name": "居民身份证换领" })),
        upsert(3, "pc1", 12, "binding", "w-a/m-1", serde_json::json!({ "priority": "primary" })),
    ];
    let first = b.s().apply_sync_ops("h1", "pc1", &ops).await.unwrap();
    assert_eq!((first.highest_seq, first.rejected.len()), (3, 0));
    let rows = b.sync_rows("h1").await;
    let log = b.s().pull_changes("h1", 0, 100).await.unwrap();
    assert_eq!(change_ids(&log), [1, 2, 3]);
    assert_eq!(log.changes[0].change, ops[0].change);
    assert_eq!((log.changes[2].device_id.as_str(), log.changes[2].seq), ("pc1", 3));

    // The same request again (an answer lost on the way back): same answer, nothing changes.
    let again = b.s().apply_sync_ops("h1", "pc1", &ops).await.unwrap();
    assert_eq!(again, first);
    assert_eq!(b.sync_rows("h1").await, rows);
    assert_eq!(b.s().pull_changes("h1", 0, 100).await.unwrap(), log);

    // A push overlapping what is held applies only what is new, out of order or not.
    let more = upsert(4, "pc1", 13, "window", "w-a", serde_json::json!({ "zone": "一楼" }));
    let r = b.s().apply_sync_ops("h1", "pc1", &[more, ops[1].clone()]).await.unwrap();
    assert_eq!((r.highest_seq, r.rejected.len()), (4, 0));
    assert_eq!(change_ids(&b.s().pull_changes("h1", 0, 100).await.unwrap()), [1, 2, 3, 4]);
    let w = b.sync_values("h1", "window", "w-a").await.unwrap();
    assert_eq!((w["name"].as_str(), w["zone"].as_str()), (Some("综合受理"), Some("一楼")));

    // An empty push answers what the device has acknowledged; another device starts at 0.
    assert_eq!(b.s().apply_sync_ops("h1", "pc1", &[]).await.unwrap().highest_seq, 4);
    assert_eq!(b.s().apply_sync_ops("h1", "pc2", &[]).await.unwrap().highest_seq, 0);
}

async fn sync_the_later_edit_wins_whatever_the_push_order(b: Backend) {
    let b = b.migrated().await;
    b.s().create_hall(&hall("h1")).await.unwrap();
    b.s().create_hall(&hall("h2")).await.unwrap();
    // pc1 edits the name at 10 (and the zone); pc2 edits the name at 20.
    let early = upsert(1, "pc1", 10, "window", "w-a", serde_json::json!({ "name": "早", "zone": "一楼" }));
    let late = upsert(1, "pc2", 20, "window", "w-a", serde_json::json!({ "name": "晚" }));
    b.s().apply_sync_ops("h1", "pc1", std::slice::from_ref(&early)).await.unwrap();
    b.s().apply_sync_ops("h1", "pc2", std::slice::from_ref(&late)).await.unwrap();
    b.s().apply_sync_ops("h2", "pc2", std::slice::from_ref(&late)).await.unwrap();
    b.s().apply_sync_ops("h2", "pc1", std::slice::from_ref(&early)).await.unwrap();
    for h in ["h1", "h2"] {
        let w = b.sync_values(h, "window", "w-a").await.unwrap();
        assert_eq!((w["name"].as_str(), w["zone"].as_str()), (Some("晚"), Some("一楼")), "{h}");
    }
    assert_eq!(b.sync_rows("h1").await, b.sync_rows("h2").await, "the same merged rows, field HLCs included");
    // Both edits are in each hall's log (a pulling desktop merges them the same way).
    assert_eq!(b.s().pull_changes("h2", 0, 10).await.unwrap().changes.len(), 2);
}

async fn sync_an_op_referencing_a_deleted_row_is_rejected_and_stays_rejected(b: Backend) {
    let b = b.migrated().await;
    b.s().create_hall(&hall("h1")).await.unwrap();
    let setup = [
        upsert(1, "pc1", 10, "window", "w-a", serde_json::json!({ "number": "A01" })),
        upsert(2, "pc1", 11, "matter", "m-1", serde_json::json!({ "name": "户口迁入" })),
        upsert(3, "pc1", 12, "staff", "s-1", serde_json::json!({ "name": "张三" })),
    ];
    assert_eq!(b.s().apply_sync_ops("h1", "pc1", &setup).await.unwrap().rejected, []);
    // PC2 deletes the window; PC1, not yet aware, binds a matter to it and seats someone there.
    assert_eq!(
        b.s().apply_sync_ops("h1", "pc2", &[delete(1, "pc2", 20, "window", "w-a")]).await.unwrap().rejected,
        []
    );
    let stale = [
        upsert(4, "pc1", 15, "binding", "w-a/m-1", serde_json::json!({ "priority": "primary" })),
        upsert(5, "pc1", 16, "seat", "2026-11-25/w-a", serde_json::json!({ "staffId": "s-1" })),
        upsert(6, "pc1", 17, "matter", "m-1", serde_json::json!({ "name": "户口迁入登记" })),
    ];
    let r = b.s().apply_sync_ops("h1", "pc1", &stale).await.unwrap();
    assert_eq!(r.highest_seq, 6);
    let codes: Vec<(i64, &str)> = r.rejected.iter().map(|x| (x.seq, x.code.as_str())).collect();
    assert_eq!(codes, [(4, "sync.reference_deleted"), (5, "sync.reference_deleted")]);
    assert!(r.rejected[0].message.contains("w-a"), "{}", r.rejected[0].message);
    assert_eq!(b.sync_values("h1", "binding", "w-a/m-1").await, None);
    assert_eq!(
        b.sync_values("h1", "matter", "m-1").await.unwrap()["name"],
        "户口迁入登记",
        "the rest applied"
    );
    let log = b.s().pull_changes("h1", 0, 100).await.unwrap();
    assert!(log.changes.iter().all(|c| c.entity != "binding" && c.entity != "seat"));

    // The window comes back (a later edit revives it): the replayed binding is still rejected,
    // with the same reason; a new binding applies.
    b.s()
        .apply_sync_ops(
            "h1",
            "pc2",
            &[upsert(2, "pc2", 30, "window", "w-a", serde_json::json!({ "number": "A01" }))],
        )
        .await
        .unwrap();
    assert_eq!(b.s().apply_sync_ops("h1", "pc1", &stale).await.unwrap(), r);
    let fresh = upsert(7, "pc1", 40, "binding", "w-a/m-1", serde_json::json!({ "priority": "primary" }));
    assert_eq!(b.s().apply_sync_ops("h1", "pc1", &[fresh]).await.unwrap().rejected, []);
    assert!(b.sync_values("h1", "binding", "w-a/m-1").await.is_some());

    // A binding to a matter that never existed, a seat for a deleted staff member.
    b.s().apply_sync_ops("h1", "pc2", &[delete(3, "pc2", 50, "staff", "s-1")]).await.unwrap();
    let r = b
        .s()
        .apply_sync_ops(
            "h1",
            "pc1",
            &[
                upsert(8, "pc1", 60, "binding", "w-a/m-404", serde_json::json!({ "priority": "primary" })),
                upsert(9, "pc1", 61, "seat", "2026-11-26/w-a", serde_json::json!({ "staffId": "s-1" })),
            ],
        )
        .await
        .unwrap();
    let missing: Vec<bool> =
        r.rejected.iter().map(|x| x.message.contains("m-404") || x.message.contains("s-1")).collect();
    assert_eq!(missing, [true, true], "{:?}", r.rejected);
}

async fn sync_malformed_ops_are_rejected_alone(b: Backend) {
    let b = b.migrated().await;
    b.s().create_hall(&hall("h1")).await.unwrap();
    let mut bad_hlc = upsert(2, "pc1", 11, "window", "w-b", serde_json::json!({ "name": "x" }));
    bad_hlc.hlc = "yesterday".into();
    let mut other_device = upsert(3, "pc1", 12, "window", "w-c", serde_json::json!({ "name": "x" }));
    other_device.hlc = hlc(12, "pc9");
    let mut bad_change = upsert(4, "pc1", 13, "window", "w-d", serde_json::json!({}));
    bad_change.change = serde_json::json!({ "kind": "rename" });
    let ops = [
        upsert(1, "pc1", 10, "ticket", "t-1", serde_json::json!({ "number": "A001" })),
        bad_hlc,
        other_device,
        bad_change,
        upsert(5, "pc1", 14, "window", "w-e", serde_json::json!({ "name": "好的" })),
    ];
    let r = b.s().apply_sync_ops("h1", "pc1", &ops).await.unwrap();
    let codes: Vec<(i64, &str)> = r.rejected.iter().map(|x| (x.seq, x.code.as_str())).collect();
    assert_eq!(
        codes,
        [
            (1, "sync.unknown_entity"),
            (2, "sync.hlc_invalid"),
            (3, "sync.hlc_invalid"),
            (4, "sync.change_invalid")
        ]
    );
    assert_eq!(r.highest_seq, 5);
    let log = b.s().pull_changes("h1", 0, 100).await.unwrap();
    assert_eq!(log.changes.iter().map(|c| c.key.as_str()).collect::<Vec<_>>(), ["w-e"]);
    assert_eq!(change_ids(&log), [1], "rejections take no change id");
    assert_eq!(b.s().apply_sync_ops("h1", "pc1", &ops).await.unwrap(), r);
}

async fn sync_pull_pages_are_contiguous(b: Backend) {
    let b = b.migrated().await;
    b.s().create_hall(&hall("h1")).await.unwrap();
    b.s().create_hall(&hall("h2")).await.unwrap();
    let ops: Vec<SyncOp> = (1..=7)
        .map(|i| upsert(i, "pc1", 100 + i, "window", &format!("w-{i}"), serde_json::json!({ "number": i })))
        .collect();
    b.s().apply_sync_ops("h1", "pc1", &ops[..4]).await.unwrap();
    b.s().apply_sync_ops("h2", "pc1", &ops[..1]).await.unwrap(); // another hall's log is its own
    b.s().apply_sync_ops("h1", "pc1", &ops[4..]).await.unwrap();
    let mut cursor = 0;
    let mut pages = Vec::new();
    loop {
        let page = b.s().pull_changes("h1", cursor, 3).await.unwrap();
        pages.push((change_ids(&page), page.has_more));
        assert_eq!(page.next_cursor, page.changes.last().map_or(cursor, |c| c.change_id));
        cursor = page.next_cursor;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(pages, [(vec![1, 2, 3], true), (vec![4, 5, 6], true), (vec![7], false)]);
    let keys: Vec<String> =
        b.s().pull_changes("h1", 0, 10).await.unwrap().changes.into_iter().map(|c| c.key).collect();
    assert_eq!(keys, (1..=7).map(|i| format!("w-{i}")).collect::<Vec<_>>());
    let end = b.s().pull_changes("h1", 7, 3).await.unwrap();
    assert_eq!((end.changes.len(), end.next_cursor, end.has_more), (0, 7, false));
    let exact = b.s().pull_changes("h1", 4, 3).await.unwrap();
    assert_eq!((change_ids(&exact), exact.has_more), (vec![5, 6, 7], false));
    assert_eq!(change_ids(&b.s().pull_changes("h2", 0, 10).await.unwrap()), [1]);
}

async fn sync_concurrent_pushes_keep_change_ids_gapless(b: Backend) {
    let b = b.migrated().await;
    b.s().create_hall(&hall("h1")).await.unwrap();
    let other = b.open_again().await;
    let pushes: Vec<_> = [("pc1", b.store.clone()), ("pc2", other)]
        .into_iter()
        .map(|(device, store)| {
            tokio::spawn(async move {
                for batch in 0..10i64 {
                    let ops: Vec<SyncOp> = (1..=5)
                        .map(|i| {
                            let seq = batch * 5 + i;
                            upsert(
                                seq,
                                device,
                                seq,
                                "window",
                                &format!("{device}-w{seq}"),
                                serde_json::json!({ "n": seq }),
                            )
                        })
                        .collect();
                    let r = store.apply_sync_ops("h1", device, &ops).await.unwrap();
                    assert_eq!((r.highest_seq, r.rejected.len()), (batch * 5 + 5, 0));
                }
            })
        })
        .collect();
    for p in pushes {
        p.await.unwrap();
    }
    let all = b.s().pull_changes("h1", 0, 1000).await.unwrap();
    assert_eq!(change_ids(&all), (1..=100).collect::<Vec<_>>());
    // Each device's operations appear in its sequence order.
    for device in ["pc1", "pc2"] {
        let seqs: Vec<i64> = all.changes.iter().filter(|c| c.device_id == device).map(|c| c.seq).collect();
        assert_eq!(seqs, (1..=50).collect::<Vec<_>>());
    }
}

/// (entity, key, hlc, device, seq) of each change after `cursor`.
async fn changes_after(b: &Backend, cursor: i64) -> Vec<(String, String, String, String, i64)> {
    let page = b.s().pull_changes("h1", cursor, 1000).await.unwrap();
    page.changes.into_iter().map(|c| (c.entity, c.key, c.hlc, c.device_id, c.seq)).collect()
}

/// The highest field HLC of a stored row.
async fn newest_field(b: &Backend, entity: &str, key: &str) -> Hlc {
    let (_, _, row) = b.sync_rows("h1").await.into_iter().find(|(e, k, _)| e == entity && k == key).unwrap();
    let row = hallkeeper_server::sync::row_from_json(&row).unwrap();
    row.fields.values().map(|(_, h)| h.clone()).max().unwrap()
}

async fn sync_a_delete_takes_the_rows_that_reference_it(b: Backend) {
    let b = b.migrated().await;
    b.s().create_hall(&hall("h1")).await.unwrap();
    use serde_json::json as j;
    let setup = [
        upsert(1, "pc1", 10, "window", "w-a", j!({ "number": "A01" })),
        upsert(2, "pc1", 10, "window", "w-ab", j!({ "number": "A02" })),
        upsert(3, "pc1", 10, "matter", "m-1", j!({ "name": "户口迁入" })),
        upsert(4, "pc1", 10, "matter", "m-2", j!({ "name": "居民身份证换领" })),
        upsert(5, "pc1", 10, "staff", "s-1", j!({ "name": "张三" })),
        upsert(6, "pc1", 10, "staff", "s-2", j!({ "name": "李四" })),
        upsert(7, "pc1", 11, "binding", "w-a/m-2", j!({ "priority": "primary" })),
        upsert(8, "pc1", 11, "binding", "w-ab/m-1", j!({ "priority": "primary" })),
        upsert(9, "pc1", 11, "seat", "2026-11-25/w-a", j!({ "staffId": "s-2" })),
        upsert(10, "pc1", 11, "seat", "2026-11-25/w-ab", j!({ "staffId": "s-1" })),
        upsert(11, "pc1", 11, "seat", "2026-11-26/w-ab", j!({ "staffId": "s-2" })),
        // PC1's clock is ahead: it binds "at 50", after PC2 deletes the window "at 20".
        upsert(12, "pc1", 50, "binding", "w-a/m-1", j!({ "priority": "overflow" })),
    ];
    assert_eq!(b.s().apply_sync_ops("h1", "pc1", &setup).await.unwrap().rejected, []);
    let before = b.s().pull_changes("h1", 0, 1000).await.unwrap().next_cursor;
    assert_eq!(before, 12);
    let bound_at = newest_field(&b, "binding", "w-a/m-1").await;

    // PC2 deletes window w-a: its bindings and its seats go with it, in the same push, logged
    // right after the delete as the server's; w-ab (a longer id with the same start) keeps its own.
    let r = b.s().apply_sync_ops("h1", "pc2", &[delete(1, "pc2", 20, "window", "w-a")]).await.unwrap();
    assert_eq!(r.rejected, []);
    let log = changes_after(&b, before).await;
    let keys: Vec<(&str, &str, &str, i64)> =
        log.iter().map(|(e, k, _, d, s)| (e.as_str(), k.as_str(), d.as_str(), *s)).collect();
    assert_eq!(
        keys,
        [
            ("window", "w-a", "pc2", 1),
            ("binding", "w-a/m-1", "server", 0),
            ("binding", "w-a/m-2", "server", 0),
            ("seat", "2026-11-25/w-a", "server", 0),
        ]
    );
    let tomb = Hlc::parse(&log[1].2).unwrap();
    assert!(tomb > bound_at, "the tombstone {tomb} wins over the binding made at {bound_at}");
    assert_eq!(tomb.to_string(), "000000000000000050-00001-server");
    assert_eq!(log[3].2, "000000000000000020-00001-server", "after the delete that caused it");
    let changes = b.s().pull_changes("h1", before, 1000).await.unwrap().changes;
    assert!(changes[1..].iter().all(|c| c.change == j!({ "kind": "delete" })));
    for (entity, key) in [("binding", "w-a/m-1"), ("binding", "w-a/m-2"), ("seat", "2026-11-25/w-a")] {
        assert_eq!(b.sync_values("h1", entity, key).await, None, "{key}");
    }
    for (entity, key) in [("binding", "w-ab/m-1"), ("seat", "2026-11-25/w-ab")] {
        assert!(b.sync_values("h1", entity, key).await.is_some(), "{key}");
    }

    // A later bind to the deleted window, from PC1 that has not pulled yet, is refused.
    let late = upsert(13, "pc1", 60, "binding", "w-a/m-2", j!({ "priority": "primary" }));
    let r = b.s().apply_sync_ops("h1", "pc1", &[late]).await.unwrap();
    assert_eq!(r.rejected.iter().map(|x| x.code.as_str()).collect::<Vec<_>>(), ["sync.reference_deleted"]);

    // A matter takes its bindings (by the key's part after the slash), a staff member the seats
    // they hold.
    let cursor = b.s().pull_changes("h1", 0, 1000).await.unwrap().next_cursor;
    b.s().apply_sync_ops("h1", "pc2", &[delete(2, "pc2", 70, "matter", "m-1")]).await.unwrap();
    b.s().apply_sync_ops("h1", "pc2", &[delete(3, "pc2", 71, "staff", "s-2")]).await.unwrap();
    let keys: Vec<(String, String)> =
        changes_after(&b, cursor).await.into_iter().map(|(e, k, _, d, _)| (d, format!("{e} {k}"))).collect();
    let expect: Vec<(String, String)> = [
        ("pc2", "matter m-1"),
        ("server", "binding w-ab/m-1"),
        ("pc2", "staff s-2"),
        ("server", "seat 2026-11-26/w-ab"),
    ]
    .iter()
    .map(|(d, k)| ((*d).into(), (*k).into()))
    .collect();
    assert_eq!(keys, expect, "w-a/m-1 was already gone; the seat at w-a too");
    assert!(b.sync_values("h1", "seat", "2026-11-25/w-ab").await.is_some(), "s-1's seat stays");
    assert!(b.sync_values("h1", "staff", "s-1").await.is_some());
}

async fn sync_a_delete_cascades_only_to_what_is_visible(b: Backend) {
    let b = b.migrated().await;
    b.s().create_hall(&hall("h1")).await.unwrap();
    use serde_json::json as j;
    let setup = [
        upsert(1, "pc1", 10, "window", "w-a", j!({ "number": "A01" })),
        upsert(2, "pc1", 10, "matter", "m-1", j!({ "name": "户口迁入" })),
        upsert(3, "pc1", 11, "binding", "w-a/m-1", j!({ "priority": "primary" })),
        // A delete that loses (older than the window's newest field) leaves it, and its binding.
        delete(4, "pc1", 9, "window", "w-a"),
    ];
    assert_eq!(b.s().apply_sync_ops("h1", "pc1", &setup).await.unwrap().rejected, []);
    assert!(b.sync_values("h1", "binding", "w-a/m-1").await.is_some());
    assert_eq!(changes_after(&b, 0).await.len(), 4, "no cascade");

    // The delete, replayed and made again by another PC: one cascade, nothing more.
    let del = delete(5, "pc1", 20, "window", "w-a");
    b.s().apply_sync_ops("h1", "pc1", std::slice::from_ref(&del)).await.unwrap();
    b.s().apply_sync_ops("h1", "pc1", std::slice::from_ref(&del)).await.unwrap();
    b.s().apply_sync_ops("h1", "pc2", &[delete(1, "pc2", 25, "window", "w-a")]).await.unwrap();
    let devices: Vec<String> =
        changes_after(&b, 4).await.into_iter().map(|(e, _, _, d, _)| format!("{d} {e}")).collect();
    assert_eq!(devices, ["pc1 window", "server binding", "pc2 window"]);

    // The window comes back and is bound again (after the tombstone): a new delete takes the new
    // binding, with a tombstone after it.
    let again = [
        upsert(6, "pc1", 30, "window", "w-a", j!({ "number": "A01" })),
        upsert(7, "pc1", 31, "binding", "w-a/m-1", j!({ "priority": "primary" })),
    ];
    assert_eq!(b.s().apply_sync_ops("h1", "pc1", &again).await.unwrap().rejected, []);
    assert!(b.sync_values("h1", "binding", "w-a/m-1").await.is_some());
    b.s().apply_sync_ops("h1", "pc2", &[delete(2, "pc2", 40, "window", "w-a")]).await.unwrap();
    let last = changes_after(&b, 9).await;
    assert_eq!(last.len(), 2);
    assert_eq!((last[1].1.as_str(), last[1].2.as_str()), ("w-a/m-1", "000000000000000040-00001-server"));
    assert_eq!(b.sync_values("h1", "binding", "w-a/m-1").await, None);
}

async fn sync_events_are_paged_by_seq_per_hall(b: Backend) {
    let b = b.migrated().await;
    b.s().create_hall(&hall("h1")).await.unwrap();
    b.s().create_hall(&hall("h2")).await.unwrap();
    let empty = b.s().events_after("h1", 0, 10).await.unwrap();
    assert_eq!((empty.events.len(), empty.next_cursor, empty.has_more), (0, 0, false));

    let (today, tomorrow) = (day("2026-11-25"), day("2026-11-26"));
    let mut mine = Vec::new();
    for i in 0..5u32 {
        let e = event(&format!("t-{i}"), "2026-11-25T01:30:00.123Z", issued(i + 1));
        let d = if i < 3 { today } else { tomorrow };
        b.s().append_event("h1", d, &e).await.unwrap();
        mine.push((d.to_string(), e));
        // Another hall's event in between: h1's seqs are increasing, not dense.
        b.s().append_event("h2", today, &event("u-1", "2026-11-25T01:30:00Z", issued(i))).await.unwrap();
    }

    let mut after = 0;
    let mut pages = Vec::new();
    let mut got = Vec::new();
    loop {
        let page = b.s().events_after("h1", after, 2).await.unwrap();
        assert_eq!(page.next_cursor, page.events.last().map_or(after, |e| e.seq));
        pages.push((page.events.len(), page.has_more));
        for r in &page.events {
            assert!(r.seq > after);
            let e: TicketEvent = serde_json::from_str(r.event.get()).unwrap();
            got.push((r.seq, r.day.clone(), e));
        }
        after = page.next_cursor;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(pages, [(2, true), (2, true), (1, false)]);
    assert!(got.windows(2).all(|w| w[0].0 < w[1].0), "ascending seqs");
    assert!(got.windows(2).any(|w| w[1].0 - w[0].0 > 1), "other halls' seqs are skipped");
    let without_seq: Vec<(String, TicketEvent)> =
        got.iter().map(|(_, d, e)| (d.clone(), e.clone())).collect();
    assert_eq!(without_seq, mine, "each event as appended, with its day, in order");

    // After the last: nothing, the cursor stays. From the middle: the rest.
    let end = b.s().events_after("h1", after, 10).await.unwrap();
    assert_eq!((end.events.len(), end.next_cursor, end.has_more), (0, after, false));
    let rest = b.s().events_after("h1", got[2].0, 10).await.unwrap();
    assert_eq!(rest.events.iter().map(|e| e.seq).collect::<Vec<_>>(), [got[3].0, got[4].0]);
    let exact = b.s().events_after("h1", got[2].0, 2).await.unwrap();
    assert!(!exact.has_more, "exactly the rest is not more");
    let others = b.s().events_after("h2", 0, 100).await.unwrap();
    assert_eq!(others.events.len(), 5);
    assert!(others.events.iter().all(|r| r.event.get().contains("u-1")));
    assert_eq!(b.s().events_after("h3", 0, 100).await.unwrap().events.len(), 0);
}

/// Appenders on two handles (two servers, or a request dropped while its insert still runs) and
/// a desktop pulling from its cursor meanwhile: the desktop ends with every event, each once.
async fn sync_events_followed_while_appended_are_never_missed(b: Backend) {
    let b = b.migrated().await;
    b.s().create_hall(&hall("h1")).await.unwrap();
    let other = b.open_again().await;
    const WRITERS: usize = 4;
    const EACH: usize = 40;
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let store = if w % 2 == 0 { b.store.clone() } else { other.clone() };
            tokio::spawn(async move {
                for i in 0..EACH {
                    let e = event(&format!("t-{w}-{i}"), "2026-11-25T01:30:00Z", issued(i as u32));
                    store.append_event("h1", day("2026-11-25"), &e).await.unwrap();
                }
            })
        })
        .collect();
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (store, done) = (b.store.clone(), done.clone());
        tokio::spawn(async move {
            let (mut after, mut seen) = (0, Vec::new());
            loop {
                // Read before the pull: once the writers are done, a page without more is the end.
                let last_round = done.load(std::sync::atomic::Ordering::SeqCst);
                let page = store.events_after("h1", after, 7).await.unwrap();
                seen.extend(page.events.iter().map(|e| e.seq));
                after = page.next_cursor;
                if last_round && !page.has_more {
                    return seen;
                }
                if page.events.is_empty() {
                    tokio::task::yield_now().await;
                }
            }
        })
    };
    for w in writers {
        w.await.unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen = reader.await.unwrap();
    let all: Vec<i64> =
        b.s().events_after("h1", 0, 10_000).await.unwrap().events.iter().map(|e| e.seq).collect();
    assert_eq!(all.len(), WRITERS * EACH);
    assert_eq!(seen, all, "every event once, in seq order");
}

async fn sync_heads_follow_changes_and_events(b: Backend) {
    let b = b.migrated().await;
    b.s().create_hall(&hall("h1")).await.unwrap();
    b.s().create_hall(&hall("h2")).await.unwrap();
    let heads = |h: &'static str| {
        let store = b.store.clone();
        async move {
            let x = store.sync_heads(h).await.unwrap();
            (x.change_id, x.event_seq)
        }
    };
    let rating_head = |h: &'static str| {
        let store = b.store.clone();
        async move { store.sync_heads(h).await.unwrap().rating_seq }
    };
    assert_eq!(heads("h1").await, (0, 0));
    let ops = [
        upsert(1, "pc1", 10, "window", "w-a", serde_json::json!({ "number": "A01" })),
        upsert(2, "pc1", 11, "window", "w-b", serde_json::json!({ "number": "B01" })),
    ];
    b.s().apply_sync_ops("h1", "pc1", &ops).await.unwrap();
    assert_eq!(heads("h1").await, (2, 0));
    b.s()
        .append_event("h1", day("2026-11-25"), &event("t-1", "2026-11-25T01:30:00Z", issued(1)))
        .await
        .unwrap();
    let seq = b.s().events_after("h1", 0, 10).await.unwrap().events[0].seq;
    assert_eq!(heads("h1").await, (2, seq));
    b.s()
        .append_event("h2", day("2026-11-25"), &event("u-1", "2026-11-25T01:30:00Z", issued(1)))
        .await
        .unwrap();
    assert_eq!(heads("h1").await, (2, seq), "another hall's event is not this hall's head");
    assert_eq!(heads("h2").await.0, 0);
    assert!(heads("h2").await.1 > seq);
    assert_eq!(heads("nowhere").await, (0, 0));

    assert_eq!(rating_head("h1").await, 0);
    b.s().add_rating(&rating("r-1", "h1", "t-1", "2026-11-25T01:40:00.000Z")).await.unwrap();
    let rated = b.s().ratings_after("h1", 0, 10).await.unwrap().ratings[0].seq;
    assert_eq!(rating_head("h1").await, rated);
    assert_eq!(heads("h1").await, (2, seq), "a rating moves only the rating head");
    b.s().add_rating(&rating("r-2", "h2", "u-1", "2026-11-25T01:41:00.000Z")).await.unwrap();
    assert_eq!(rating_head("h1").await, rated, "another hall's rating is not this hall's head");
    assert!(rating_head("h2").await > rated);
}

async fn sync_ratings_are_paged_by_seq_per_hall(b: Backend) {
    let b = b.migrated().await;
    b.s().create_hall(&hall("h1")).await.unwrap();
    b.s().create_hall(&hall("h2")).await.unwrap();
    let empty = b.s().ratings_after("h1", 0, 10).await.unwrap();
    assert_eq!((empty.ratings.len(), empty.next_cursor, empty.has_more), (0, 0, false));

    let mut mine = Vec::new();
    for i in 0..5 {
        // Given out of time order: the seq is the order they were stored in, not their `at`.
        let mut r =
            rating(&format!("r-{i}"), "h1", &format!("t-{i}"), &format!("2026-11-25T0{}:00:00.000Z", 5 - i));
        r.level = RatingLevel::ALL[i % 5];
        b.s().add_rating(&r).await.unwrap();
        mine.push(r);
        b.s()
            .add_rating(&rating(&format!("x-{i}"), "h2", &format!("t-{i}"), "2026-11-25T01:00:00.000Z"))
            .await
            .unwrap();
    }
    // A refused rating (a second one for a ticket) takes no place in the log.
    assert!(matches!(
        b.s().add_rating(&rating("r-again", "h1", "t-0", "2026-11-25T06:00:00.000Z")).await,
        Err(StorageError::Conflict(_))
    ));

    let (mut after, mut pages, mut got) = (0, Vec::new(), Vec::new());
    loop {
        let page = b.s().ratings_after("h1", after, 2).await.unwrap();
        assert_eq!(page.next_cursor, page.ratings.last().map_or(after, |r| r.seq));
        assert_eq!(page.head, None, "storage leaves the head to the endpoint");
        pages.push((page.ratings.len(), page.has_more));
        for r in &page.ratings {
            assert!(r.seq > after);
        }
        got.extend(page.ratings);
        after = page.next_cursor;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(pages, [(2, true), (2, true), (1, false)]);
    assert!(got.windows(2).all(|w| w[0].seq < w[1].seq), "ascending seqs");
    assert!(got.windows(2).any(|w| w[1].seq - w[0].seq > 1), "other halls' seqs are skipped");
    assert_eq!(got.iter().map(|r| r.rating.clone()).collect::<Vec<_>>(), mine, "every field, in order");

    let end = b.s().ratings_after("h1", after, 10).await.unwrap();
    assert_eq!((end.ratings.len(), end.next_cursor, end.has_more), (0, after, false));
    let exact = b.s().ratings_after("h1", got[2].seq, 2).await.unwrap();
    assert_eq!(exact.ratings.iter().map(|r| r.seq).collect::<Vec<_>>(), [got[3].seq, got[4].seq]);
    assert!(!exact.has_more, "exactly the rest is not more");
    let theirs = b.s().ratings_after("h2", 0, 100).await.unwrap();
    assert_eq!(theirs.ratings.len(), 5);
    assert!(theirs.ratings.iter().all(|r| r.rating.hall_id == "h2"));
    assert_eq!(b.s().ratings_after("h3", 0, 100).await.unwrap().ratings.len(), 0);
}

/// Pads on two handles (two servers, or a request dropped while its insert still runs) and a
/// desktop pulling from its cursor meanwhile: the desktop ends with every rating, each once.
async fn sync_ratings_followed_while_added_are_never_missed(b: Backend) {
    let b = b.migrated().await;
    b.s().create_hall(&hall("h1")).await.unwrap();
    let other = b.open_again().await;
    const WRITERS: usize = 4;
    const EACH: usize = 40;
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let store = if w % 2 == 0 { b.store.clone() } else { other.clone() };
            tokio::spawn(async move {
                for i in 0..EACH {
                    let r = rating(
                        &format!("r-{w}-{i}"),
                        "h1",
                        &format!("t-{w}-{i}"),
                        "2026-11-25T01:40:00.000Z",
                    );
                    store.add_rating(&r).await.unwrap();
                }
            })
        })
        .collect();
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (store, done) = (b.store.clone(), done.clone());
        tokio::spawn(async move {
            let (mut after, mut seen) = (0, Vec::new());
            loop {
                // Read before the pull: once the writers are done, a page without more is the end.
                let last_round = done.load(std::sync::atomic::Ordering::SeqCst);
                let page = store.ratings_after("h1", after, 7).await.unwrap();
                seen.extend(page.ratings.iter().map(|r| r.seq));
                after = page.next_cursor;
                if last_round && !page.has_more {
                    return seen;
                }
                if page.ratings.is_empty() {
                    tokio::task::yield_now().await;
                }
            }
        })
    };
    for w in writers {
        w.await.unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen = reader.await.unwrap();
    let all: Vec<i64> =
        b.s().ratings_after("h1", 0, 10_000).await.unwrap().ratings.iter().map(|r| r.seq).collect();
    assert_eq!(all.len(), WRITERS * EACH);
    assert_eq!(seen, all, "every rating once, in seq order");
}

/// A server upgraded with ratings already given: they are numbered in the order they were
/// given (time, then id), and new ones come after them.
async fn ratings_given_before_the_upgrade_are_numbered_in_order(b: Backend) {
    const BEFORE: i64 = 4;
    let insert = "INSERT INTO halls (id, name) VALUES ('h1', '大厅');
        INSERT INTO ratings (id, hall_id, ticket_id, ticket_number, window_id, matter_id, level, reasons, comment, at)
        VALUES ('r-late', 'h1', 't-1', 'A001', 'w-a', 'm-id', 'satisfied', '[]', '', '2026-11-25T03:00:00.000Z'),
               ('r-b', 'h1', 't-2', 'A002', 'w-a', 'm-id', 'neutral', '[\"慢\"]', '', '2026-11-25T01:00:00.000Z'),
               ('r-a', 'h1', 't-3', 'A003', 'w-a', 'm-id', 'dissatisfied', '[]', '', '2026-11-25T01:00:00.000Z');";
    match &b.place {
        Place::Sqlite { path, .. } => {
            let conn = rusqlite::Connection::open(path).unwrap();
            for sql in [
                include_str!("../src/storage/sql/sqlite/0001_halls_devices_events_ratings.sql"),
                include_str!("../src/storage/sql/sqlite/0002_appointments.sql"),
                include_str!("../src/storage/sql/sqlite/0003_sync.sql"),
                include_str!("../src/storage/sql/sqlite/0004_sync_down.sql"),
                insert,
            ] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", BEFORE).unwrap();
        }
        Place::Postgres { db } => {
            let c = pg_client(db.url()).await;
            for sql in [
                include_str!("../src/storage/sql/postgres/0001_halls_devices_events_ratings.sql"),
                include_str!("../src/storage/sql/postgres/0002_appointments.sql"),
                include_str!("../src/storage/sql/postgres/0003_sync.sql"),
                include_str!("../src/storage/sql/postgres/0004_sync_down.sql"),
                insert,
                "CREATE TABLE schema_version (only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row), version BIGINT NOT NULL);
                 INSERT INTO schema_version (version) VALUES (4);",
            ] {
                c.batch_execute(sql).await.unwrap();
            }
        }
    }
    let b = b.migrated().await;
    assert_eq!(b.schema_version().await, KNOWN_VERSION);
    b.s().add_rating(&rating("r-new", "h1", "t-4", "2026-11-25T00:00:00.000Z")).await.unwrap();
    let page = b.s().ratings_after("h1", 0, 10).await.unwrap();
    let order: Vec<(i64, &str)> = page.ratings.iter().map(|r| (r.seq, r.rating.id.as_str())).collect();
    assert_eq!(order, [(1, "r-a"), (2, "r-b"), (3, "r-late"), (4, "r-new")]);
    assert_eq!(page.ratings[1].rating.reasons, ["慢"]);
    assert_eq!(b.s().sync_heads("h1").await.unwrap().rating_seq, 4);
    assert_eq!(b.s().ratings("h1", t("2026-11-25T00:00:00Z")).await.unwrap().len(), 4);
}

// ---- people (issue 17) ----

fn grant(hall: Option<&str>, role: Role) -> HallRole {
    HallRole { hall_id: hall.map(Into::into), role }
}

fn account(id: &str, login: &str, grants: Vec<HallRole>) -> AccountRecord {
    AccountRecord {
        account: Account {
            id: id.into(),
            login: login.into(),
            display_name: format!("{login} 的姓名"),
            staff_id: None,
            grants,
            active: true,
            must_change_password: true,
        },
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaA".into(),
        created_at: t("2026-11-25T01:00:00.123Z"),
        updated_at: t("2026-11-25T01:00:00.123Z"),
    }
}

async fn accounts_are_created_found_and_unique_by_login(b: Backend) {
    let b = b.migrated().await;
    let a = b.s().accounts();
    assert!(!a.has_any_account().await.unwrap());
    b.s().create_hall(&hall("h1")).await.unwrap();
    let wang =
        account("a1", "wang.li", vec![grant(Some("h1"), Role::ShiftLead), grant(None, Role::SystemAdmin)]);
    a.create_account(&wang).await.unwrap();
    assert!(a.has_any_account().await.unwrap());
    assert_eq!(a.account("a1").await.unwrap(), Some(wang.clone()));
    assert_eq!(a.account_by_login("wang.li").await.unwrap(), Some(wang.clone()), "grants in the order given");
    assert_eq!(a.account_by_login("nobody").await.unwrap(), None);
    assert!(matches!(
        a.create_account(&account("a2", "wang.li", vec![])).await,
        Err(StorageError::Conflict(_))
    ));
    // A grant in a hall that does not exist is refused, and leaves no account behind.
    let bad = account("a3", "li", vec![grant(Some("no-such-hall"), Role::Supervisor)]);
    assert!(a.create_account(&bad).await.is_err());
    assert_eq!(a.account("a3").await.unwrap(), None);
    // Another handle (a restart) reads the same.
    assert_eq!(b.open_again().await.accounts().account("a1").await.unwrap(), Some(wang));
}

async fn the_first_account_is_made_once(b: Backend) {
    let b = b.migrated().await;
    let first = account("a1", "admin", vec![grant(None, Role::SystemAdmin)]);
    let second = account("a2", "other", vec![grant(None, Role::SystemAdmin)]);
    // Two first runs at once (two handles, as two processes): exactly one wins.
    let (other, s) = (b.open_again().await, b.store.clone());
    let (x, y) = tokio::join!(async { s.accounts().create_first_account(&first).await.unwrap() }, async {
        other.accounts().create_first_account(&second).await.unwrap()
    });
    assert!(x ^ y, "one and only one first account: {x} {y}");
    assert_eq!(b.s().accounts().accounts(None).await.unwrap().len(), 1);
    assert!(!b.s().accounts().create_first_account(&account("a3", "third", vec![])).await.unwrap());
}

async fn accounts_are_listed_per_hall_and_updated_with_their_grants(b: Backend) {
    let b = b.migrated().await;
    let a = b.s().accounts();
    for h in ["h1", "h2"] {
        b.s().create_hall(&hall(h)).await.unwrap();
    }
    a.create_account(&account("a1", "zhao", vec![grant(Some("h1"), Role::HallAdmin)])).await.unwrap();
    a.create_account(&account("a2", "qian", vec![grant(Some("h2"), Role::Supervisor)])).await.unwrap();
    a.create_account(&account("a3", "sun", vec![grant(None, Role::SystemAdmin)])).await.unwrap();
    let logins = |list: Vec<Account>| list.into_iter().map(|x| x.login).collect::<Vec<_>>();
    assert_eq!(logins(a.accounts(None).await.unwrap()), ["qian", "sun", "zhao"]);
    assert_eq!(logins(a.accounts(Some("h1")).await.unwrap()), ["zhao"]);

    let mut qian = a.account("a2").await.unwrap().unwrap();
    qian.account.display_name = "钱多多".into();
    qian.account.staff_id = Some("s-7".into());
    qian.account.grants = vec![grant(Some("h1"), Role::WindowStaff), grant(Some("h2"), Role::ShiftLead)];
    qian.account.active = false;
    qian.account.must_change_password = false;
    qian.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdG5ld3NhbHQ$bmV3".into();
    qian.updated_at = t("2026-11-26T08:00:00.456Z");
    assert!(a.update_account(&qian).await.unwrap());
    assert_eq!(a.account("a2").await.unwrap(), Some(qian.clone()));
    assert_eq!(logins(a.accounts(Some("h1")).await.unwrap()), ["qian", "zhao"]);
    let mut ghost = qian.clone();
    ghost.account.id = "nobody".into();
    assert!(!a.update_account(&ghost).await.unwrap());
}

async fn sessions_are_stored_hashed_touched_and_revoked(b: Backend) {
    let b = b.migrated().await;
    let a = b.s().accounts();
    a.create_account(&account("a1", "zhou", vec![])).await.unwrap();
    let session = |hash: &str| SessionRecord {
        token_hash: hash.into(),
        account_id: "a1".into(),
        created_at: t("2026-11-25T01:00:00.000Z"),
        last_used_at: t("2026-11-25T01:00:00.000Z"),
        idle_expires_at: t("2026-11-25T13:00:00.000Z"),
        absolute_expires_at: t("2026-12-02T01:00:00.000Z"),
        revoked_at: None,
    };
    for h in ["h-one", "h-two", "h-three"] {
        a.create_session(&session(h)).await.unwrap();
    }
    assert!(matches!(a.create_session(&session("h-one")).await, Err(StorageError::Conflict(_))));
    assert_eq!(a.session("h-one").await.unwrap(), Some(session("h-one")));
    assert_eq!(a.session("h-none").await.unwrap(), None);
    a.touch_session("h-one", t("2026-11-25T02:00:00.000Z"), t("2026-11-25T14:00:00.000Z")).await.unwrap();
    let touched = a.session("h-one").await.unwrap().unwrap();
    assert_eq!(
        (touched.last_used_at, touched.idle_expires_at),
        (t("2026-11-25T02:00:00.000Z"), t("2026-11-25T14:00:00.000Z"))
    );
    let at = t("2026-11-25T03:00:00.000Z");
    assert!(a.revoke_session("h-one", at).await.unwrap());
    assert!(!a.revoke_session("h-one", at).await.unwrap(), "revoked once");
    assert_eq!(a.session("h-one").await.unwrap().unwrap().revoked_at, Some(at));
    // Every other session of the account but the one kept.
    assert_eq!(a.revoke_sessions_of("a1", Some("h-two"), at).await.unwrap(), 1);
    assert_eq!(a.session("h-two").await.unwrap().unwrap().revoked_at, None);
    assert_eq!(a.session("h-three").await.unwrap().unwrap().revoked_at, Some(at));
    assert_eq!(a.revoke_sessions_of("a1", None, at).await.unwrap(), 1);
}

async fn audit_entries_are_paged_newest_first_per_hall(b: Backend) {
    let b = b.migrated().await;
    let a = b.s().accounts();
    let entry = |i: usize, hall: Option<&str>| NewAuditEntry {
        at: t("2026-11-25T01:00:00.000Z") + chrono::Duration::seconds(i as i64),
        account_id: (i % 2 == 0).then(|| "a1".to_owned()),
        actor_name: "王丽".into(),
        address: "10.0.0.7".into(),
        hall_id: hall.map(Into::into),
        action: format!("config.put{i}"),
        target: Some(format!("t{i}")),
        before: (i == 1).then(|| serde_json::json!({ "name": "旧", "n": [1, 2] })),
        after: Some(serde_json::json!({ "i": i })),
    };
    let mut seqs = Vec::new();
    for i in 0..5 {
        seqs.push(a.append_audit(&entry(i, if i < 3 { Some("h1") } else { None })).await.unwrap());
    }
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    let page = a.audit(&AuditFilter { hall_id: None, before: None, limit: 2 }).await.unwrap();
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [seqs[4], seqs[3]]);
    let next = a.audit(&AuditFilter { hall_id: None, before: Some(seqs[3]), limit: 10 }).await.unwrap();
    assert_eq!(next.iter().map(|e| e.seq).collect::<Vec<_>>(), [seqs[2], seqs[1], seqs[0]]);
    let h1 = a.audit(&AuditFilter { hall_id: Some("h1".into()), before: None, limit: 10 }).await.unwrap();
    assert_eq!(h1.len(), 3);
    let one = &h1[1];
    assert_eq!(one.at, "2026-11-25T01:00:01.000Z");
    assert_eq!(
        (one.account_id.as_deref(), one.actor_name.as_str(), one.address.as_str()),
        (None, "王丽", "10.0.0.7")
    );
    assert_eq!((one.action.as_str(), one.target.as_deref()), ("config.put1", Some("t1")));
    assert_eq!(one.before, Some(serde_json::json!({ "name": "旧", "n": [1, 2] })));
    assert_eq!(one.after, Some(serde_json::json!({ "i": 1 })));
    assert_eq!(h1[0].before, None);
}
