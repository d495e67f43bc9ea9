//! The hall's device pages — 取号机 `/kiosk`, 窗口叫号 `/terminal`, 评价器 `/pad`, 大厅显示屏
//! `/display` and a ticket's follow page `/q/{followId}` — one Vue front end (`ui/devices.html`,
//! built into `ui/dist-devices` with base `/devices/`), embedded in the binary by `build.rs`.
//! Every page path answers the same HTML; the page picks its device from the path. When the
//! pages were not built before the server was compiled, each answers 503 with a page saying so.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/device_pages.rs"));
}

/// The paths a device page is served at.
pub const PAGE_PATHS: [&str; 5] = ["/kiosk", "/terminal", "/pad", "/display", "/q/{follow_id}"];
/// The HTML entry every page path answers.
pub const ENTRY: &str = "devices.html";

/// A set of built files (path under `ui/dist-devices` → bytes).
#[derive(Clone, Copy)]
pub struct Pages {
    files: &'static [(&'static str, &'static [u8])],
}

impl Pages {
    /// What `build.rs` embedded.
    pub fn embedded() -> Self {
        Self { files: embedded::FILES }
    }

    /// Other files (tests: none, to see the 503).
    pub fn new(files: &'static [(&'static str, &'static [u8])]) -> Self {
        Self { files }
    }

    /// True when the entry page is there.
    pub fn built(&self) -> bool {
        self.file(ENTRY).is_some()
    }

    fn file(&self, path: &str) -> Option<&'static [u8]> {
        self.files.iter().find(|(p, _)| *p == path).map(|(_, b)| *b)
    }

    /// The page routes and `/devices/{*path}` for their assets.
    pub fn router<S: Clone + Send + Sync + 'static>(self) -> Router<S> {
        let mut router = Router::new();
        for path in PAGE_PATHS {
            router = router.route(path, get(move || async move { self.entry() }));
        }
        router.route("/devices/{*path}", get(move |Path(p): Path<String>| async move { self.asset(&p) }))
    }

    fn entry(&self) -> Response {
        match self.file(ENTRY) {
            Some(html) => with_headers(StatusCode::OK, "text/html; charset=utf-8", html, false),
            None => not_built(),
        }
    }

    fn asset(&self, path: &str) -> Response {
        if !self.built() {
            return not_built();
        }
        // Only the build's own files: a path is looked up, never joined onto a folder.
        match self.file(path) {
            Some(bytes) => {
                with_headers(StatusCode::OK, content_type(path), bytes, path.starts_with("assets/"))
            }
            None => (StatusCode::NOT_FOUND, "not found").into_response(),
        }
    }
}

/// The 503 page when the pages are not in this build: says so in both languages and how to fix it.
pub const NOT_BUILT_HTML: &str = "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
<title>设备页面未构建 / device pages not built</title></head><body style=\"font-family:sans-serif;padding:3em\">\
<h1>设备页面未构建</h1><p>本服务器编译时没有设备页面（取号机、窗口叫号、评价器、大厅显示屏）。\
请运行 <code>cd ui &amp;&amp; npm run build:devices</code> 后重新编译服务器。</p>\
<h2 lang=\"en\">Device pages not built</h2><p lang=\"en\">This server was compiled without the device pages. \
Run <code>cd ui &amp;&amp; npm run build:devices</code>, then build the server again.</p></body></html>";

fn not_built() -> Response {
    let mut r = (StatusCode::SERVICE_UNAVAILABLE, NOT_BUILT_HTML).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn with_headers(
    status: StatusCode,
    content_type: &'static str,
    body: &'static [u8],
    immutable: bool,
) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Hashed asset names change with their content; the HTML names them, so it is never cached.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if immutable { "public, max-age=31536000, immutable" } else { "no-cache" }),
    );
    // Everything is the server's own; inline styles are Vue's style bindings, data: the QR code.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; media-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    r
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        "woff2" => "font/woff2",
        "wav" => "audio/wav",
        "mp3" => "audio/mpeg",
        _ => "application/octet-stream",
    }
}
