//! Who is acting, and whether they may (issue 17). The desktop's core decides here, for every
//! command the UI can invoke, what the command needs — nothing, a signed-in person, or one
//! capability of `hallkeeper_access`'s matrix in the hall — and refuses with a stable code; the
//! shell only asks ([`authorize`], called once, for every invoke, before the command runs).
//! The matrix itself (which role holds which capability) is `hallkeeper_access`'s, the one place
//! the rules live; this module only names each command's capability ([`COMMANDS`]).

use crate::error::{Code, Error, Rejection, Result};
use hallkeeper_access::allows;
pub use hallkeeper_access::{Capability, OfflinePolicy};
use hallkeeper_proto::{Account, HallRole};

/// The person signed in on this PC: whose changes these are (audit entries, case steps and
/// outbox operations name them) and what they may do (their grants, as the server last said).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The account's id on the central server.
    pub account_id: String,
    /// The display name, as the audit log and case steps show it.
    pub name: String,
    pub grants: Vec<HallRole>,
}

impl Person {
    pub fn from_account(account: &Account) -> Self {
        Self {
            account_id: account.id.clone(),
            name: account.display_name.clone(),
            grants: account.grants.clone(),
        }
    }

    /// Whether this person may do `cap` in `hall_id` (the matrix's answer).
    pub fn may(&self, hall_id: &str, cap: Capability) -> bool {
        allows(&self.grants, hall_id, cap)
    }
}

/// Whoever a write is recorded as. A [`Person`] for everything a person does; a plain name
/// (`"sync"`, a test's `"值班长"`) for the store's own bookkeeping, which names no account.
pub trait Actor {
    /// The account whose change it is, if a person's.
    fn account_id(&self) -> Option<&str>;
    /// The name the audit log shows.
    fn name(&self) -> &str;
}

impl Actor for str {
    fn account_id(&self) -> Option<&str> {
        None
    }
    fn name(&self) -> &str {
        self
    }
}

impl Actor for String {
    fn account_id(&self) -> Option<&str> {
        None
    }
    fn name(&self) -> &str {
        self
    }
}

impl Actor for Person {
    fn account_id(&self) -> Option<&str> {
        Some(&self.account_id)
    }
    fn name(&self) -> &str {
        &self.name
    }
}

/// What a desktop command needs before it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Nothing: what the sign-in screen itself uses (the language, sign-in, first run).
    Open,
    /// A signed-in person, whatever their role (their own password, the lock, the sync status).
    SignedIn,
    /// A signed-in person holding this capability in the hall.
    Capability(Capability),
}

use Capability as C;
use Need::{Open, SignedIn};

const fn cap(c: Capability) -> Need {
    Need::Capability(c)
}

