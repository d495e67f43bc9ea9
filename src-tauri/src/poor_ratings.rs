//! Poor ratings on the desktop: a notification for each newly opened rectification case, the
//! due-soon/overdue reminders, and the `cases-changed` event that keeps the UI's inbox counter.
//!
//! The case itself is opened by core in the transaction that stores the rating; this module only
//! tells people. It hangs on the sync client's ratings hook, which runs on the blocking pool right
//! after a page is stored. A rating pulled before the hook is set (or while the app was closed)
//! still has its case — it shows as unread in the inbox — it only missed its notification.
//!
//! A click on a case notification brings the main window to the front and sends `case-focus`
//! {caseId}; the click plumbing is the dashboard feed's (`handle_notification_clicks`), which
//! routes a notification carrying [`CASE_ID_EXTRA`] here.

use crate::AppState;
use hallkeeper_core::proto::{Locale, RatingLevel};
use hallkeeper_core::store::{CaseAlerts, CaseSummary, RatingsApplied};
use hallkeeper_core::Store;
use hallkeeper_sync_client::SyncClient;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

/// The event carrying the number of unread cases whenever cases are opened or change.
pub const CASES_CHANGED: &str = "cases-changed";
/// The event asking the UI to open a case (its notification was clicked).
pub const CASE_FOCUS: &str = "case-focus";
/// The notification's extra field that makes a click open a case rather than a dashboard tile.
pub const CASE_ID_EXTRA: &str = "caseId";
/// At most this many notifications at once; the rest are summed up in one more.
const MAX_NOTICES_AT_ONCE: usize = 3;
/// The comment excerpt in a notification.
const EXCERPT_CHARS: usize = 40;
/// How often the reminders are looked for (a new hall day is noticed within this).
const ALERT_EVERY: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CasesChanged {
    pub unread: u32,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseFocus {
    pub case_id: String,
}

fn level_label(locale: Locale, level: RatingLevel) -> &'static str {
    match (locale, level) {
        (Locale::ZhCn, RatingLevel::VeryDissatisfied) => "非常不满意",
        (Locale::ZhCn, RatingLevel::Dissatisfied) => "不满意",
        (Locale::ZhCn, RatingLevel::Neutral) => "基本满意",
        (Locale::ZhCn, RatingLevel::Satisfied) => "满意",
        (Locale::ZhCn, RatingLevel::VerySatisfied) => "非常满意",
        (Locale::EnUs, RatingLevel::VeryDissatisfied) => "very dissatisfied",
        (Locale::EnUs, RatingLevel::Dissatisfied) => "dissatisfied",
        (Locale::EnUs, RatingLevel::Neutral) => "neutral",
        (Locale::EnUs, RatingLevel::Satisfied) => "satisfied",
        (Locale::EnUs, RatingLevel::VerySatisfied) => "very satisfied",
    }
}

/// The comment as a notification may show it: a notification is read over shoulders and lands
/// in the OS's history, so a phone or ID number a citizen typed is masked (runs of 7+ digits keep
/// their first 3 and last 4), and it is cut to a short excerpt.
pub fn comment_excerpt(comment: &str) -> String {
    let flat = comment.split_whitespace().collect::<Vec<_>>().join(" ");
    let masked = hallkeeper_core::privacy::mask_number_runs(&flat);
    let count = masked.chars().count();
    if count > EXCERPT_CHARS {
        let cut: String = masked.chars().take(EXCERPT_CHARS).collect();
        format!("{cut}…")
    } else {
        masked
    }
}

/// "A03 窗口 · 不动产登记" / "window A03 · …": where the rating was given.
fn place(locale: Locale, s: &CaseSummary) -> String {
    let window = s.window_number.as_deref().map(|n| match locale {
        Locale::ZhCn => format!("{n} 窗口"),
        Locale::EnUs => format!("window {n}"),
    });
    match (window, s.matter_name.as_deref()) {
        (Some(w), Some(m)) => format!("{w} · {m}"),
        (Some(w), None) => w,
        (None, Some(m)) => m.to_owned(),
        (None, None) => s.ticket_number.clone(),
    }
}

/// Title and body of a new case's notification, in the UI's language.
pub fn new_case_text(locale: Locale, s: &CaseSummary) -> (String, String) {
    let title = match locale {
        Locale::ZhCn => format!("差评：{}", place(locale, s)),
        Locale::EnUs => format!("Poor rating: {}", place(locale, s)),
    };
    let mut parts = vec![level_label(locale, s.level).to_owned()];
    if !s.reasons.is_empty() {
        parts.push(s.reasons.join(if locale == Locale::ZhCn { "、" } else { ", " }));
    }
    let excerpt = comment_excerpt(&s.comment);
    if !excerpt.is_empty() {
        parts.push(match locale {
            Locale::ZhCn => format!("“{excerpt}”"),
            Locale::EnUs => format!("\"{excerpt}\""),
        });
    }
    (title, parts.join(" · "))
}

