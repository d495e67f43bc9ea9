//! A running server with a configured hall, and an HTTP client speaking for its devices.

use chrono::{DateTime, Utc};
use hallkeeper_server::storage::{postgres::PostgresStorage, sqlite::SqliteStorage, Storage};
use hallkeeper_server::{start, AppState, Now, Running};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

pub const ADMIN: &str = "test-admin-token";

/// The account id of the fixture's 系统管理员, the author of the sync tests' operations.
pub const AUTHOR: &str = "acc-fixture-admin";

/// The password an administrator gives a new account in the tests, and the one its person then
/// chooses.
pub const FIRST_PASSWORD: &str = "Erste-Kennwort-2026";
pub const PERSON_PASSWORD: &str = "mein-eigenes-Kennwort-7";

pub enum Backend {
    Sqlite(tempfile::TempDir),
    Postgres(String),
}

impl Backend {
    /// SQLite always; PostgreSQL when the set-up provides it (and then it must work).
    pub async fn available() -> Vec<Backend> {
        let mut out = vec![Backend::Sqlite(tempfile::tempdir().unwrap())];
        match super::pg::fresh_database().await {
            Some(url) => out.push(Backend::Postgres(url)),
            None if std::env::var("HALLKEEPER_REQUIRE_POSTGRES").as_deref() == Ok("1") => {
                panic!("HALLKEEPER_REQUIRE_POSTGRES=1 but no PostgreSQL database is available")
            }
            None => eprintln!("PostgreSQL not configured (HALLKEEPER_TEST_POSTGRES_URL): SQLite only"),
        }
        out
    }

    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    pub async fn open(&self) -> Arc<dyn Storage> {
        match self {
            Backend::Sqlite(dir) => Arc::new(SqliteStorage::open(&dir.path().join("server.db")).unwrap()),
            Backend::Postgres(url) => Arc::new(PostgresStorage::connect(url).await.unwrap()),
        }
    }
}

pub struct Fixture {
    backend: Backend,
    running: Option<Running>,
    pub base: String,
    pub http: reqwest::Client,
    pub hall: String,
    pub window_a: String,
    pub clock: Arc<Mutex<DateTime<Utc>>>,
    /// Applied to the server's state at every launch (`restart_with`).
    tweak: fn(AppState) -> AppState,
}

fn window(id: &str, number: &str, state: &str, position: i64) -> Value {
    json!({ "id": id, "number": number, "name": format!("{number}窗口"), "zone": "", "kind": "general",
            "state": state, "position": position, "createdAt": "2026-11-25T00:00:00.000Z", "updatedAt": "2026-11-25T00:00:00.000Z" })
}

fn matter(id: &str, name: &str) -> Value {
    json!({ "id": id, "catalogCode": id.to_uppercase(), "name": name, "departmentId": "d-pol", "matterType": "公共服务",
            "required": true, "timeLimitDays": 0, "ticketPrefix": "A", "state": "active" })
}

/// One department, windows A01 (open) and B01 (closed), four matters: two at A01, one only at
/// the closed B01, one bound nowhere.
pub fn hall_config() -> Value {
    json!({
        "windows": [window("w-a", "A01", "open", 0), window("w-b", "B01", "closed", 1)],
        "departments": [{ "id": "d-pol", "code": "D-POL", "name": "成都市公安局" }],
        "matters": [matter("m-id", "居民身份证换领"), matter("m-hukou", "户口迁入登记"), matter("m-closed", "出入境证件"), matter("m-unbound", "无窗口事项")],
        "bindings": [
            { "windowId": "w-a", "matterId": "m-id", "priority": "primary" },
            { "windowId": "w-a", "matterId": "m-hukou", "priority": "primary" },
            { "windowId": "w-b", "matterId": "m-closed", "priority": "primary" }
        ],
        "settings": { "maxRecalls": 2, "fallbackPrefix": "Z" }
    })
}

