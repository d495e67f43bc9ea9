//! The sign-in commands as the UI calls them (mock runtime, real IPC), against the embedded
//! server over real HTTP: the first run, a wrong password at its field, sign-out, the lock, and
//! the offline sign-in of a person who signed in here through the server before.

mod common;

use hallkeeper_core::{Store, SystemClock};
use hallkeeper_desktop::hall_server::ServerLink;
use hallkeeper_desktop::{with_commands, AppState};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;
use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime};
use tauri::{Manager, WebviewWindow};

struct App {
    _app: tauri::App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
}

impl App {
    /// The app on `dir`, linked to the embedded server there (`None`) or to `remote`.
    fn new(dir: &Path, remote: Option<&str>) -> Self {
        let store = Store::open_in_dir(dir, Arc::new(SystemClock)).unwrap();
        let state = AppState::new(store, Instant::now()).unwrap();
        let credential = state.credential().clone();
        let link = tauri::async_runtime::block_on(async {
            match remote {
                None => ServerLink::embedded(dir, 0, credential).await.unwrap(),
                Some(url) => ServerLink::remote(url, "local", credential).await.unwrap(),
            }
        });
        state.set_link(Arc::new(link));
        let app = with_commands(mock_builder()).manage(state).build(mock_context(noop_assets())).unwrap();
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
        Self { _app: app, webview }
    }

    fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        common::invoke(&self.webview, cmd, args)
    }
}

const PASSWORD: &str = common::ADMIN_PASSWORD;

#[test]
fn first_run_sign_in_wrong_password_lock_and_sign_out() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::new(dir.path(), None);
    assert_eq!(app.invoke("first_run_status", json!({})).unwrap()["needed"], true);
    assert_eq!(app.invoke("list_windows", json!({})).unwrap_err()["code"], "session.required");
    // The server's policy, at its field.
    let e = app
        .invoke(
            "create_first_administrator",
            json!({ "login": "admin", "displayName": "管理员", "password": "short" }),
        )
        .unwrap_err();
    assert_eq!(e["field"], "password", "{e}");
    let s = app
        .invoke(
            "create_first_administrator",
            json!({ "login": "admin", "displayName": "管理员", "password": PASSWORD }),
        )
        .unwrap();
    assert_eq!((s["person"]["login"].as_str(), s["offline"].as_bool()), (Some("admin"), Some(false)), "{s}");
    assert!(s["capabilities"].as_array().unwrap().iter().any(|c| c == "windows.edit"));
    assert_eq!(app.invoke("first_run_status", json!({})).unwrap()["needed"], false);
    assert_eq!(app.invoke("list_windows", json!({})).unwrap(), json!([]));
    // A second first run is refused.
    let e = app
        .invoke(
            "create_first_administrator",
            json!({ "login": "other", "displayName": "又一个", "password": PASSWORD }),
        )
        .unwrap_err();
    assert_eq!(e["code"], "first_run.done");

    app.invoke("lock", json!({})).unwrap();
    assert_eq!(app.invoke("list_windows", json!({})).unwrap_err()["code"], "session.locked");
    let e = app.invoke("unlock", json!({ "password": "不是这个口令-2026" })).unwrap_err();
    assert_eq!(
        (e["code"].as_str(), e["field"].as_str()),
        (Some("session.wrong_credentials"), Some("password"))
    );
    assert_eq!(app.invoke("unlock", json!({ "password": PASSWORD })).unwrap()["locked"], false);

    let s = app.invoke("sign_out", json!({})).unwrap();
    assert_eq!(s["person"], Value::Null);
    assert_eq!(app.invoke("list_windows", json!({})).unwrap_err()["code"], "session.required");
    let e = app.invoke("sign_in", json!({ "login": "admin", "password": "不是这个口令-2026" })).unwrap_err();
    assert_eq!(
        (e["code"].as_str(), e["field"].as_str()),
        (Some("session.wrong_credentials"), Some("password")),
        "{e}"
    );
    let s = app.invoke("sign_in", json!({ "login": "admin", "password": PASSWORD })).unwrap();
    assert_eq!(s["person"]["displayName"], "管理员");
}

