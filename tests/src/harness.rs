//! The WebDriver side of the harness (feature `e2e`).

use std::fs::{self, File};
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use serde_json::json;
use tempfile::TempDir;

use crate::paths;
use crate::HOW_TO_RUN;

pub use thirtyfour::{By, Key, WebDriver, WebElement};

/// The longest a test waits for anything to appear or change.
pub const WAIT: Duration = Duration::from_secs(10);
/// How often a wait looks again.
pub const POLL: Duration = Duration::from_millis(100);

/// The CSS selector of a test id.
pub fn sel(test_id: &str) -> String {
    format!(r#"[data-testid="{test_id}"]"#)
}

/// The WebDriver locator of a test id.
pub fn tid(test_id: &str) -> By {
    By::Css(sel(test_id))
}

/// Panics with a message saying how to run the suite unless there is an X display and a session
/// bus. The suite must never pass by skipping.
pub fn require_display() {
    let display = std::env::var("DISPLAY").unwrap_or_default();
    if display.trim().is_empty() {
        panic!("DISPLAY is not set: the end-to-end tests drive the real app in a real window.\n{HOW_TO_RUN}");
    }
    let bus = std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_default();
    if bus.trim().is_empty() {
        panic!(
            "DBUS_SESSION_BUS_ADDRESS is not set: without a session bus GTK starts helpers that \
             outlive the run.\n{HOW_TO_RUN}"
        );
    }
}

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.is_file())
}

fn tauri_driver_binary() -> Result<PathBuf> {
    if let Ok(p) = std::env::var("TAURI_DRIVER") {
        if !p.is_empty() {
            return Ok(PathBuf::from(p));
        }
    }
    if let Some(p) = which("tauri-driver") {
        return Ok(p);
    }
    if let Some(home) = std::env::var_os("HOME") {
        let p = Path::new(&home).join(".cargo/bin/tauri-driver");
        if p.is_file() {
            return Ok(p);
        }
    }
    bail!("tauri-driver is not installed (not on PATH, not in ~/.cargo/bin): `cargo install tauri-driver --locked`")
}

fn native_driver_binary() -> Result<PathBuf> {
    let p = std::env::var("HALLKEEPER_NATIVE_DRIVER")
        .ok()
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/WebKitWebDriver"));
    if !p.is_file() {
        bail!(
            "{} does not exist: install Debian's `webkit2gtk-driver` (or set $HALLKEEPER_NATIVE_DRIVER)",
            p.display()
        );
    }
    Ok(p)
}

fn port_is_free(port: u16) -> bool {
    TcpListener::bind(SocketAddr::from((Ipv4Addr::UNSPECIFIED, port))).is_ok()
        && TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).is_ok()
}

/// A free port P whose neighbour P+1 is free too (tauri-driver's `--port` and `--native-port`).
fn free_port_pair() -> Result<u16> {
    for _ in 0..50 {
        let l = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
        let port = l.local_addr()?.port();
        drop(l);
        if port < u16::MAX && port_is_free(port) && port_is_free(port + 1) {
            return Ok(port);
        }
    }
    bail!("found no two adjacent free TCP ports")
}

fn answers(port: u16) -> bool {
    TcpStream::connect_timeout(&SocketAddr::from((Ipv4Addr::LOCALHOST, port)), Duration::from_millis(200))
        .is_ok()
}