impl Fixture {
    pub async fn start(backend: Backend) -> Fixture {
        let clock = Arc::new(Mutex::new(
            DateTime::parse_from_rfc3339("2026-11-25T01:30:00Z").unwrap().with_timezone(&Utc),
        ));
        let mut fx = Fixture {
            backend,
            running: None,
            base: String::new(),
            http: reqwest::Client::new(),
            hall: "hall-chengdu".into(),
            window_a: "w-a".into(),
            clock,
            tweak: |s| s,
        };
        fx.launch().await;
        fx.author_account().await;
        let (s, body) = fx
            .admin_post("/api/v1/admin/halls", json!({ "id": fx.hall, "name": "成都市政务服务中心" }))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        let (s, body) = fx.admin_put(&format!("/api/v1/admin/halls/{}/config", fx.hall), hall_config()).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
        fx
    }

    async fn launch(&mut self) {
        let storage = self.backend.open().await;
        let clock = self.clock.clone();
        // Each request sees the clock one millisecond later, so events keep their order.
        let now: Now = Arc::new(move || {
            let mut t = clock.lock().unwrap();
            *t += chrono::Duration::milliseconds(1);
            *t
        });
        let state = Arc::new((self.tweak)(AppState::new(storage, now).with_break_glass_token(ADMIN)));
        let running = start("127.0.0.1:0".parse().unwrap(), state).await.unwrap();
        self.base = format!("http://{}", running.addr);
        self.running = Some(running);
    }

    /// The 系统管理员 account [`AUTHOR`] (written to storage directly: a known id).
    async fn author_account(&self) {
        let storage = self.backend.open().await;
        let at = *self.clock.lock().unwrap();
        let grants =
            vec![hallkeeper_proto::HallRole { hall_id: None, role: hallkeeper_proto::Role::SystemAdmin }];
        let mut record = hallkeeper_server::accounts::new_record(
            at,
            "fixture.admin",
            "测试管理员",
            None,
            grants,
            PERSON_PASSWORD,
            false,
        )
        .unwrap();
        record.account.id = AUTHOR.into();
        storage.accounts().create_account(&record).await.unwrap();
    }

    /// Stops the server and starts a new one on the same storage.
    pub async fn restart(mut self) -> Fixture {
        if let Some(r) = self.running.take() {
            r.stop().await.unwrap();
        }
        self.launch().await;
        self
    }

    /// Restarts on the same storage with the server's state changed by `tweak` (and keeps it
    /// for later restarts): e.g. terminal sign-in required.
    pub async fn restart_with(mut self, tweak: fn(AppState) -> AppState) -> Fixture {
        self.tweak = tweak;
        self.restart().await
    }

