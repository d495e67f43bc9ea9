//! What the desktop says outside a command's answer to the form that asked: its notifications
//! (queue alarms, poor ratings, rectification reminders), and the sentences of the shell's own
//! refusals (no server yet, the server unreachable or refusing). zh and en side by side, like
//! the rest of `messages`; the shell only shows them.
//!
//! One rule for how many notifications one moment raises ([`batched`]): the first
//! [`MAX_AT_ONCE`] each on its own, the rest summed up in one more whose click opens the first
//! of them (a hall where twenty windows cross together gets four notifications, not twenty).

use crate::error::FailureCode;
use crate::proto::{AlarmNotice, AlertSubject, ErrorBody, Locale, RatingLevel};
use crate::store::{CaseAlerts, CaseSummary};

/// At most this many notifications at once; the rest are summed up in one more.
pub const MAX_AT_ONCE: usize = 3;
/// The comment excerpt in a notification.
pub const EXCERPT_CHARS: usize = 40;
/// A summary names at most this many places.
const SUMMARY_NAMES: usize = 8;

/// The name the desktop gives the hall on its embedded server.
pub const LOCAL_HALL_NAME: &str = "本地大厅";
/// The name of the demo hall the simulation seeds an empty store with.
pub const DEMO_HALL_NAME: &str = "演示数据";

/// One notification to raise: its text, and what a click on it opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice<'a, T> {
    pub title: String,
    pub body: String,
    pub about: &'a T,
}

/// The batching rule: `one` for each of the first [`MAX_AT_ONCE`], then `rest` for all the
/// others in one notification; each with the index of the item its click opens.
fn batched<T>(
    items: &[T],
    one: impl Fn(&T) -> (String, String),
    rest: impl FnOnce(&[T]) -> (String, String),
) -> Vec<((String, String), usize)> {
    let (each, others) = items.split_at(items.len().min(MAX_AT_ONCE));
    let mut out: Vec<_> = each.iter().enumerate().map(|(i, x)| (one(x), i)).collect();
    if !others.is_empty() {
        out.push((rest(others), each.len()));
    }
    out
}

fn notices<'a, T>(
    batch: Vec<((String, String), usize)>,
    about: impl Fn(usize) -> &'a T,
) -> Vec<Notice<'a, T>> {
    batch.into_iter().map(|((title, body), i)| Notice { title, body, about: about(i) }).collect()
}

fn pick(locale: Locale, zh: String, en: String) -> String {
    match locale {
        Locale::ZhCn => zh,
        Locale::EnUs => en,
    }
}

fn list_separator(locale: Locale) -> &'static str {
    match locale {
        Locale::ZhCn => "、",
        Locale::EnUs => ", ",
    }
}

// ---- queue alarms -------------------------------------------------------------------------------

fn minutes(secs: Option<i64>) -> Option<i64> {
    secs.map(|s| s.max(0) / 60).filter(|m| *m > 0)
}

/// "A03 窗口" / "window A03", or the matter's name.
fn alarm_label(locale: Locale, n: &AlarmNotice) -> String {
    match (n.subject, locale) {
        (AlertSubject::Window, Locale::ZhCn) => format!("{} 窗口", n.label),
        (AlertSubject::Window, Locale::EnUs) => format!("window {}", n.label),
        (AlertSubject::Matter, _) => n.label.clone(),
    }
}

/// The title and body of one queue alarm.
pub fn alarm_text(locale: Locale, n: &AlarmNotice) -> (String, String) {
    let wait = minutes(n.longest_wait_secs);
    match locale {
        Locale::ZhCn => {
            let title = match n.subject {
                AlertSubject::Window => format!("排队告警：{} 窗口", n.label),
                AlertSubject::Matter => format!("排队告警：{}", n.label),
            };
            let body = match wait {
                Some(m) => format!("{} 人等候，最长已等 {m} 分钟", n.waiting),
                None => format!("{} 人等候", n.waiting),
            };
            (title, body)
        }
        Locale::EnUs => {
            let title = match n.subject {
                AlertSubject::Window => format!("Queue alarm: window {}", n.label),
                AlertSubject::Matter => format!("Queue alarm: {}", n.label),
            };
            let people = if n.waiting == 1 { "person" } else { "people" };
            let body = match wait {
                Some(m) => format!("{} {people} waiting, the longest for {m} min", n.waiting),
                None => format!("{} {people} waiting", n.waiting),
            };
            (title, body)
        }
    }
}

