//! SMS reminders (短信提醒): the hall's rule set, which the desktop edits and delivers to the
//! server inside the hall configuration, and what the server's admin API answers about its
//! outbox. Only data and its text form live here; validation, rendering and the decision whether
//! a reminder may go out are `hallkeeper-sms`'s (its `rules` module re-exports these types).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use ts_rs::TS;

/// The event a rule answers to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum SmsTrigger {
    /// The ticket was just issued: its number, the people ahead and the estimated wait are known.
    Issued,
    /// The people ahead dropped to `n` — the "come back now" message for someone at the tea shop.
    PeopleAhead { n: u32 },
    /// The ticket was called to a window.
    Called,
    /// The ticket was passed over (过号) because nobody came.
    Missed,
    /// An appointment (预约) is due in `minutes_before` minutes.
    AppointmentHeadsUp { minutes_before: u32 },
}

/// One reminder rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SmsRule {
    pub id: String,
    pub name: String,
    pub trigger: SmsTrigger,
    /// Text with `{ticket}` `{window}` `{ahead}` `{wait_min}` `{matter}` `{hall}`.
    pub template: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Limits the rule to these matters; empty means every matter (a tax matter may want an
    /// earlier heads-up than a quick certificate).
    #[serde(default)]
    pub matter_ids: Vec<String>,
}

fn yes() -> bool {
    true
}

/// A time of day, written `HH:MM` (00:00–23:59).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime {
    minutes: u16,
}

impl ClockTime {
    pub fn new(hour: u8, minute: u8) -> Option<ClockTime> {
        (hour < 24 && minute < 60).then_some(ClockTime { minutes: u16::from(hour) * 60 + u16::from(minute) })
    }

    pub fn minutes_since_midnight(self) -> u16 {
        self.minutes
    }

    pub fn from_naive(time: chrono::NaiveTime) -> ClockTime {
        use chrono::Timelike;
        // Hour < 24 and minute < 60 always hold for a NaiveTime.
        ClockTime { minutes: (time.hour() * 60 + time.minute()) as u16 }
    }
}

/// Why a text is not a [`ClockTime`]; the text is quoted so the editor can show it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockTimeInvalid(pub String);

impl fmt::Display for ClockTimeInvalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\" is not a time of day HH:MM (00:00–23:59)", self.0)
    }
}

impl std::error::Error for ClockTimeInvalid {}

impl FromStr for ClockTime {
    type Err = ClockTimeInvalid;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ClockTimeInvalid(s.to_owned());
        let (h, m) = s.split_once(':').ok_or_else(bad)?;
        if h.len() != 2 || m.len() != 2 || !(h.bytes().chain(m.bytes())).all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let hour: u8 = h.parse().map_err(|_| bad())?;
        let minute: u8 = m.parse().map_err(|_| bad())?;
        ClockTime::new(hour, minute).ok_or_else(bad)
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.minutes / 60, self.minutes % 60)
    }
}

impl Serialize for ClockTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Hours in which no reminder is sent, `[start, end)`; `22:00`–`07:00` crosses midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QuietHours {
    /// `HH:MM`
    #[ts(type = "string")]
    pub start: ClockTime,
    /// `HH:MM`
    #[ts(type = "string")]
    pub end: ClockTime,
}

impl QuietHours {
    pub fn contains(&self, local: ClockTime) -> bool {
        if self.start <= self.end {
            self.start <= local && local < self.end
        } else {
            local >= self.start || local < self.end
        }
    }
}

/// The hall's reminder configuration, part of [`crate::HallConfig`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SmsRuleSet {
    pub rules: Vec<SmsRule>,
    #[serde(default)]
    pub quiet_hours: Option<QuietHours>,
    /// The most reminders one citizen (one phone number) receives in a day, whatever the rules
    /// say — the hall's own guard below the providers' frequency limits.
    pub daily_cap_per_citizen: u32,
}

// ---- the server's outbox, as the admin API shows it ----

/// Where one message is. `pending` waits for its (next) attempt; `sending` is claimed by a
/// sender; `unknown` is a message whose fate nobody knows (the server stopped during its send,
/// or the provider's answer was lost) — it is never sent again on its own, see the server's
/// `sms` module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SmsDeliveryStatus {
    Pending,
    Sending,
    Sent,
    Failed,
    SkippedQuietHours,
    SkippedCap,
    /// Not sent before it stopped meaning anything (a "3 ahead" reminder an hour late).
    Expired,
    Unknown,
}