    pub async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await.unwrap();
        }
    }

    /// A second hall with an empty configuration.
    pub async fn second_hall(&self) -> String {
        let id = "hall-second".to_owned();
        let (s, _) = self.admin_post("/api/v1/admin/halls", json!({ "id": id, "name": "第二大厅" })).await;
        assert_eq!(s, StatusCode::CREATED);
        let empty = json!({ "windows": [], "departments": [], "matters": [], "bindings": [], "settings": { "maxRecalls": 2, "fallbackPrefix": "A" } });
        let (s, _) = self.admin_put(&format!("/api/v1/admin/halls/{id}/config"), empty).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        id
    }

    /// Registers a device of this kind in the fixture's hall and returns its token.
    pub async fn device(&self, kind: &str, window: Option<&str>) -> String {
        self.device_in(&self.hall, kind, window).await
    }

    pub async fn device_in(&self, hall: &str, kind: &str, window: Option<&str>) -> String {
        let (s, body) = self
            .admin_post(
                &format!("/api/v1/admin/halls/{hall}/devices"),
                json!({ "kind": kind, "name": format!("{kind} 1"), "windowId": window }),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        body["token"].as_str().unwrap().to_owned()
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, body)
    }

    pub async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        self.send(self.http.get(format!("{}{path}", self.base)).bearer_auth(token)).await
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(self.http.post(format!("{}{path}", self.base)).bearer_auth(token).json(&body)).await
    }

    pub async fn put(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(self.http.put(format!("{}{path}", self.base)).bearer_auth(token).json(&body)).await
    }

    pub async fn post_raw(&self, token: Option<&str>, path: &str, body: String) -> (StatusCode, Value) {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.send(req).await
    }

    pub async fn delete(&self, token: &str, path: &str) -> (StatusCode, Value) {
        self.send(self.http.delete(format!("{}{path}", self.base)).bearer_auth(token)).await
    }

    /// Sets the server's clock (RFC 3339); each request still sees it a millisecond later.
    pub fn set_clock(&self, at: &str) {
        *self.clock.lock().unwrap() = DateTime::parse_from_rfc3339(at).unwrap().with_timezone(&Utc);
    }

    /// Replaces a matter-day's appointment slots in the fixture's hall: `(start, end, capacity)`.
    pub async fn put_slots(
        &self,
        matter: &str,
        day: &str,
        slots: &[(&str, &str, u32)],
    ) -> (StatusCode, Value) {
        let slots: Vec<Value> =
            slots.iter().map(|(s, e, c)| json!({ "start": s, "end": e, "capacity": c })).collect();
        self.admin_put(
            &format!("/api/v1/admin/halls/{}/appointment-slots", self.hall),
            json!({ "matterId": matter, "day": day, "slots": slots }),
        )
        .await
    }

    pub async fn patch(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(self.http.patch(format!("{}{path}", self.base)).bearer_auth(token).json(&body)).await
    }

    /// Any method, with or without a token, a JSON body of `{}` unless a GET: what the role ×
    /// route test sends (the guard answers before any body is read).
    pub async fn call(&self, method: &str, token: Option<&str>, path: &str) -> reqwest::Response {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let get = method == reqwest::Method::GET;
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if !get {
            req = req.header("content-type", "application/json").body("{}");
        }
        req.send().await.unwrap()
    }

    /// `POST /api/v1/session`: the status, the body and the `Retry-After` header.
    pub async fn sign_in(&self, login: &str, password: &str) -> (StatusCode, Value, Option<String>) {
        let resp = self
            .http
            .post(format!("{}/api/v1/session", self.base))
            .json(&json!({ "login": login, "password": password }))
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let retry = resp.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
        let body = resp.json().await.unwrap_or(Value::Null);
        (status, body, retry)
    }

    /// A person with these grants (created through the break-glass token), signed in, their
    /// first password changed: their session token and account id. Password `PERSON_PASSWORD`.
    pub async fn person(&self, login: &str, grants: Value) -> (String, String) {
        let (s, body) = self
            .admin_post(
                "/api/v1/admin/accounts",
                json!({ "login": login, "displayName": format!("{login} 姓名"), "grants": grants, "password": FIRST_PASSWORD }),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        let id = body["id"].as_str().unwrap().to_owned();
        let (s, session, _) = self.sign_in(login, FIRST_PASSWORD).await;
        assert_eq!(s, StatusCode::OK, "{session}");
        let token = session["token"].as_str().unwrap().to_owned();
        let (s, body) = self
            .put(
                &token,
                "/api/v1/session/password",
                json!({ "current": FIRST_PASSWORD, "new": PERSON_PASSWORD }),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
        (token, id)
    }

    pub async fn admin_get(&self, path: &str) -> (StatusCode, Value) {
        self.get(ADMIN, path).await
    }

    pub async fn admin_post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.post(ADMIN, path, body).await
    }

    pub async fn admin_put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.put(ADMIN, path, body).await
    }

    pub async fn admin_delete(&self, path: &str) -> StatusCode {
        self.send(self.http.delete(format!("{}{path}", self.base)).bearer_auth(ADMIN)).await.0
    }
}

/// Runs `f` on a fresh fixture of every backend available (SQLite, and PostgreSQL when the test
/// set-up provides it).
pub async fn each_backend<F, Fut>(f: F)
where
    F: Fn(Fixture) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in Backend::available().await {
        let name = backend.name();
        let fx = Fixture::start(backend).await;
        eprintln!("-- on {name}");
        f(fx).await;
    }
}
