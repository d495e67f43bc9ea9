//! The live queue monitor (总览) in the real app, with the embedded server and the simulator
//! (`--simulate-speed`): traffic flows and the tiles follow it; low thresholds set in the settings
//! page (a refused value first, shown at its field) make a window cross into alarm, and the desktop
//! notification reaches a real notification daemon (dunst, D-Bus activated on the test's session
//! bus), seen by `dbus-monitor` as a `Notify` call with the expected title and the daemon's reply;
//! clicking it (dunst's `dunstctl action`) brings the app to that window's tile; pausing a window
//! from its tile reaches the server (its display feed, read with the simulated display's token).
//! Screenshots of the dashboard in both languages go to `$HALLKEEPER_SCREENSHOTS`
//! (scripts/screenshot.sh), else to the artifacts.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, ensure, Context, Result};
use hallkeeper_e2e::{wait_until, wait_until_for, By, Harness, WebElement};

use crate::pages::has_cjk;

/// Simulated hall seconds per real second: a busy morning within a minute.
const SPEED: &str = "120";
/// The demo hall the simulator seeds.
const DEMO_WINDOWS: usize = 20;
/// The embedded server, the seed and the simulator's devices start after the window.
const HALL_UP: Duration = Duration::from_secs(90);
/// Long enough for the simulated hall to move.
const TRAFFIC: Duration = Duration::from_secs(60);

// ---- the session bus, watched -------------------------------------------------------------------

/// `dbus-monitor --session` as a child, writing what it sees to a file; SIGTERM on drop.
pub(crate) struct DbusMonitor {
    child: Child,
    log: PathBuf,
}

