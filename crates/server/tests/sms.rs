//! SMS reminders end to end: triggers from the queue (exactly once per ticket and rule), quiet
//! hours and the daily cap at fixed clocks, retries against the provider imitations, the purge,
//! numbers encrypted at rest, and the admin API. On SQLite, and on PostgreSQL when the set-up
//! provides it (`HALLKEEPER_TEST_POSTGRES_URL`; `HALLKEEPER_REQUIRE_POSTGRES=1` requires it).
//! The kill -9 test is `sms_crash.rs`.

#[path = "common/pg.rs"]
mod pg;

use chrono::{DateTime, Duration, Utc};
use hallkeeper_proto::SmsDeliveryStatus;
use hallkeeper_server::sms::outbox::{new_row, Due, QuietPolicy, RowPhone, Subject};
use hallkeeper_server::sms::sender::drain;
use hallkeeper_server::sms::{purge, SmsService, SmsSettings};
use hallkeeper_server::storage::postgres::PostgresStorage;
use hallkeeper_server::storage::sqlite::SqliteStorage;
use hallkeeper_server::storage::Storage;
use hallkeeper_server::{start, AppState, Now, Running};
use hallkeeper_sms::imitation::{
    AlibabaImitation, AlibabaImitationConfig, Fault, TencentImitation, TencentImitationConfig,
};
use hallkeeper_sms::provider::{
    AlibabaConfig, AlibabaSms, LogHandle, LogProvider, TencentConfig, TencentSms,
};
use hallkeeper_sms::{Phone, PhoneCipher, SmsProvider};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

const ADMIN: &str = "sms-admin-token";
const HALL: &str = "hall-sms";
const PHONE: &str = "13800138000";

enum Place {
    Sqlite(tempfile::TempDir),
    Postgres(pg::TestDatabase),
}

impl Place {
    async fn all() -> Vec<Place> {
        let mut out = vec![Place::Sqlite(tempfile::tempdir().unwrap())];
        if let Some(db) = pg::fresh_test_database().await {
            out.push(Place::Postgres(db));
        }
        out
    }

    fn name(&self) -> &'static str {
        match self {
            Place::Sqlite(_) => "sqlite",
            Place::Postgres(_) => "postgres",
        }
    }

    fn sqlite_path(&self) -> Option<PathBuf> {
        match self {
            Place::Sqlite(dir) => Some(dir.path().join("server.db")),
            Place::Postgres(_) => None,
        }
    }

    async fn open(&self) -> Arc<dyn Storage> {
        match self {
            Place::Sqlite(dir) => Arc::new(SqliteStorage::open(&dir.path().join("server.db")).unwrap()),
            Place::Postgres(db) => Arc::new(PostgresStorage::connect(db.url()).await.unwrap()),
        }
    }
}

/// A server on a loopback port with SMS on (background loops off: the tests step the sender),
/// a fixed clock, and one hall.
struct Hall {
    place: Place,
    state: Arc<AppState>,
    sms: Arc<SmsService>,
    running: Option<Running>,
    base: String,
    http: reqwest::Client,
    clock: Arc<Mutex<DateTime<Utc>>>,
}

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn settings() -> SmsSettings {
    SmsSettings { sign_name: "市民中心".into(), background: false, ..SmsSettings::default() }
}

fn window(id: &str, number: &str, position: i64) -> Value {
    json!({ "id": id, "number": number, "name": format!("{number}窗口"), "zone": "", "kind": "general",
            "state": "open", "position": position, "createdAt": "2026-11-25T00:00:00.000Z", "updatedAt": "2026-11-25T00:00:00.000Z" })
}

fn matter(id: &str, name: &str, prefix: &str) -> Value {
    json!({ "id": id, "catalogCode": id.to_uppercase(), "name": name, "departmentId": "d-pol", "matterType": "公共服务",
            "required": true, "timeLimitDays": 0, "ticketPrefix": prefix, "state": "active" })
}

fn rule(id: &str, trigger: Value, template: &str) -> Value {
    json!({ "id": id, "name": id, "trigger": trigger, "template": template })
}

fn config(sms: Value) -> Value {
    json!({
        "windows": [window("w-a", "A01", 0), window("w-b", "B01", 1)],
        "departments": [{ "id": "d-pol", "code": "D-POL", "name": "成都市公安局" }],
        "matters": [matter("m-id", "居民身份证换领", "A"), matter("m-hukou", "户口迁入登记", "B")],
        "bindings": [
            { "windowId": "w-a", "matterId": "m-id", "priority": "primary" },
            { "windowId": "w-b", "matterId": "m-hukou", "priority": "primary" }
        ],
        "settings": { "maxRecalls": 3, "fallbackPrefix": "Z" },
        "sms": sms
    })
}

