//! Service stars (服务之星) and the hall display (大屏): the ranking rule, a month's stars, and the
//! second window that shows them with the live queue board on the hall's big screen.
//!
//! The display is a `WebviewWindow` labelled [`DISPLAY_LABEL`] loading the same UI at `#/display`
//! (a page outside the app shell). It follows the same events as the dashboard (`dashboard`,
//! `dashboard-delta`) and refreshes its stars on `stars-changed`, `data-changed` and
//! `cases-changed`; its capability (capabilities/display.json) grants it only what it reads.

use crate::{AppState, CommandError};
use hallkeeper_core::notices;
use hallkeeper_core::proto::{Locale, MonthlyStars, StarRule};
use tauri::{AppHandle, Emitter, Manager, Runtime, State, WebviewUrl, WebviewWindowBuilder};

/// The display window's label (capabilities/display.json names it).
pub const DISPLAY_LABEL: &str = "display";
/// Sent after the rule changed: every page showing stars reads them again.
pub use hallkeeper_core::proto::events::STARS_CHANGED;
/// The display's size when no second monitor is there to fill.
const DISPLAY_SIZE: (f64, f64) = (1920.0, 1080.0);

read_command! {
    pub fn get_star_rule() -> StarRule = |s| s.star_rule();
}

/// Saves the rule (refused at the first problem's field, e.g. `topN`), audited.
#[tauri::command]
pub async fn set_star_rule<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    rule: StarRule,
) -> Result<StarRule, CommandError> {
    let actor = state.person()?;
    let saved = state.call(move |s| s.set_star_rule(&actor, &rule)).await?;
    if let Err(e) = app.emit(STARS_CHANGED, ()) {
        tracing::warn!("cannot tell the UI that the star rule changed: {e}");
    }
    Ok(saved)
}

read_command! {
    /// The stars of a month (1–12) by the saved rule.
    pub fn get_monthly_stars(year: i32, month: u32) -> MonthlyStars = |s| s.monthly_stars(year, month);
}

fn window_failed(locale: Locale, e: tauri::Error) -> CommandError {
    tracing::warn!("the hall display window: {e}");
    CommandError(notices::display_window_failed(locale, &e.to_string()))
}

/// Opens the hall display (or brings it to the front when it is open): full screen on a monitor
/// other than the main window's when there is one, else a 1920×1080 window.
#[tauri::command]
pub async fn open_display_window<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<(), CommandError> {
    let locale = state.locale();
    if let Some(existing) = app.get_webview_window(DISPLAY_LABEL) {
        let _ = existing.unminimize();
        existing.show().map_err(|e| window_failed(locale, e))?;
        existing.set_focus().map_err(|e| window_failed(locale, e))?;
        return Ok(());
    }
    let title = notices::display_title(locale);
    let mut builder =
        WebviewWindowBuilder::new(&app, DISPLAY_LABEL, WebviewUrl::App("index.html#/display".into()))
            .title(title)
            .resizable(true);
    match second_monitor(&app) {
        Some(monitor) => {
            let scale = monitor.scale_factor();
            let at = monitor.position().to_logical::<f64>(scale);
            let size = monitor.size().to_logical::<f64>(scale);
            tracing::info!(
                x = at.x,
                y = at.y,
                w = size.width,
                h = size.height,
                "hall display on the second monitor"
            );
            builder = builder.position(at.x, at.y).inner_size(size.width, size.height).fullscreen(true);
        }
        None => {
            builder = builder.inner_size(DISPLAY_SIZE.0, DISPLAY_SIZE.1).center();
        }
    }
    builder.build().map_err(|e| window_failed(locale, e))?;
    Ok(())
}

/// A monitor the main window is not on, if the machine has one.
fn second_monitor<R: Runtime>(app: &AppHandle<R>) -> Option<tauri::Monitor> {
    let monitors = app.available_monitors().ok()?;
    if monitors.len() < 2 {
        return None;
    }
    let main = app
        .get_webview_window("main")
        .and_then(|w| w.current_monitor().ok().flatten())
        .or_else(|| app.primary_monitor().ok().flatten());
    monitors.into_iter().find(|m| main.as_ref().is_none_or(|main| m.position() != main.position()))
}

#[tauri::command]
pub async fn close_display_window<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<(), CommandError> {
    if let Some(w) = app.get_webview_window(DISPLAY_LABEL) {
        w.close().map_err(|e| window_failed(state.locale(), e))?;
    }
    Ok(())
}
