//! Issue 17 in core: the person as actor (audit entries and outbox operations name the account)
//! and core's gate for every desktop command, as a role × command matrix.

mod common;

use common::*;
use hallkeeper_core::access::{authorize, Need, Person, Presence, COMMANDS};
use hallkeeper_core::proto::{HallRole, Role, WindowInput, WindowState};

fn person(role: Role, hall: &str) -> Person {
    let hall_id = (role != Role::SystemAdmin).then(|| hall.to_owned());
    Person {
        account_id: format!("acc-{}", role.as_str()),
        name: "王值班".into(),
        grants: vec![HallRole { hall_id, role }],
    }
}

fn input(number: &str) -> WindowInput {
    window_input(number, "综合受理", WindowState::Open)
}

#[test]
fn a_persons_write_names_them_in_the_audit_and_authors_its_operations() {
    let (s, _) = store();
    let lead = person(Role::ShiftLead, "local");
    let w = s.create_window(&lead, &input("A01")).unwrap();
    s.set_window_state(&lead, &w.id, WindowState::Paused).unwrap();
    // The store's own writes (and tests' plain names) name no account.
    s.create_window("sync", &input("A02")).unwrap();
    let audit = s.list_audit(10, None).unwrap().entries;
    assert_eq!(audit.len(), 3);
    assert_eq!((audit[2].actor.as_str(), audit[2].actor_id.as_deref()), ("王值班", Some("acc-shift_lead")));
    assert_eq!((audit[1].actor.as_str(), audit[1].actor_id.as_deref()), ("王值班", Some("acc-shift_lead")));
    assert_eq!((audit[0].actor.as_str(), audit[0].actor_id.as_deref()), ("sync", None));
    let ops = s.pending_ops(10).unwrap();
    let authors: Vec<_> = ops.iter().map(|o| o.author.as_deref()).collect();
    assert_eq!(authors, [Some("acc-shift_lead"), Some("acc-shift_lead"), None]);
    // The first person signed in through the server takes over what names nobody.
    let admin = person(Role::SystemAdmin, "local");
    assert_eq!(s.adopt_unauthored_ops(&admin).unwrap(), 1);
    let authors: Vec<_> = s.pending_ops(10).unwrap().into_iter().map(|o| o.author).collect();
    assert_eq!(authors[2].as_deref(), Some("acc-system_admin"));
    assert_eq!(s.adopt_unauthored_ops(&admin).unwrap(), 0);
}

/// The store's own writes (a case opened for a pulled poor rating is one) made while a person is
/// signed in on the PC carry that person as author, or the server would refuse them
/// (`access.author_missing`); a person's own write keeps its own author; after sign-out nobody.
#[test]
fn the_stores_own_writes_are_the_signed_in_persons() {
    let (s, _) = store();
    let lead = person(Role::ShiftLead, "local");
    let admin = person(Role::HallAdmin, "local");
    s.set_signed_in(Some(&lead));
    s.create_window("sync", &input("A01")).unwrap();
    s.create_window(&admin, &input("A02")).unwrap();
    s.set_signed_in(None);
    s.create_window("sync", &input("A03")).unwrap();
    let authors: Vec<_> = s.pending_ops(10).unwrap().into_iter().map(|o| o.author).collect();
    assert_eq!(authors, [Some("acc-shift_lead".to_owned()), Some("acc-hall_admin".to_owned()), None]);
    // The audit still names who wrote (the store), not the person it wrote for.
    let audit = s.list_audit(10, None).unwrap().entries;
    assert_eq!((audit[2].actor.as_str(), audit[2].actor_id.as_deref()), ("sync", None));
}

/// Every command × every role (and nobody, and another hall's role): allowed exactly when the
/// matrix gives the role the command's capability; the refusals carry their codes.
#[test]
fn role_by_command_matrix() {
    let mut refused = 0;
    let mut allowed = 0;
    for &(command, need) in COMMANDS {
        let nobody = authorize(Presence { person: None, locked: false }, "local", command);
        assert_eq!(nobody.is_ok(), need == Need::Open, "nobody × {command}");
        for role in Role::ALL {
            let here = person(role, "local");
            let got = authorize(Presence { person: Some(&here), locked: false }, "local", command);
            let want = match need {
                Need::Open | Need::SignedIn => true,
                Need::Capability(c) => hallkeeper_access::matrix::role_allows(role, c),
            };
            match got {
                Ok(()) => {
                    assert!(want, "{role:?} × {command} allowed");
                    allowed += 1;
                }
                Err(e) => {
                    assert!(!want, "{role:?} × {command} refused: {e}");
                    assert_eq!(e.code(), "access.forbidden");
                    refused += 1;
                }
            }
            // A hall role elsewhere gives nothing here.
            let elsewhere = person(role, "other-hall");
            let there = authorize(Presence { person: Some(&elsewhere), locked: false }, "local", command);
            let want = matches!(need, Need::Open | Need::SignedIn) || role == Role::SystemAdmin;
            assert_eq!(there.is_ok(), want, "{role:?} of another hall × {command}");
        }
    }
    assert_eq!(allowed + refused, COMMANDS.len() * Role::ALL.len());
    // 监督员 and 窗口人员 change nothing: every refusal is theirs or a lower role's.
    let supervisor = person(Role::Supervisor, "local");
    for command in
        ["create_window", "set_seat", "case_action", "set_sms_rules", "apply_catalog_import", "set_star_rule"]
    {
        let e =
            authorize(Presence { person: Some(&supervisor), locked: false }, "local", command).unwrap_err();
        assert_eq!(e.code(), "access.forbidden", "{command}");
    }
    assert!(refused > 50, "{refused}");
}
