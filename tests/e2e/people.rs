//! People and roles in the real app (issue 17): the first-run administrator, a wrong password
//! said at its field, a 监督员 who sees no edit actions and whose write invoked straight from the
//! webview is refused by core with its code, and the offline sign-in whose change lands on the
//! server, attributed to that person, once it is back.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{anyhow, ensure, Context, Result};
use hallkeeper_e2e::{wait_until, wait_until_for, Harness, ADMIN_LOGIN, ADMIN_NAME, ADMIN_PASSWORD};
use serde_json::{json, Value};

use crate::device_http::http;
use crate::pages::*;

/// A session token of `login` on `server`, signed in over HTTP.
pub fn session(server: &str, login: &str, password: &str) -> Result<(String, Value)> {
    let s = http(
        "POST",
        &format!("{server}/api/v1/session"),
        "",
        Some(&json!({ "login": login, "password": password })),
    )?;
    let token = s["token"].as_str().ok_or_else(|| anyhow!("no token in {s}"))?.to_owned();
    Ok((token, s["account"].clone()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_run_administrator_then_a_wrong_password_is_said_at_its_field() {
    let h = Harness::start_signed_out("people_first_run", &[]).await;
    let outcome = async {
        h.find_visible("session-first-run").await?;
        ensure!(h.find_visible("session-policy").await.is_ok(), "the password policy is shown");
        h.save_artifacts("first-run").await?;
        // Two different passwords: said at the second field, nothing created.
        h.type_into_id("session-login", ADMIN_LOGIN).await?;
        h.type_into_id("session-name", ADMIN_NAME).await?;
        h.type_into_id("session-password", ADMIN_PASSWORD).await?;
        h.type_into_id("session-confirm", "另一个口令-2026-xx").await?;
        h.click("session-submit").await?;
        let e = h.find_visible("session-confirm-error").await?;
        ensure!(h.text(&e).await?.contains("不一致"), "mismatch at the confirm field");
        h.first_run(ADMIN_LOGIN, ADMIN_NAME, ADMIN_PASSWORD).await?;
        h.wait_ready().await?;
        let person = h.find_visible("header-person").await?;
        let text = h.text(&person).await?;
        ensure!(text.contains(ADMIN_NAME) && text.contains("系统管理员"), "header: {text:?}");
        h.save_artifacts("header").await?;

        h.sign_out().await?;
        h.save_artifacts("sign-in").await?;
        h.sign_in(ADMIN_LOGIN, "不是这个口令-2026").await?;
        let e =
            h.find_visible("session-password-error").await.context("the message at the password field")?;
        let said = h.text(&e).await?;
        ensure!(said.contains("密码"), "the password field says {said:?}");
        ensure!(
            h.find_all_visible("session-error").await?.is_empty(),
            "said at the field, not above the form"
        );
        h.save_artifacts("sign-in-wrong-password").await?;
        h.sign_in(ADMIN_LOGIN, ADMIN_PASSWORD).await?;
        h.wait_ready().await?;

        // The lock: every command but the lock screen's is refused until the password is given.
        h.person_menu("header-lock", "session-locked").await?;
        let refused =
            invoke(&h, "list_windows", json!({})).await?.err().ok_or_else(|| anyhow!("ran while locked"))?;
        ensure!(refused["code"] == "session.locked", "{refused}");
        h.save_artifacts("locked").await?;
        h.type_into_id("session-password", "不是这个口令-2026").await?;
        h.click("session-submit").await?;
        h.find_visible("session-password-error").await?;
        h.type_into_id("session-password", ADMIN_PASSWORD).await?;
        h.click("session-submit").await?;
        h.wait_gone("session-locked").await?;
        h.find_visible("header-person").await?;
        Ok(())
    }
    .await;
    h.finish(outcome).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_sees_no_edit_actions_and_core_refuses_a_write_invoked_from_the_webview() {
    let h = Harness::start("people_supervisor").await;
    let outcome = async {
        open_windows(&h).await?;
        create_window(&h, A01).await?;
        let server = wait_until("the server's address in the log", || async {
            h.server_url().ok_or_else(|| anyhow!("not yet"))
        })
        .await?;
        let (admin, _) = session(&server, ADMIN_LOGIN, ADMIN_PASSWORD)?;
        let first = "监督员初始口令-2026";
        let created = http(
            "POST",
            &format!("{server}/api/v1/admin/halls/local/accounts"),
            &admin,
            Some(&json!({ "login": "jiandu", "displayName": "监督员乙", "password": first,
                          "grants": [{ "hallId": "local", "role": "supervisor" }] })),
        )?;
        ensure!(created["mustChangePassword"] == true, "{created}");

        h.sign_out().await?;
        h.sign_in("jiandu", first).await?;
        // An administrator's password is changed first.
        h.find_visible("session-change-password").await?;
        h.save_artifacts("change-password").await?;
        h.type_into_id("session-current", first).await?;
        h.type_into_id("session-password", "监督员自己的口令-2026").await?;
        h.type_into_id("session-confirm", "监督员自己的口令-2026").await?;
        h.click("session-submit").await?;
        h.wait_ready().await?;
        let text = h.text(&h.find_visible("header-person").await?).await?;
        ensure!(text.contains("监督员乙") && text.contains("监督员"), "header: {text:?}");

        open_windows(&h).await?;
        let r = row(&h, "A01").await?;
        ensure!(h.find_all_visible("window-add").await?.is_empty(), "no add button for a 监督员");
        for id in ["window-edit", "window-delete", "window-drag-handle", "window-state-paused"] {
            ensure!(r.find_all(hallkeeper_e2e::tid(id)).await?.is_empty(), "{id} shown to a 监督员");
        }
        h.save_artifacts("supervisor-windows").await?;
        // The pages a 监督员 could only be refused on are not offered.
        for id in ["nav-accounts", "nav-devices", "nav-sms"] {
            ensure!(h.find_all_visible(id).await?.is_empty(), "{id} offered to a 监督员");
        }
        h.find_visible("nav-dashboard").await?;

        let input = json!({ "input": { "number": "B02", "name": "越权", "zone": "", "kind": "general", "state": "open" } });
        let refused = invoke(&h, "create_window", input).await?.err().ok_or_else(|| anyhow!("create_window ran"))?;
        ensure!(refused["code"] == "access.forbidden", "{refused}");
        ensure!(refused["message"].as_str().unwrap_or_default().contains("windows.edit"), "{refused}");
        let listed = invoke(&h, "list_windows", json!({})).await?.map_err(|e| anyhow!("{e}"))?;
        ensure!(listed.as_array().map(Vec::len) == Some(1), "nothing was created: {listed}");
        Ok(())
    }
    .await;
    h.finish(outcome).await;
}

/// A central server process of this test's own, so it can be stopped and started again.
pub struct Server {
    bin: std::path::PathBuf,
    db: std::path::PathBuf,
    listen: String,
    child: Option<Child>,
}

impl Server {
    pub fn start(&mut self) -> Result<()> {
        let child = Command::new(&self.bin)
            .args(["--listen", &self.listen, "--sqlite"])
            .arg(&self.db)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting hallkeeper-server")?;
        self.child = Some(child);
        let url = self.url();
        std::thread::sleep(Duration::from_millis(300));
        for _ in 0..50 {
            if http("GET", &format!("{url}/api/v1/health"), "", None).is_ok()
                || std::net::TcpStream::connect(&self.listen).is_ok()
            {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(anyhow!("hallkeeper-server did not listen on {}", self.listen))
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.listen)
    }
}

/// A `hallkeeper-server` on a free loopback port with its SQLite file in `dir`, its first
/// 系统管理员 made through its CLI (the password on stdin), started.
pub fn own_server(dir: &std::path::Path) -> Server {
    let bin = hallkeeper_e2e::paths::find_binary(
        "HALLKEEPER_SERVER_BIN",
        "hallkeeper-server",
        "debug",
        "cargo build -p hallkeeper-server",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let db = dir.join("server.db");
    // The remote server's first administrator comes from its CLI (password on stdin).
    let mut create = Command::new(&bin)
        .args([
            "account",
            "create",
            "--login",
            ADMIN_LOGIN,
            "--name",
            ADMIN_NAME,
            "--system-admin",
            "--sqlite",
        ])
        .arg(&db)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        writeln!(create.stdin.take().unwrap(), "{ADMIN_PASSWORD}").unwrap();
    }
    assert!(create.wait().unwrap().success(), "account create");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = Server { bin, db, listen: format!("127.0.0.1:{port}"), child: None };
    server.start().unwrap();
    server
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_sign_in_and_the_change_lands_attributed_to_that_person() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = own_server(dir.path());
    let url = server.url();

    let h = Harness::start_signed_out("people_offline", &["--server", &url, "--hall", "local"]).await;
    let outcome = async {
        h.sign_in(ADMIN_LOGIN, ADMIN_PASSWORD).await?;
        h.wait_ready().await?;
        let (token, account) = session(&url, ADMIN_LOGIN, ADMIN_PASSWORD)?;
        let account_id = account["id"].as_str().unwrap_or_default().to_owned();
        open_windows(&h).await?;
        create_window(&h, A01).await?;
        let pull = |token: String| {
            let url = url.clone();
            move || {
                http(
                    "GET",
                    &format!("{url}/api/v1/admin/halls/local/sync/pull?cursor=0&limit=5000"),
                    &token,
                    None,
                )
            }
        };
        wait_until_for(Duration::from_secs(20), "A01 on the server", || {
            let pull = pull(token.clone());
            async move {
                let page = pull()?;
                let has = page["changes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|c| c["change"]["fields"]["number"] == "A01");
                if has {
                    Ok(())
                } else {
                    Err(anyhow!("not yet"))
                }
            }
        })
        .await?;

        // The server goes away; the last person signs in again, offline.
        server.stop();
        h.sign_out().await?;
        h.sign_in(ADMIN_LOGIN, ADMIN_PASSWORD).await?;
        h.wait_ready().await?;
        h.find_visible("header-offline").await.context("the header says offline")?;
        open_windows(&h).await?;
        set_state(&h, "A01", "paused").await?;
        h.save_artifacts("offline").await?;

        // Back: the desktop gets a server session with the password it kept in memory, and the
        // pause lands — accepted after the server re-checked its author.
        server.start()?;
        wait_until_for(Duration::from_secs(30), "the header to leave offline", || async {
            if h.find_all_visible("header-offline").await?.is_empty() {
                Ok(())
            } else {
                Err(anyhow!("still offline"))
            }
        })
        .await?;
        let (token, _) = session(&url, ADMIN_LOGIN, ADMIN_PASSWORD)?;
        wait_until_for(Duration::from_secs(30), "the pause on the server", || {
            let pull = pull(token.clone());
            async move {
                let page = pull()?;
                let paused = page["changes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|c| c["change"]["fields"]["state"] == "paused");
                if paused {
                    Ok(())
                } else {
                    Err(anyhow!("not yet"))
                }
            }
        })
        .await?;
        let audit = invoke(&h, "list_audit", json!({ "limit": 5, "before": null }))
            .await?
            .map_err(|e| anyhow!("{e}"))?;
        let last = &audit["entries"][0];
        ensure!(last["action"] == "window.state" && last["actorId"] == account_id.as_str(), "{last}");
        let status = invoke(&h, "get_sync_status", json!({})).await?.map_err(|e| anyhow!("{e}"))?;
        ensure!(
            status["pending"] == 0 && status["rejected"].as_array().is_some_and(Vec::is_empty),
            "{status}"
        );
        Ok(())
    }
    .await;
    h.finish(outcome).await;
}
