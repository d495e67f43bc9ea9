//! The floor of Hallkeeper's startup benchmark: one 1280×800 window with a static page that calls
//! `ui_ready` after its first paint. Nothing else, so that the benchmark can compare the real app
//! with the least a Tauri window costs on the same machine.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// When `main` started: the ready time is measured from here, as in the real app.
struct Started(Instant);

static REPORTED: AtomicBool = AtomicBool::new(false);

/// Called once by `dist/ready.js` after the first paint: prints `HALLKEEPER_READY <ms>`, the
/// milliseconds since the process started, and flushes so a reader of the pipe sees it at once.
#[tauri::command]
fn ui_ready(started: tauri::State<'_, Started>) {
    if REPORTED.swap(true, Ordering::SeqCst) {
        return;
    }
    let ms = started.0.elapsed().as_millis();
    let mut out = std::io::stdout().lock();
    // A closed stdout must not take the window down.
    let _ = writeln!(out, "HALLKEEPER_READY {ms}");
    let _ = out.flush();
}

fn main() {
    let started = Started(Instant::now());
    tauri::Builder::default()
        .manage(started)
        .invoke_handler(tauri::generate_handler![ui_ready])
        .run(tauri::generate_context!())
        .expect("error while running the blank window");
}