#[test]
fn a_person_who_signed_in_here_signs_in_offline_and_writes_as_themselves() {
    let dir = tempfile::tempdir().unwrap();
    let account_id = {
        let app = App::new(dir.path(), None);
        let s = app
            .invoke(
                "create_first_administrator",
                json!({ "login": "admin", "displayName": "管理员", "password": PASSWORD }),
            )
            .unwrap();
        s["person"]["accountId"].as_str().unwrap().to_owned()
    };
    // The server is away (a port nothing listens on).
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = App::new(dir.path(), Some(&format!("http://127.0.0.1:{port}")));
    let e = app.invoke("sign_in", json!({ "login": "admin", "password": "不是这个口令-2026" })).unwrap_err();
    assert_eq!(
        (e["code"].as_str(), e["field"].as_str()),
        (Some("session.wrong_credentials"), Some("password"))
    );
    let e = app.invoke("sign_in", json!({ "login": "stranger", "password": PASSWORD })).unwrap_err();
    assert_eq!(e["code"], "session.offline_unavailable");
    let s = app.invoke("sign_in", json!({ "login": "admin", "password": PASSWORD })).unwrap();
    assert_eq!(
        (s["offline"].as_bool(), s["person"]["accountId"].as_str()),
        (Some(true), Some(account_id.as_str()))
    );
    let input = json!({ "input": { "number": "A01", "name": "综合受理", "zone": "", "kind": "general", "state": "open" } });
    app.invoke("create_window", input).unwrap();
    let ops = app.webview.state::<AppState>().store().pending_ops(10).unwrap();
    assert_eq!(
        ops.last().unwrap().author.as_deref(),
        Some(account_id.as_str()),
        "waits in the outbox as theirs"
    );
}

/// An administrator disables the person signed in: at the desktop's next contact with the server
/// (here "sync now") the 401 signs them out, and the status says why.
#[test]
fn a_revoked_session_signs_the_person_out_at_the_next_contact() {
    use hallkeeper_client::{api_url, Api};
    let dir = tempfile::tempdir().unwrap();
    let app = App::new(dir.path(), None);
    hallkeeper_desktop::watch_session(app.webview.app_handle().clone());
    app.invoke(
        "create_first_administrator",
        json!({ "login": "admin", "displayName": "管理员", "password": PASSWORD }),
    )
    .unwrap();
    let state = app.webview.state::<AppState>();
    let base = state.link().unwrap().base_url().to_owned();
    // The administrator's own session, elsewhere (the app's ends at its sign-out below).
    let request = hallkeeper_core::proto::SignIn { login: "admin".into(), password: PASSWORD.into() };
    let session =
        tauri::async_runtime::block_on(hallkeeper_client::session::sign_in(&base, &request)).unwrap();
    let admin = Api::new(&session.token);
    let url = |path: &[&str]| {
        api_url(&base, ["api", "v1", "admin", "halls", "local"].into_iter().chain(path.iter().copied()), None)
            .unwrap()
    };
    let input = json!({ "login": "lead", "displayName": "值班长丙", "password": "值班长的口令-2026",
                        "grants": [{ "hallId": "local", "role": "shift_lead" }] });
    let lead: Value = tauri::async_runtime::block_on(admin.post(url(&["accounts"]), &input)).unwrap();
    app.invoke("sign_out", json!({})).unwrap();
    let s = app.invoke("sign_in", json!({ "login": "lead", "password": "值班长的口令-2026" })).unwrap();
    assert_eq!(s["person"]["login"], "lead");
    let disable = json!({ "active": false });
    let lead_id = lead["id"].as_str().unwrap();
    let answer = tauri::async_runtime::block_on(admin.exchange(
        hallkeeper_client::Method::Patch,
        url(&["accounts", lead_id]),
        Some(&disable),
    ))
    .unwrap();
    assert!(answer.status < 300, "{}", String::from_utf8_lossy(&answer.body));
    // The next contact.
    let _ = app.invoke("sync_now", json!({}));
    let started = Instant::now();
    loop {
        let s = app.invoke("session_status", json!({})).unwrap();
        if s["person"].is_null() {
            break;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "still signed in: {s}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(app.invoke("list_windows", json!({})).unwrap_err()["code"], "session.required");
    // And the disabled person cannot come back.
    let e = app.invoke("sign_in", json!({ "login": "lead", "password": "值班长的口令-2026" })).unwrap_err();
    assert_eq!(e["code"], "session.account_disabled", "{e}");
}
