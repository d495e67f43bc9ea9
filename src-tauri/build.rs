// Declaring the app's commands makes Tauri generate one permission per command
// (`allow-<command>`); capabilities/default.json then grants the UI exactly those.
const COMMANDS: &[&str] = &[
    "list_windows",
    "create_window",
    "update_window",
    "set_window_state",
    "delete_window",
    "reorder_windows",
    "list_audit",
    "get_settings",
    "set_locale",
    "ui_ready",
    "report_ui_error",
    "get_catalog",
    "get_coverage",
    "inspect_catalog_file",
    "preview_catalog_import",
    "apply_catalog_import",
    "list_bindings",
    "bind_matters",
    "unbind_matters",
    "list_staff",
    "create_staff",
    "update_staff",
    "delete_staff",
    "get_roster",
    "set_seat",
    "get_sync_status",
    "sync_now",
    "get_dashboard",
    "get_thresholds",
    "set_thresholds",
    "bind_overflow_today",
    "move_waiting_tickets",
    "list_poor_ratings",
    "get_case",
    "case_action",
    "mark_case_read",
    "unread_case_count",
    "case_alerts",
    "attach_evidence",
    "list_deadline_profiles",
    "get_deadline_profile",
    "set_deadline_profile",
    "get_sms_rules",
    "set_sms_rules",
    "preview_sms_template",
    "sms_budget",
    "sms_outbox",
    "sms_counts",
    "sms_status",
    "sms_test_send",
];

fn main() {
    let attributes =
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {e:#}");
    }
}
