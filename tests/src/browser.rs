//! A real browser for the device pages (kiosk, terminal, pad, display): Debian's headless
//! `chromium` driven through `/usr/bin/chromedriver` (packages `chromium`, `chromium-driver`),
//! with the same WebDriver client and the same habits as [`crate::Harness`] — elements found by
//! their test attribute only, waits that say what they last saw, artifacts on failure.
//!
//! It shares nothing with the Tauri harness (its own driver process, port, profile and session),
//! so one test can hold both: the desktop app through tauri-driver and a kiosk page here, as a
//! hall runs them side by side.
//!
//! Console errors are collected from chromedriver's browser log (`goog:loggingPrefs`), drained at
//! every [`Browser::console_errors`] call and before the session ends; [`Browser::finish`] fails a
//! test whose page logged an error it did not declare with [`Browser::allow_console_error`].

use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use tempfile::TempDir;

use crate::harness::pids_with_arg;
use thirtyfour::{
    By, ChromiumLikeCapabilities, DesiredCapabilities, LoggingPrefsLogLevel, WebDriver, WebElement,
};

use crate::{paths, wait_until, wait_until_for};

/// The attribute the device pages mark their elements with (`data-testid="kiosk-take-now"`), as
/// the desktop UI does (see `docs/ui-contract.md`).
pub const DEVICE_TEST_ATTR: &str = "data-testid";

/// A kiosk standing upright (portrait), as issue 18 asks the kiosk page to fit.
pub const KIOSK_PORTRAIT: (u32, u32) = (1080, 1920);
/// A kiosk or a hall display lying down (landscape, full HD).
pub const LANDSCAPE: (u32, u32) = (1920, 1080);

/// How the browser is started.
#[derive(Debug, Clone)]
pub struct BrowserOptions {
    /// The window's (and, headless, the viewport's) size in CSS pixels.
    pub size: (u32, u32),
    /// The browser's language (`navigator.language`, `Accept-Language`).
    pub lang: String,
    /// The attribute elements are found by.
    pub test_attr: &'static str,
}

impl Default for BrowserOptions {
    fn default() -> Self {
        Self { size: KIOSK_PORTRAIT, lang: "zh-CN".into(), test_attr: DEVICE_TEST_ATTR }
    }
}

fn chromedriver_binary() -> Result<PathBuf> {
    let p = std::env::var("HALLKEEPER_CHROMEDRIVER")
        .ok()
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromedriver"));
    if !p.is_file() {
        bail!(
            "{} does not exist: install Debian's `chromium` and `chromium-driver` (scripts/lib.sh \
             installs them), or set $HALLKEEPER_CHROMEDRIVER",
            p.display()
        );
    }
    Ok(p)
}

fn free_port() -> Result<u16> {
    let l = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).context("finding a free port")?;
    Ok(l.local_addr()?.port())
}

fn answers(port: u16) -> bool {
    TcpStream::connect_timeout(&SocketAddr::from((Ipv4Addr::LOCALHOST, port)), Duration::from_millis(200))
        .is_ok()
}

/// A running chromedriver on a free loopback port; on drop SIGTERM (SIGKILL after 5 s).
struct ChromeDriver {
    child: Child,
    port: u16,
}

