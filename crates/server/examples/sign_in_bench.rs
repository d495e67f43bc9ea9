//! Sign-in over HTTP on this machine: the real server in-process on a temporary SQLite file, one
//! account (the first administrator), then `N` sign-ins one after another (`POST /api/v1/session`,
//! argon2id verify on the blocking pool, session stored, audit entry written) and `N` refused
//! ones (a wrong password, spread over enough logins that the throttle never answers 429).
//! Prints p50/p95/max in milliseconds (docs/benchmarks.md, "Sign-in over HTTP").
//!
//! `cargo run --release -p hallkeeper-server --example sign_in_bench -- [N]` (N = 50 by default).

use hallkeeper_server::storage::{sqlite::SqliteStorage, Storage};
use hallkeeper_server::{start, system_now, AppState};
use std::sync::Arc;
use std::time::Instant;

const PASSWORD: &str = "timing-the-sign-in-2026";

fn summary(mut ms: Vec<f64>) -> String {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    format!("p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms", at(0.5), at(0.95), at(1.0))
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(50);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let storage: Arc<dyn Storage> =
        Arc::new(SqliteStorage::open(&dir.path().join("server.db")).expect("SQLite"));
    storage.migrate().await.expect("migrated");
    hallkeeper_server::accounts::create_first_administrator(
        &*storage,
        chrono::Utc::now(),
        "bench",
        "基准",
        PASSWORD,
    )
    .await
    .expect("the first administrator");
    let running = start("127.0.0.1:0".parse().expect("addr"), Arc::new(AppState::new(storage, system_now())))
        .await
        .expect("the server");
    let url = format!("http://{}/api/v1/session", running.addr);
    let http = reqwest::Client::new();
    let time = |login: &'static str, password: &'static str, want: u16| {
        let (http, url) = (http.clone(), url.clone());
        async move {
            let t = Instant::now();
            let resp = http
                .post(&url)
                .json(&serde_json::json!({ "login": login, "password": password }))
                .send()
                .await
                .expect("an answer");
            assert_eq!(resp.status().as_u16(), want);
            let _ = resp.bytes().await;
            t.elapsed().as_secs_f64() * 1000.0
        }
    };
    time("bench", PASSWORD, 200).await; // warm-up
    let mut ok = Vec::with_capacity(n);
    for _ in 0..n {
        ok.push(time("bench", PASSWORD, 200).await);
    }
    // Wrong passwords: one login each time past its free failures would earn 429, so they go to
    // logins that do not exist (the same work and answer as a known one).
    const LOGINS: [&str; 5] = ["x1", "x2", "x3", "x4", "x5"];
    let mut refused = Vec::with_capacity(n);
    for i in 0..n.min(19) {
        refused.push(time(LOGINS[i % 5], "not the password", 401).await);
    }
    println!("sign-in accepted ({n}): {}", summary(ok));
    println!("sign-in refused ({}): {}", refused.len(), summary(refused));
    running.stop().await.expect("stopped");
}
