//! Core's gate before every command, through the real invoke handler on Tauri's mock runtime: no
//! registered command can skip it, and every command × every role is allowed or refused exactly as
//! core's table and the permission matrix say (issue 17: "the same matrix for core's commands").

mod common;

use hallkeeper_core::access::{Need, COMMANDS};
use hallkeeper_core::proto::Role;
use hallkeeper_core::{Store, SystemClock};
use hallkeeper_desktop::{with_commands, AppState};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;
use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime};
use tauri::{Manager, WebviewWindow};

/// The commands the invoke handler registers, read from its source (`generate_handler!` in
/// lib.rs), so a command added there without a row in core's table fails here.
fn registered() -> BTreeSet<String> {
    let source = include_str!("../src/lib.rs");
    let start = source.find("tauri::generate_handler![").expect("the handler list");
    let end = start + source[start..].find(']').expect("its end");
    source[start..end]
        .lines()
        .filter_map(|l| l.trim().strip_prefix("commands::"))
        .filter_map(|l| l.trim_end_matches(',').rsplit("::").next().map(str::to_owned))
        .collect()
}

/// Commands the mock runtime cannot run past the gate (they open a window on the main thread).
const OPENS_A_WINDOW: &[&str] = &["open_display_window"];

struct App {
    _app: tauri::App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
    _dir: tempfile::TempDir,
}

impl App {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in_dir(dir.path(), Arc::new(SystemClock)).unwrap();
        let state = AppState::new(store, Instant::now()).unwrap();
        let app = with_commands(mock_builder()).manage(state).build(mock_context(noop_assets())).unwrap();
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
        Self { _app: app, webview, _dir: dir }
    }

    fn state(&self) -> tauri::State<'_, AppState> {
        self.webview.state::<AppState>()
    }

    fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        common::invoke(&self.webview, cmd, args)
    }
}

/// The gate's refusal code, if the gate refused (anything else — an answer, a missing argument, a
/// refusal of the command itself — means the command ran past it).
fn gate_code(answer: &Result<Value, Value>) -> Option<String> {
    let code = answer.as_ref().err()?.get("code")?.as_str()?;
    ["access.forbidden", "session.required", "session.locked"].contains(&code).then(|| code.to_owned())
}

#[test]
fn every_registered_command_has_a_row_in_cores_table_and_no_row_is_stale() {
    let registered = registered();
    let listed: BTreeSet<String> = COMMANDS.iter().map(|(n, _)| (*n).to_owned()).collect();
    assert!(registered.len() > 60, "{registered:?}");
    assert_eq!(
        registered.difference(&listed).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "registered without a capability"
    );
    assert_eq!(
        listed.difference(&registered).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "listed, not registered"
    );
}

