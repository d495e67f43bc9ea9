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
