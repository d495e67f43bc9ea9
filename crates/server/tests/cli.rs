//! `hallkeeper-server account create|reset|disable`, run as the binary against a temporary
//! SQLite file: the password from standard input only, the accounts as the server then sees them,
//! every change in the audit log as done by `cli`.

use hallkeeper_proto::{Hall, Role};
use hallkeeper_server::storage::accounts::AuditFilter;
use hallkeeper_server::storage::{sqlite::SqliteStorage, Storage};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs the binary with `args` and `stdin`; its exit code, stdout and stderr.
fn run(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hallkeeper-server"))
        .args(args)
        .env_remove("HALLKEEPER_ADMIN_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn account<'a>(verb: &'a str, db: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["account", verb, "--sqlite", db.to_str().unwrap()];
    a.extend_from_slice(extra);
    a
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let admin = ["--login", "Admin", "--name", "管理员", "--system-admin"];

    // Never a password on the command line; a weak one is refused with its code.
    let (code, _, err) = run(&account("create", &db, &[&admin[..], &["--password", "x"]].concat()), "");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("standard input"), "{err}");
    let (code, _, err) = run(&account("create", &db, &admin), "short\n");
    assert_eq!(code, 1);
    assert!(err.contains("password.too_short"), "{err}");
    let (code, _, err) = run(&account("create", &db, &admin), "");
    assert_eq!(code, 2, "{err}");

    let (code, out, err) = run(&account("create", &db, &admin), "Ein-gutes-Kennwort-2026\n");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("created admin"), "{out}");
    let (code, _, err) = run(&account("create", &db, &admin), "Ein-gutes-Kennwort-2026\n");
    assert_eq!(code, 1);
    assert!(err.contains("taken"), "{err}");

    // A hall role needs the hall.
    let lead = ["--login", "lead", "--name", "值班长甲", "--hall", "h1", "--role", "shift_lead"];
    let (code, _, err) = run(&account("create", &db, &lead), "Ein-anderes-Kennwort-9\n");
    assert_eq!((code, err.contains("no hall h1")), (1, true), "{err}");
    {
        let s = SqliteStorage::open(&db).unwrap();
        s.create_hall(&Hall { id: "h1".into(), name: "一号大厅".into() }).await.unwrap();
    }
    let (code, _, err) = run(&account("create", &db, &[&lead[..6], &["--role", "boss"]].concat()), "x\n");
    assert_eq!(code, 2, "{err}");
    let (code, out, err) = run(&account("create", &db, &lead), "Ein-anderes-Kennwort-9\n");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("must be changed"), "{out}");
    let (code, _, err) = run(&account("reset", &db, &["--login", "lead"]), "Noch-ein-Kennwort-10\n");
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&account("disable", &db, &["--login", "lead"]), "");
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&account("disable", &db, &["--login", "nobody"]), "");
    assert_eq!((code, err.contains("no account nobody")), (1, true), "{err}");

    let s = SqliteStorage::open(&db).unwrap();
    let a = s.accounts();
    let admin = a.account_by_login("admin").await.unwrap().unwrap().account;
    assert_eq!(
        (admin.grants[0].role, admin.must_change_password, admin.active),
        (Role::SystemAdmin, false, true)
    );
    let lead = a.account_by_login("lead").await.unwrap().unwrap().account;
    assert_eq!(lead.grants[0].hall_id.as_deref(), Some("h1"));
    assert_eq!((lead.must_change_password, lead.active), (true, false));
    let log = a.audit(&AuditFilter { hall_id: None, before: None, limit: 10 }).await.unwrap();
    let actions: Vec<_> = log.iter().rev().map(|e| (e.action.as_str(), e.actor_name.as_str())).collect();
    assert_eq!(
        actions,
        [
            ("account.create_first", "first-run"),
            ("account.create", "cli"),
            ("account.reset", "cli"),
            ("account.update", "cli")
        ]
    );
    assert_eq!(log[0].before.as_ref().unwrap()["active"], true);
    assert_eq!(log[0].after.as_ref().unwrap()["active"], false);
}
