//! Shared by the shell's integration tests: a store in a folder holding the sample catalog.
#![allow(dead_code)]

use hallkeeper_core::proto::{ImportRequest, Window, WindowInput, WindowKind, WindowState};
use hallkeeper_core::{Store, SystemClock};
use std::path::Path;
use std::sync::Arc;

/// A file store in `dir` with the sample catalog (347 matters, 15 departments) imported.
pub fn store_with_sample_catalog(dir: &Path) -> Arc<Store> {
    let store = Arc::new(Store::open_in_dir(dir, Arc::new(SystemClock)).unwrap());
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/sample-catalog/sample-catalog.csv");
    let req = ImportRequest {
        path: sample.to_string_lossy().into_owned(),
        mapping: hallkeeper_core::store::catalog::inspect_file(&sample).unwrap().mapping,
    };
    let preview = store.preview_import(&req, &|_| {}).unwrap();
    store.apply_import("t", &req, &preview.fingerprint, &|_| {}).unwrap();
    store
}

pub fn open_window(store: &Store, number: &str) -> Window {
    let input = WindowInput {
        number: number.into(),
        name: "综合受理".into(),
        zone: String::new(),
        kind: WindowKind::General,
        state: WindowState::Open,
    };
    store.create_window("t", &input).unwrap()
}

/// An account as the server would give it: `role` in hall `hall` (None for 系统管理员).
pub fn account(
    id: &str,
    login: &str,
    role: hallkeeper_core::proto::Role,
    hall: Option<&str>,
) -> hallkeeper_core::proto::Account {
    hallkeeper_core::proto::Account {
        id: id.into(),
        login: login.into(),
        display_name: format!("{login} 的姓名"),
        staff_id: None,
        grants: vec![hallkeeper_core::proto::HallRole { hall_id: hall.map(Into::into), role }],
        active: true,
        must_change_password: false,
    }
}

/// The first administrator's password in these tests (the policy: 10+ characters, not common).
pub const ADMIN_PASSWORD: &str = "厅管家-测试口令-2026";

/// The embedded server in `dir`, its first 系统管理员 made (as the first-run screen does) and signed
/// in over HTTP, the hall made; the link sends that session. Returns the link, the token and the
/// person (write as them, or adopt the store's unauthored operations, before syncing).
pub async fn embedded_signed_in(
    dir: &Path,
) -> (hallkeeper_desktop::hall_server::ServerLink, String, hallkeeper_core::access::Person) {
    use hallkeeper_desktop::hall_server::ServerLink;
    let credential = hallkeeper_client::Credential::new("");
    let link = ServerLink::embedded(dir, 0, credential.clone()).await.unwrap();
    if link.first_run_needed().await.unwrap() {
        link.create_first_administrator("admin", "管理员", ADMIN_PASSWORD).await.unwrap();
    }
    let request = hallkeeper_core::proto::SignIn { login: "admin".into(), password: ADMIN_PASSWORD.into() };
    let session = hallkeeper_client::session::sign_in(link.base_url(), &request).await.unwrap();
    credential.set(&session.token);
    let person = hallkeeper_core::access::Person::from_account(&session.account);
    link.signed_in(&person).await;
    (link, session.token, person)
}

/// Another desktop of the same server, signed in with `token`.
pub async fn remote(
    server: &hallkeeper_desktop::hall_server::ServerLink,
    token: &str,
) -> hallkeeper_desktop::hall_server::ServerLink {
    hallkeeper_desktop::hall_server::ServerLink::remote(
        server.base_url(),
        server.hall_id(),
        hallkeeper_client::Credential::new(token),
    )
    .await
    .unwrap()
}

/// A command invoked as the webview would (through the app's invoke handler, so core's gate
/// runs first): the command's answer, or its error body.
pub fn invoke(
    webview: &tauri::WebviewWindow<tauri::test::MockRuntime>,
    cmd: &str,
    args: serde_json::Value,
) -> Result<serde_json::Value, serde_json::Value> {
    let request = tauri::webview::InvokeRequest {
        cmd: cmd.into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: tauri::ipc::InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: tauri::test::INVOKE_KEY.to_string(),
    };
    tauri::test::get_ipc_response(webview, request).map(|b| b.deserialize::<serde_json::Value>().unwrap())
}