/// Sends SIGTERM, waits up to `grace`, then SIGKILL. Never SIGKILL first: a killed tauri-driver
/// leaves WebKitWebDriver holding its port.
fn terminate(child: &mut Child, grace: Duration) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    // SAFETY: plain kill(2) on the pid of a child we spawned and have not reaped yet.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
    }
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A running `tauri-driver` (which runs WebKitWebDriver) on free ports; SIGTERM on drop.
pub struct TauriDriver {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl TauriDriver {
    /// Starts tauri-driver with its output (and the app's, which WebKitWebDriver passes on) in `log`,
    /// and waits until both its port and WebKitWebDriver's answer.
    pub fn start(log: &Path) -> Result<Self> {
        let exe = tauri_driver_binary()?;
        let native = native_driver_binary()?;
        let mut last_err = anyhow!("never tried");
        for _attempt in 0..5 {
            let port = free_port_pair()?;
            let out = File::create(log).with_context(|| format!("creating {}", log.display()))?;
            let err = out.try_clone()?;
            let child = Command::new(&exe)
                .arg("--port")
                .arg(port.to_string())
                .arg("--native-port")
                .arg((port + 1).to_string())
                .arg("--native-driver")
                .arg(&native)
                .stdin(Stdio::null())
                .stdout(out)
                .stderr(err)
                .spawn()
                .with_context(|| format!("starting {}", exe.display()))?;
            let mut driver = TauriDriver { child, port, log: log.to_path_buf() };
            let deadline = Instant::now() + WAIT;
            loop {
                if let Ok(Some(status)) = driver.child.try_wait() {
                    last_err = anyhow!(
                        "tauri-driver on port {port} exited with {status} before answering; its log:\n{}",
                        fs::read_to_string(log).unwrap_or_default()
                    );
                    break;
                }
                if answers(port) && answers(port + 1) {
                    return Ok(driver);
                }
                if Instant::now() > deadline {
                    last_err = anyhow!(
                        "tauri-driver did not answer on ports {port}/{} within {WAIT:?}; its log:\n{}",
                        port + 1,
                        fs::read_to_string(log).unwrap_or_default()
                    );
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            drop(driver); // SIGTERM, then try other ports
        }
        Err(last_err)
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> &Path {
        &self.log
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        terminate(&mut self.child, Duration::from_secs(5));
    }
}

/// The pids of running processes whose command line has `needle` as one of its arguments.
pub(crate) fn pids_with_arg(needle: &str) -> Vec<u32> {
    let me = std::process::id();
    let Ok(entries) = fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| pid != me)
        .filter(|pid| {
            fs::read(format!("/proc/{pid}/cmdline"))
                .map(|c| c.split(|b| *b == 0).any(|a| a == needle.as_bytes()))
                .unwrap_or(false)
        })
        .collect()
}

/// Polls `check` every [`POLL`] until it returns `Ok`, for at most `timeout`. An `Err` from `check`
/// means "not yet" and says what it saw; the last one is in the timeout's error.
pub async fn wait_until_for<T, F, Fut>(timeout: Duration, what: &str, mut check: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        match check().await {
            Ok(v) => return Ok(v),
            Err(seen) => {
                if Instant::now() >= deadline {
                    bail!("timed out after {timeout:?} waiting for {what}; last saw: {seen:#}");
                }
            }
        }
        tokio::time::sleep(POLL).await;
    }
}

/// [`wait_until_for`] with the suite's [`WAIT`].
pub async fn wait_until<T, F, Fut>(what: &str, check: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    wait_until_for(WAIT, what, check).await
}

/// One test's world: a tauri-driver, a data directory that outlives restarts, and the current
/// WebDriver session on the app (one app process per session).
pub struct Harness {
    name: String,
    // Field order matters for drop: the session goes before tauri-driver.
    session: Option<WebDriver>,
    driver: TauriDriver,
    data_dir: Option<TempDir>,
    app: PathBuf,
    artifacts: PathBuf,
    launches: u32,
    /// Arguments the app gets after `--data-dir <dir>` (e.g. `--simulate`).
    app_args: Vec<String>,
    /// Whether each launch gets past the sign-in as the first administrator
    /// ([`Harness::sign_in_as_admin`]); off for the tests that drive the sign-in themselves.
    auto_sign_in: bool,
}

/// The first administrator every test's fresh store gets (first run), and signs in as.
pub const ADMIN_LOGIN: &str = "admin";
pub const ADMIN_NAME: &str = "系统管理员甲";
pub const ADMIN_PASSWORD: &str = "厅管家-e2e-口令-2026";

impl Harness {
    /// Starts tauri-driver and the app on a fresh data directory, and waits for `app-ready`.
    /// Panics (with what to do) when the machine cannot run the suite.
    pub async fn start(name: &str) -> Harness {
        Self::start_with_args(name, &[]).await
    }