impl SmsDeliveryStatus {
    pub const ALL: [SmsDeliveryStatus; 8] = [
        Self::Pending,
        Self::Sending,
        Self::Sent,
        Self::Failed,
        Self::SkippedQuietHours,
        Self::SkippedCap,
        Self::Expired,
        Self::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::SkippedQuietHours => "skipped_quiet_hours",
            Self::SkippedCap => "skipped_cap",
            Self::Expired => "expired",
            Self::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One outbox row. The number is masked (`138****5678`); the full one never leaves the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SmsOutboxEntry {
    /// Also the idempotency key sent to the provider (Alibaba `OutId`, Tencent `SessionContext`).
    pub id: String,
    pub hall_id: String,
    pub ticket_id: Option<String>,
    pub appointment_id: Option<String>,
    /// The rule; `test` for a supervisor's free-text test message.
    pub rule_id: String,
    /// The trigger's kind (`issued`, `peopleAhead`, `called`, `missed`, `appointmentHeadsUp`), or
    /// `test` for a supervisor's test message (of a rule's text, or free text).
    pub trigger: String,
    /// Hall day (UTC+8), `YYYY-MM-DD`.
    pub day: String,
    pub phone_masked: String,
    pub text: String,
    pub status: SmsDeliveryStatus,
    pub attempts: u32,
    pub next_attempt_at: Option<String>,
    pub provider: Option<String>,
    pub provider_message_id: Option<String>,
    pub last_error_code: Option<String>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub sent_at: Option<String>,
}

/// One day's messages of one rule, by status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SmsDayCount {
    pub day: String,
    pub rule_id: String,
    pub sent: u32,
    pub failed: u32,
    /// Pending and sending.
    pub pending: u32,
    pub skipped_quiet_hours: u32,
    pub skipped_cap: u32,
    pub expired: u32,
    pub unknown: u32,
}

/// `GET …/sms/counts?days=N`: the last N hall days, newest first, one entry per day and rule
/// that had messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SmsCounts {
    pub days: Vec<SmsDayCount>,
}

/// `POST …/sms/test`: a message to the supervisor's own number, either the rendered text of
/// a rule (with sample values) or a text of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SmsTestRequest {
    pub phone: String,
    #[serde(default)]
    pub rule_id: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
}

/// The outcome of a test message: its outbox row after the one attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SmsTestResult {
    pub entry: SmsOutboxEntry,
}

/// The server's sending side as the supervisor sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SmsServiceStatus {
    /// False when the server has no SMS set up: phones given at the kiosk are then checked and
    /// dropped, and nothing is sent.
    pub enabled: bool,
    /// `log`, `alibaba`, `tencent`, or `none`.
    pub provider: String,
    /// The provider refused the account (credentials, signature, balance): nothing is sent
    /// until `pausedUntil` or a restart with a fixed configuration.
    pub paused: bool,
    pub paused_until: Option<String>,
    pub last_error_code: Option<String>,
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
    pub last_sent_at: Option<String>,
    /// The hall's rows waiting to be sent, and those whose fate is unknown.
    pub pending: u32,
    pub unknown: u32,
    /// Enabled rules in the hall's configuration.
    pub enabled_rules: u32,
}

/// The desktop's `sms_outbox` filter: each part optional, `null` or absent for all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields = nullable)]
pub struct SmsOutboxQuery {
    #[serde(default)]
    pub status: Option<SmsDeliveryStatus>,
    /// A rule id.
    #[serde(default)]
    pub rule: Option<String>,
    /// Hall day, `YYYY-MM-DD`.
    #[serde(default)]
    pub day: Option<String>,
}

/// The desktop's `preview_sms_template`: the message as the phone shows it, with sample values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SmsPreview {
    /// As the phone shows it, 【signature】 included, with the sample values.
    pub text: String,
    pub chars: usize,
    pub segments: usize,
    /// The signature counted in `chars`.
    pub sign_name: String,
    /// The placeholders this trigger can fill (`ticket`, `window`, …).
    pub available: Vec<String>,
}

/// Which provider's limit a budget warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SmsProviderKind {
    Alibaba,
    Tencent,
}

/// A provider limit a rule set can exceed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SmsLimitKind {
    /// Tencent: messages to one number per calendar day.
    PerNumberPerDay,
    /// Tencent: identical text to one number within 30 seconds.
    SameContentWithin30s,
    /// Alibaba: one signature + template to one number per day.
    PerTemplatePerNumberPerDay,
}

/// One limit the rule set can exceed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SmsBudgetWarning {
    pub provider: SmsProviderKind,
    pub limit_kind: SmsLimitKind,
    pub limit: u32,
    /// What the rule set implies for that limit, after the hall's own daily cap.
    pub implied: u32,
    /// The rules concerned, when the limit is per template or per content.
    pub rule_ids: Vec<String>,
}

/// The desktop's `sms_budget` (`hallkeeper_sms::budget::estimate`): what a rule set implies per
/// citizen per day, and the provider limits it exceeds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SmsBudget {
    /// Messages one ticket can cause.
    pub per_ticket: u32,
    /// Messages one citizen can cause in a day before the hall's cap.
    pub per_citizen_per_day_uncapped: u32,
    /// The same after `dailyCapPerCitizen` — what actually reaches the provider.
    pub per_citizen_per_day: u32,
    pub warnings: Vec<SmsBudgetWarning>,
}