fn summary_text(locale: Locale, rest: &[CaseSummary]) -> (String, String) {
    let places: Vec<String> = rest.iter().take(8).map(|s| place(locale, s)).collect();
    match locale {
        Locale::ZhCn => (format!("另有 {} 条差评", rest.len()), places.join("、")),
        Locale::EnUs => (format!("{} more poor ratings", rest.len()), places.join(", ")),
    }
}

/// Title and body of a reminder: overdue or due soon.
pub fn alert_text(locale: Locale, s: &CaseSummary, overdue: bool) -> (String, String) {
    let due = s.deadline.date().map(|d| d.to_string()).unwrap_or_default();
    let who = &s.assignee.name;
    match (locale, overdue) {
        (Locale::ZhCn, true) => (
            format!("差评整改已超期：{}", place(locale, s)),
            format!("整改期限 {due}，由 {who} 办理，请尽快处理"),
        ),
        (Locale::ZhCn, false) => (
            format!("差评整改临期：{}", place(locale, s)),
            match s.working_days_left {
                Some(0) => format!("今天是整改期限（{due}），由 {who} 办理"),
                Some(n) => format!("还剩 {n} 个工作日（期限 {due}），由 {who} 办理"),
                None => format!("整改期限 {due}，由 {who} 办理"),
            },
        ),
        (Locale::EnUs, true) => (
            format!("Rectification overdue: {}", place(locale, s)),
            format!("Due {due}, assigned to {who}: please act now"),
        ),
        (Locale::EnUs, false) => (
            format!("Rectification due soon: {}", place(locale, s)),
            match s.working_days_left {
                Some(0) => format!("Due today ({due}), assigned to {who}"),
                Some(n) => format!("{n} working day(s) left (due {due}), assigned to {who}"),
                None => format!("Due {due}, assigned to {who}"),
            },
        ),
    }
}

fn locale<R: Runtime>(app: &AppHandle<R>) -> Locale {
    app.try_state::<AppState>().map_or(Locale::ZhCn, |s| s.locale())
}

fn show<R: Runtime>(app: &AppHandle<R>, (title, body): (String, String), case_id: &str) {
    let shown = app.notification().builder().title(&title).body(&body).extra(CASE_ID_EXTRA, case_id).show();
    match shown {
        Ok(()) => tracing::info!(title, "poor rating notification raised"),
        Err(e) => tracing::warn!(title, "poor rating notification not raised: {e}"),
    }
}

/// The first few each on its own, the rest as one summary whose click opens the first of them.
fn raise_new<R: Runtime>(app: &AppHandle<R>, cases: &[CaseSummary]) {
    let locale = locale(app);
    let (each, rest) = cases.split_at(cases.len().min(MAX_NOTICES_AT_ONCE));
    for s in each {
        show(app, new_case_text(locale, s), &s.id);
    }
    if let Some(first) = rest.first() {
        show(app, summary_text(locale, rest), &first.id);
    }
}

fn raise_alerts<R: Runtime>(app: &AppHandle<R>, alerts: &CaseAlerts) {
    let locale = locale(app);
    let all: Vec<(&CaseSummary, bool)> =
        alerts.overdue.iter().map(|s| (s, true)).chain(alerts.due_soon.iter().map(|s| (s, false))).collect();
    let (each, rest) = all.split_at(all.len().min(MAX_NOTICES_AT_ONCE));
    for (s, overdue) in each {
        show(app, alert_text(locale, s, *overdue), &s.id);
    }
    if let Some((first, _)) = rest.first() {
        let places: Vec<String> = rest.iter().take(8).map(|(s, _)| place(locale, s)).collect();
        let text = match locale {
            Locale::ZhCn => (format!("另有 {} 件差评整改临期或超期", rest.len()), places.join("、")),
            Locale::EnUs => (format!("{} more cases due soon or overdue", rest.len()), places.join(", ")),
        };
        show(app, text, &first.id);
    }
}

fn emit_unread<R: Runtime>(app: &AppHandle<R>, unread: u32) {
    if let Err(e) = app.emit(CASES_CHANGED, CasesChanged { unread }) {
        tracing::warn!("cannot tell the UI that cases changed: {e}");
    }
}

/// Tells the UI the cases changed, with the unread count (read off the async runtime).
pub async fn notify_cases_changed<R: Runtime>(app: &AppHandle<R>, store: Arc<Store>) {
    match tauri::async_runtime::spawn_blocking(move || store.unread_cases()).await {
        Ok(Ok(unread)) => emit_unread(app, unread),
        Ok(Err(e)) => tracing::warn!("cannot count unread cases: {e}"),
        Err(e) => tracing::warn!("unread cases not counted: {e}"),
    }
}

