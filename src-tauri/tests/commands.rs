//! The commands as the UI calls them, through Tauri's mock runtime: real IPC serialisation,
//! real argument names, real `{code, message, field}` errors, a real SQLite file.

use hallkeeper_core::{Store, SystemClock};
use hallkeeper_desktop::{with_commands, AppState};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Instant;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

struct Harness {
    _app: tauri::App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
    _dir: tempfile::TempDir,
}

impl Harness {
    fn new() -> Self {
        Self::in_dir(tempfile::tempdir().unwrap())
    }

    /// Closes the app and opens a new one on the same data folder.
    fn restart(self) -> Self {
        let Harness { _app, webview, _dir } = self;
        drop(webview);
        drop(_app);
        Self::in_dir(_dir)
    }

    fn in_dir(dir: tempfile::TempDir) -> Self {
        let store = Store::open_in_dir(dir.path(), Arc::new(SystemClock)).unwrap();
        let state = AppState::new(store, Instant::now()).unwrap();
        let app = with_commands(mock_builder()).manage(state).build(mock_context(noop_assets())).unwrap();
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
        Self { _app: app, webview, _dir: dir }
    }

    fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.webview, request).map(|b| b.deserialize::<Value>().unwrap())
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.invoke(cmd, args).unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    fn err(&self, cmd: &str, args: Value) -> Value {
        match self.invoke(cmd, args) {
            Err(e) => e,
            Ok(v) => panic!("{cmd} should have been refused, returned {v}"),
        }
    }

    fn numbers(&self) -> Vec<String> {
        let list = self.ok("list_windows", json!({}));
        list.as_array().unwrap().iter().map(|w| w["number"].as_str().unwrap().to_owned()).collect()
    }
}

fn input(number: &str, name: &str) -> Value {
    json!({ "input": { "number": number, "name": name, "zone": "一楼A区", "kind": "general", "state": "open" } })
}

#[test]
fn create_list_reorder_and_switch_state() {
    let h = Harness::new();
    let a = h.ok("create_window", input("a01", "综合受理"));
    assert_eq!(a["number"], "A01");
    assert_eq!(a["kind"], "general");
    let b = h.ok("create_window", input("B02", "不动产登记"));
    assert_eq!(h.numbers(), ["A01", "B02"]);

    let reordered = h.ok("reorder_windows", json!({ "orderedIds": [b["id"], a["id"]] }));
    assert_eq!(reordered[0]["number"], "B02");
    assert_eq!(h.numbers(), ["B02", "A01"]);

    let paused = h.ok("set_window_state", json!({ "id": a["id"], "state": "paused" }));
    assert_eq!(paused["state"], "paused");

    let page = h.ok("list_audit", json!({ "limit": 10, "before": null }));
    let actions: Vec<&str> =
        page["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["window.state", "window.reorder", "window.create", "window.create"]);
}

#[test]
fn errors_reach_the_ui_as_code_message_field_in_the_chosen_language() {
    let h = Harness::new();
    h.ok("create_window", input("A01", "综合受理"));

    let e = h.err("create_window", input("A01", "另一个"));
    assert_eq!(e["code"], "window.number_duplicate");
    assert_eq!(e["field"], "number");
    assert!(e["message"].as_str().unwrap().contains("已被"), "{e}");

    let e = h.err("create_window", input("", "x"));
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("window.number_empty"), Some("number")));

    let long = "窗".repeat(200);
    let e = h.err("create_window", input("A02", &long));
    assert_eq!(e["code"], "window.name_too_long");
    assert!(e["message"].as_str().unwrap().contains("200"), "{e}");

    let settings = h.ok("set_locale", json!({ "locale": "en-US" }));
    assert_eq!(settings["locale"], "en-US");
    let e = h.err("create_window", input("A01", "x"));
    assert!(e["message"].as_str().unwrap().contains("already used"), "{e}");

    let e = h.err("set_locale", json!({ "locale": "xx" }));
    assert_eq!(e["code"], "settings.locale_invalid");
    assert_eq!(h.numbers(), ["A01"], "refused commands must not write");
}