impl ChromeDriver {
    fn start(log: &Path) -> Result<Self> {
        let exe = chromedriver_binary()?;
        let mut last = anyhow!("never tried");
        for _ in 0..5 {
            let port = free_port()?;
            let out = File::create(log).with_context(|| format!("creating {}", log.display()))?;
            let child = Command::new(&exe)
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log.display()))
                .stdin(Stdio::null())
                .stdout(out.try_clone()?)
                .stderr(out)
                .spawn()
                .with_context(|| format!("starting {}", exe.display()))?;
            let mut d = ChromeDriver { child, port };
            let deadline = Instant::now() + crate::WAIT;
            loop {
                if let Ok(Some(status)) = d.child.try_wait() {
                    last = anyhow!(
                        "chromedriver exited with {status}: {}",
                        fs::read_to_string(log).unwrap_or_default()
                    );
                    break;
                }
                if answers(port) {
                    return Ok(d);
                }
                if Instant::now() > deadline {
                    last = anyhow!("chromedriver did not answer on port {port} within {:?}", crate::WAIT);
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            drop(d);
        }
        Err(last)
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `DELETE /session/<id>` without the async runtime (for Drop): chromedriver then closes the
    /// browser it started.
    fn delete_session(&self, id: &str) {
        let Ok(mut s) = TcpStream::connect(SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))) else {
            return;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
        let _ = write!(
            s,
            "DELETE /session/{id} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.port
        );
        let _ = s.read_to_end(&mut Vec::new());
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        // SAFETY: plain kill(2) on the pid of a child we spawned and have not reaped yet.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One headless chromium session on a fresh profile. Elements are found by
/// [`BrowserOptions::test_attr`] (`data-testid` on the device pages).
pub struct Browser {
    name: String,
    // Field order matters for drop: the session goes before the driver, the profile last.
    session: Option<WebDriver>,
    session_id: String,
    driver: ChromeDriver,
    profile: Option<TempDir>,
    profile_arg: String,
    artifacts: PathBuf,
    log: PathBuf,
    attr: &'static str,
    /// Console errors drained from the browser log so far.
    console: Mutex<Vec<String>>,
    /// Substrings of console errors the test provokes on purpose (a refusal's 422).
    allowed: Mutex<Vec<String>>,
}

impl Browser {
    /// Starts chromedriver and a headless chromium session with `opts`; `name` prefixes the
    /// artifacts (`<artifacts>/<name>-…`).
    pub async fn start(name: &str, opts: BrowserOptions) -> Result<Browser> {
        let artifacts = paths::artifacts_dir();
        fs::create_dir_all(&artifacts).with_context(|| format!("creating {}", artifacts.display()))?;
        let log = artifacts.join(format!("{name}.chromedriver.log"));
        let driver = ChromeDriver::start(&log)?;
        let profile = tempfile::Builder::new()
            .prefix(&format!("hallkeeper-chromium-{name}-"))
            .tempdir()
            .context("creating the browser's profile folder")?;
        let profile_arg = format!("--user-data-dir={}", profile.path().display());
        let mut caps = DesiredCapabilities::chrome();
        if let Ok(bin) = std::env::var("HALLKEEPER_CHROMIUM") {
            caps.set_binary(&bin)?;
        } else if Path::new("/usr/bin/chromium").is_file() {
            caps.set_binary("/usr/bin/chromium")?;
        }
        let (w, h) = opts.size;
        for arg in [
            "--headless=new".to_owned(),
            // As root (the CI container) chromium refuses to start sandboxed.
            "--no-sandbox".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-gpu".to_owned(),
            "--no-first-run".to_owned(),
            "--no-default-browser-check".to_owned(),
            // The display page speaks calls through <audio> without anybody touching it first.
            "--autoplay-policy=no-user-gesture-required".to_owned(),
            "--force-device-scale-factor=1".to_owned(),
            format!("--window-size={w},{h}"),
            format!("--lang={}", opts.lang),
            profile_arg.clone(),
        ] {
            caps.add_arg(&arg)?;
        }
        caps.set_browser_log_level(LoggingPrefsLogLevel::All)?;
        let wd = WebDriver::new(driver.url(), caps)
            .await
            .with_context(|| format!("opening a chromium session (chromedriver log: {})", log.display()))?;
        let session_id = wd.session_id().to_string();
        let b = Browser {
            name: name.to_owned(),
            session: Some(wd),
            session_id,
            driver,
            profile: Some(profile),
            profile_arg,
            artifacts,
            log,
            attr: opts.test_attr,
            console: Mutex::new(Vec::new()),
            // Chromium asks every origin for /favicon.ico by itself; the pages do not use one.
            allowed: Mutex::new(vec!["/favicon.ico - Failed to load resource".to_owned()]),
        };
        // On failure `b` is dropped, which ends the session and the browser.
        b.resize(opts.size).await?;
        Ok(b)
    }

    /// A portrait kiosk (1080×1920) in Chinese.
    pub async fn kiosk_portrait(name: &str) -> Result<Browser> {
        Self::start(name, BrowserOptions::default()).await
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn wd(&self) -> &WebDriver {
        self.session.as_ref().expect("the browser session has ended")
    }

    /// The CSS selector of a test id.
    pub fn sel(&self, test_id: &str) -> String {
        format!(r#"[{}="{test_id}"]"#, self.attr)
    }

    fn by(&self, test_id: &str) -> By {
        By::Css(self.sel(test_id))
    }

    /// Opens `url` (console errors of the page left are drained first).
    pub async fn goto(&self, url: &str) -> Result<()> {
        self.drain_console().await;
        self.wd().goto(url).await.with_context(|| format!("opening {url}"))
    }

    /// Gives the page a viewport of `w`×`h` CSS pixels (e.g. portrait → landscape). Headless
    /// chromium's window still counts a frame (a 1080×1920 window has a 1080×1777 viewport), so
    /// the window is grown by what the viewport lacks until the viewport has the size.
    pub async fn resize(&self, (w, h): (u32, u32)) -> Result<()> {
        let viewport = || async {
            let r = self.wd().execute("return [innerWidth, innerHeight];", Vec::new()).await?;
            let v = r.json().clone();
            Ok::<(i64, i64), anyhow::Error>((v[0].as_i64().unwrap_or(0), v[1].as_i64().unwrap_or(0)))
        };
        let (mut ww, mut wh) = (i64::from(w), i64::from(h));
        for _ in 0..4 {
            let (iw, ih) = viewport().await?;
            if (iw, ih) == (i64::from(w), i64::from(h)) {
                return Ok(());
            }
            ww += i64::from(w) - iw;
            wh += i64::from(h) - ih;
            self.wd()
                .set_window_rect(0, 0, ww.max(100) as u32, wh.max(100) as u32)
                .await
                .context("resizing the window")?;
        }
        let (iw, ih) = viewport().await?;
        anyhow::ensure!((iw, ih) == (i64::from(w), i64::from(h)), "the viewport is {iw}×{ih}, not {w}×{h}");
        Ok(())
    }

    // ---- finding and acting (by test id only) ----

    /// The element with this test id, waiting until it exists and is displayed.
    pub async fn find_visible(&self, test_id: &str) -> Result<WebElement> {
        let by = self.by(test_id);
        wait_until(&format!("a displayed element {}", self.sel(test_id)), || {
            let by = by.clone();
            async move {
                let e = self.wd().find(by).await.map_err(|_| anyhow!("no such element"))?;
                if e.is_displayed().await.unwrap_or(false) {
                    Ok(e)
                } else {
                    Err(anyhow!("it exists but is not displayed"))
                }
            }
        })
        .await
    }

    /// All displayed elements with this test id now (no waiting).
    pub async fn find_all_visible(&self, test_id: &str) -> Result<Vec<WebElement>> {
        let mut out = Vec::new();
        for e in self.wd().find_all(self.by(test_id)).await? {
            if e.is_displayed().await.unwrap_or(false) {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// Waits until no element with this test id is displayed.
    pub async fn wait_gone(&self, test_id: &str) -> Result<()> {
        wait_until(&format!("{} to be gone", self.sel(test_id)), || async {
            if self.find_all_visible(test_id).await?.is_empty() {
                Ok(())
            } else {
                Err(anyhow!("still displayed"))
            }
        })
        .await
    }

    /// Clicks (taps) the displayed element with this test id.
    pub async fn click(&self, test_id: &str) -> Result<()> {
        let e = self.find_visible(test_id).await?;
        self.click_element(&e).await.with_context(|| format!("tapping {}", self.sel(test_id)))
    }

    /// Clicks an element, again while another element intercepts the click (a screen still
    /// changing).
    pub async fn click_element(&self, e: &WebElement) -> Result<()> {
        wait_until("the element to take a click", || async move {
            match e.click().await {
                Ok(()) => Ok(Ok(())),
                Err(err) => {
                    let text = err.to_string();
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

    /// Taps, one after the other, the keys `key-<c>` of the keypad with test id `pad` for every
    /// character of `text` (the device pages' touch keypads).
    pub async fn tap_keys(&self, pad: &str, text: &str) -> Result<()> {
        let pad_el = self.find_visible(pad).await?;
        for c in text.chars() {
            let key = pad_el
                .find(By::Css(format!(r#"[{}="key-{c}"]"#, self.attr)))
                .await
                .with_context(|| format!("no key {c:?} on {}", self.sel(pad)))?;
            self.click_element(&key).await.with_context(|| format!("tapping key {c:?}"))?;
        }
        Ok(())
    }

    /// The text a person reads in an element (`innerText`, trimmed; "" when not rendered).
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

    /// The text of the displayed element with this test id.
    pub async fn text_of(&self, test_id: &str) -> Result<String> {
        let e = self.find_visible(test_id).await?;
        self.text(&e).await
    }

    /// Waits until the element with this test id reads `expected` (trimmed).
    pub async fn wait_text(&self, test_id: &str, expected: &str) -> Result<()> {
        self.wait_text_matching(test_id, &format!("to read {expected:?}"), |t| t == expected)
            .await
            .map(|_| ())
    }

    /// Waits until the element with this test id's text contains `part`; answers the text.
    pub async fn wait_text_contains(&self, test_id: &str, part: &str) -> Result<String> {
        self.wait_text_matching(test_id, &format!("to contain {part:?}"), |t| t.contains(part)).await
    }

    /// Waits until the displayed element with this test id has a text `ok` accepts; answers it.
    pub async fn wait_text_matching(
        &self,
        test_id: &str,
        what: &str,
        ok: impl Fn(&str) -> bool,
    ) -> Result<String> {
        let ok = &ok;
        wait_until(&format!("{} {what}", self.sel(test_id)), || async move {
            let e = self.wd().find(self.by(test_id)).await.map_err(|_| anyhow!("no such element"))?;
            let t = self.text(&e).await?;
            if ok(&t) {
                Ok(t)
            } else {
                Err(anyhow!("it reads {t:?}"))
            }
        })
        .await
    }

    /// An attribute of the displayed element with this test id.
    pub async fn attr_of(&self, test_id: &str, attr: &str) -> Result<String> {
        let e = self.find_visible(test_id).await?;
        Ok(e.attr(attr).await?.unwrap_or_default())
    }

    /// The smallest width and height (CSS px) among the displayed elements matching `css`:
    /// touch targets must be ≥ 48 px.
    pub async fn smallest_box(&self, css: &str) -> Result<(f64, f64)> {
        let r = self
            .wd()
            .execute(
                "let w = Infinity, h = Infinity; \
                 for (const e of document.querySelectorAll(arguments[0])) { \
                   const r = e.getBoundingClientRect(); \
                   if (r.width === 0 || r.height === 0) continue; \
                   w = Math.min(w, r.width); h = Math.min(h, r.height); } \
                 return [w === Infinity ? -1 : w, h === Infinity ? -1 : h];",
                vec![serde_json::Value::String(css.to_owned())],
            )
            .await?;
        let v = r.json().clone();
        Ok((v[0].as_f64().unwrap_or(-1.0), v[1].as_f64().unwrap_or(-1.0)))
    }

    // ---- console errors ----

    /// Declares that console errors containing `part` are provoked by the test (e.g. the 422 a
    /// refusal answers, which chromium logs as "Failed to load resource").
    pub fn allow_console_error(&self, part: &str) {
        self.allowed.lock().unwrap_or_else(|p| p.into_inner()).push(part.to_owned());
    }

    async fn drain_console(&self) {
        let Some(wd) = self.session.as_ref() else { return };
        if let Ok(entries) = wd.browser_log().await {
            let mut console = self.console.lock().unwrap_or_else(|p| p.into_inner());
            for e in entries.into_iter().filter(|e| e.level == "SEVERE") {
                console.push(e.message);
            }
        }
    }

    /// Every console error (level SEVERE: uncaught exceptions, `console.error`, failed loads)
    /// the pages logged so far, allowed ones included.
    pub async fn console_errors(&self) -> Vec<String> {
        self.drain_console().await;
        self.console.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The console errors not declared with [`Self::allow_console_error`].
    pub async fn unexpected_console_errors(&self) -> Vec<String> {
        let all = self.console_errors().await;
        let allowed = self.allowed.lock().unwrap_or_else(|p| p.into_inner()).clone();
        all.into_iter().filter(|m| !allowed.iter().any(|a| m.contains(a.as_str()))).collect()
    }

    // ---- artifacts ----

    /// Saves the browser's own screenshot (headless: no X display involved) as PNG at `path`.
    pub async fn screenshot(&self, path: &Path) -> Result<()> {
        let png = self.wd().screenshot_as_png().await.context("taking the browser's screenshot")?;
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        fs::write(path, &png).with_context(|| format!("writing {}", path.display()))?;
        anyhow::ensure!(
            png.len() > 10_000,
            "the screenshot {} is suspiciously small ({} bytes)",
            path.display(),
            png.len()
        );
        Ok(())
    }

    /// Saves `<artifacts>/<name>-<label>.png` and the page's HTML next to it.
    pub async fn save_artifacts(&self, label: &str) -> Result<(PathBuf, PathBuf)> {
        let png = self.artifacts.join(format!("{}-{label}.png", self.name));
        let html = self.artifacts.join(format!("{}-{label}.html", self.name));
        self.screenshot(&png).await?;
        if let Ok(src) = self.wd().source().await {
            let _ = fs::write(&html, src);
        }
        Ok((png, html))
    }

    /// Where this browser's artifacts go.
    pub fn artifacts(&self) -> &Path {
        &self.artifacts
    }

    /// Ends the browser's part of a test. On success it checks that the pages logged no console
    /// error the test did not allow, and closes the browser. On failure (or such an error) it saves
    /// a screenshot, the page and the console errors to the artifacts, closes the browser, and
    /// answers the error with where they are, so the caller can hand it on (e.g. to
    /// [`crate::Harness::finish`], which fails the test with the desktop's artifacts too).
    pub async fn finish(mut self, outcome: Result<()>) -> Result<()> {
        let outcome = match outcome {
            Ok(()) => {
                let unexpected = self.unexpected_console_errors().await;
                if unexpected.is_empty() {
                    Ok(())
                } else {
                    Err(anyhow!("the page logged console errors:\n  {}", unexpected.join("\n  ")))
                }
            }
            Err(e) => Err(e),
        };
        let outcome = match outcome {
            Ok(()) => Ok(()),
            Err(e) => {
                let mut where_ = String::new();
                match self.save_artifacts("failure").await {
                    Ok((png, html)) => {
                        where_ +=
                            &format!("browser screenshot: {}; page HTML: {}", png.display(), html.display())
                    }
                    Err(se) => where_ += &format!("(no browser screenshot: {se:#})"),
                }
                let console = self.console_errors().await;
                let console_file = self.artifacts.join(format!("{}-console.log", self.name));
                let _ = fs::write(&console_file, console.join("\n"));
                where_ += &format!(
                    "; console errors: {}; chromedriver log: {}",
                    console_file.display(),
                    self.log.display()
                );
                if let Some(url) = self.current_url().await {
                    where_ += &format!("; page: {url}");
                }
                Err(e.context(format!("in the browser `{}` ({where_})", self.name)))
            }
        };
        self.quit().await;
        outcome
    }

    async fn current_url(&self) -> Option<String> {
        self.session.as_ref()?.current_url().await.ok().map(|u| u.to_string())
    }

    /// Ends the session (chromium exits) and waits until none of its processes is left.
    pub async fn quit(&mut self) {
        if let Some(wd) = self.session.take() {
            let _ = wd.quit().await;
        }
        let arg = self.profile_arg.clone();
        let _ = wait_until_for(Duration::from_secs(10), "chromium to exit", || {
            let arg = arg.clone();
            async move {
                let left = pids_with_arg(&arg);
                if left.is_empty() {
                    Ok(())
                } else {
                    Err(anyhow!("still running: {left:?}"))
                }
            }
        })
        .await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // A test that panicked (or forgot finish): end the session without the async runtime, so
        // chromedriver closes chromium; then whatever is left of *this* browser (its profile
        // folder is on its command line) gets SIGTERM, by pid.
        if self.session.take().is_some() {
            self.driver.delete_session(&self.session_id);
        }
        for pid in pids_with_arg(&self.profile_arg) {
            // SAFETY: kill(2) on a chromium process this harness started (it carries our profile).
            unsafe {
                libc::kill(pid as libc::pid_t, libc::SIGTERM);
            }
        }
        let _ = self.profile.take();
    }
}