/// What the ratings hook does with a stored page: notify each case opened, then the counter.
/// Runs on the blocking pool, inside the sync client's pull.
fn on_ratings<R: Runtime>(app: &AppHandle<R>, store: &Store, applied: &RatingsApplied) {
    if applied.poor.is_empty() {
        return;
    }
    let mut opened = Vec::with_capacity(applied.poor.len());
    for r in &applied.poor {
        match store.case_for_rating(&r.id) {
            Ok(Some(s)) => opened.push(s),
            Ok(None) => tracing::warn!(rating = %r.id, "a poor rating has no case"),
            Err(e) => tracing::warn!(rating = %r.id, "cannot read the case of a poor rating: {e}"),
        }
    }
    raise_new(app, &opened);
    match store.unread_cases() {
        Ok(unread) => emit_unread(app, unread),
        Err(e) => tracing::warn!("cannot count unread cases: {e}"),
    }
}

/// Hangs the notifications on the sync client's ratings hook.
pub fn wire<R: Runtime>(app: &AppHandle<R>, sync: &SyncClient) {
    let app = app.clone();
    sync.set_ratings_hook(Arc::new(move |store: &Store, applied: &RatingsApplied| {
        on_ratings(&app, store, applied)
    }));
}

/// Raises the due-soon and overdue reminders, once per hall day per case (core marks them), for
/// the life of the app.
pub async fn run_alerts<R: Runtime>(app: AppHandle<R>, store: Arc<Store>) {
    loop {
        let s = store.clone();
        let taken = tauri::async_runtime::spawn_blocking(move || {
            s.take_case_alerts(hallkeeper_core::clock::hall_date(s.now()))
        })
        .await;
        match taken {
            Ok(Ok(alerts)) if !alerts.is_empty() => raise_alerts(&app, &alerts),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!("rectification reminders not read: {e}"),
            Err(e) => tracing::warn!("rectification reminders task failed: {e}"),
        }
        tokio::time::sleep(ALERT_EVERY).await;
    }
}

/// A click on a case notification: the main window to the front, and the case opened.
pub fn focus_case<R: Runtime>(app: &AppHandle<R>, case_id: String) {
    tracing::info!(%case_id, "poor rating notification clicked");
    let on_main = app.clone();
    // Window calls belong on the main thread; the click arrives on the plugin's thread.
    let _ = app.run_on_main_thread(move || {
        if let Some(w) = on_main.get_webview_window("main") {
            let _ = w.unminimize();
            let _ = w.show();
            let _ = w.set_focus();
        }
        if let Err(e) = on_main.emit(CASE_FOCUS, CaseFocus { case_id }) {
            tracing::warn!("cannot ask the UI to open the case: {e}");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use hallkeeper_core::calendar::Deadline;
    use hallkeeper_core::rectification::{Assignee, AssigneeKind, CaseState};

    fn case(window: Option<&str>, comment: &str) -> CaseSummary {
        CaseSummary {
            id: "c1".into(),
            rating_id: "r1".into(),
            state: CaseState::New,
            assignee: Assignee { kind: AssigneeKind::Staff, id: "s1".into(), name: "张三".into() },
            opened_at: chrono::DateTime::UNIX_EPOCH,
            opened_day: "2026-11-25".into(),
            deadline: Deadline::Known { date: "2026-12-16".parse().unwrap() },
            overdue: Some(false),
            due_soon: Some(true),
            working_days_left: Some(2),
            unread: true,
            excluded: false,
            exclusion_reason: None,
            ticket_number: "A012".into(),
            window_number: window.map(Into::into),
            window_name: None,
            staff_name: Some("张三".into()),
            matter_name: Some("不动产登记".into()),
            department_name: None,
            level: RatingLevel::VeryDissatisfied,
            reasons: vec!["等候时间长".into()],
            comment: comment.into(),
            rated_at: "2026-11-25T01:00:00.000Z".into(),
        }
    }

    #[test]
    fn notices_name_the_window_and_matter_in_the_ui_language() {
        let (t, b) = new_case_text(Locale::ZhCn, &case(Some("A03"), "太慢了"));
        assert_eq!(t, "差评：A03 窗口 · 不动产登记");
        assert_eq!(b, "非常不满意 · 等候时间长 · “太慢了”");
        let (t, b) = new_case_text(Locale::EnUs, &case(Some("A03"), ""));
        assert_eq!(t, "Poor rating: window A03 · 不动产登记");
        assert_eq!(b, "very dissatisfied · 等候时间长");
        let (t, _) = alert_text(Locale::ZhCn, &case(None, ""), false);
        assert_eq!(t, "差评整改临期：不动产登记");
    }

    #[test]
    fn phone_and_id_numbers_are_masked_and_long_comments_cut() {
        assert_eq!(comment_excerpt("请回电 13812345678 谢谢"), "请回电 138****5678 谢谢");
        assert_eq!(comment_excerpt("身份证11010519491231002X"), "身份证110***********002X");
        assert_eq!(comment_excerpt("等了 45 分钟"), "等了 45 分钟");
        let long = "很".repeat(60);
        assert_eq!(comment_excerpt(&long).chars().count(), EXCERPT_CHARS + 1);
    }
}