/// Every command the desktop registers, with what it needs. A command that is not listed is
/// refused ([`authorize`]), so a new command cannot skip the check; the shell's test keeps this
/// list and its invoke handler the same.
pub const COMMANDS: &[(&str, Need)] = &[
    // The sign-in screen and what it needs before anyone is in.
    ("session_status", Open),
    ("sign_in", Open),
    ("sign_out", Open),
    ("first_run_status", Open),
    ("create_first_administrator", Open),
    ("get_settings", Open),
    ("set_locale", Open),
    ("ui_ready", Open),
    ("report_ui_error", Open),
    ("unlock", Open),
    // The person's own.
    ("change_password", SignedIn),
    ("lock", SignedIn),
    ("set_lock_minutes", SignedIn),
    ("get_sync_status", SignedIn),
    ("sync_now", SignedIn),
    // Windows.
    ("list_windows", cap(C::ReadHall)),
    ("create_window", cap(C::EditWindows)),
    ("update_window", cap(C::EditWindows)),
    ("set_window_state", cap(C::EditWindows)),
    ("delete_window", cap(C::EditWindows)),
    ("reorder_windows", cap(C::EditWindows)),
    ("list_audit", cap(C::ReadAudit)),
    // 设备管理
    ("list_devices", cap(C::ManageDevices)),
    ("add_device", cap(C::ManageDevices)),
    ("new_device_pairing_code", cap(C::ManageDevices)),
    ("update_device", cap(C::ManageDevices)),
    ("revoke_device", cap(C::ManageDevices)),
    // 人员与权限: the hall's accounts on the server (which also checks, and refuses a grant above
    // one's own).
    ("list_accounts", cap(C::ManageAccounts)),
    ("create_account", cap(C::ManageAccounts)),
    ("update_account", cap(C::ManageAccounts)),
    ("reset_account_password", cap(C::ManageAccounts)),
    // The matter catalog.
    ("get_catalog", cap(C::ReadHall)),
    ("get_coverage", cap(C::ReadHall)),
    ("inspect_catalog_file", cap(C::EditCatalog)),
    ("preview_catalog_import", cap(C::EditCatalog)),
    ("apply_catalog_import", cap(C::EditCatalog)),
    // Bindings.
    ("list_bindings", cap(C::ReadHall)),
    ("bind_matters", cap(C::EditBindings)),
    ("unbind_matters", cap(C::EditBindings)),
    ("bind_overflow_today", cap(C::EditBindings)),
    // Staff and seating.
    ("list_staff", cap(C::ReadHall)),
    ("create_staff", cap(C::EditStaff)),
    ("update_staff", cap(C::EditStaff)),
    ("delete_staff", cap(C::EditStaff)),
    ("get_roster", cap(C::ReadHall)),
    ("set_seat", cap(C::EditSeating)),
    // The dashboard.
    ("get_dashboard", cap(C::ReadDashboard)),
    ("get_thresholds", cap(C::ReadDashboard)),
    ("set_thresholds", cap(C::EditThresholds)),
    // The rating pad's reason tags (synced to the server's pads).
    ("get_rating_reasons", cap(C::ReadHall)),
    ("set_rating_reasons", cap(C::EditThresholds)),
    ("move_waiting_tickets", cap(C::MoveWaiting)),
    // Rectification.
    ("list_poor_ratings", cap(C::ReadCases)),
    ("get_case", cap(C::ReadCases)),
    ("case_action", cap(C::WorkCases)),
    ("mark_case_read", cap(C::ReadCases)),
    ("unread_case_count", cap(C::ReadCases)),
    ("case_alerts", cap(C::ReadCases)),
    ("attach_evidence", cap(C::WorkCases)),
    ("list_deadline_profiles", cap(C::ReadCases)),
    ("get_deadline_profile", cap(C::ReadCases)),
    ("set_deadline_profile", cap(C::EditCaseRules)),
    // SMS.
    ("get_sms_rules", cap(C::ReadSms)),
    ("set_sms_rules", cap(C::EditSmsRules)),
    ("preview_sms_template", cap(C::EditSmsRules)),
    ("sms_budget", cap(C::EditSmsRules)),
    ("sms_outbox", cap(C::ReadSms)),
    ("sms_counts", cap(C::ReadSms)),
    ("sms_status", cap(C::ReadSms)),
    ("sms_test_send", cap(C::SendTestSms)),
    // Reports and service stars.
    ("get_report", cap(C::ReadReports)),
    ("export_report_xlsx", cap(C::ReadReports)),
    ("get_star_rule", cap(C::ReadReports)),
    ("set_star_rule", cap(C::EditStarRule)),
    ("get_monthly_stars", cap(C::ReadReports)),
    ("open_display_window", cap(C::ReadReports)),
    ("close_display_window", cap(C::ReadReports)),
];

/// What `command` needs; None for a command core does not know (which [`authorize`] refuses).
pub fn command_need(command: &str) -> Option<Need> {
    COMMANDS.iter().find(|(name, _)| *name == command).map(|&(_, need)| need)
}

/// Where the person on this PC stands, as the gate sees it.
#[derive(Debug, Clone, Copy)]
pub struct Presence<'a> {
    pub person: Option<&'a Person>,
    /// The screen is locked (idle, or the person locked it): only what the lock screen uses runs.
    pub locked: bool,
}