#[test]
fn role_by_command_matrix_through_the_invoke_handler() {
    let app = App::new();
    let names = registered();
    let mut checked = 0;
    // Nobody signed in: only what the sign-in screen uses.
    for name in &names {
        app.state().sign_out_here();
        let need = hallkeeper_core::access::command_need(name).unwrap();
        let got = gate_code(&app.invoke(name, json!({})));
        let want = (need != Need::Open).then(|| "session.required".to_owned());
        assert_eq!(got, want, "nobody × {name}");
        checked += 1;
    }
    for role in Role::ALL {
        let hall = (role != Role::SystemAdmin).then_some("local");
        for name in &names {
            // Signed in afresh before each command: one may sign out or lock.
            app.state().sign_in_as(common::account("acc-1", "p1", role, hall), None);
            let need = hallkeeper_core::access::command_need(name).unwrap();
            let got = if OPENS_A_WINDOW.contains(&name.as_str()) {
                // The mock runtime cannot open a window: ask the gate the handler asks.
                app.state().authorize(name, true).err().map(|e| e.0.code)
            } else {
                gate_code(&app.invoke(name, json!({})))
            };
            let allowed = match need {
                Need::Open | Need::SignedIn => true,
                Need::Capability(c) => hallkeeper_access::matrix::role_allows(role, c),
            };
            match (&got, allowed) {
                (None, true) => {}
                (Some(code), false) => assert_eq!(code, "access.forbidden", "{role:?} × {name}"),
                _ => panic!("{role:?} × {name}: gate said {got:?}, the matrix says allowed = {allowed}"),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, names.len() * (1 + Role::ALL.len()));
}

#[test]
fn a_supervisor_invoking_a_write_is_refused_by_core_with_the_capability_named_and_nothing_changes() {
    let app = App::new();
    app.state().sign_in_as(common::account("acc-s", "jiandu", Role::Supervisor, Some("local")), None);
    let input = json!({ "input": { "number": "A01", "name": "综合受理", "zone": "", "kind": "general", "state": "open" } });
    let e = app.invoke("create_window", input.clone()).unwrap_err();
    assert_eq!(e["code"], "access.forbidden");
    assert!(e["message"].as_str().unwrap().contains("windows.edit"), "{e}");
    assert_eq!(e["field"], Value::Null);
    assert_eq!(app.invoke("list_windows", json!({})).unwrap(), json!([]));
    // Another hall's 值班长 is a stranger here.
    app.state().sign_in_as(common::account("acc-l", "lead", Role::ShiftLead, Some("other")), None);
    assert_eq!(app.invoke("create_window", input.clone()).unwrap_err()["code"], "access.forbidden");
    // This hall's 值班长 may, and the audit names them.
    app.state().sign_in_as(common::account("acc-l", "lead", Role::ShiftLead, Some("local")), None);
    app.invoke("create_window", input).unwrap();
    let page = app.invoke("list_audit", json!({ "limit": 5, "before": null })).unwrap();
    assert_eq!(page["entries"][0]["actorId"], "acc-l");
    assert_eq!(page["entries"][0]["actor"], "lead 的姓名");
    let ops = app.state().store().pending_ops(10).unwrap();
    assert_eq!(ops[0].author.as_deref(), Some("acc-l"));
}

#[test]
fn a_locked_screen_refuses_all_but_the_lock_screen_and_nobody_is_session_required() {
    let app = App::new();
    assert_eq!(app.invoke("list_windows", json!({})).unwrap_err()["code"], "session.required");
    app.state().sign_in_as(common::account("acc-a", "admin", Role::SystemAdmin, None), None);
    app.invoke("lock", json!({})).unwrap();
    let e = app.invoke("list_windows", json!({})).unwrap_err();
    assert_eq!(e["code"], "session.locked");
    let status = app.invoke("session_status", json!({})).unwrap();
    assert_eq!((status["locked"].as_bool(), status["person"]["login"].as_str()), (Some(true), Some("admin")));
}

/// Tauri's own ACL stands before the gate: every registered command is declared in build.rs (so
/// it has a permission) and allowed to the main window — else the webview could not reach the
/// gate at all, and a command added without them fails only in the real app.
#[test]
fn every_registered_command_is_declared_and_allowed_to_the_main_window() {
    let build = include_str!("../build.rs");
    let start = build.find("const COMMANDS").expect("build.rs lists the commands");
    let end = start + build[start..].find("];").expect("its end");
    let declared: BTreeSet<String> = build[start..end]
        .lines()
        .filter_map(|l| l.trim().strip_prefix('"')?.split('"').next().map(str::to_owned))
        .collect();
    let registered = registered();
    assert_eq!(declared, registered, "build.rs COMMANDS and the invoke handler");
    let main: Value = serde_json::from_str(include_str!("../capabilities/default.json")).unwrap();
    let allowed: BTreeSet<String> = main["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("allow-").map(|c| c.replace('-', "_")))
        .collect();
    let missing: Vec<_> = registered.difference(&allowed).collect();
    assert!(missing.is_empty(), "not allowed to the main window: {missing:?}");
}
