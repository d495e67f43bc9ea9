//! A new, empty PostgreSQL database for each test, so that tests (and runs) never see each
//! other's rows. Shared by the storage suite and the HTTP tests: include it with
//! `#[path = "common/pg.rs"] mod pg;` (or `mod pg;` from a `common/mod.rs`).
//!
//! - `HALLKEEPER_TEST_POSTGRES_URL`: a database whose role may create databases (CREATEDB);
//!   `scripts/postgres.sh` starts a local server and sets it. Each test database is created
//!   through it, owned by that role, and dropped when the [`TestDatabase`] is dropped.
//! - `HALLKEEPER_REQUIRE_POSTGRES=1` (test.sh, so CI): a missing URL fails the test instead of
//!   skipping it.
//! - `HALLKEEPER_TEST_KEEP_DATABASES=1`: keep them, to look at them after a failure.
#![allow(dead_code)]

use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Once;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio_postgres::NoTls;

pub const URL_VAR: &str = "HALLKEEPER_TEST_POSTGRES_URL";
pub const REQUIRE_VAR: &str = "HALLKEEPER_REQUIRE_POSTGRES";

/// Test databases are named `hk_test_<unix seconds>_<pid>_<n>`. Ones left behind (by
/// [`fresh_database`], or by a killed run) are dropped by a later run once the process that made
/// them is gone from this machine, or once they are this old (a test run on another machine).
const PREFIX: &str = "hk_test_";
const STALE_AFTER: Duration = Duration::from_secs(6 * 3600);

/// A database made for one test; dropped, with any connection still open on it, on drop.
pub struct TestDatabase {
    url: String,
    admin_url: String,
    name: String,
    keep: bool,
}

impl TestDatabase {
    /// The URL of the new database (same role, password and server as the admin URL).
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if self.keep {
            return;
        }
        // Drop runs inside the test's runtime, which cannot be blocked on: use a thread of its own.
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(drop_database(&admin_url, &name))
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("could not drop test database {}: {e}", self.name),
            Err(_) => eprintln!("could not drop test database {}", self.name),
        }
    }
}

/// The admin URL, or None when PostgreSQL tests are to be skipped (said once, on stderr, past
/// the test harness' capture). Panics when `HALLKEEPER_REQUIRE_POSTGRES=1` and there is none.
pub fn admin_url() -> Option<String> {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var(REQUIRE_VAR).is_ok_and(|v| v == "1") => {
            panic!("{REQUIRE_VAR}=1 but {URL_VAR} is not set (scripts/postgres.sh sets it)")
        }
        _ => {
            static SAID: Once = Once::new();
            SAID.call_once(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "PostgreSQL tests skipped: {URL_VAR} is not set (`eval \"$(scripts/postgres.sh)\"` sets it)"
                );
            });
            None
        }
    }
}

/// The URL of a new, empty database (not migrated), or None when PostgreSQL tests are skipped.
/// It is left behind when the test ends and dropped by a later run's first call, once the
/// process that made it has exited; [`fresh_test_database`] drops it at the end of the test.
pub async fn fresh_database() -> Option<String> {
    let mut db = fresh_test_database().await?;
    db.keep = true;
    Some(db.url.clone())
}

/// A new, empty database (not migrated), dropped when the returned value is; or None when
/// PostgreSQL tests are skipped.
pub async fn fresh_test_database() -> Option<TestDatabase> {
    let admin_url = admin_url()?;
    let admin = connect(&admin_url).await;
    static SWEPT: Once = Once::new();
    let mut sweep = false;
    SWEPT.call_once(|| sweep = true);
    if sweep {
        drop_stale(&admin).await;
    }

    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let name = format!("{PREFIX}{now}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
    admin
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .await
        .unwrap_or_else(|e| panic!("creating test database {name} through {URL_VAR}: {}", chain(&e)));
    let keep = std::env::var_os("HALLKEEPER_TEST_KEEP_DATABASES").is_some();
    Some(TestDatabase { url: with_database(&admin_url, &name), admin_url, name, keep })
}

async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .unwrap_or_else(|e| panic!("connecting to {URL_VAR}: {}", chain(&e)));
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

async fn drop_database(admin_url: &str, name: &str) -> Result<(), String> {
    let (client, connection) = tokio_postgres::connect(admin_url, NoTls).await.map_err(|e| chain(&e))?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await
        .map_err(|e| chain(&e))
}

/// Drops test databases of runs that were killed before they could drop their own.
async fn drop_stale(admin: &tokio_postgres::Client) {
    let Ok(rows) = admin
        .query(
            "SELECT datname FROM pg_database WHERE starts_with(datname, $1) AND pg_has_role(datdba, 'USAGE')",
            &[&PREFIX],
        )
        .await
    else {
        return;
    };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    for row in rows {
        let name: String = row.get(0);
        let mut parts = name[PREFIX.len()..].split('_').map(|p| p.parse::<u64>().ok());
        let (Some(Some(made)), Some(Some(pid))) = (parts.next(), parts.next()) else { continue };
        let gone = !std::path::Path::new(&format!("/proc/{pid}")).exists();
        if gone || now.saturating_sub(made) > STALE_AFTER.as_secs() {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await;
        }
    }
}

/// `url` pointing at database `name` instead: the URL form's path, or a `dbname=` appended to
/// the key=value form (a later key wins).
pub fn with_database(url: &str, name: &str) -> String {
    match url.find("://") {
        Some(scheme_end) => {
            let rest = scheme_end + 3;
            let query = url[rest..].find('?').map_or(url.len(), |i| rest + i);
            let path = url[rest..query].find('/').map_or(query, |i| rest + i);
            format!("{}/{name}{}", &url[..path], &url[query..])
        }
        None => format!("{url} dbname={name}"),
    }
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        msg = format!("{msg}: {s}");
        source = s.source();
    }
    msg
}

#[test]
fn urls_point_at_the_new_database() {
    assert_eq!(with_database("postgres://u:p@127.0.0.1:5432/base", "x"), "postgres://u:p@127.0.0.1:5432/x");
    assert_eq!(
        with_database("postgres://u:p@h/base?sslmode=disable", "x"),
        "postgres://u:p@h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgresql://h:5432", "x"), "postgresql://h:5432/x");
    assert_eq!(with_database("postgres://h?connect_timeout=5", "x"), "postgres://h/x?connect_timeout=5");
    assert_eq!(with_database("host=h user=u dbname=base", "x"), "host=h user=u dbname=base dbname=x");
}
