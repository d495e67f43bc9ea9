//! The permission matrix: which role may do what, in which hall. It is enforced twice — by the
//! server on every admin route and by the desktop's core on every command (hiding a button is not
//! the check) — so it is written once, here, as one table: each capability with the lowest role
//! that holds it. Roles form a chain (系统管理员 ⊃ 大厅管理员 ⊃ 值班长 ⊃ 监督员 ⊃ 窗口人员, as the
//! issue has it: each includes everything below), so "the lowest role" is the whole row.
//! `docs/roles.md` shows the same table, rendered from this one (`roles_markdown`, kept fresh by
//! `tests/roles_doc.rs`).
//!
//! The matrix answers "may this role do this"; what the rule cannot know stays with its caller —
//! that the window terminal is the window the person is seated at today, or that a rating is the
//! person's own (the staff record linked to the account).

use crate::error::{AccessError, Result};
use hallkeeper_proto::{HallRole, Role};

/// Declares [`Capability`] from one table of `Variant => "code", LowestRole, "what", "used by"`:
/// the enum, `ALL`, `as_str`, `parse`, `lowest_role`, `what` and `used_by`. One table, so a
/// capability cannot be left without its row.
macro_rules! matrix {
    ($($variant:ident => $code:literal, $lowest:ident, $what:literal, $used_by:literal;)*) => {
        /// One kind of action the admin API or a desktop command performs.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Capability {
            $(
                #[doc = $what]
                $variant,
            )*
        }

        impl Capability {
            /// Every capability, in the table's order.
            pub const ALL: &'static [Capability] = &[$(Capability::$variant,)*];

            /// The stable code (what the server's 403 and the UI name); never rename.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Capability::$variant => $code,)*
                }
            }

            pub fn parse(code: &str) -> Option<Capability> {
                Self::ALL.iter().copied().find(|c| c.as_str() == code)
            }

            /// The least powerful role that holds it; every role above holds it too.
            pub fn lowest_role(self) -> Role {
                match self {
                    $(Capability::$variant => Role::$lowest,)*
                }
            }

            /// What it allows, in a line (English, for the docs).
            pub fn what(self) -> &'static str {
                match self {
                    $(Capability::$variant => $what,)*
                }
            }

            /// The admin routes and desktop commands that need it (for the docs and the role ×
            /// route tests that will check them).
            pub fn used_by(self) -> &'static str {
                match self {
                    $(Capability::$variant => $used_by,)*
                }
            }
        }
    };
}

