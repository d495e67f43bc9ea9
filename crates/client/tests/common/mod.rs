//! Shared by the client's tests against the real server.

use hallkeeper_client::{AdminClient, Endpoint};
use hallkeeper_server::storage::sqlite::SqliteStorage;
use hallkeeper_server::{start, system_now, AppState, Running};
use std::sync::Arc;

/// The server on loopback over SQLite in a temporary folder (kept while the folder lives), the
/// break-glass token `admin_token` its 系统管理员; its base URL and an admin client for `hall_id`.
pub async fn server(admin_token: &str, hall_id: &str) -> (tempfile::TempDir, Running, String, AdminClient) {
    let dir = tempfile::tempdir().unwrap();
    let storage = Arc::new(SqliteStorage::open(&dir.path().join("server.db")).unwrap());
    let state = Arc::new(AppState::new(storage, system_now()).with_break_glass_token(admin_token));
    let running = start("127.0.0.1:0".parse().unwrap(), state).await.unwrap();
    let base = format!("http://{}", running.addr);
    let endpoint =
        Endpoint { base_url: base.clone(), hall_id: hall_id.into(), admin_token: admin_token.into() };
    (dir, running, base, AdminClient::new(endpoint))
}

/// The status code the server answers `req` with (the body is not read).
pub async fn status(req: reqwest::RequestBuilder) -> u16 {
    req.send().await.unwrap().status().as_u16()
}