impl DbusMonitor {
    /// Starts it on the notification interface (calls and signals) and on every method return
    /// (a reply names no interface), and waits until it is monitoring.
    pub(crate) fn start(log: &Path) -> Result<Self> {
        let out = File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let err = out.try_clone()?;
        let child = Command::new("dbus-monitor")
            .arg("--session")
            .arg("type='method_call',interface='org.freedesktop.Notifications'")
            .arg("type='signal',interface='org.freedesktop.Notifications'")
            .arg("type='method_return'")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .context("starting dbus-monitor (Debian package dbus-bin / dbus-x11)")?;
        let mut m = DbusMonitor { child, log: log.to_path_buf() };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if m.text().contains("NameAcquired") {
                return Ok(m);
            }
            if let Ok(Some(status)) = m.child.try_wait() {
                bail!("dbus-monitor exited with {status}: {}", m.text());
            }
            if Instant::now() > deadline {
                bail!("dbus-monitor did not start monitoring within 10 s: {:?}", m.text());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn text(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub(crate) fn messages(&self) -> Vec<BusMessage> {
        parse_monitor(&self.text())
    }
}

impl Drop for DbusMonitor {
    fn drop(&mut self) {
        // SAFETY: plain kill(2) on the pid of a child we spawned and have not reaped yet.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
        let _ = self.child.wait();
    }
}

/// One message as dbus-monitor prints it: its header line and its argument lines.
#[derive(Debug, Clone)]
pub(crate) struct BusMessage {
    /// `method call`, `method return`, `signal`, `error`.
    kind: String,
    header: HashMap<String, String>,
    /// Top-level and nested argument lines, trimmed (`string "…"`, `uint32 7`).
    args: Vec<String>,
}

impl BusMessage {
    fn get(&self, key: &str) -> Option<&str> {
        self.header.get(key).map(String::as_str)
    }

    /// The values of the `string "…"` arguments, in order.
    fn strings(&self) -> Vec<String> {
        self.args
            .iter()
            .filter_map(|a| a.strip_prefix("string \"").and_then(|s| s.strip_suffix('"')))
            .map(str::to_owned)
            .collect()
    }

    fn first_u32(&self) -> Option<u32> {
        self.args.iter().find_map(|a| a.strip_prefix("uint32 ")?.trim().parse().ok())
    }
}

fn parse_monitor(text: &str) -> Vec<BusMessage> {
    let mut out: Vec<BusMessage> = Vec::new();
    for line in text.lines() {
        if line.starts_with(' ') {
            if let Some(m) = out.last_mut() {
                m.args.push(line.trim().to_owned());
            }
            continue;
        }
        let kind =
            ["method call", "method return", "signal", "error"].into_iter().find(|k| line.starts_with(k));
        let Some(kind) = kind else { continue };
        let mut header = HashMap::new();
        for field in line[kind.len()..].split([' ', ';']) {
            if let Some((k, v)) = field.split_once('=') {
                header.insert(k.to_owned(), v.to_owned());
            }
        }
        out.push(BusMessage { kind: kind.to_owned(), header, args: Vec::new() });
    }
    out
}

/// A notification the app sent and the daemon answered: its title, body and the daemon's id.
#[derive(Debug, Clone)]
pub(crate) struct Delivered {
    pub(crate) title: String,
    pub(crate) body: String,
    pub(crate) id: u32,
}

/// The app's `Notify` calls whose title starts with `prefix`, each with the daemon's reply.
pub(crate) fn delivered(msgs: &[BusMessage], prefix: &str) -> Vec<Delivered> {
    let mut out = Vec::new();
    for call in msgs.iter().filter(|m| m.kind == "method call" && m.get("member") == Some("Notify")) {
        let s = call.strings();
        // Notify(app_name, replaces_id, app_icon, summary, body, actions, hints, timeout)
        let (Some(title), Some(body)) = (s.get(2), s.get(3)) else { continue };
        if !title.starts_with(prefix) {
            continue;
        }
        let (Some(sender), Some(serial)) = (call.get("sender"), call.get("serial")) else { continue };
        let reply = msgs.iter().find(|m| {
            m.kind == "method return"
                && m.get("destination") == Some(sender)
                && m.get("reply_serial") == Some(serial)
        });
        if let Some(id) = reply.and_then(BusMessage::first_u32) {
            out.push(Delivered { title: title.clone(), body: body.clone(), id });
        }
    }
    out
}

/// `ActionInvoked(id, action)` signals the daemon sent.
fn actions_invoked(msgs: &[BusMessage]) -> Vec<(u32, String)> {
    msgs.iter()
        .filter(|m| m.kind == "signal" && m.get("member") == Some("ActionInvoked"))
        .filter_map(|m| Some((m.first_u32()?, m.strings().first()?.clone())))
        .collect()
}

// ---- the dashboard, as a person reads it --------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
struct Tile {
    window_id: String,
    number: String,
    state: String,
    level: String,
    waiting: String,
    served: String,
}

async fn tiles(h: &Harness) -> Result<Vec<Tile>> {
    let mut out = Vec::new();
    for e in h.find_all("dashboard-tile").await? {
        out.push(read_tile(h, &e).await?);
    }
    Ok(out)
}

async fn read_tile(h: &Harness, e: &WebElement) -> Result<Tile> {
    let attr = |name: &'static str| async move { e.attr(name).await.map(|v| v.unwrap_or_default()) };
    Ok(Tile {
        window_id: attr("data-window-id").await?,
        number: attr("data-number").await?,
        state: attr("data-state").await?,
        level: attr("data-level").await?,
        waiting: h.text(&h.find_in(e, "tile-waiting").await?).await?,
        served: h.text(&h.find_in(e, "tile-served").await?).await?,
    })
}

async fn tile(h: &Harness, number: &str) -> Result<WebElement> {
    h.wd()
        .find(By::Css(format!(r#"[data-testid="dashboard-tile"][data-number="{number}"]"#)))
        .await
        .map_err(|_| anyhow!("no tile for window {number}"))
}

async fn open_dashboard(h: &Harness) -> Result<()> {
    h.click("nav-dashboard").await.context("going to 总览")?;
    h.find_visible("dashboard-view").await.map(|_| ())
}

/// Waits until the simulated hall is on the dashboard: every window a tile.
async fn wait_hall(h: &Harness) -> Result<Vec<Tile>> {
    wait_until_for(
        HALL_UP,
        &format!("the dashboard to show the demo hall's {DEMO_WINDOWS} windows"),
        || async {
            let t = tiles(h).await?;
            ensure!(t.len() == DEMO_WINDOWS, "{} tiles", t.len());
            Ok(t)
        },
    )
    .await
}

/// Types into the threshold input with this test id and saves.
async fn set_thresholds(h: &Harness, values: &[(&str, &str)]) -> Result<()> {
    for (id, v) in values {
        h.type_into_id(id, v).await?;
    }
    h.click("thresholds-save").await.context("pressing 保存阈值")
}

async fn open_thresholds(h: &Harness) -> Result<()> {
    h.click("nav-settings").await.context("going to the settings")?;
    wait_until("the threshold settings to load", || async {
        let s = h.find_visible("thresholds-section").await?.attr("data-status").await?.unwrap_or_default();
        ensure!(s == "ready", "data-status={s:?}");
        Ok(())
    })
    .await
}

// ---- the server, as its display sees it ---------------------------------------------------------

/// The simulated display's bearer token, from the simulator's state file in the data folder.
fn display_token(data_dir: &Path) -> Result<String> {
    let path = data_dir.join("server").join("simulator.json");
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let v: serde_json::Value = serde_json::from_str(&text)?;
    v["halls"]
        .as_object()
        .into_iter()
        .flat_map(|halls| halls.values())
        .find_map(|h| h["display"]["token"].as_str())
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("no display token in {}", path.display()))
}

/// The state of window `number` in the server's display feed.
fn display_state(server: &str, token: &str, number: &str) -> Result<String> {
    let feed = crate::device_http::http("GET", &format!("{server}/api/v1/display"), token, None)?;
    feed["windows"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|w| w["number"].as_str() == Some(number))
        .and_then(|w| w["state"].as_str())
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("window {number} is not in the display feed"))
}

/// Reads the display feed every 20 ms on a thread of its own until stopped, remembering whether
/// window `number` was ever seen in `state` (the simulated caller of a paused window reopens it
/// at its next call, so the paused state may be short-lived on the server).
struct DisplayWatch {
    seen: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<Vec<String>>>,
}

impl DisplayWatch {
    fn start(server: String, token: String, number: String, state: &'static str) -> Self {
        let seen = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let (s2, st2) = (seen.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut states = Vec::new();
            while !st2.load(Ordering::SeqCst) {
                match display_state(&server, &token, &number) {
                    Ok(st) => {
                        if st == state {
                            s2.store(true, Ordering::SeqCst);
                        }
                        if states.last() != Some(&st) {
                            states.push(st);
                        }
                    }
                    Err(e) => states.push(format!("error: {e:#}")),
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            states
        });
        DisplayWatch { seen, stop, thread: Some(thread) }
    }

    /// Stops and says which states were seen, in order.
    fn finish(mut self) -> Vec<String> {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.take().and_then(|t| t.join().ok()).unwrap_or_default()
    }
}

impl Drop for DisplayWatch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

// ---- the tests ----------------------------------------------------------------------------------

/// Traffic moves the tiles; low thresholds (saved in the settings page, after a refused value
/// shown at its field) raise a desktop notification that dunst receives and answers; clicking it
/// brings the app to that window's tile; pausing a window from its tile reaches the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_dashboard_alarm_notification_and_pause() {
    hallkeeper_e2e::require_display();
    let artifacts = hallkeeper_e2e::paths::artifacts_dir();
    fs::create_dir_all(&artifacts).expect("artifacts folder");
    let monitor = DbusMonitor::start(&artifacts.join("live_dashboard.dbus-monitor.log"))
        .unwrap_or_else(|e| panic!("{e:#}"));
    let h =
        Harness::start_with_args("live_dashboard_alarm_notification_and_pause", &["--simulate-speed", SPEED])
            .await;
    let outcome = async {
        // The app opens on 总览.
        h.wait_text("page-title", "总览").await.context("the app should open on 总览")?;
        let first = wait_hall(&h).await?;

        // Traffic flows: some window's count of people waiting changes on its tile.
        let before: BTreeMap<String, String> =
            first.iter().map(|t| (t.number.clone(), t.waiting.clone())).collect();
        let (number, was, now) =
            wait_until_for(TRAFFIC, "a window's waiting count to change on its tile", || async {
                for t in tiles(&h).await? {
                    if let Some(was) = before.get(&t.number) {
                        if *was != t.waiting {
                            return Ok((t.number, was.clone(), t.waiting));
                        }
                    }
                }
                bail!("no tile changed yet: {before:?}")
            })
            .await?;
        eprintln!("window {number}: {was} → {now} waiting");
        let served = h.text(&h.find_visible("totals-served").await?).await?;
        ensure!(served.parse::<u32>().is_ok(), "totals-served reads {served:?}");

        // A refused threshold is shown at its field; then a low one is saved.
        open_thresholds(&h).await?;
        set_thresholds(
            &h,
            &[("thresholds-window-waitingWarning", "2"), ("thresholds-window-waitingAlarm", "1")],
        )
        .await?;
        let err = h
            .find_visible(r#"thresholds-field-error"#)
            .await
            .context("an alarm level below the warning level should be refused at its field")?;
        let field = err.attr("data-field").await?.unwrap_or_default();
        ensure!(field == "windowDefault.waitingAlarm", "the error is shown at {field:?}");
        let msg = h.text(&err).await?;
        ensure!(has_cjk(&msg) && msg.contains("告警值"), "the field's error reads {msg:?}");

        let notified_before = delivered(&monitor.messages(), "排队告警").len();
        set_thresholds(
            &h,
            &[("thresholds-window-waitingWarning", "1"), ("thresholds-window-waitingAlarm", "1")],
        )
        .await?;
        h.find_visible_css(".el-message--success").await.context("阈值已保存")?;
        h.wait_gone("thresholds-field-error").await?;

        // Some window has people waiting: it crosses into alarm, and dunst gets the notification.
        let numbers: Vec<String> = first.iter().map(|t| t.number.clone()).collect();
        let shown = wait_until_for(
            Duration::from_secs(30),
            "a queue-alarm notification delivered to dunst",
            || async {
                let all = delivered(&monitor.messages(), "排队告警");
                let new: Vec<Delivered> = all.into_iter().skip(notified_before).collect();
                for d in &new {
                    if let Some(n) = d.title.strip_prefix("排队告警：").and_then(|t| t.strip_suffix(" 窗口"))
                    {
                        if numbers.iter().any(|x| x == n) {
                            return Ok(d.clone());
                        }
                    }
                }
                bail!("new notifications answered by the daemon: {new:?}")
            },
        )
        .await?;
        eprintln!("delivered: {shown:?}");
        ensure!(
            shown.body.contains(" 人等候")
                && shown.body.split(' ').next().and_then(|n| n.parse::<u32>().ok()).is_some_and(|n| n >= 1),
            "the notification's body should say how many wait: {:?}",
            shown.body
        );

        // Clicking a notification (dunst's default action on the top one) brings 总览 back with
        // that window's tile shown. We are on the settings page when it is clicked.
        let clicked =
            wait_until_for(Duration::from_secs(20), "dunst to report a click on a notification", || async {
                let out =
                    Command::new("dunstctl").args(["action", "0"]).output().context("running dunstctl")?;
                ensure!(out.status.success(), "dunstctl action 0: {}", String::from_utf8_lossy(&out.stderr));
                tokio::time::sleep(Duration::from_millis(300)).await;
                let msgs = monitor.messages();
                let answered = delivered(&msgs, "排队告警");
                for (id, action) in actions_invoked(&msgs) {
                    if let Some(d) = answered.iter().find(|d| d.id == id) {
                        return Ok((d.clone(), action));
                    }
                }
                bail!("no ActionInvoked for one of our notifications yet")
            })
            .await?;
        eprintln!("clicked: {clicked:?}");
        ensure!(clicked.1 == "default", "the click should be the default action, was {:?}", clicked.1);
        let expected = match clicked.0.title.strip_prefix("排队告警：").and_then(|t| t.strip_suffix(" 窗口"))
        {
            Some(n) => n.to_owned(),
            // The summary of several: it shows the first one it names.
            None => clicked.0.body.split(" 窗口").next().unwrap_or_default().to_owned(),
        };
        h.wait_text("page-title", "总览").await.context("a click on the notification should open 总览")?;
        wait_until(&format!("window {expected}'s tile to be shown (data-focused)"), || async {
            let e = tile(&h, &expected).await?;
            let focused = e.attr("data-focused").await?.unwrap_or_default();
            ensure!(focused == "true", "data-focused={focused:?}");
            Ok(())
        })
        .await?;

        // Some tile is in alarm (1 waiting is enough now).
        wait_until("a tile in alarm", || async {
            let t = tiles(&h).await?;
            ensure!(
                t.iter().any(|t| t.level == "alarm"),
                "levels: {:?}",
                t.iter().map(|t| &t.level).collect::<Vec<_>>()
            );
            Ok(())
        })
        .await?;

        // Pausing a window from its tile reaches the server.
        let server = wait_until("the app to log the central server's address", || async {
            h.server_url().ok_or_else(|| anyhow!("not logged yet"))
        })
        .await?;
        let token = display_token(h.data_dir())?;
        let target = tiles(&h)
            .await?
            .into_iter()
            .find(|t| t.state == "open")
            .ok_or_else(|| anyhow!("no open window to pause"))?;
        ensure!(
            display_state(&server, &token, &target.number)? == "open",
            "window {} should be open on the server first",
            target.number
        );
        let watch = DisplayWatch::start(server.clone(), token.clone(), target.number.clone(), "paused");
        let e = tile(&h, &target.number).await?;
        // The supervisor may have scrolled away (the notification's click above scrolls to its
        // window): the tile to pause is off screen, and its contents are not rendered
        // (content-visibility) until it is brought into view, as a person would scroll to it.
        h.wd()
            .execute(
                "const m = document.querySelector('main.content'); m.scrollTop = m.scrollHeight; return null;",
                Vec::new(),
            )
            .await?;
        h.click_element(&h.find_in(&e, "tile-state-paused").await?).await.context("pausing from the tile")?;
        let seen = wait_until_for(
            Duration::from_secs(15),
            &format!("the server to show window {} paused", target.number),
            || async {
                ensure!(watch.seen.load(Ordering::SeqCst), "not seen paused yet");
                Ok(())
            },
        )
        .await;
        let states = watch.finish();
        seen.with_context(|| format!("states the display feed showed: {states:?}"))?;
        eprintln!("window {} on the server: {states:?}", target.number);
        Ok::<(), anyhow::Error>(())
    }
    .await;
    h.finish(outcome).await;
    drop(monitor);
}

/// 总览 with live simulated traffic, photographed in Chinese and English (with thresholds low
/// enough that the picture has warnings, alarms and suggestions).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_in_both_languages() {
    // The alarms this picture raises would cover the page's corner: dunst keeps them back until
    // the test ends (the guard resumes it, so later tests on the same bus see theirs).
    let _quiet = DunstPaused::new();
    let h = Harness::start_with_args("dashboard_in_both_languages", &["--simulate-speed", SPEED]).await;
    let outcome = async {
        wait_hall(&h).await?;
        open_thresholds(&h).await?;
        set_thresholds(
            &h,
            &[
                ("thresholds-window-waitingWarning", "4"),
                ("thresholds-window-waitingAlarm", "8"),
                ("thresholds-matter-waitingWarning", "3"),
                ("thresholds-matter-waitingAlarm", "6"),
            ],
        )
        .await?;
        h.find_visible_css(".el-message--success").await?;
        open_dashboard(&h).await?;
        // A busy hall: people waiting, something served, the charts drawn.
        wait_until_for(TRAFFIC, "a busy hall (≥ 15 waiting, an alert, a suggestion)", || async {
            let waiting: u32 = h.text(&h.find_visible("totals-waiting").await?).await?.parse()?;
            let alerts = h.find_all("alert-row").await?.len();
            let suggestions = h.find_all("suggestion-row").await?.len();
            ensure!(waiting >= 15 && alerts > 0 && suggestions > 0, "waiting {waiting}, {alerts} alerts, {suggestions} suggestions");
            Ok(())
        })
        .await?;
        h.find_visible("chart-waiting").await?;

        let dir = std::env::var_os("HALLKEEPER_SCREENSHOTS")
            .map(PathBuf::from)
            .unwrap_or_else(|| hallkeeper_e2e::paths::artifacts_dir().join("screenshots"));
        fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        rest_pointer(&h).await?;
        crate::screenshot(&h, dir.join("dashboard-zh.png")).await?;
        // The lower half (charts, the queue per matter), for the artifacts.
        h.wd()
            .execute(r#"document.querySelector('[data-testid="chart-waiting"]').scrollIntoView({block: 'start'}); return null;"#, Vec::new())
            .await?;
        crate::screenshot(&h, h.artifacts().join("dashboard_in_both_languages-lower-zh.png")).await?;
        h.wd().execute("document.querySelector('main.content').scrollTop = 0; return null;", Vec::new()).await?;

        h.click("lang-switch").await?;
        h.wait_text("page-title", "Dashboard").await?;
        // The hall's figures in English words (window and matter names stay the hall's own).
        for id in ["dashboard-totals", "dashboard-updated"] {
            let text = h.text(&h.find_visible(id).await?).await?;
            ensure!(!has_cjk(&text), "{id} still has Chinese in English: {text:?}");
        }
        rest_pointer(&h).await?;
        crate::screenshot(&h, dir.join("dashboard-en.png")).await?;
        Ok::<(), anyhow::Error>(())
    }
    .await;
    h.finish(outcome).await;
}

/// Dunst holds notifications back (they are still received) while this lives.
struct DunstPaused;

impl DunstPaused {
    fn new() -> Self {
        let _ = Command::new("dunstctl").args(["set-paused", "true"]).status();
        DunstPaused
    }
}

impl Drop for DunstPaused {
    fn drop(&mut self) {
        let _ = Command::new("dunstctl").args(["set-paused", "false"]).status();
        let _ = Command::new("dunstctl").arg("close-all").status();
    }
}

async fn rest_pointer(h: &Harness) -> Result<()> {
    h.wd().action_chain().move_to(1270, 790).move_to(1275, 795).perform().await.ok();
    h.wd().execute("document.activeElement?.blur(); return null;", Vec::new()).await?;
    Ok(())
}

/// Without the central server (a remote address nobody answers on) and without windows: 总览 says
/// the hall has no windows, and a banner says the data is not live.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_and_empty_dashboard() {
    // A server of the test's own, that the person signs in through once; then it goes away, and
    // every attempt to reach it is refused (issue 17: only a person who signed in here through
    // the server can sign in offline).
    let dir = tempfile::tempdir().unwrap();
    let mut server = crate::people::own_server(dir.path());
    let url = server.url();
    let mut h =
        Harness::start_signed_out("offline_and_empty_dashboard", &["--server", &url, "--hall", "local"])
            .await;
    let signed_in_once = async {
        h.sign_in(hallkeeper_e2e::ADMIN_LOGIN, hallkeeper_e2e::ADMIN_PASSWORD).await?;
        h.wait_ready().await?;
        server.stop();
        h.restart().await?;
        h.sign_in(hallkeeper_e2e::ADMIN_LOGIN, hallkeeper_e2e::ADMIN_PASSWORD).await?;
        h.wait_ready().await
    }
    .await;
    if signed_in_once.is_err() {
        h.finish(signed_in_once.context("signing in through the server, then offline")).await;
        return;
    }
    let outcome = async {
        h.find_visible("header-offline").await.context("signed in offline")?;
        h.wait_text("page-title", "总览").await?;
        h.find_visible("dashboard-empty").await.context("a hall without windows shows the empty state")?;
        let banner = wait_until_for(Duration::from_secs(30), "the offline banner", || async {
            let e = h.find_visible("dashboard-offline").await?;
            let state = e.attr("data-state").await?.unwrap_or_default();
            ensure!(state == "offline", "data-state={state:?}");
            Ok(e)
        })
        .await?;
        let text = h.text(&banner).await?;
        ensure!(text.starts_with("离线"), "the banner reads {text:?}");
        h.click("dashboard-empty-add").await?;
        h.find_visible("windows-empty")
            .await
            .context("the empty state's button leads to the windows page")?;
        Ok::<(), anyhow::Error>(())
    }
    .await;
    h.finish(outcome).await;
}