matrix! {
    // 系统管理员: the server.
    ManageHalls => "halls.manage", SystemAdmin,
        "Create halls and list every hall on the server.",
        "`POST /admin/halls`, `GET /admin/halls` (every hall; others see the halls they hold a role in)";
    ManageAllAccounts => "accounts.manage_all", SystemAdmin,
        "List every account on the server; grant or revoke 系统管理员; accounts with no hall.",
        "`GET`/`POST /admin/accounts`, `PATCH /admin/accounts/{id}`, `POST /admin/accounts/{id}/reset`; `hallkeeper-server account create`, `reset`, `disable`";
    ReadServerAudit => "audit.read_all", SystemAdmin,
        "Read the server's whole audit log (every hall's entries and those of no hall: sign-ins, accounts, halls).",
        "`GET /admin/audit`";
    // 大厅管理员: one hall's people, devices and providers.
    ManageAccounts => "accounts.manage", HallAdmin,
        "Create, reset, disable the hall's accounts and grant roles in the hall (up to one's own).",
        "`GET`/`POST …/accounts`, `PATCH …/accounts/{id}`, `POST …/accounts/{id}/reset`; 人员与权限 (`list_accounts`, `create_account`, `update_account`, `reset_account_password`)";
    ManageDevices => "devices.manage", HallAdmin,
        "Enrol (pairing code), rename, rebind and revoke the hall's devices; list them.",
        "`POST`/`GET …/devices`, `PATCH`/`DELETE …/devices/{id}`, `POST …/devices/{id}/pairing`, `POST …/pairings`; 设备管理 (`list_devices`, `add_device`, `new_device_pairing_code`, `update_device`, `revoke_device`)";
    EditSmsProvider => "sms.edit_provider", HallAdmin,
        "Change the hall's SMS provider settings (account, keys, sign name).",
        "the SMS provider settings";
    EditCatalog => "catalog.edit", HallAdmin,
        "Import the matter catalog (事项目录) and change matters and departments.",
        "`PUT …/config` changing departments or matters, sync `department` and `matter` operations, `inspect_catalog_file`, `preview_catalog_import`, `apply_catalog_import`";
    EditAppointmentSlots => "appointments.edit_slots", HallAdmin,
        "Set the bookable appointment slots per matter and day (not named by the issue for 值班长, so kept here).",
        "`PUT …/appointment-slots`";
    EditStarRule => "stars.edit_rule", HallAdmin,
        "Change the service-star (服务之星) rule.",
        "`set_star_rule`";
    // 值班长: running the floor.
    EditWindows => "windows.edit", ShiftLead,
        "Create, edit, reorder and delete windows; open, pause and close them.",
        "`PUT …/config` (windows, queue settings), sync `window` operations, `create_window`, `update_window`, `delete_window`, `reorder_windows`, `set_window_state`";
    EditBindings => "bindings.edit", ShiftLead,
        "Bind and unbind matters to windows, including today's overflow binding.",
        "`PUT …/config` changing bindings, sync `binding` operations, `bind_matters`, `unbind_matters`, `bind_overflow_today`";
    EditStaff => "staff.edit", ShiftLead,
        "Create, edit and delete staff records (工号).",
        "sync `staff` operations, `create_staff`, `update_staff`, `delete_staff`";
    EditSeating => "seating.edit", ShiftLead,
        "Seat staff at windows for the day.",
        "sync `seat` operations, `set_seat`";
    EditThresholds => "thresholds.edit", ShiftLead,
        "Change the dashboard's alarm thresholds and the rating pad's reason tags.",
        "`set_thresholds`, sync `rating_reasons` operations, `set_rating_reasons`";
    EditSmsRules => "sms.edit_rules", ShiftLead,
        "Change the SMS reminder rules and templates (with the editor's preview and budget).",
        "`PUT …/config` changing the SMS rules, `set_sms_rules`, `preview_sms_template`, `sms_budget`";
    SendTestSms => "sms.send_test", ShiftLead,
        "Send a test SMS.",
        "`POST …/sms/test`, `sms_test_send`";
    ReadSms => "sms.read", ShiftLead,
        "Read the SMS rules, outbox, daily counts and service status (citizens' masked numbers).",
        "`GET …/sms/outbox`, `…/sms/counts`, `…/sms/status`, `get_sms_rules`, `sms_outbox`, `sms_counts`, `sms_status`";
    MoveWaiting => "queue.move_waiting", ShiftLead,
        "Move waiting tickets from one window's queue to another.",
        "`POST …/queue/move-waiting`, `move_waiting_tickets`, `move_waiting`";
    ReadAppointments => "appointments.read", ShiftLead,
        "Read appointment slots and the day's bookings (citizens' data).",
        "`GET …/appointment-slots`, `GET …/appointments`";
    WorkCases => "cases.work", ShiftLead,
        "Work rectification cases (差评整改): every case action, evidence.",
        "`case_action`, `attach_evidence`";
    EditCaseRules => "cases.edit_rules", ShiftLead,
        "Choose the hall's rectification deadline profile.",
        "`set_deadline_profile`";
    // 监督员: reading.
    ReadHall => "hall.read", Supervisor,
        "Read the hall's setup: windows, catalog, coverage, bindings, staff, seating; pull its sync feed.",
        "`GET …/config`, `POST …/sync/push` (each operation is checked against its author), `GET …/sync/pull`, `…/sync/events`, `…/sync/ratings`, `…/sync/stream`, `list_windows`, `get_catalog`, `get_coverage`, `list_bindings`, `list_staff`, `get_roster`, `get_rating_reasons`";
    ReadDashboard => "dashboard.read", Supervisor,
        "Read the live dashboard (总览), its thresholds and the day's tickets.",
        "`GET …/tickets`, `get_dashboard`, `get_thresholds`";
    ReadReports => "reports.read", Supervisor,
        "Read and export reports; the service stars and their display.",
        "`get_report`, `export_report_xlsx`, `get_star_rule`, `get_monthly_stars`, `open_display_window`, `close_display_window`";
    ReadRatings => "ratings.read", Supervisor,
        "Read every rating of the hall.",
        "`GET …/ratings`";
    ReadCases => "cases.read", Supervisor,
        "Read rectification cases, their alerts and deadline profiles; mark a case read.",
        "`list_poor_ratings`, `get_case`, `mark_case_read`, `unread_case_count`, `case_alerts`, `list_deadline_profiles`, `get_deadline_profile`";
    ReadAudit => "audit.read", Supervisor,
        "Read the audit log (the desktop's, and the server's entries of the hall).",
        "`GET …/audit`, `list_audit`";
    // 窗口人员: their window.
    UseWindowTerminal => "terminal.use", WindowStaff,
        "Work the window terminal of the window the person is seated at today (the seat is the caller's check).",
        "`GET /caller`, `POST /caller/next`, `PUT /caller/window-state`, `POST /caller/tickets/{id}/…`";
    ReadOwnRatings => "ratings.read_own", WindowStaff,
        "Read the ratings of one's own service (the staff record linked to the account).",
        "the window terminal's own ratings";
}

