//! The commands as the UI calls them, through Tauri's mock runtime: real IPC serialisation,
//! real argument names, real `{code, message, field}` errors, a real SQLite file.

mod common;

use hallkeeper_core::{Store, SystemClock};
use hallkeeper_desktop::{with_commands, AppState};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Instant;
use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime};
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
        // Every command is behind core's gate: these tests act as a 系统管理员.
        state.sign_in_as(
            common::account("acc-admin", "admin", hallkeeper_core::proto::Role::SystemAdmin, None),
            None,
        );
        let app = with_commands(mock_builder()).manage(state).build(mock_context(noop_assets())).unwrap();
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
        Self { _app: app, webview, _dir: dir }
    }

    fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        common::invoke(&self.webview, cmd, args)
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

/// Stores a poor rating as sync does (another connection to the same file), now; its case opens
/// with it.
fn pull_poor_rating(h: &Harness, ticket: &str) {
    use hallkeeper_core::proto::{Rating, RatingLevel, RatingRecord};
    let store = Store::open_in_dir(h._dir.path(), Arc::new(SystemClock)).unwrap();
    let after = store.ratings_cursor().unwrap();
    let record = RatingRecord {
        seq: after + 1,
        rating: Rating {
            id: format!("r-{ticket}"),
            hall_id: "h1".into(),
            ticket_id: ticket.into(),
            ticket_number: "A001".into(),
            window_id: "w-unknown".into(),
            matter_id: "m-unknown".into(),
            level: RatingLevel::VeryDissatisfied,
            reasons: vec!["态度不好".into()],
            comment: "请回电 13812345678".into(),
            at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        },
    };
    store.apply_ratings(after, &[record], after + 1).unwrap().unwrap();
}

#[test]
fn the_poor_rating_inbox_and_a_case_as_the_ui_calls_them() {
    let h = Harness::new();
    assert_eq!(h.ok("list_poor_ratings", json!({})), json!([]));
    pull_poor_rating(&h, "t1");
    pull_poor_rating(&h, "t2");
    assert_eq!(h.ok("unread_case_count", json!({})), 2);
    let list = h.ok("list_poor_ratings", json!({ "filter": { "unread": true, "limit": 1 } }));
    assert_eq!(list.as_array().unwrap().len(), 1);
    let first = &list[0];
    assert_eq!((first["state"].as_str(), first["level"].as_str()), (Some("new"), Some("very_dissatisfied")));
    assert_eq!(first["unread"], true);
    assert_eq!(first["assignee"]["name"], "待指派", "neither staff nor matter known here");
    let id = first["id"].as_str().unwrap().to_owned();

    let detail = h.ok("get_case", json!({ "caseId": id }));
    assert_eq!(detail["case"]["state"], "new");
    assert!(detail["allowedActions"].as_array().unwrap().contains(&json!("verify")));
    assert!(detail["summary"]["deadline"]["status"].is_string());
    assert_eq!(h.ok("mark_case_read", json!({ "caseId": id })), 1);

    let after = h.ok("case_action", json!({ "caseId": id, "action": { "type": "verify" } }));
    assert_eq!(after["case"]["state"], "verifying");
    assert!(!after["case"]["history"][0]["step"]["actor"].as_str().unwrap().is_empty(), "the operator");
    let e = h.err("case_action", json!({ "caseId": id, "action": { "type": "close" } }));
    assert_eq!(e["code"], "rectification.illegal_transition");
    assert!(e["message"].as_str().unwrap().contains("核实中"), "{e}");
    let e = h.err("case_action", json!({ "caseId": id, "action": { "type": "appeal", "reason": " " } }));
    assert_eq!(
        (e["code"].as_str(), e["field"].as_str()),
        (Some("rectification.field_required"), Some("action.reason"))
    );
    let e = h.err("get_case", json!({ "caseId": "nope" }));
    assert_eq!(e["code"], "rectification.case_not_found");

    let alerts = h.ok("case_alerts", json!({}));
    assert!(alerts["overdue"].is_array() && alerts["dueSoon"].is_array());

    // Evidence: a file the dialog chose, cited by the next step.
    let photo = h._dir.path().join("photo.jpg");
    std::fs::write(&photo, b"after").unwrap();
    let a = h.ok("attach_evidence", json!({ "caseId": id, "path": photo.to_string_lossy() }));
    assert_eq!((a["name"].as_str(), a["size"].as_u64()), (Some("photo.jpg"), Some(5)));
    assert!(h._dir.path().join("evidence").join(a["sha256"].as_str().unwrap()).exists());
    h.ok("case_action", json!({ "caseId": id, "action": { "type": "start_rectifying" } }));
    let done = h.ok(
        "case_action",
        json!({ "caseId": id, "action": { "type": "mark_rectified" }, "note": "已整改", "attachments": [a] }),
    );
    assert_eq!(done["case"]["state"], "rectified");
    assert_eq!(done["evidence"][0]["name"], "photo.jpg");
    let e = h.err(
        "attach_evidence",
        json!({ "caseId": id, "path": h._dir.path().join("gone.jpg").to_string_lossy() }),
    );
    assert_eq!(e["code"], "rectification.evidence_unreadable");
}

