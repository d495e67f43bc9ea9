//! kill -9 between the provider call and the status write: the real server binary, the log
//! provider appending one JSON line per message to a file, and the test hook
//! `HALLKEEPER_SMS_CRASH_AFTER_SEND` stopping the sender right after the send. The process is
//! killed there (SIGKILL), restarted, and the file must hold exactly one line per (ticket, rule).

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ADMIN: &str = "crash-test-break-glass-admin-token-0707";
const HALL: &str = "hall-crash";
const KEY: &str = "0707070707070707070707070707070707070707070707070707070707070707";

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn spawn(dir: &Path, crash_marker: Option<&Path>) -> Server {
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hallkeeper-server"));
    cmd.args(["--sqlite", dir.join("server.db").to_str().unwrap(), "--listen", &format!("127.0.0.1:{port}")])
        .env("HALLKEEPER_BREAK_GLASS", "1")
        .env("HALLKEEPER_ADMIN_TOKEN", ADMIN)
        .env("HALLKEEPER_SMS_PROVIDER", "log")
        .env("HALLKEEPER_SMS_LOG_FILE", dir.join("sms.jsonl"))
        .env("HALLKEEPER_SMS_KEY", KEY)
        .env("HALLKEEPER_LOG", "warn")
        .env_remove(hallkeeper_server::sms::CRASH_AFTER_SEND_VAR)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join(format!("server-{port}.log"))).unwrap());
    if let Some(m) = crash_marker {
        cmd.env(hallkeeper_server::sms::CRASH_AFTER_SEND_VAR, m);
    }
    let child = cmd.spawn().unwrap();
    let server = Server { child, base: format!("http://127.0.0.1:{port}") };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if reqwest::get(format!("{}/healthz", server.base)).await.is_ok_and(|r| r.status().is_success()) {
            return server;
        }
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn call(method: reqwest::Method, url: String, token: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new().request(method, url).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() })
}

fn hall_config() -> Value {
    let window = json!({ "id": "w-a", "number": "A01", "name": "A01窗口", "zone": "", "kind": "general",
        "state": "open", "position": 0, "createdAt": "2026-11-25T00:00:00.000Z", "updatedAt": "2026-11-25T00:00:00.000Z" });
    json!({
        "windows": [window],
        "departments": [{ "id": "d", "code": "D", "name": "公安局" }],
        "matters": [{ "id": "m", "catalogCode": "M", "name": "居民身份证换领", "departmentId": "d", "matterType": "公共服务",
            "required": true, "timeLimitDays": 0, "ticketPrefix": "A", "state": "active" }],
        "bindings": [{ "windowId": "w-a", "matterId": "m", "priority": "primary" }],
        "settings": { "maxRecalls": 2, "fallbackPrefix": "Z" },
        "sms": {
            "rules": [
                { "id": "issued", "name": "取号", "trigger": { "kind": "issued" }, "template": "您已取号{ticket}" },
                { "id": "called", "name": "叫号", "trigger": { "kind": "called" }, "template": "请{ticket}到{window}号窗口" }
            ],
            "dailyCapPerCitizen": 10
        }
    })
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_after_the_send_leaves_one_message_per_ticket_and_rule() {
    let dir = tempfile::tempdir().unwrap();
    let log: PathBuf = dir.path().join("sms.jsonl");
    let marker = dir.path().join("crashed-after-send");
    let admin = |s: &Server, path: &str| format!("{}/api/v1/admin{path}", s.base);

    let server = spawn(dir.path(), Some(&marker)).await;
    let (s, b) = call(
        reqwest::Method::POST,
        admin(&server, "/halls"),
        ADMIN,
        Some(json!({ "id": HALL, "name": "大厅" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = call(
        reqwest::Method::PUT,
        admin(&server, &format!("/halls/{HALL}/config")),
        ADMIN,
        Some(hall_config()),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let device = |kind: &str, window: Option<&str>| {
        let url = admin(&server, &format!("/halls/{HALL}/devices"));
        let body = json!({ "kind": kind, "name": kind, "windowId": window });
        async move {
            let (s, b) = call(reqwest::Method::POST, url, ADMIN, Some(body)).await;
            assert_eq!(s, StatusCode::CREATED, "{b}");
            b["token"].as_str().unwrap().to_owned()
        }
    };
    let kiosk = device("kiosk", None).await;
    let caller = device("caller", Some("w-a")).await;
    let take = |base: String, phone: &'static str| {
        let kiosk = kiosk.clone();
        async move {
            let body = json!({ "matterId": "m", "phone": phone });
            let (s, b) =
                call(reqwest::Method::POST, format!("{base}/api/v1/kiosk/tickets"), &kiosk, Some(body)).await;
            assert_eq!(s, StatusCode::CREATED, "{b}");
            b["ticket"]["id"].as_str().unwrap().to_owned()
        }
    };

    // The `issued` reminder is sent, then the sender stops before recording it: kill -9 there.
    let first = take(server.base.clone(), "13800138000").await;
    wait_for("the crash point", || marker.exists()).await;
    let mut server = server;
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    let crashed_row = std::fs::read_to_string(&marker).unwrap();
    assert_eq!(lines(&log).len(), 1);
    assert_eq!(lines(&log)[0]["idempotencyKey"], crashed_row.as_str());
    drop(server);

    // Restarted without the hook: the interrupted row is `unknown`, never sent again; new
    // reminders go as usual.
    let server = spawn(dir.path(), None).await;
    let second = take(server.base.clone(), "13800138001").await;
    let (s, b) =
        call(reqwest::Method::POST, format!("{}/api/v1/caller/next", server.base), &caller, None).await;
    assert_eq!((s, b["id"].as_str()), (StatusCode::OK, Some(first.as_str())), "{b}");
    wait_for("three messages", || lines(&log).len() >= 3).await;
    // A few more sender ticks: nothing else may go out.
    tokio::time::sleep(Duration::from_millis(2500)).await;

    let (s, rows) =
        call(reqwest::Method::GET, admin(&server, &format!("/halls/{HALL}/sms/outbox")), ADMIN, None).await;
    assert_eq!(s, StatusCode::OK);
    let by_id: HashMap<String, (String, String, String)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or_default().to_owned();
            (s("id"), (s("ticketId"), s("ruleId"), s("status")))
        })
        .collect();
    assert_eq!(by_id[&crashed_row], (first.clone(), "issued".into(), "unknown".into()));
    let mut per_ticket_rule: HashMap<(String, String), usize> = HashMap::new();
    for line in lines(&log) {
        let key = line["idempotencyKey"].as_str().unwrap();
        let (ticket, rule, _) = &by_id[key];
        *per_ticket_rule.entry((ticket.clone(), rule.clone())).or_default() += 1;
        assert!(!line.to_string().contains("13800138000"), "the log file holds masked numbers only");
    }
    let expected: HashMap<(String, String), usize> = [
        ((first.clone(), "issued".to_owned()), 1),
        ((second, "issued".to_owned()), 1),
        ((first, "called".to_owned()), 1),
    ]
    .into_iter()
    .collect();
    assert_eq!(per_ticket_rule, expected);
}