/// The capability a sync operation on `entity` needs of its author (the server re-checks every
/// pushed operation's `author` against it: a change queued offline by someone who has lost the
/// role since is refused). None for an entity this map does not know: the server refuses such an
/// operation rather than let it through unchecked, so a new synced entity must be added here.
pub fn sync_entity_capability(entity: &str) -> Option<Capability> {
    Some(match entity {
        "window" => Capability::EditWindows,
        "department" | "matter" => Capability::EditCatalog,
        "binding" => Capability::EditBindings,
        "staff" => Capability::EditStaff,
        "seat" => Capability::EditSeating,
        "case" | "case_step" | "case_evidence" => Capability::WorkCases,
        "deadline_profile" => Capability::EditCaseRules,
        "star_rule" => Capability::EditStarRule,
        "thresholds" => Capability::EditThresholds,
        "sms_rules" => Capability::EditSmsRules,
        // The pad's reason tags: a hall setting of the same weight as the thresholds, by the same people.
        "rating_reasons" => Capability::EditThresholds,
        // Derived, not edited: the month's stars core ranked from the synced figures, written
        // for the person signed in, under the capability of the other record a pull derives (a
        // case opened for a poor rating, 值班长 and up). A 监督员's desktop changes nothing, so
        // it publishes no stars: the hall's 值班长 or 管理员 PC does.
        "star_month" => Capability::WorkCases,
        _ => return None,
    })
}

/// How far up the chain a role is: a role holds every capability whose lowest role is not above it.
fn rank(role: Role) -> u8 {
    match role {
        Role::SystemAdmin => 4,
        Role::HallAdmin => 3,
        Role::ShiftLead => 2,
        Role::Supervisor => 1,
        Role::WindowStaff => 0,
    }
}

/// Whether `role` includes everything `other` may do (a role includes itself).
pub fn includes(role: Role, other: Role) -> bool {
    rank(role) >= rank(other)
}

/// Whether the role, held in a hall, may do `cap` there.
pub fn role_allows(role: Role, cap: Capability) -> bool {
    includes(role, cap.lowest_role())
}

/// Whether someone holding `grants` may do `cap` in hall `hall_id`: a 系统管理员 everywhere, a
/// hall role only in its own hall. Server-wide capabilities (halls, all accounts) belong to
/// 系统管理员 alone, so for them `hall_id` does not matter.
pub fn allows(grants: &[HallRole], hall_id: &str, cap: Capability) -> bool {
    grants.iter().any(|g| match g.role {
        Role::SystemAdmin => true,
        role => g.hall_id.as_deref() == Some(hall_id) && role_allows(role, cap),
    })
}

/// Every capability `grants` give in `hall_id`, in the table's order (what the UI is told it may
/// offer; the check is still [`allows`]).
pub fn capabilities(grants: &[HallRole], hall_id: &str) -> Vec<Capability> {
    Capability::ALL.iter().copied().filter(|&c| allows(grants, hall_id, c)).collect()
}

/// A grant's shape: 系统管理员 names no hall, every other role names one (non-empty).
pub fn check_grant(grant: &HallRole) -> Result<()> {
    match (grant.role, grant.hall_id.as_deref()) {
        (Role::SystemAdmin, None) => Ok(()),
        (Role::SystemAdmin, Some(_)) => {
            Err(AccessError::GrantInvalid { reason: "系统管理员不属于某个大厅" })
        }
        (_, None) => Err(AccessError::GrantInvalid { reason: "大厅角色必须指定大厅" }),
        (_, Some(h)) if h.trim().is_empty() => {
            Err(AccessError::GrantInvalid { reason: "大厅角色必须指定大厅" })
        }
        (_, Some(_)) => Ok(()),
    }
}