/// Whether `command` may run now in `hall_id`: Ok, or the refusal the UI shows —
/// `session.required` (nobody signed in), `session.locked`, `access.forbidden` (naming the
/// capability; also for a command core does not know).
pub fn authorize(presence: Presence<'_>, hall_id: &str, command: &str) -> Result<()> {
    let Some(need) = command_need(command) else {
        return Err(Rejection::new(Code::AccessForbidden).arg("capability", command).into());
    };
    if need == Open {
        return Ok(());
    }
    let Some(person) = presence.person else {
        return Err(Rejection::new(Code::SessionRequired).into());
    };
    if presence.locked {
        return Err(Rejection::new(Code::SessionLocked).into());
    }
    match need {
        Need::Capability(c) if !person.may(hall_id, c) => {
            Err(Rejection::new(Code::AccessForbidden).arg("capability", c.as_str()).into())
        }
        _ => Ok(()),
    }
}

/// The capabilities the person holds in the hall, by code (what the UI is told so it can hide
/// what the person may not do; the check is still [`authorize`]).
pub fn capability_codes(person: &Person, hall_id: &str) -> Vec<String> {
    hallkeeper_access::capabilities(&person.grants, hall_id)
        .into_iter()
        .map(|c| c.as_str().to_owned())
        .collect()
}

impl From<hallkeeper_access::AccessError> for Error {
    fn from(e: hallkeeper_access::AccessError) -> Self {
        Error::Corrupt(format!("offline verifier: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hallkeeper_proto::Role;

    fn person(role: Role) -> Person {
        let hall_id = (role != Role::SystemAdmin).then(|| "h1".to_owned());
        Person { account_id: "a1".into(), name: "张三".into(), grants: vec![HallRole { hall_id, role }] }
    }

    #[test]
    fn every_command_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for (name, _) in COMMANDS {
            assert!(seen.insert(*name), "{name} twice");
        }
    }

    /// The matrix's `used_by` column names the desktop commands of each capability: it and this
    /// table say the same.
    #[test]
    fn each_commands_capability_names_it_in_the_matrix() {
        for &(name, need) in COMMANDS {
            if let Need::Capability(c) = need {
                assert!(c.used_by().contains(&format!("`{name}`")), "{} does not list `{name}`", c.as_str());
            }
        }
    }

    #[test]
    fn nobody_signed_in_only_opens_the_sign_in_screen() {
        let none = Presence { person: None, locked: false };
        for &(name, need) in COMMANDS {
            let got = authorize(none, "h1", name).map_err(|e| e.code());
            match need {
                Open => assert_eq!(got, Ok(()), "{name}"),
                _ => assert_eq!(got, Err("session.required"), "{name}"),
            }
        }
        assert_eq!(authorize(none, "h1", "drop_everything").map_err(|e| e.code()), Err("access.forbidden"));
    }

    #[test]
    fn a_supervisor_reads_and_changes_nothing_and_the_refusal_names_the_capability() {
        let p = person(Role::Supervisor);
        let at = Presence { person: Some(&p), locked: false };
        assert!(authorize(at, "h1", "list_windows").is_ok());
        assert!(authorize(at, "h1", "list_audit").is_ok());
        let e = authorize(at, "h1", "create_window").unwrap_err();
        assert_eq!(e.code(), "access.forbidden");
        assert!(e.message(hallkeeper_proto::Locale::ZhCn).contains("windows.edit"), "{e}");
        assert!(e.message(hallkeeper_proto::Locale::EnUs).contains("windows.edit"), "{e}");
        // Another hall's supervisor reads nothing here.
        assert_eq!(authorize(at, "h2", "list_windows").map_err(|e| e.code()), Err("access.forbidden"));
    }

    #[test]
    fn a_locked_screen_runs_only_the_open_commands() {
        let p = person(Role::SystemAdmin);
        let at = Presence { person: Some(&p), locked: true };
        assert_eq!(authorize(at, "h1", "list_windows").map_err(|e| e.code()), Err("session.locked"));
        assert!(authorize(at, "h1", "unlock").is_ok());
        assert!(authorize(at, "h1", "sign_out").is_ok());
    }

    #[test]
    fn a_person_is_the_actor_with_their_account() {
        let p = person(Role::ShiftLead);
        assert_eq!((p.account_id(), p.name()), (Some("a1"), "张三"));
        assert_eq!(("sync".account_id(), "sync".name()), (None, "sync"));
    }
}