#[test]
fn malformed_arguments_are_refused_before_core() {
    let h = Harness::new();
    // An unknown kind and a missing argument are refused by deserialisation, naming the problem.
    let e = h.err(
        "create_window",
        json!({ "input": { "number": "A01", "name": "x", "kind": "vip", "state": "open" } }),
    );
    assert!(e.to_string().contains("vip"), "{e}");
    let e = h.err("set_window_state", json!({ "id": "nope" }));
    assert!(e.to_string().contains("state"), "{e}");
    assert!(h.numbers().is_empty());
}

#[test]
fn unknown_window_and_stale_order_are_refused() {
    let h = Harness::new();
    let a = h.ok("create_window", input("A01", "综合受理"));
    let e = h.err("delete_window", json!({ "id": "00000000-0000-7000-8000-000000000000" }));
    assert_eq!(e["code"], "window.not_found");
    let e = h.err("reorder_windows", json!({ "orderedIds": [a["id"], a["id"]] }));
    assert_eq!(e["code"], "window.reorder_mismatch");
    h.ok("delete_window", json!({ "id": a["id"] }));
    assert!(h.numbers().is_empty());
}

#[test]
fn the_store_and_the_language_outlive_the_app() {
    let h = Harness::new();
    h.ok("create_window", input("A01", "综合受理"));
    h.ok("set_locale", json!({ "locale": "en-US" }));
    let h = h.restart();
    assert_eq!(h.numbers(), ["A01"]);
    assert_eq!(h.ok("get_settings", json!({}))["locale"], "en-US");
    let e = h.err("create_window", input("A01", "x"));
    assert!(e["message"].as_str().unwrap().contains("already used"), "{e}");
}

fn sample_catalog() -> String {
    let p =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/sample-catalog/sample-catalog.csv");
    p.canonicalize().unwrap().to_string_lossy().into_owned()
}

#[test]
fn import_bind_and_watch_the_coverage_as_the_ui_does() {
    use tauri::Listener;
    let h = Harness::new();
    let changes = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let progress = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    {
        let changes = changes.clone();
        h.webview.listen_any("data-changed", move |e| changes.lock().unwrap().push(e.payload().to_owned()));
        let progress = progress.clone();
        h.webview.listen_any("import-progress", move |_| {
            progress.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        });
    }
    let path = sample_catalog();
    let inspection = h.ok("inspect_catalog_file", json!({ "path": path }));
    assert_eq!(inspection["rowCount"], 347);
    assert_eq!(inspection["encoding"], "utf8");
    let request = json!({ "path": path, "mapping": inspection["mapping"] });
    let preview = h.ok("preview_catalog_import", json!({ "request": request }));
    assert_eq!(preview["added"].as_array().unwrap().len(), 347);
    let outcome =
        h.ok("apply_catalog_import", json!({ "request": request, "fingerprint": preview["fingerprint"] }));
    assert_eq!(outcome["added"], 347);
    assert!(
        progress.load(std::sync::atomic::Ordering::SeqCst) >= 4,
        "progress events during preview and apply"
    );

    let before = h.ok("get_coverage", json!({}));
    let window = h.ok("create_window", input("A01", "综合受理"));
    let catalog = h.ok("get_catalog", json!({}));
    let ids: Vec<Value> =
        catalog["matters"].as_array().unwrap()[..3].iter().map(|m| m["id"].clone()).collect();
    let change = h.ok(
        "bind_matters",
        json!({ "input": { "windowId": window["id"], "matterIds": ids, "priority": "primary" } }),
    );
    assert_eq!(change["changed"], 3);
    let after = h.ok("get_coverage", json!({}));
    assert!(after["red"].as_u64() < before["red"].as_u64(), "{} → {}", before["red"], after["red"]);
    let seen = changes.lock().unwrap().clone();
    for entity in ["catalog", "windows", "bindings"] {
        assert!(seen.iter().any(|p| p.contains(entity)), "no data-changed for {entity}: {seen:?}");
    }

    // An unknown field in the input is refused by name, and a bad file names itself.
    let err = h.err(
        "bind_matters",
        json!({ "input": { "windowId": window["id"], "matterIds": [], "priority": "primary", "colour": 1 } }),
    );
    assert!(err.to_string().contains("colour"), "{err}");
    let err = h.err("inspect_catalog_file", json!({ "path": "/nonexistent/目录.csv" }));
    assert_eq!(err["code"], "import.file_unreadable");
    assert_eq!(err["field"], "path");
}