/// Whether someone holding `granter` may give (or take away) `grant`: 系统管理员 any; otherwise
/// only in a hall where they may manage accounts, and no role above their own there — so a
/// 大厅管理员 cannot make a 系统管理员 or reach another hall.
pub fn can_grant(granter: &[HallRole], grant: &HallRole) -> bool {
    if granter.iter().any(|g| g.role == Role::SystemAdmin) {
        return true;
    }
    let (Role::HallAdmin | Role::ShiftLead | Role::Supervisor | Role::WindowStaff, Some(hall)) =
        (grant.role, grant.hall_id.as_deref())
    else {
        return false;
    };
    allows(granter, hall, Capability::ManageAccounts)
        && granter.iter().any(|g| g.hall_id.as_deref() == Some(hall) && includes(g.role, grant.role))
}

/// The role's name as the issue and the UI write it (zh-CN).
pub fn role_name_zh(role: Role) -> &'static str {
    match role {
        Role::SystemAdmin => "系统管理员",
        Role::HallAdmin => "大厅管理员",
        Role::ShiftLead => "值班长",
        Role::Supervisor => "监督员",
        Role::WindowStaff => "窗口人员",
    }
}

/// The role's name in English.
pub fn role_name_en(role: Role) -> &'static str {
    match role {
        Role::SystemAdmin => "System admin",
        Role::HallAdmin => "Hall admin",
        Role::ShiftLead => "Shift lead",
        Role::Supervisor => "Supervisor",
        Role::WindowStaff => "Window staff",
    }
}