#[test]
fn deadline_profiles_as_the_ui_calls_them() {
    let h = Harness::new();
    let builtins = h.ok("list_deadline_profiles", json!({}));
    let names: Vec<&str> = builtins.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["默认", "四川省", "德州市"]);
    assert_eq!(builtins[2]["rectifyWorkingDays"], 5);
    assert_eq!(h.ok("get_deadline_profile", json!({}))["name"], "默认");
    let saved = h.ok("set_deadline_profile", json!({ "profile": builtins[2] }));
    assert_eq!(saved["name"], "德州市");
    assert_eq!(h.ok("get_deadline_profile", json!({}))["rectifyWorkingDays"], 5);
    let mut bad = builtins[0].clone();
    bad["dueSoonWorkingDays"] = json!(99);
    let e = h.err("set_deadline_profile", json!({ "profile": bad }));
    assert_eq!(
        (e["code"].as_str(), e["field"].as_str()),
        (Some("rectification.profile_out_of_range"), Some("dueSoonWorkingDays"))
    );
    assert!(e["message"].as_str().unwrap().contains("临期提醒"), "{e}");
    assert_eq!(h.ok("get_deadline_profile", json!({}))["name"], "德州市");
}

fn sms_rules_json() -> Value {
    json!({
        "rules": [
            { "id": "issued", "name": "取号提醒", "trigger": { "kind": "issued" },
              "template": "您已取号{ticket}，前面{ahead}人", "enabled": true, "matterIds": [] },
            { "id": "ahead3", "name": "前面还有 3 人", "trigger": { "kind": "peopleAhead", "n": 3 },
              "template": "{ticket}号前面还有{ahead}人，请回到大厅", "enabled": true, "matterIds": [] }
        ],
        "quietHours": { "start": "21:00", "end": "07:30" },
        "dailyCapPerCitizen": 5
    })
}

#[test]
fn sms_rules_preview_and_budget_as_the_ui_calls_them() {
    let h = Harness::new();
    assert_eq!(h.ok("get_sms_rules", json!({})), Value::Null);
    let saved = h.ok("set_sms_rules", json!({ "rules": sms_rules_json() }));
    assert_eq!(saved, sms_rules_json());

    // Refused at the field, in the UI's language; the saved rules stay.
    let mut bad = sms_rules_json();
    bad["rules"][1]["template"] = json!("请到{windw}号");
    let e = h.err("set_sms_rules", json!({ "rules": bad }));
    assert_eq!(e["code"], "sms.template_unknown_placeholder");
    assert_eq!(e["field"], "rules[1].template");
    assert!(e["message"].as_str().unwrap().contains("{windw}"), "{e}");
    let h = h.restart();
    assert_eq!(h.ok("get_sms_rules", json!({})), sms_rules_json(), "kept across a restart");

    let p = h.ok(
        "preview_sms_template",
        json!({ "template": "请{ticket}号到{window}号窗口", "trigger": { "kind": "called" } }),
    );
    assert_eq!(p["text"], "【政务服务中心】请A023号到12号窗口");
    assert_eq!((p["chars"].as_u64(), p["segments"].as_u64()), (Some(20), Some(1)));
    let long = "字".repeat(70);
    let p = h.ok("preview_sms_template", json!({ "template": long, "trigger": { "kind": "missed" } }));
    assert_eq!(
        (p["chars"].as_u64(), p["segments"].as_u64()),
        (Some(78), Some(2)),
        "70 + 【政务服务中心】 → 67-char parts"
    );
    for (template, trigger, code) in [
        ("请到{windw}号", json!({ "kind": "called" }), "sms.template_unknown_placeholder"),
        ("请到{window}号", json!({ "kind": "issued" }), "sms.template_placeholder_unavailable"),
        ("请到{window号", json!({ "kind": "called" }), "sms.template_unclosed_brace"),
    ] {
        let e = h.err("preview_sms_template", json!({ "template": template, "trigger": trigger }));
        assert_eq!(
            (e["code"].as_str(), e["field"].as_str()),
            (Some(code), Some("template")),
            "{template}: {e}"
        );
    }

    // Two rules, two tickets a day: 4 a day per citizen, over Tencent's default 2.
    let b = h.ok("sms_budget", json!({ "rules": sms_rules_json() }));
    assert_eq!(b["perCitizenPerDay"], 4);
    assert_eq!(b["warnings"][0]["provider"], "tencent");
    assert_eq!(b["warnings"][0]["limitKind"], "perNumberPerDay");
    let mut capped = sms_rules_json();
    capped["dailyCapPerCitizen"] = json!(2);
    assert_eq!(h.ok("sms_budget", json!({ "rules": capped }))["warnings"], json!([]));
}