#[test]
fn staff_and_todays_seating() {
    let h = Harness::new();
    let w = h.ok("create_window", input("A01", "综合受理"));
    let s = h.ok("create_staff", json!({ "input": { "employeeNo": "zw-001", "name": "张晓燕" } }));
    assert_eq!(s["employeeNo"], "ZW-001");
    let roster = h.ok("set_seat", json!({ "input": { "windowId": w["id"], "staffId": s["id"] } }));
    assert_eq!(roster["seats"][0]["staffId"], s["id"]);
    let err = h.err("create_staff", json!({ "input": { "employeeNo": "ZW-001", "name": "李娜" } }));
    assert_eq!(
        (err["code"].as_str(), err["field"].as_str()),
        (Some("staff.employee_no_duplicate"), Some("employeeNo"))
    );
    h.ok("delete_staff", json!({ "id": s["id"] }));
    assert_eq!(h.ok("get_roster", json!({}))["seats"].as_array().unwrap().len(), 0);
}

#[test]
fn dashboard_thresholds_and_overflow_for_today_as_the_ui_calls_them() {
    let h = Harness::new();
    let empty = h.ok("get_dashboard", json!({}));
    assert_eq!(empty["tiles"], json!([]), "{empty}");
    assert_eq!(empty["totals"]["waiting"], 0);

    let mut t = h.ok("get_thresholds", json!({}));
    assert_eq!(t["windowDefault"]["waitingWarning"], 10, "a hall starts at 10 people / 20 minutes");
    t["windowDefault"]["waitingAlarm"] = json!(5);
    let e = h.err("set_thresholds", json!({ "settings": t }));
    assert_eq!(
        (e["code"].as_str(), e["field"].as_str()),
        (Some("threshold.invalid"), Some("windowDefault.waitingAlarm"))
    );
    t["windowDefault"]["waitingAlarm"] = json!(25);
    assert_eq!(h.ok("set_thresholds", json!({ "settings": t }))["windowDefault"]["waitingAlarm"], 25);

    let w = h.ok("create_window", input("A01", "综合受理"));
    let mapping = h.ok("inspect_catalog_file", json!({ "path": sample_catalog() }))["mapping"].clone();
    let request = json!({ "path": sample_catalog(), "mapping": mapping });
    let preview = h.ok("preview_catalog_import", json!({ "request": request }));
    h.ok("apply_catalog_import", json!({ "request": request, "fingerprint": preview["fingerprint"] }));
    let matter = h.ok("get_catalog", json!({}))["matters"][0]["id"].clone();
    let change = h.ok("bind_overflow_today", json!({ "windowId": w["id"], "matterId": matter }));
    assert_eq!(change["changed"], 1);
    assert_eq!(change["bindings"][0]["priority"], "overflow");
    let d = h.ok("get_dashboard", json!({}));
    assert_eq!(d["tiles"][0]["number"], "A01");

    // Moving a queue needs the server; without one the UI is told so, in its language.
    let e = h.err("move_waiting_tickets", json!({ "matterId": matter, "toWindowId": w["id"] }));
    assert_eq!(e["code"], "server.not_connected");
}