/// The one notification that stands for the alarms beyond the first few.
pub fn alarm_summary(locale: Locale, rest: &[AlarmNotice]) -> (String, String) {
    let labels: Vec<String> = rest.iter().take(SUMMARY_NAMES).map(|n| alarm_label(locale, n)).collect();
    let more = rest.len().saturating_sub(labels.len());
    let mut body = labels.join(list_separator(locale));
    match locale {
        Locale::ZhCn => {
            if more > 0 {
                body += &format!(" 等 {} 处", rest.len());
            }
            (format!("排队告警：另有 {} 处", rest.len()), body)
        }
        Locale::EnUs => {
            if more > 0 {
                body += &format!(" and {more} more");
            }
            (format!("Queue alarms: {} more", rest.len()), body)
        }
    }
}

/// The notifications of one computation's alarms (most people waiting first, as core's tracker
/// orders them).
pub fn alarm_notices(locale: Locale, alarms: &[AlarmNotice]) -> Vec<Notice<'_, AlarmNotice>> {
    let batch = batched(alarms, |n| alarm_text(locale, n), |rest| alarm_summary(locale, rest));
    notices(batch, |i| &alarms[i])
}

// ---- poor ratings and their rectification --------------------------------------------------------

/// A rating level as a notification names it.
pub fn level_label(locale: Locale, level: RatingLevel) -> &'static str {
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
    let masked = crate::privacy::mask_number_runs(&flat);
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

fn places<'a>(locale: Locale, cases: impl Iterator<Item = &'a CaseSummary>) -> String {
    cases.take(SUMMARY_NAMES).map(|s| place(locale, s)).collect::<Vec<_>>().join(list_separator(locale))
}

/// Title and body of a new case's notification.
pub fn new_case_text(locale: Locale, s: &CaseSummary) -> (String, String) {
    let title = match locale {
        Locale::ZhCn => format!("差评：{}", place(locale, s)),
        Locale::EnUs => format!("Poor rating: {}", place(locale, s)),
    };
    let mut parts = vec![level_label(locale, s.level).to_owned()];
    if !s.reasons.is_empty() {
        parts.push(s.reasons.join(list_separator(locale)));
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

fn new_cases_summary(locale: Locale, rest: &[CaseSummary]) -> (String, String) {
    let title =
        pick(locale, format!("另有 {} 条差评", rest.len()), format!("{} more poor ratings", rest.len()));
    (title, places(locale, rest.iter()))
}

/// The notifications of newly opened cases.
pub fn new_case_notices(locale: Locale, cases: &[CaseSummary]) -> Vec<Notice<'_, CaseSummary>> {
    let batch = batched(cases, |s| new_case_text(locale, s), |rest| new_cases_summary(locale, rest));
    notices(batch, |i| &cases[i])
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

/// The reminders of a day: the overdue cases first, then those due soon.
pub fn case_alert_notices(locale: Locale, alerts: &CaseAlerts) -> Vec<Notice<'_, CaseSummary>> {
    let all: Vec<(&CaseSummary, bool)> =
        alerts.overdue.iter().map(|s| (s, true)).chain(alerts.due_soon.iter().map(|s| (s, false))).collect();
    let batch = batched(
        &all,
        |(s, overdue)| alert_text(locale, s, *overdue),
        |rest| {
            let title = pick(
                locale,
                format!("另有 {} 件差评整改临期或超期", rest.len()),
                format!("{} more cases due soon or overdue", rest.len()),
            );
            (title, places(locale, rest.iter().map(|(s, _)| *s)))
        },
    );
    notices(batch, |i| all[i].0)
}

// ---- the shell's own refusals --------------------------------------------------------------------

fn body(code: FailureCode, message: String) -> ErrorBody {
    ErrorBody { code: code.as_str().to_owned(), message, field: None }
}

/// No central server yet (`code` names the action that needed it: `FailureCode::ServerNotConnected`
/// or `SyncNotConnected`).
pub fn not_connected(locale: Locale, code: &str) -> ErrorBody {
    let message = pick(
        locale,
        "尚未连接中心服务器，正在连接…".into(),
        "Not connected to the central server yet; connecting…".into(),
    );
    ErrorBody { code: code.to_owned(), message, field: None }
}

/// The server ended the session (expired, revoked, the account disabled): the person is signed
/// out here at that contact.
pub fn session_ended(locale: Locale) -> String {
    pick(
        locale,
        "登录已失效（已过期或被管理员撤销），请重新登录".into(),
        "Your session has ended (expired, or revoked by an administrator); sign in again".into(),
    )
}

/// The first administrator exists already (another first run got there first).
pub fn first_run_done(locale: Locale) -> String {
    pick(
        locale,
        "已有账号，首个系统管理员只能创建一次；请直接登录".into(),
        "An account exists already; the first administrator is created only once. Sign in instead".into(),
    )
}

/// A background task of the shell failed.
pub fn internal(locale: Locale, detail: &str) -> ErrorBody {
    body(
        FailureCode::Internal,
        pick(locale, format!("程序内部错误：{detail}"), format!("Internal error: {detail}")),
    )
}

/// The hall display's window could not be opened or raised.
pub fn display_window_failed(locale: Locale, detail: &str) -> ErrorBody {
    let message = pick(
        locale,
        format!("无法打开大屏窗口：{detail}"),
        format!("Cannot open the hall display window: {detail}"),
    );
    body(FailureCode::DisplayWindowFailed, message)
}

/// The hall display window's title.
pub fn display_title(locale: Locale) -> &'static str {
    match locale {
        Locale::ZhCn => "厅管家 · 大厅大屏",
        Locale::EnUs => "Hallkeeper · Hall display",
    }
}