    /// [`Self::start`] with more arguments for the app after `--data-dir <dir>` (every launch of
    /// this test gets them), e.g. `&["--simulate-speed", "120"]`.
    pub async fn start_with_args(name: &str, app_args: &[&str]) -> Harness {
        Self::start_full(name, app_args, true).await
    }

    /// [`Self::start`] without signing in: the launch waits for the sign-in or first-run screen
    /// (`session-sign-in` / `session-first-run`), not `app-ready`.
    pub async fn start_signed_out(name: &str, app_args: &[&str]) -> Harness {
        Self::start_full(name, app_args, false).await
    }

    async fn start_full(name: &str, app_args: &[&str], auto_sign_in: bool) -> Harness {
        require_display();
        let app = paths::app_binary().unwrap_or_else(|e| panic!("{e}\n{HOW_TO_RUN}"));
        let artifacts = paths::artifacts_dir();
        fs::create_dir_all(&artifacts)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", artifacts.display()));
        let log = artifacts.join(format!("{name}.driver.log"));
        let driver = TauriDriver::start(&log).unwrap_or_else(|e| panic!("{e:#}\n{HOW_TO_RUN}"));
        let data_dir = tempfile::Builder::new()
            .prefix(&format!("hallkeeper-e2e-{name}-"))
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temporary data directory: {e}"));
        let mut h = Harness {
            name: name.to_string(),
            session: None,
            driver,
            data_dir: Some(data_dir),
            app,
            artifacts,
            launches: 0,
            app_args: app_args.iter().map(|a| a.to_string()).collect(),
            auto_sign_in,
        };
        if let Err(e) = h.launch().await {
            h.finish(Err(e.context("starting the app for the first time"))).await;
            unreachable!();
        }
        h
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn data_dir(&self) -> &Path {
        self.data_dir.as_ref().expect("data dir").path()
    }

    /// The current session.
    pub fn wd(&self) -> &WebDriver {
        self.session.as_ref().expect("no app session is open (launch() first)")
    }

    /// Opens a session, which starts the app with `--data-dir <this test's dir>`, and waits for
    /// `app-ready`.
    pub async fn launch(&mut self) -> Result<()> {
        if self.session.is_some() {
            bail!("launch(): a session is already open");
        }
        let data_dir = self.data_dir().to_string_lossy().into_owned();
        let mut args = vec!["--data-dir".to_string(), data_dir];
        args.extend(self.app_args.iter().cloned());
        let caps = json!({
            "browserName": "wry",
            "tauri:options": {
                "application": self.app.to_string_lossy(),
                "args": args,
            }
        });
        let caps = match caps {
            serde_json::Value::Object(m) => thirtyfour::Capabilities::from(m),
            _ => unreachable!(),
        };
        let started = Instant::now();
        let wd = WebDriver::new(self.driver.url(), caps).await.with_context(|| {
            format!(
                "opening a WebDriver session on {} (tauri-driver log: {})",
                self.app.display(),
                self.driver.log().display()
            )
        })?;
        self.session = Some(wd);
        self.launches += 1;
        let what = format!("app launch #{} (after {:?})", self.launches, started.elapsed());
        if self.auto_sign_in {
            self.sign_in_as_admin().await.with_context(|| what.clone())?;
            self.wait_ready().await.with_context(|| what.clone())?;
        } else {
            self.find_visible_css(r#"[data-testid="session-sign-in"], [data-testid="session-first-run"]"#)
                .await
                .with_context(|| what.clone())?;
        }
        Ok(())
    }

    /// Gets past whatever stands before the app as the first administrator: the first run on a
    /// fresh store (creates [`ADMIN_LOGIN`] with [`ADMIN_PASSWORD`]), the sign-in otherwise.
    /// The one helper every test's launch goes through.
    pub async fn sign_in_as_admin(&self) -> Result<()> {
        let wd = self.wd();
        let screen = wait_until("the first-run screen, the sign-in screen or the app", || async move {
            for id in ["app-ready", "session-first-run", "session-sign-in"] {
                if let Ok(e) = wd.find(tid(id)).await {
                    if id == "app-ready" || e.is_displayed().await.unwrap_or(false) {
                        return Ok(id);
                    }
                }
            }
            Err(anyhow!("none yet"))
        })
        .await?;
        match screen {
            "session-first-run" => self.first_run(ADMIN_LOGIN, ADMIN_NAME, ADMIN_PASSWORD).await,
            "session-sign-in" => self.sign_in(ADMIN_LOGIN, ADMIN_PASSWORD).await,
            _ => Ok(()),
        }
    }

    /// Fills the first-run screen and submits it.
    pub async fn first_run(&self, login: &str, name: &str, password: &str) -> Result<()> {
        self.find_visible("session-first-run").await?;
        self.type_into_id("session-login", login).await?;
        self.type_into_id("session-name", name).await?;
        self.type_into_id("session-password", password).await?;
        self.type_into_id("session-confirm", password).await?;
        self.click("session-submit").await?;
        self.wait_gone("session-first-run").await.context("the first-run screen did not go")
    }

    /// Fills the sign-in screen and submits it (the caller checks what follows).
    pub async fn sign_in(&self, login: &str, password: &str) -> Result<()> {
        self.find_visible("session-sign-in").await?;
        self.type_into_id("session-login", login).await?;
        self.type_into_id("session-password", password).await?;
        self.click("session-submit").await
    }

    /// Signs the person out from the header's menu and waits for the sign-in screen.
    pub async fn sign_out(&self) -> Result<()> {
        self.person_menu("header-sign-out", "session-sign-in").await
    }

    /// Chooses `item` in the header's person menu until `then` shows (a click landing while the
    /// menu opens can be lost: up to three tries).
    pub async fn person_menu(&self, item: &str, then: &str) -> Result<()> {
        let mut last = None;
        for _ in 0..3 {
            self.click("header-person").await?;
            // The menu zooms in: an item clicked mid-animation is hit where it was drawn a frame
            // ago, which may be its neighbour. Click it once it stands still.
            let e = self.find_visible(item).await?;
            self.wait_still(&e).await?;
            self.click_element(&e).await.with_context(|| format!("clicking {}", sel(item)))?;
            match wait_until_for(
                Duration::from_secs(3),
                &format!("{} after {}", sel(then), sel(item)),
                || async {
                    let e = self.wd().find(tid(then)).await.map_err(|_| anyhow!("not yet"))?;
                    if e.is_displayed().await.unwrap_or(false) {
                        Ok(())
                    } else {
                        Err(anyhow!("not displayed"))
                    }
                },
            )
            .await
            {
                Ok(()) => return Ok(()),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| anyhow!("{item}: no try")))
    }

    /// Waits until `e`'s box is the same in two looks 80 ms apart (an opening menu or dialog has
    /// finished moving it).
    pub async fn wait_still(&self, e: &WebElement) -> Result<()> {
        let rect = || async {
            let r = self
                .wd()
                .execute(
                    "const r = arguments[0].getBoundingClientRect(); \
                     return [r.x, r.y, r.width, r.height].join(',');",
                    vec![e.to_json()?],
                )
                .await?;
            Ok::<String, anyhow::Error>(r.json().to_string())
        };
        wait_until("the element to stand still", || async {
            let before = rect().await.map_err(|e| anyhow!("{e:#}"))?;
            tokio::time::sleep(Duration::from_millis(80)).await;
            let after = rect().await.map_err(|e| anyhow!("{e:#}"))?;
            if before == after {
                Ok(())
            } else {
                Err(anyhow!("moving: {before} → {after}"))
            }
        })
        .await
    }

    /// Waits for `[data-testid="app-ready"]`: the first data load has finished.
    pub async fn wait_ready(&self) -> Result<()> {
        self.find("app-ready").await.map(|_| ())
    }

    /// Ends the session (the app exits) and waits until no app process with this test's data
    /// directory is left.
    pub async fn quit_app(&mut self) -> Result<()> {
        if let Some(wd) = self.session.take() {
            wd.quit().await.context("ending the WebDriver session")?;
        }
        let dir = self.data_dir().to_string_lossy().into_owned();
        wait_until_for(Duration::from_secs(15), "the app process to exit after its session ended", || {
            let dir = dir.clone();
            async move {
                let left = pids_with_arg(&dir);
                if left.is_empty() {
                    Ok(())
                } else {
                    Err(anyhow!("app process(es) still running: {left:?}"))
                }
            }
        })
        .await
    }

    /// Restarts the app on the same data directory: ends the session, waits for the process to
    /// exit, opens a new session, waits for `app-ready`.
    pub async fn restart(&mut self) -> Result<()> {
        self.quit_app().await.context("restart: stopping the app")?;
        self.launch().await.context("restart: starting the app again")
    }

    // ---- finding elements (by test id only) ----

    /// The element with this test id, waiting up to [`WAIT`] for it to exist.
    pub async fn find(&self, test_id: &str) -> Result<WebElement> {
        let wd = self.wd();
        wait_until(&format!("an element {}", sel(test_id)), || async move {
            wd.find(tid(test_id)).await.map_err(|_| anyhow!("no such element"))
        })
        .await
    }

    /// The element with this test id, waiting until it exists and is displayed.
    pub async fn find_visible(&self, test_id: &str) -> Result<WebElement> {
        let wd = self.wd();
        wait_until(&format!("a displayed element {}", sel(test_id)), || async move {
            let e = wd.find(tid(test_id)).await.map_err(|_| anyhow!("no such element"))?;
            if e.is_displayed().await.unwrap_or(false) {
                Ok(e)
            } else {
                Err(anyhow!("it exists but is not displayed"))
            }
        })
        .await
    }

    /// The first displayed element matching a CSS selector (for library markup such as an
    /// Element Plus message), waiting until there is one.
    pub async fn find_visible_css(&self, css: &str) -> Result<WebElement> {
        let wd = self.wd();
        wait_until(&format!("a displayed element {css}"), || async move {
            for e in wd.find_all(By::Css(css)).await? {
                if e.is_displayed().await.unwrap_or(false) {
                    return Ok(e);
                }
            }
            Err(anyhow!("none displayed"))
        })
        .await
    }

    /// Waits until nothing matching a CSS selector is displayed (e.g. passing toasts).
    pub async fn wait_gone_css(&self, css: &str) -> Result<()> {
        let wd = self.wd();
        wait_until(&format!("{css} to be gone"), || async move {
            for e in wd.find_all(By::Css(css)).await.unwrap_or_default() {
                if e.is_displayed().await.unwrap_or(false) {
                    bail!("still displayed");
                }
            }
            Ok(())
        })
        .await
    }

    /// All elements with this test id now (no waiting).
    pub async fn find_all(&self, test_id: &str) -> Result<Vec<WebElement>> {
        self.wd().find_all(tid(test_id)).await.with_context(|| format!("finding all {}", sel(test_id)))
    }

    /// All *displayed* elements with this test id now.
    pub async fn find_all_visible(&self, test_id: &str) -> Result<Vec<WebElement>> {
        let mut out = Vec::new();
        for e in self.find_all(test_id).await? {
            if e.is_displayed().await.unwrap_or(false) {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// The element with this test id inside `parent` (no waiting).
    pub async fn find_in(&self, parent: &WebElement, test_id: &str) -> Result<WebElement> {
        parent.find(tid(test_id)).await.with_context(|| format!("no {} inside the element", sel(test_id)))
    }

    /// Waits until the element with this test id is absent or hidden.
    pub async fn wait_gone(&self, test_id: &str) -> Result<()> {
        let wd = self.wd();
        wait_until(&format!("{} to be gone or hidden", sel(test_id)), || async move {
            for e in wd.find_all(tid(test_id)).await.unwrap_or_default() {
                if e.is_displayed().await.unwrap_or(false) {
                    bail!("it is still displayed: {:?}", self.text(&e).await.unwrap_or_default());
                }
            }
            Ok(())
        })
        .await
    }

    /// Waits until the displayed element with this test id reads `expected` (trimmed).
    pub async fn wait_text(&self, test_id: &str, expected: &str) -> Result<()> {
        let wd = self.wd();
        wait_until(&format!("{} to read {expected:?}", sel(test_id)), || async move {
            let e = wd.find(tid(test_id)).await.map_err(|_| anyhow!("no such element"))?;
            let t = self.text(&e).await?;
            if t == expected {
                Ok(())
            } else {
                Err(anyhow!("it reads {t:?}"))
            }
        })
        .await
    }

    /// Clicks the displayed element with this test id. A click that another element intercepts
    /// (an overlay still fading out, a toast) is tried again until [`WAIT`] runs out, as a person
    /// waits for an animation to end.
    pub async fn click(&self, test_id: &str) -> Result<()> {
        let e = self.find_visible(test_id).await?;
        self.click_element(&e).await.with_context(|| format!("clicking {}", sel(test_id)))
    }

    /// Clicks an element, trying again while the click is intercepted or the element is not yet
    /// interactable.
    pub async fn click_element(&self, e: &WebElement) -> Result<()> {
        wait_until("the element to take a click", || async move {
            match e.click().await {
                Ok(()) => Ok(Ok(())),
                Err(err) => {
                    let text = err.to_string();
                    if text.contains("not interactable") {
                        // WebKitWebDriver scrolls only an element that has boxes; one inside a
                        // part the page does not render while off screen (`content-visibility:
                        // auto`, e.g. a dashboard tile) has none until it is near the viewport.
                        // Bring its nearest rendered ancestor into view, as a person scrolls to
                        // what they mean to click, and try again.
                        self.wd()
                            .execute(
                                "let n = arguments[0]; \
                                 while (n && n.getClientRects().length === 0) n = n.parentElement; \
                                 if (n) n.scrollIntoView({block: 'center'}); return null;",
                                vec![e.to_json()?],
                            )
                            .await
                            .context("scrolling the element's part of the page into view")?;
                    }
                    if text.contains("intercepted") || text.contains("not interactable") {
                        Err(anyhow!("{}", text.lines().next().unwrap_or_default().trim()))
                    } else {
                        Ok(Err(anyhow::Error::new(err)))
                    }
                }
            }
        })
        .await?
    }

    /// The text a person reads in an element: its `innerText` while it is rendered, "" when it is
    /// not. (WebDriver's "Get Element Text" is not used: WebKitWebDriver returns "" for text inside
    /// an `overflow: hidden; text-overflow: ellipsis` box even when it is fully shown, e.g. the side
    /// navigation's labels and the list's name cells, and drops such cells from a row's text.)
    pub async fn text(&self, e: &WebElement) -> Result<String> {
        let ret = self
            .wd()
            .execute(
                "const e = arguments[0]; \
                 return (e.isConnected && e.getClientRects().length > 0) ? e.innerText : null;",
                vec![e.to_json()?],
            )
            .await
            .context("reading an element's innerText")?;
        Ok(ret.json().as_str().unwrap_or_default().trim().to_string())
    }

    /// Waits until no finite CSS animation or transition is running in the page (a dialog has
    /// finished opening, a confirmation has faded out), as a person waits for the screen to be
    /// still. Endless animations (spinners, pulsing dots) are not waited for.
    pub async fn wait_settled(&self) -> Result<()> {
        let wd = self.wd();
        wait_until("the page's animations and transitions to finish", || async move {
            let ret = wd
                .execute(
                    "return document.getAnimations().filter(a => a.playState === 'running' \
                     && (a.effect?.getTiming().iterations ?? 1) !== Infinity).length;",
                    Vec::new(),
                )
                .await?;
            match ret.json().as_u64() {
                Some(0) => Ok(()),
                n => Err(anyhow!("{n:?} running")),
            }
        })
        .await
    }

    /// Whether the focused element is (inside) the element with this test id.
    pub async fn focus_is_in(&self, test_id: &str) -> Result<bool> {
        let ret = self
            .wd()
            .execute(
                "const c = document.querySelector(arguments[0]); \
                 return !!c && !!document.activeElement && c.contains(document.activeElement);",
                vec![serde_json::Value::String(sel(test_id))],
            )
            .await?;
        Ok(ret.json().as_bool().unwrap_or(false))
    }

    /// Types `text` into an `<input>` (an Element Plus `el-input`'s inner input) as a person would:
    /// click into it, select all and delete what is there, type. Checks the value afterwards.
    pub async fn type_into(&self, input: &WebElement, text: &str) -> Result<()> {
        self.click_element(input).await.context("clicking into the input")?;
        input.send_keys(Key::Control + "a").await.context("selecting the input's text")?;
        input.send_keys(Key::Backspace).await.context("deleting the input's text")?;
        if !text.is_empty() {
            input.send_keys(text).await.with_context(|| format!("typing {text:?}"))?;
        }
        let value = wait_until(&format!("the input to hold {text:?}"), || async move {
            let v = input.prop("value").await?.unwrap_or_default();
            if v == text {
                Ok(v)
            } else {
                Err(anyhow!("it holds {v:?}"))
            }
        })
        .await?;
        debug_assert_eq!(value, text);
        Ok(())
    }

    /// [`Self::type_into`] the displayed input with this test id.
    pub async fn type_into_id(&self, test_id: &str, text: &str) -> Result<()> {
        let e = self.find_visible(test_id).await?;
        self.type_into(&e, text).await.with_context(|| format!("typing into {}", sel(test_id)))
    }

    /// Drags `handle` as a person would: moves the pointer to its centre, presses, moves in
    /// `steps` small steps (each taking `step` time) to the viewport point (`to_x`, `to_y`),
    /// rests there, and releases. Plain WebDriver pointer actions, no script.
    pub async fn drag_to(
        &self,
        handle: &WebElement,
        to_x: i64,
        to_y: i64,
        steps: u32,
        step: Duration,
    ) -> Result<()> {
        let r = handle.rect().await.context("reading the drag handle's position")?;
        let (sx, sy) = ((r.x + r.width / 2.0).round() as i64, (r.y + r.height / 2.0).round() as i64);
        let wd = self.wd();
        // Press in one action sequence, move in the next ones, release in the last: the pressed
        // button is kept between sequences (input state lives in the session).
        wd.action_chain_with_delay(None, Some(Duration::from_millis(0)))
            .move_to(sx, sy)
            .click_and_hold()
            .perform()
            .await
            .context("pressing on the drag handle")?;
        tokio::time::sleep(step).await;
        let steps = steps.max(1) as i64;
        for i in 1..=steps {
            let x = sx + (to_x - sx) * i / steps;
            let y = sy + (to_y - sy) * i / steps;
            wd.action_chain_with_delay(None, Some(step))
                .move_to(x, y)
                .perform()
                .await
                .with_context(|| format!("moving the pointer to ({x}, {y})"))?;
            tokio::time::sleep(step).await;
        }
        // Rest over the target, as a hand does, before letting go.
        tokio::time::sleep(step * 4).await;
        wd.action_chain_with_delay(None, Some(Duration::from_millis(0)))
            .release()
            .perform()
            .await
            .context("releasing the pointer")?;
        Ok(())
    }

    // ---- artifacts ----

    /// Saves a screenshot `<artifacts>/<test>-<label>.png` and the page's HTML next to it.
    pub async fn save_artifacts(&self, label: &str) -> Result<(PathBuf, PathBuf)> {
        let png = self.artifacts.join(format!("{}-{label}.png", self.name));
        let html = self.artifacts.join(format!("{}-{label}.html", self.name));
        x_screenshot(&png)?;
        if let Ok(src) = self.wd().source().await {
            let _ = fs::write(&html, src);
        }
        Ok((png, html))
    }

    /// Ends the test: on success quits the app; on failure saves a screenshot and the page to the
    /// artifacts, keeps the data directory, quits, and panics with what was expected and seen.
    pub async fn finish(mut self, outcome: Result<()>) {
        match outcome {
            Ok(()) => {
                if let Err(e) = self.quit_app().await {
                    self.fail(e.context("the test passed, but the app did not stop cleanly")).await;
                }
                let ui_errors: Vec<String> =
                    self.ui_errors().into_iter().filter(|l| !l.contains(EXPECTED_UI_ERROR)).collect();
                if !ui_errors.is_empty() {
                    let e = anyhow!("the UI reported errors during the test:\n  {}", ui_errors.join("\n  "));
                    self.fail(e).await;
                }
            }
            Err(e) => self.fail(e).await,
        }
    }

    /// Everything the app (and tauri-driver) logged so far.
    pub fn app_log(&self) -> String {
        fs::read_to_string(self.driver.log()).unwrap_or_default()
    }

    /// The central server's address as the app logged it (`central server connected url=…`), once
    /// it is connected.
    pub fn server_url(&self) -> Option<String> {
        let log = self.app_log();
        let line = log.lines().rev().find(|l| l.contains("central server connected"))?;
        let url = line.split_whitespace().find_map(|w| w.strip_prefix("url="))?;
        Some(url.trim_matches('"').to_string())
    }

    /// Where this test's artifacts (logs, screenshots) go.
    pub fn artifacts(&self) -> &Path {
        &self.artifacts
    }

    /// Lines of the app's log where the UI reported an error (see `report_ui_error`), including
    /// those a test provoked on purpose (marked with [`EXPECTED_UI_ERROR`]).
    pub fn ui_errors(&self) -> Vec<String> {
        let log = fs::read_to_string(self.driver.log()).unwrap_or_default();
        log.lines().filter(|l| l.contains("UI error (")).map(str::to_owned).collect()
    }

    async fn fail(&mut self, e: anyhow::Error) -> ! {
        let mut report = format!("end-to-end test `{}` failed: {e}\n", self.name);
        for cause in e.chain().skip(1) {
            report += &format!("  because: {}\n", cause.to_string().trim_end().replace('\n', "\n    "));
        }
        if self.session.is_some() {
            match self.save_artifacts("failure").await {
                Ok((png, html)) => {
                    report += &format!("  screenshot: {}\n  page HTML:  {}\n", png.display(), html.display())
                }
                Err(se) => report += &format!("  (no screenshot: {se:#})\n"),
            }
        }
        if let Some(dir) = self.data_dir.take() {
            let kept = dir.keep();
            report += &format!("  data dir kept: {}\n", kept.display());
        }
        report += &format!("  tauri-driver + app log: {}\n", self.driver.log().display());
        if let Some(wd) = self.session.take() {
            let _ = wd.quit().await;
        }
        panic!("{report}");
    }
}

/// A UI error whose text holds this marker was provoked by a test and does not fail it.
pub const EXPECTED_UI_ERROR: &str = "expected-by-e2e";

/// Photographs the whole X display (the app's window under Xvfb) with ImageMagick's `import`.
/// WebKitWebDriver's own screenshot hangs when WebKit paints without compositing, which is how
/// the app runs (see `prefer_software_painting` in src-tauri).
pub fn x_screenshot(path: &Path) -> Result<()> {
    let status = std::process::Command::new("import")
        .args(["-window", "root"])
        .arg(path)
        .status()
        .context("running ImageMagick's import (apt package imagemagick)")?;
    anyhow::ensure!(status.success(), "import -window root {} failed: {status}", path.display());
    Ok(())
}