fn queue_rules() -> Value {
    json!({
        "rules": [
            rule("issued", json!({"kind": "issued"}), "您已取号{ticket}，前面{ahead}人，约{wait_min}分钟"),
            rule("ahead2", json!({"kind": "peopleAhead", "n": 2}), "{ticket}前面还有{ahead}人，请回到大厅"),
            rule("called", json!({"kind": "called"}), "请{ticket}到{window}号窗口"),
            rule("missed", json!({"kind": "missed"}), "{ticket}已过号"),
        ],
        "dailyCapPerCitizen": 20
    })
}

impl Hall {
    async fn start(
        place: Place,
        provider: Arc<dyn SmsProvider>,
        settings: SmsSettings,
        sms_rules: Value,
    ) -> Hall {
        let clock = Arc::new(Mutex::new(t("2026-11-25T01:30:00Z"))); // 09:30 hall time
        let sms = Arc::new(SmsService::new(provider, PhoneCipher::new(&[7u8; 32]).unwrap(), settings));
        let (state, running, base) = Self::launch(&place, &clock, &sms).await;
        let hall =
            Hall { place, state, sms, running: Some(running), base, http: reqwest::Client::new(), clock };
        let (s, b) =
            hall.admin_post("/api/v1/admin/halls", json!({ "id": HALL, "name": "成都市政务服务中心" })).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let (s, b) = hall.admin_put(&format!("/api/v1/admin/halls/{HALL}/config"), config(sms_rules)).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
        hall
    }

    async fn launch(
        place: &Place,
        clock: &Arc<Mutex<DateTime<Utc>>>,
        sms: &Arc<SmsService>,
    ) -> (Arc<AppState>, Running, String) {
        let c = clock.clone();
        let now: Now = Arc::new(move || {
            let mut t = c.lock().unwrap();
            *t += Duration::milliseconds(1);
            *t
        });
        let state = Arc::new(
            AppState::new(place.open().await, now).with_break_glass_token(ADMIN).with_sms(sms.clone()),
        );
        let running = start("127.0.0.1:0".parse().unwrap(), state.clone()).await.unwrap();
        let base = format!("http://{}", running.addr);
        (state, running, base)
    }

    async fn stop(mut self) -> Place {
        if let Some(r) = self.running.take() {
            r.stop().await.unwrap();
        }
        self.place
    }

    fn set_clock(&self, at: &str) {
        *self.clock.lock().unwrap() = t(at);
    }

    fn advance(&self, by: Duration) {
        *self.clock.lock().unwrap() += by;
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() })
    }

    async fn admin_post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(self.http.post(format!("{}{path}", self.base)).bearer_auth(ADMIN).json(&body)).await
    }

    async fn admin_put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(self.http.put(format!("{}{path}", self.base)).bearer_auth(ADMIN).json(&body)).await
    }

    async fn admin_get(&self, path: &str) -> (StatusCode, Value) {
        self.send(self.http.get(format!("{}{path}", self.base)).bearer_auth(ADMIN)).await
    }

    async fn post(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(self.http.post(format!("{}{path}", self.base)).bearer_auth(token).json(&body)).await
    }

    async fn device(&self, kind: &str, window: Option<&str>) -> String {
        let (s, b) = self
            .admin_post(
                &format!("/api/v1/admin/halls/{HALL}/devices"),
                json!({ "kind": kind, "name": format!("{kind} {}", window.unwrap_or("")), "windowId": window }),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        b["token"].as_str().unwrap().to_owned()
    }

    /// Takes a ticket; returns its id.
    async fn take(&self, kiosk: &str, matter: &str, phone: Option<&str>) -> String {
        let (s, b) =
            self.post(kiosk, "/api/v1/kiosk/tickets", json!({ "matterId": matter, "phone": phone })).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        b["ticket"]["id"].as_str().unwrap().to_owned()
    }

    async fn caller(&self, caller: &str, path: &str, body: Value) -> Value {
        let (s, b) = self.post(caller, &format!("/api/v1/caller{path}"), body).await;
        assert!(s.is_success(), "{path}: {s} {b}");
        b
    }

    async fn drain(&self) -> usize {
        drain(&self.state, &self.sms).await.unwrap()
    }

    async fn outbox(&self, query: &str) -> Vec<Value> {
        let (s, b) = self.admin_get(&format!("/api/v1/admin/halls/{HALL}/sms/outbox{query}")).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        b.as_array().unwrap().clone()
    }

    /// (ticket id, rule id) → status, of every ticket row.
    async fn rows(&self) -> HashMap<(String, String), String> {
        let mut out = HashMap::new();
        for r in self.outbox("?limit=1000").await {
            let key =
                (r["ticketId"].as_str().unwrap_or("").to_owned(), r["ruleId"].as_str().unwrap().to_owned());
            assert!(
                out.insert(key.clone(), r["status"].as_str().unwrap().to_owned()).is_none(),
                "two rows for {key:?}"
            );
        }
        out
    }
}