/// The matrix as the markdown table of `docs/roles.md` (between its `matrix` markers).
pub fn roles_markdown() -> String {
    let mut out = String::from("| Capability | What it allows | Used by |");
    for role in Role::ALL {
        out.push_str(&format!(" {} {} |", role_name_zh(role), role_name_en(role)));
    }
    out.push_str("\n| --- | --- | --- |");
    for _ in Role::ALL {
        out.push_str(" :---: |");
    }
    out.push('\n');
    for &cap in Capability::ALL {
        out.push_str(&format!("| `{}` | {} | {} |", cap.as_str(), cap.what(), cap.used_by()));
        for role in Role::ALL {
            out.push_str(if role_allows(role, cap) { " ✓ |" } else { " |" });
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Capability as C;

    fn hall(role: Role, hall: &str) -> HallRole {
        HallRole { hall_id: Some(hall.into()), role }
    }

    fn system_admin() -> HallRole {
        HallRole { hall_id: None, role: Role::SystemAdmin }
    }

    /// What the issue says each role may do, written out role by role (not derived from the
    /// table), so the table is checked against the issue's words.
    fn issue_says(role: Role) -> Vec<Capability> {
        let window_staff = vec![C::UseWindowTerminal, C::ReadOwnRatings];
        let supervisor = [
            window_staff.clone(),
            vec![C::ReadHall, C::ReadDashboard, C::ReadReports, C::ReadRatings, C::ReadCases, C::ReadAudit],
        ]
        .concat();
        let shift_lead = [
            supervisor.clone(),
            vec![
                C::EditWindows,
                C::EditBindings,
                C::EditStaff,
                C::EditSeating,
                C::EditThresholds,
                C::EditSmsRules,
                C::SendTestSms,
                C::ReadSms,
                C::MoveWaiting,
                C::ReadAppointments,
                C::WorkCases,
                C::EditCaseRules,
            ],
        ]
        .concat();
        let hall_admin = [
            shift_lead.clone(),
            vec![
                C::ManageAccounts,
                C::ManageDevices,
                C::EditSmsProvider,
                C::EditCatalog,
                C::EditAppointmentSlots,
                C::EditStarRule,
            ],
        ]
        .concat();
        match role {
            Role::WindowStaff => window_staff,
            Role::Supervisor => supervisor,
            Role::ShiftLead => shift_lead,
            Role::HallAdmin => hall_admin,
            Role::SystemAdmin => Capability::ALL.to_vec(),
        }
    }

    #[test]
    fn the_whole_matrix_is_what_the_issue_says() {
        for role in Role::ALL {
            let expected = issue_says(role);
            for &cap in Capability::ALL {
                assert_eq!(role_allows(role, cap), expected.contains(&cap), "{role:?} × {cap:?}");
                // In its own hall, through `allows`, the same answer; in another hall, none.
                let grants = match role {
                    Role::SystemAdmin => vec![system_admin()],
                    r => vec![hall(r, "h1")],
                };
                assert_eq!(allows(&grants, "h1", cap), expected.contains(&cap), "{role:?} × {cap:?} in h1");
                assert_eq!(allows(&grants, "h2", cap), role == Role::SystemAdmin, "{role:?} × {cap:?} in h2");
            }
        }
    }

    #[test]
    fn every_synced_entity_has_its_capability() {
        for entity in hallkeeper_proto::SYNC_ENTITIES {
            let cap = sync_entity_capability(entity).unwrap_or_else(|| panic!("{entity} has no capability"));
            assert!(!role_allows(Role::Supervisor, cap), "{entity}: a 监督员 changes nothing");
        }
        assert_eq!(sync_entity_capability("window"), Some(C::EditWindows));
        assert_eq!(sync_entity_capability("matter"), Some(C::EditCatalog));
        assert_eq!(sync_entity_capability("no-such-entity"), None);
    }

    #[test]
    fn a_supervisor_changes_nothing() {
        for &cap in Capability::ALL {
            if role_allows(Role::Supervisor, cap) && cap != C::UseWindowTerminal {
                assert!(cap.as_str().contains(".read"), "{cap:?} is not a read but 监督员 holds it");
            }
        }
    }

    #[test]
    fn higher_roles_include_lower_ones() {
        for (i, &high) in Role::ALL.iter().enumerate() {
            for &low in &Role::ALL[i..] {
                assert!(includes(high, low));
                for &cap in Capability::ALL {
                    assert!(
                        !role_allows(low, cap) || role_allows(high, cap),
                        "{high:?} lacks {cap:?} of {low:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn codes_are_unique_and_parse_back() {
        let mut seen = std::collections::HashSet::new();
        for &cap in Capability::ALL {
            assert!(seen.insert(cap.as_str()), "{} twice", cap.as_str());
            assert_eq!(Capability::parse(cap.as_str()), Some(cap));
            assert!(!cap.what().is_empty() && !cap.used_by().is_empty());
            // A pipe would split the docs' table cell.
            assert!(!cap.what().contains('|') && !cap.used_by().contains('|'), "{cap:?}");
        }
        assert_eq!(Capability::parse("halls.everything"), None);
    }

    #[test]
    fn no_grants_no_hall_role_without_a_hall() {
        for &cap in Capability::ALL {
            assert!(!allows(&[], "h1", cap));
            assert!(!allows(&[HallRole { hall_id: None, role: Role::HallAdmin }], "h1", cap));
        }
    }

    #[test]
    fn several_grants_each_count_in_their_own_hall() {
        let grants = [hall(Role::Supervisor, "h1"), hall(Role::HallAdmin, "h2")];
        assert!(allows(&grants, "h1", C::ReadDashboard));
        assert!(!allows(&grants, "h1", C::EditWindows));
        assert!(allows(&grants, "h2", C::ManageDevices));
        assert!(!allows(&grants, "h2", C::ManageHalls));
        let mut expected = issue_says(Role::Supervisor);
        expected.sort();
        assert_eq!(capabilities(&grants, "h1"), expected);
    }

    #[test]
    fn grants_have_the_right_shape() {
        assert!(check_grant(&system_admin()).is_ok());
        assert!(check_grant(&hall(Role::ShiftLead, "h1")).is_ok());
        assert_eq!(
            check_grant(&HallRole { hall_id: Some("h1".into()), role: Role::SystemAdmin })
                .map_err(|e| e.code()),
            Err("access.grant_invalid")
        );
        assert!(check_grant(&HallRole { hall_id: None, role: Role::Supervisor }).is_err());
        assert!(check_grant(&hall(Role::Supervisor, "  ")).is_err());
    }

    #[test]
    fn a_hall_admin_grants_up_to_their_own_role_in_their_own_hall() {
        let admin = [hall(Role::HallAdmin, "h1")];
        assert!(can_grant(&admin, &hall(Role::ShiftLead, "h1")));
        assert!(can_grant(&admin, &hall(Role::HallAdmin, "h1")));
        assert!(!can_grant(&admin, &hall(Role::ShiftLead, "h2")));
        assert!(!can_grant(&admin, &system_admin()));
        assert!(!can_grant(&admin, &HallRole { hall_id: Some("h1".into()), role: Role::SystemAdmin }));
        let lead = [hall(Role::ShiftLead, "h1")];
        assert!(!can_grant(&lead, &hall(Role::WindowStaff, "h1")));
        assert!(can_grant(&[system_admin()], &system_admin()));
        assert!(can_grant(&[system_admin()], &hall(Role::HallAdmin, "h9")));
    }

    #[test]
    fn the_markdown_has_a_row_per_capability_and_a_column_per_role() {
        let md = roles_markdown();
        let lines: Vec<_> = md.lines().collect();
        assert_eq!(lines.len(), 2 + Capability::ALL.len());
        for line in &lines {
            assert_eq!(line.matches('|').count(), 3 + Role::ALL.len() + 1, "{line}");
        }
        assert!(lines[0].contains("值班长 Shift lead"));
    }
}