/// The central server's address is not a URL.
pub fn server_url_invalid(locale: Locale) -> ErrorBody {
    let message =
        pick(locale, "中心服务器地址无效".into(), "The central server's address is not valid".into());
    body(FailureCode::ServerUrlInvalid, message)
}

/// No answer from the central server.
pub fn server_unreachable(locale: Locale) -> ErrorBody {
    let message = pick(
        locale,
        "无法连接中心服务器，请检查网络后重试".into(),
        "Cannot reach the central server; check the network and try again".into(),
    );
    body(FailureCode::ServerUnreachable, message)
}

/// The central server answered something other than what the request expects.
pub fn server_bad_answer(locale: Locale, status: u16) -> ErrorBody {
    let message = pick(
        locale,
        format!("中心服务器的应答无法识别（HTTP {status}）"),
        format!("The central server's answer was not understood (HTTP {status})"),
    );
    body(FailureCode::ServerBadAnswer, message)
}

/// The SMS records are the server's, and it cannot be reached.
pub fn sms_server_unreachable(locale: Locale, detail: &str) -> ErrorBody {
    let message = pick(
        locale,
        format!("连接不上中心服务器，短信发送记录暂时看不到（{detail}）"),
        format!("Cannot reach the central server, so the SMS records are not available ({detail})"),
    );
    body(FailureCode::SmsServerUnreachable, message)
}

/// The server refused an SMS request without saying why.
pub fn sms_server_refused(locale: Locale, status: u16) -> ErrorBody {
    let message = pick(
        locale,
        format!("中心服务器拒绝了请求（HTTP {status}）"),
        format!("The central server refused the request (HTTP {status})"),
    );
    body(FailureCode::SmsServerRefused, message)
}

/// Sync cannot reach the server, in Chinese; None: the error's own English words do.
pub fn sync_unreachable(locale: Locale, url: &str) -> Option<String> {
    (locale == Locale::ZhCn).then(|| format!("连不上中心服务器 {url}，修改已保存在本机，恢复后自动同步"))
}

/// The server failed a sync step (5xx), in Chinese; None: the error's own English words do.
pub fn sync_server_error(locale: Locale, status: u16) -> Option<String> {
    (locale == Locale::ZhCn).then(|| format!("中心服务器出错（{status}），稍后自动重试"))
}