#[test]
fn sms_server_calls_without_a_server_say_so_and_test_numbers_are_checked_first() {
    let h = Harness::new();
    let e = h.err("sms_test_send", json!({ "phone": "1234", "ruleId": null, "text": "测试" }));
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("sms.phone_invalid"), Some("phone")));
    assert!(e["message"].as_str().unwrap().contains("11 位"), "{e}");
    // A good number, but this app has no server link (the mock runtime starts none).
    let e = h.err("sms_test_send", json!({ "phone": "138 0013 8000", "text": "测试" }));
    assert_eq!(e["code"], "sms.server_unreachable");
    for (cmd, args) in [
        ("sms_outbox", json!({ "status": "sent", "rule": null, "day": null })),
        ("sms_counts", json!({ "days": 7 })),
        ("sms_status", json!({})),
    ] {
        let e = h.err(cmd, args);
        assert_eq!(e["code"], "sms.server_unreachable", "{cmd}: {e}");
        assert!(!e["message"].as_str().unwrap().is_empty());
    }
}

#[test]
fn reports_and_their_xlsx_export_as_the_ui_calls_them() {
    use hallkeeper_core::proto::ReportTable;
    let h = Harness::new();
    pull_poor_rating(&h, "t-report");
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive().to_string();
    let day = json!({ "kind": "day", "date": today });
    let t = h.ok("get_report", json!({ "period": day, "dimension": "hall" }));
    // The wire shape is the TS bindings' (unknown fields refused).
    let typed: ReportTable = serde_json::from_value(t.clone()).unwrap();
    assert_eq!(serde_json::to_value(&typed).unwrap(), t);
    assert_eq!(t["period"]["kind"], "day");
    assert_eq!(t["rows"][0]["ratings"], 1);
    assert_eq!(t["rows"][0]["poor"], 1);
    assert_eq!(t["rows"][0]["poorRate"], 1.0);
    assert_eq!(t["rows"][0]["rectificationRate"], 0.0);
    assert_eq!(t["rows"][0]["ratingRate"], Value::Null, "no served ticket: no denominator");
    // Other periods and dimensions.
    let y: i32 = today[..4].parse().unwrap();
    for period in [
        json!({ "kind": "week", "date": today }),
        json!({ "kind": "month", "year": y, "month": 1 }),
        json!({ "kind": "month", "date": today }),
        json!({ "kind": "quarter", "year": y, "quarter": 4 }),
        json!({ "kind": "year", "year": y }),
        json!({ "kind": "custom", "start": format!("{y}-01-01"), "end": today }),
    ] {
        for dimension in ["hall", "window", "staff", "matter", "department"] {
            h.ok("get_report", json!({ "period": period, "dimension": dimension }));
        }
    }
    // A period the UI got wrong names its field.
    for (period, field) in [
        (json!({ "kind": "month", "year": y, "month": 13 }), "month"),
        (json!({ "kind": "quarter", "year": y, "quarter": 5 }), "quarter"),
        (json!({ "kind": "day" }), "date"),
        (json!({ "kind": "custom", "start": "2026-03-02", "end": "2026-03-01" }), "end"),
        (json!({ "kind": "year", "year": 99999 }), "year"),
    ] {
        let e = h.err("get_report", json!({ "period": period, "dimension": "hall" }));
        assert_eq!(
            (e["code"].as_str(), e["field"].as_str()),
            (Some("report.period_invalid"), Some(field)),
            "{e}"
        );
        assert!(e["message"].as_str().unwrap().contains("统计周期"), "{e}");
    }
    // The export writes a workbook where asked; a folder that is not there is named in the error.
    let path = h._dir.path().join("报表.xlsx");
    let out = h.ok("export_report_xlsx", json!({ "period": day, "dimension": "window", "path": path }));
    assert_eq!(out.as_str(), Some(path.to_str().unwrap()));
    assert_eq!(&std::fs::read(&path).unwrap()[..2], b"PK");
    let bad = h._dir.path().join("no-such-folder").join("月报.xlsx");
    let e = h.err("export_report_xlsx", json!({ "period": day, "dimension": "hall", "path": bad }));
    assert_eq!(e["code"], "report.export_failed");
    assert!(e["message"].as_str().unwrap().contains("月报.xlsx"), "{e}");
}