fn log_provider() -> (Arc<dyn SmsProvider>, LogHandle) {
    let p = LogProvider::new();
    let h = p.handle();
    (Arc::new(p), h)
}

/// How many messages the provider got per (idempotency key → row, rule).
fn sent_keys(log: &LogHandle) -> Vec<String> {
    log.messages().into_iter().map(|m| m.sms.idempotency_key).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_triggers_fire_once_per_ticket_and_rule() {
    for place in Place::all().await {
        eprintln!("-- on {}", place.name());
        let (provider, log) = log_provider();
        let hall = Hall::start(place, provider, settings(), queue_rules()).await;
        let kiosk = hall.device("kiosk", None).await;
        let a = hall.device("caller", Some("w-a")).await;
        let b = hall.device("caller", Some("w-b")).await;

        // Three ahead of t4 (which has a phone); t0 has no phone and gets nothing.
        let t0 = hall.take(&kiosk, "m-id", None).await;
        let t1 = hall.take(&kiosk, "m-id", None).await;
        let _t2 = hall.take(&kiosk, "m-id", None).await;
        let t4 = hall.take(&kiosk, "m-id", Some(PHONE)).await;
        // Issued with 0 ahead: gets `issued`, never `ahead2` (it did not drop to 2).
        let t5 = hall.take(&kiosk, "m-hukou", Some("13800138001")).await;
        assert_eq!(hall.drain().await, 2);

        // t0 called: t4 has 2 ahead → ahead2, once.
        hall.caller(&a, "/next", json!({})).await;
        hall.caller(&a, &format!("/tickets/{t0}/finish"), json!({})).await;
        hall.caller(&a, "/next", json!({})).await; // t1: 1 ahead, no new ahead2
        hall.drain().await;
        let rows = hall.rows().await;
        assert_eq!(rows.get(&(t4.clone(), "ahead2".into())).map(String::as_str), Some("sent"));
        assert_eq!(rows.len(), 3, "{rows:?}");
        hall.caller(&a, &format!("/tickets/{t1}/finish"), json!({})).await;

        // t5 is called at B01, recalled twice: one `called`.
        hall.caller(&b, "/next", json!({})).await;
        hall.caller(&b, &format!("/tickets/{t5}/recall"), json!({})).await;
        hall.caller(&b, &format!("/tickets/{t5}/recall"), json!({})).await;
        // …transferred to m-id's queue (its ahead count changes) and called again at A01 later:
        // still one `called`, and no `ahead2` (issued with 0 ahead).
        hall.caller(
            &b,
            &format!("/tickets/{t5}/transfer"),
            json!({ "target": { "to": "matter", "matterId": "m-id" } }),
        )
        .await;
        hall.drain().await;

        // A01 works through t2, t4 and t5; t4 is recalled, then a no-show.
        let mut called_t4 = false;
        for _ in 0..3 {
            let cur = hall.caller(&a, "/next", json!({})).await;
            let id = cur["id"].as_str().unwrap().to_owned();
            if id == t4 {
                called_t4 = true;
                hall.caller(&a, &format!("/tickets/{t4}/recall"), json!({})).await;
                hall.caller(&a, &format!("/tickets/{t4}/no-show"), json!({})).await;
            } else {
                hall.caller(&a, &format!("/tickets/{id}/finish"), json!({})).await;
            }
            hall.drain().await;
        }
        assert!(called_t4);
        // Nothing due any more: a retry or re-evaluation sends nothing new.
        assert_eq!(hall.drain().await, 0);

        let rows = hall.rows().await;
        let mut got: Vec<(String, String, String)> = rows
            .iter()
            .map(|((ticket, rule), status)| {
                let who = if *ticket == t4 {
                    "t4"
                } else if *ticket == t5 {
                    "t5"
                } else {
                    "other"
                };
                (who.to_owned(), rule.clone(), status.clone())
            })
            .collect();
        got.sort();
        let expected: Vec<(String, String, String)> = [
            ("t4", "ahead2"),
            ("t4", "called"),
            ("t4", "issued"),
            ("t4", "missed"),
            ("t5", "called"),
            ("t5", "issued"),
        ]
        .iter()
        .map(|(w, r)| (w.to_string(), r.to_string(), "sent".to_string()))
        .collect();
        assert_eq!(got, expected);
        // The provider got exactly one message per row.
        let keys = sent_keys(&log);
        let mut unique = keys.clone();
        unique.sort();
        unique.dedup();
        assert_eq!((keys.len(), unique.len()), (6, 6));
        let called = log
            .messages()
            .into_iter()
            .find(|m| m.sms.template_id == "called" && m.sms.phone.expose() == PHONE);
        let called = called.unwrap();
        assert!(called.sms.text.starts_with("【市民中心】请A"), "{}", called.sms.text);
        assert!(called.sms.text.ends_with("到A01号窗口"), "{}", called.sms.text);
        // Masked everywhere the API shows a number.
        assert!(hall.outbox("").await.iter().all(|r| r["phoneMasked"].as_str().unwrap().contains("****")));
        hall.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_hours_skip_and_the_daily_cap_counts_per_citizen() {
    for place in Place::all().await {
        eprintln!("-- on {}", place.name());
        let (provider, log) = log_provider();
        let rules = json!({
            "rules": [rule("issued", json!({"kind": "issued"}), "您已取号{ticket}")],
            "quietHours": { "start": "09:00", "end": "10:00" },
            "dailyCapPerCitizen": 2
        });
        let hall = Hall::start(place, provider, settings(), rules).await;
        let kiosk = hall.device("kiosk", None).await;
        // 09:30 hall time: quiet.
        let quiet = hall.take(&kiosk, "m-id", Some(PHONE)).await;
        assert_eq!(hall.drain().await, 0);
        hall.set_clock("2026-11-25T02:30:00Z"); // 10:30
        let a = hall.take(&kiosk, "m-id", Some(PHONE)).await;
        let b = hall.take(&kiosk, "m-id", Some(PHONE)).await; // the same citizen
        let c = hall.take(&kiosk, "m-id", Some(PHONE)).await;
        let other = hall.take(&kiosk, "m-id", Some("13800138009")).await;
        hall.drain().await;
        let rows = hall.rows().await;
        let status = |id: &str| rows[&(id.to_owned(), "issued".to_owned())].clone();
        assert_eq!(status(&quiet), "skipped_quiet_hours");
        assert_eq!(status(&a), "sent");
        assert_eq!(status(&b), "sent");
        assert_eq!(status(&c), "skipped_cap");
        assert_eq!(status(&other), "sent");
        assert_eq!(log.len(), 3);

        // The next hall day starts a new count.
        hall.set_clock("2026-11-26T02:30:00Z");
        let d = hall.take(&kiosk, "m-id", Some(PHONE)).await;
        hall.drain().await;
        assert_eq!(hall.rows().await[&(d, "issued".to_owned())], "sent");

        let (s, counts) = hall.admin_get(&format!("/api/v1/admin/halls/{HALL}/sms/counts?days=2")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            counts["days"],
            json!([
                { "day": "2026-11-26", "ruleId": "issued", "sent": 1, "failed": 0, "pending": 0, "skippedQuietHours": 0, "skippedCap": 0, "expired": 0, "unknown": 0 },
                { "day": "2026-11-25", "ruleId": "issued", "sent": 3, "failed": 0, "pending": 0, "skippedQuietHours": 1, "skippedCap": 1, "expired": 0, "unknown": 0 }
            ])
        );
        let skipped = hall.outbox("?status=skipped_cap&rule=issued&day=2026-11-25").await;
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0]["phoneMasked"], "138****8000");
        hall.stop().await;
    }
}

/// The hall's first `day` rows queued straight into the outbox, as a trigger would.
async fn queue_direct(
    state: &AppState,
    sms: &SmsService,
    rule_id: &str,
    phone: &str,
    at: DateTime<Utc>,
) -> String {
    let phone = Phone::parse(phone).unwrap();
    let due = Due {
        hall_id: HALL,
        subject: Subject::Ticket(uuid::Uuid::now_v7().to_string()),
        phone: RowPhone::Clear(&phone),
        now: at,
        expires_at: at + Duration::minutes(15),
        quiet: QuietPolicy::Skip,
    };
    let params = vec![("ticket".to_owned(), "A001".to_owned()), ("window".to_owned(), "5".to_owned())];
    let row = new_row(
        sms,
        rule_id.into(),
        "called".into(),
        params,
        "【市民中心】请A001到5号窗口".into(),
        SmsDeliveryStatus::Pending,
        at,
        due,
    )
    .unwrap()
    .unwrap();
    state.storage.sms().enqueue(&row).await.unwrap();
    row.id
}

async fn row_of(hall: &Hall, id: &str) -> hallkeeper_proto::SmsOutboxEntry {
    hall.state.storage.sms().outbox_entry(id).await.unwrap().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_back_off_against_the_tencent_imitation_then_send_once() {
    let place = Place::Sqlite(tempfile::tempdir().unwrap());
    let imitation = TencentImitation::start(TencentImitationConfig::default()).await.unwrap();
    let c = TencentImitationConfig::default();
    let provider = TencentSms::new(
        TencentConfig::new(&c.secret_id, &c.secret_key, &c.sdk_app_id).with_endpoint(imitation.base_url()),
    )
    .unwrap();
    let settings = SmsSettings {
        templates: BTreeMap::from([("called".into(), "100001".into()), ("called2".into(), "100001".into())]),
        templates_required: true,
        ..settings()
    };
    let hall = Hall::start(place, Arc::new(provider), settings, Value::Null).await;
    let now = t("2026-11-25T02:00:00Z");
    hall.set_clock("2026-11-25T02:00:00Z");
    imitation.fail_next([Fault::ServerError, Fault::ServerError]);
    let id = queue_direct(&hall.state, &hall.sms, "called", PHONE, now).await;

    assert_eq!(hall.drain().await, 1);
    let r = row_of(&hall, &id).await;
    assert_eq!(
        (r.status, r.attempts, r.last_error_code.as_deref()),
        (SmsDeliveryStatus::Pending, 1, Some("http.502"))
    );
    // Not due before the backoff (5 s): nothing is tried.
    assert_eq!(hall.drain().await, 0);
    hall.advance(Duration::seconds(5));
    assert_eq!(hall.drain().await, 1);
    let r = row_of(&hall, &id).await;
    assert_eq!((r.status, r.attempts), (SmsDeliveryStatus::Pending, 2));
    hall.advance(Duration::seconds(6));
    assert_eq!(hall.drain().await, 0, "the second backoff is 10 s");
    hall.advance(Duration::seconds(4));
    assert_eq!(hall.drain().await, 1);
    let r = row_of(&hall, &id).await;
    assert_eq!((r.status, r.attempts), (SmsDeliveryStatus::Sent, 3));
    assert!(r.provider_message_id.is_some());
    assert_eq!(imitation.requests(), 3);
    let accepted = imitation.accepted();
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].idempotency_key, id);
    assert_eq!(accepted[0].phone, "+8613800138000");

    // Same content to the same number within 30 s: Tencent's limit, retried after 30 s.
    let again = queue_direct(&hall.state, &hall.sms, "called2", PHONE, (hall.state.now)()).await;
    assert_eq!(hall.drain().await, 1);
    let r = row_of(&hall, &again).await;
    assert_eq!(r.status, SmsDeliveryStatus::Pending);
    assert_eq!(r.last_error_code.as_deref(), Some("LimitExceeded.PhoneNumberThirtySecondLimit"));
    let next: DateTime<Utc> = r.next_attempt_at.unwrap().parse().unwrap();
    assert!(next - (hall.state.now)() > Duration::seconds(28), "{next}");
    hall.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alibaba_limits_and_account_errors_are_classified() {
    let place = Place::Sqlite(tempfile::tempdir().unwrap());
    let imitation = AlibabaImitation::start(AlibabaImitationConfig::default()).await.unwrap();
    let c = AlibabaImitationConfig::default();
    let provider = AlibabaSms::new(
        AlibabaConfig::new(&c.access_key_id, &c.access_key_secret).with_endpoint(imitation.base_url()),
    )
    .unwrap();
    let settings = SmsSettings {
        templates: BTreeMap::from([
            ("r1".into(), "SMS_100001".into()),
            ("r2".into(), "SMS_100001".into()),
            ("bad".into(), "SMS_NOPE".into()),
        ]),
        templates_required: true,
        ..settings()
    };
    let hall = Hall::start(place, Arc::new(provider), settings, Value::Null).await;
    imitation.set_daily_limit(Some(1));
    let now = (hall.state.now)();
    let first = queue_direct(&hall.state, &hall.sms, "r1", PHONE, now).await;
    let second = queue_direct(&hall.state, &hall.sms, "r2", PHONE, now).await;
    let unmapped = queue_direct(&hall.state, &hall.sms, "nomap", PHONE, now).await;
    hall.drain().await;
    assert_eq!(row_of(&hall, &first).await.status, SmsDeliveryStatus::Sent);
    let r = row_of(&hall, &second).await;
    // A day-level flow control: a reminder that can only go tomorrow is worthless.
    assert_eq!(
        (r.status, r.last_error_code.as_deref()),
        (SmsDeliveryStatus::Failed, Some("isv.BUSINESS_LIMIT_CONTROL"))
    );
    let r = row_of(&hall, &unmapped).await;
    assert_eq!(
        (r.status, r.last_error_code.as_deref()),
        (SmsDeliveryStatus::Failed, Some("sms.template_unmapped"))
    );
    // 5xx then success.
    imitation.set_daily_limit(None);
    imitation.fail_next([Fault::ServerError]);
    let third = queue_direct(&hall.state, &hall.sms, "r1", "13800138002", (hall.state.now)()).await;
    hall.drain().await;
    assert_eq!(row_of(&hall, &third).await.status, SmsDeliveryStatus::Pending);
    hall.advance(Duration::seconds(6));
    hall.drain().await;
    assert_eq!(row_of(&hall, &third).await.status, SmsDeliveryStatus::Sent);
    // An unapproved template is the account's problem: the provider pauses, the row waits.
    let bad = queue_direct(&hall.state, &hall.sms, "bad", "13800138003", (hall.state.now)()).await;
    hall.drain().await;
    let r = row_of(&hall, &bad).await;
    assert_eq!(r.status, SmsDeliveryStatus::Pending, "{r:?}");
    let (s, st) = hall.admin_get(&format!("/api/v1/admin/halls/{HALL}/sms/status")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(st["provider"], "alibaba");
    assert_eq!(st["paused"], true, "{st}");
    assert_eq!(st["lastErrorCode"], r.last_error_code.clone().unwrap());
    assert_eq!(st["pending"], 1);
    // Paused: nothing is tried.
    let before = imitation.requests();
    hall.advance(Duration::minutes(1));
    assert_eq!(hall.drain().await, 0);
    assert_eq!(imitation.requests(), before);
    hall.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_are_sealed_at_rest_and_purged_after_the_retention() {
    for place in Place::all().await {
        eprintln!("-- on {}", place.name());
        let (provider, _log) = log_provider();
        let hall = Hall::start(place, provider, settings(), queue_rules()).await;
        let kiosk = hall.device("kiosk", None).await;
        let ticket = hall.take(&kiosk, "m-id", Some(PHONE)).await;
        // A second one stays pending (not drained) to see its sealed number purged too.
        hall.drain().await;
        hall.take(&kiosk, "m-id", Some("13800138005")).await;

        if let Some(path) = hall.place.sqlite_path() {
            // Every text of every row of the SMS tables, and the database files' bytes.
            let conn = rusqlite::Connection::open(&path).unwrap();
            for table in ["sms_ticket_phones", "sms_outbox"] {
                let mut st = conn.prepare(&format!("SELECT * FROM {table}")).unwrap();
                let n = st.column_count();
                let mut rows = st.query([]).unwrap();
                let mut seen = 0;
                while let Some(r) = rows.next().unwrap() {
                    seen += 1;
                    for i in 0..n {
                        if let Ok(Some(s)) = r.get::<_, Option<String>>(i) {
                            assert!(!s.contains("13800138000") && !s.contains("13800138005"), "{table}: {s}");
                        }
                    }
                }
                assert!(seen > 0, "{table} is empty");
            }
            drop(conn);
            for suffix in ["", "-wal"] {
                let file = PathBuf::from(format!("{}{suffix}", path.display()));
                if let Ok(bytes) = std::fs::read(&file) {
                    let hay = String::from_utf8_lossy(&bytes);
                    assert!(!hay.contains("13800138000"), "{} holds the number", file.display());
                }
            }
        }
        let store = hall.state.storage.sms();
        let day = t("2026-11-25T01:30:00Z").date_naive();
        let phones = store.ticket_phones(HALL, day).await.unwrap();
        assert_eq!(phones.len(), 2);
        let sealed = phones.iter().find(|p| p.ticket_id == ticket).unwrap().phone_sealed.clone().unwrap();
        assert_eq!(PhoneCipher::new(&[7u8; 32]).unwrap().open(&sealed).unwrap().expose(), PHONE);

        // 29 days on: kept; 30 days and a minute on: purged (the masked form stays).
        let p = purge::run_once(&hall.state, t("2026-12-24T01:30:00Z")).await.unwrap();
        assert_eq!((p.ticket_phones, p.outbox_rows), (0, 0));
        let p = purge::run_once(&hall.state, t("2026-12-25T01:31:00Z")).await.unwrap();
        assert_eq!(p.ticket_phones, 2);
        assert!(p.outbox_rows >= 2, "{p:?}");
        assert!(store.ticket_phones(HALL, day).await.unwrap().is_empty());
        let kept = store.ticket_phone(HALL, &ticket).await.unwrap().unwrap();
        assert_eq!(
            (kept.phone_sealed, kept.phone_hash, kept.phone_masked.as_str()),
            (None, None, "138****8000")
        );
        // The pending one can no longer be sent: it fails without a number, masked form kept.
        hall.set_clock("2026-11-25T01:31:00Z");
        hall.drain().await;
        let rows = hall.outbox("?status=failed").await;
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0]["lastErrorCode"], "sms.phone_unavailable");
        assert_eq!(rows[0]["phoneMasked"], "138****8005");
        hall.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupted_sends_become_unknown_and_are_not_resent() {
    for place in Place::all().await {
        eprintln!("-- on {}", place.name());
        let (provider, log) = log_provider();
        let hall = Hall::start(place, provider, settings(), Value::Null).await;
        let now = (hall.state.now)();
        let id = queue_direct(&hall.state, &hall.sms, "called", PHONE, now).await;
        // A claim whose outcome never gets written: what a kill -9 after the send leaves.
        let store = hall.state.storage.sms();
        let claimed = store.claim_next(now, "attempt-1").await.unwrap().unwrap();
        assert_eq!(claimed.id, id);
        assert!(store.claim_next(now, "attempt-2").await.unwrap().is_none(), "claimed once");
        let clock = hall.clock.clone();
        let sms = hall.sms.clone();
        let place = hall.stop().await;
        // Restarted: recovery runs in `start`.
        let (state, running, _) = Hall::launch(&place, &clock, &sms).await;
        let r = state.storage.sms().outbox_entry(&id).await.unwrap().unwrap();
        assert_eq!(
            (r.status, r.last_error_code.as_deref()),
            (SmsDeliveryStatus::Unknown, Some("sms.interrupted"))
        );
        assert_eq!(drain(&state, &sms).await.unwrap(), 0);
        assert!(log.is_empty());
        // A late outcome of the interrupted attempt is still recorded (it knows better).
        let sent = hallkeeper_server::storage::sms::AttemptOutcome::Sent {
            provider: "log".into(),
            message_id: "m1".into(),
        };
        assert!(state.storage.sms().finish_attempt(&id, "attempt-1", &sent, now).await.unwrap());
        assert!(!state.storage.sms().finish_attempt(&id, "attempt-x", &sent, now).await.unwrap());
        running.stop().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_api_validates_rules_phones_and_tests() {
    let (provider, log) = log_provider();
    let hall =
        Hall::start(Place::Sqlite(tempfile::tempdir().unwrap()), provider, settings(), queue_rules()).await;
    let kiosk = hall.device("kiosk", None).await;

    // A bad rule set is refused with the field named; nothing changes.
    let mut bad = queue_rules();
    bad["rules"][2]["template"] = json!("请到{windw}号");
    let (s, b) = hall.admin_put(&format!("/api/v1/admin/halls/{HALL}/config"), config(bad)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["field"], "sms.rules[2].template");
    assert_eq!(b["code"], "sms.template_unknown_placeholder");
    let mut cap = queue_rules();
    cap["dailyCapPerCitizen"] = json!(0);
    let (s, b) = hall.admin_put(&format!("/api/v1/admin/halls/{HALL}/config"), config(cap)).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::BAD_REQUEST, Some("sms.dailyCapPerCitizen")));
    let (_, stored) = hall.admin_get(&format!("/api/v1/admin/halls/{HALL}/config")).await;
    assert_eq!(stored["sms"]["rules"][2]["template"], "请{ticket}到{window}号窗口");

    // A configuration without rules (another supervisor PC that never set any) keeps the hall's;
    // an empty rule set turns them off.
    let mut without = config(Value::Null);
    without.as_object_mut().unwrap().remove("sms");
    let (s, b) = hall.admin_put(&format!("/api/v1/admin/halls/{HALL}/config"), without).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let (_, stored) = hall.admin_get(&format!("/api/v1/admin/halls/{HALL}/config")).await;
    assert_eq!(stored["sms"]["rules"][2]["template"], "请{ticket}到{window}号窗口", "rules kept");
    let (s, b) = hall
        .admin_put(
            &format!("/api/v1/admin/halls/{HALL}/config"),
            config(json!({ "rules": [], "dailyCapPerCitizen": 3 })),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let (_, stored) = hall.admin_get(&format!("/api/v1/admin/halls/{HALL}/config")).await;
    assert_eq!(stored["sms"]["rules"], json!([]), "an empty set turns them off");
    let (s, _) = hall.admin_put(&format!("/api/v1/admin/halls/{HALL}/config"), config(queue_rules())).await;
    assert_eq!(s, StatusCode::NO_CONTENT);

    // The kiosk's phone: optional, checked.
    let (s, b) = hall
        .post(&kiosk, "/api/v1/kiosk/tickets", json!({ "matterId": "m-id", "phone": "1380013800" }))
        .await;
    assert_eq!(
        (s, b["code"].as_str(), b["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("ticket.phone_invalid"), Some("phone"))
    );
    hall.take(&kiosk, "m-id", None).await;

    // Test messages: to the given number, rate limited, kept in the outbox as rule `test`.
    let path = format!("/api/v1/admin/halls/{HALL}/sms/test");
    let (s, b) = hall.admin_post(&path, json!({ "phone": "13800138077", "ruleId": "called" })).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["entry"]["status"], "sent");
    assert_eq!(b["entry"]["phoneMasked"], "138****8077");
    assert_eq!(b["entry"]["text"], "【市民中心】请A023到12号窗口");
    let (s, b) = hall.admin_post(&path, json!({ "phone": "13800138077", "text": "测试" })).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("sms.test_rate_limited")));
    hall.advance(Duration::seconds(31));
    let (s, b) = hall.admin_post(&path, json!({ "phone": "13800138077", "text": "测试" })).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["entry"]["ruleId"], "test");
    for (body, field) in [
        (json!({ "phone": "12345" }), "phone"),
        (json!({ "phone": PHONE }), "ruleId"),
        (json!({ "phone": PHONE, "ruleId": "nope" }), "ruleId"),
        (json!({ "phone": PHONE, "text": "" }), "text"),
    ] {
        let (s, b) = hall.admin_post(&path, body).await;
        assert_eq!((s, b["field"].as_str()), (StatusCode::BAD_REQUEST, Some(field)), "{b}");
    }
    assert_eq!(log.len(), 2);

    // Status, filters, auth.
    let (s, st) = hall.admin_get(&format!("/api/v1/admin/halls/{HALL}/sms/status")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (st["enabled"].as_bool(), st["provider"].as_str(), st["enabledRules"].as_u64()),
        (Some(true), Some("log"), Some(4))
    );
    assert_eq!(st["paused"], false);
    let (s, b) = hall.admin_get(&format!("/api/v1/admin/halls/{HALL}/sms/outbox?status=bogus")).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::BAD_REQUEST, Some("status")));
    let (s, b) = hall.admin_get(&format!("/api/v1/admin/halls/{HALL}/sms/counts?days=0")).await;
    assert_eq!((s, b["field"].as_str()), (StatusCode::BAD_REQUEST, Some("days")));
    let tests = hall.outbox("").await;
    assert_eq!(
        tests
            .iter()
            .map(|r| (r["ruleId"].as_str().unwrap(), r["trigger"].as_str().unwrap()))
            .collect::<Vec<_>>(),
        [("test", "test"), ("called", "test")]
    );
    let (s, _) =
        hall.send(hall.http.get(format!("{}/api/v1/admin/halls/{HALL}/sms/outbox", hall.base))).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = hall.admin_get("/api/v1/admin/halls/nope/sms/status").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    hall.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appointment_heads_up_goes_once_before_the_slot() {
    let (provider, log) = log_provider();
    let rules = json!({
        "rules": [rule("soon", json!({"kind": "appointmentHeadsUp", "minutesBefore": 30}), "您预约的{matter}即将开始（{hall}）")],
        "dailyCapPerCitizen": 5
    });
    let hall = Hall::start(Place::Sqlite(tempfile::tempdir().unwrap()), provider, settings(), rules).await;
    let online = hall.device("online", None).await;
    let (s, b) = hall
        .admin_put(
            &format!("/api/v1/admin/halls/{HALL}/appointment-slots"),
            json!({ "matterId": "m-id", "day": "2026-11-25", "slots": [{ "start": "11:00", "end": "11:30", "capacity": 5 }] }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = hall
        .post(
            &online,
            "/api/v1/appointments",
            json!({ "matterId": "m-id", "day": "2026-11-25", "start": "11:00", "phone": PHONE }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    // The booking's number is sealed at rest like a ticket's, and shown masked.
    assert_eq!(b["phone"], "138****8000", "{b}");
    if let Some(path) = hall.place.sqlite_path() {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let stored: Vec<String> = conn
            .prepare("SELECT phone FROM appointments WHERE phone IS NOT NULL")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(stored.len(), 1);
        assert!(!stored[0].contains(PHONE) && !stored[0].contains('*'), "sealed, not {:?}", stored[0]);
        assert_eq!(PhoneCipher::new(&[7u8; 32]).unwrap().open(&stored[0]).unwrap().expose(), PHONE);
    }
    let run = |at: &str| {
        let state = hall.state.clone();
        let at = t(at);
        async move { hallkeeper_server::sms::triggers::appointment_heads_up(&state, at).await.unwrap() }
    };
    run("2026-11-25T02:29:00Z").await; // 10:29: too early
    assert!(hall.outbox("").await.is_empty());
    run("2026-11-25T02:31:00Z").await; // 10:31
    run("2026-11-25T02:35:00Z").await;
    hall.set_clock("2026-11-25T02:35:00Z");
    hall.drain().await;
    let rows = hall.outbox("").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["status"], "sent");
    assert_eq!(
        log.messages()[0].sms.text,
        "【市民中心】您预约的居民身份证换领即将开始（成都市政务服务中心）"
    );
    hall.stop().await;
}