/// A refusal from the central server, in the UI's language. The server writes its messages in
/// Chinese; in English the codes the desktop's admin actions can meet get an English sentence,
/// anything else keeps the server's words rather than lose them.
pub fn server_refusal(mut refusal: ErrorBody, locale: Locale) -> ErrorBody {
    if locale == Locale::EnUs {
        use FailureCode as F;
        let english = match FailureCode::parse(&refusal.code) {
            Some(F::QueueWindowNotFound) => Some("This hall has no such window"),
            Some(F::QueueWindowClosed) => {
                Some("That window is paused or closed: open it before sending people to it")
            }
            Some(F::QueueUnknownMatter) => Some("This hall has no such matter"),
            Some(F::QueueNothingToMove) => {
                Some("Nobody is waiting for this matter any more (called already, or sent to a window)")
            }
            Some(F::HallNotConfigured) => {
                Some("The server does not have this hall's windows and matters yet")
            }
            Some(F::HallNotFound) => Some("The central server does not know this hall"),
            Some(F::AuthTokenMissing | F::AuthTokenInvalid) => {
                Some("The central server did not accept this desktop's admin token")
            }
            Some(F::StorageUnavailable) => {
                Some("The central server's storage is unavailable; try again shortly")
            }
            _ => None,
        };
        if let Some(message) = english {
            refusal.message = message.to_owned();
        }
    }
    refusal
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Deadline;
    use crate::rectification::{Assignee, AssigneeKind, CaseState};

    fn notice(subject: AlertSubject, label: &str, waiting: u32, longest: Option<i64>) -> AlarmNotice {
        AlarmNotice {
            subject,
            subject_id: format!("id-{label}"),
            label: label.into(),
            waiting,
            longest_wait_secs: longest,
        }
    }

    #[test]
    fn notices_are_worded_in_the_ui_language() {
        let w = notice(AlertSubject::Window, "A03", 12, Some(25 * 60 + 10));
        assert_eq!(
            alarm_text(Locale::ZhCn, &w),
            ("排队告警：A03 窗口".to_owned(), "12 人等候，最长已等 25 分钟".to_owned())
        );
        assert_eq!(
            alarm_text(Locale::EnUs, &w),
            ("Queue alarm: window A03".to_owned(), "12 people waiting, the longest for 25 min".to_owned())
        );
        let m = notice(AlertSubject::Matter, "不动产登记", 1, None);
        assert_eq!(alarm_text(Locale::ZhCn, &m), ("排队告警：不动产登记".to_owned(), "1 人等候".to_owned()));
        assert_eq!(alarm_text(Locale::EnUs, &m).1, "1 person waiting");
    }

    #[test]
    fn many_notices_are_summed_up() {
        let rest: Vec<_> =
            (1..=10).map(|i| notice(AlertSubject::Window, &format!("B{i:02}"), 5, None)).collect();
        let (title, body) = alarm_summary(Locale::ZhCn, &rest);
        assert_eq!(title, "排队告警：另有 10 处");
        assert!(body.starts_with("B01 窗口、B02 窗口") && body.ends_with(" 等 10 处"), "{body}");
        let (title, body) = alarm_summary(Locale::EnUs, &rest[..2]);
        assert_eq!((title.as_str(), body.as_str()), ("Queue alarms: 2 more", "window B01, window B02"));
    }

    #[test]
    fn three_notices_then_one_summary_that_opens_the_first_of_the_rest() {
        let alarms: Vec<_> =
            (1..=5).map(|i| notice(AlertSubject::Window, &format!("B{i:02}"), 5, None)).collect();
        let raised = alarm_notices(Locale::EnUs, &alarms);
        assert_eq!(raised.len(), MAX_AT_ONCE + 1);
        assert_eq!(raised[0].title, "Queue alarm: window B01");
        assert_eq!(
            (raised[3].title.as_str(), raised[3].about.label.as_str()),
            ("Queue alarms: 2 more", "B04")
        );
        assert_eq!(alarm_notices(Locale::EnUs, &alarms[..3]).len(), 3, "no summary for three");
        assert!(alarm_notices(Locale::EnUs, &[]).is_empty());
    }

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
    fn case_notices_name_the_window_and_matter_in_the_ui_language() {
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
    fn reminders_put_the_overdue_first_and_share_the_batching_rule() {
        let overdue: Vec<_> = (0..2).map(|_| case(Some("A01"), "")).collect();
        let due_soon: Vec<_> = (0..3).map(|_| case(None, "")).collect();
        let alerts = CaseAlerts { overdue, due_soon };
        let raised = case_alert_notices(Locale::ZhCn, &alerts);
        assert_eq!(raised.len(), MAX_AT_ONCE + 1);
        assert!(raised[0].title.starts_with("差评整改已超期"), "{}", raised[0].title);
        assert!(raised[2].title.starts_with("差评整改临期"), "{}", raised[2].title);
        assert_eq!(
            (raised[3].title.as_str(), raised[3].body.as_str()),
            ("另有 2 件差评整改临期或超期", "不动产登记、不动产登记")
        );
    }

    #[test]
    fn phone_and_id_numbers_are_masked_and_long_comments_cut() {
        assert_eq!(comment_excerpt("请回电 13812345678 谢谢"), "请回电 138****5678 谢谢");
        assert_eq!(comment_excerpt("身份证11010519491231002X"), "身份证110***********002X");
        assert_eq!(comment_excerpt("等了 45 分钟"), "等了 45 分钟");
        let long = "很".repeat(60);
        assert_eq!(comment_excerpt(&long).chars().count(), EXCERPT_CHARS + 1);
    }

    #[test]
    fn unknown_codes_keep_the_servers_words_in_english() {
        let body =
            ErrorBody { code: "queue.time_out_of_order".into(), message: "某条消息".into(), field: None };
        assert_eq!(server_refusal(body.clone(), Locale::EnUs), body);
        let known = ErrorBody {
            code: "queue.window_closed".into(),
            message: "窗口 D01 已暂停".into(),
            field: Some("toWindowId".into()),
        };
        assert_eq!(server_refusal(known.clone(), Locale::ZhCn), known, "Chinese is the server's own");
        assert_eq!(server_refusal(known, Locale::EnUs).field.as_deref(), Some("toWindowId"));
    }
}
