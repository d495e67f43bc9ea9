//! The central server's device API (kiosks, window callers, rating pads, the hall display, the
//! online appointment channel) and its administration. Documented for device makers in
//! `crates/server/openapi.yaml`; these types are the one definition both sides compile against.

use crate::{
    Binding, Department, Matter, PriorityClass, QueueSettings, Ticket, TransferTarget, Window, WindowState,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What a device is; a token only opens its own kind's endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    /// 取号机
    Kiosk,
    /// 叫号器 of one window
    Caller,
    /// 评价器 of one window
    RatingPad,
    /// 大屏
    Display,
    /// 网上预约: the hall's online booking channel (its website, app or mini-program backend).
    Online,
}

impl DeviceKind {
    pub const ALL: [DeviceKind; 5] =
        [Self::Kiosk, Self::Caller, Self::RatingPad, Self::Display, Self::Online];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Kiosk => "kiosk",
            Self::Caller => "caller",
            Self::RatingPad => "rating_pad",
            Self::Display => "display",
            Self::Online => "online",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Callers and rating pads belong to one window.
    pub fn needs_window(self) -> bool {
        matches!(self, Self::Caller | Self::RatingPad)
    }
}

/// A hall served by the server (one server can host a city's halls).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Hall {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HallInput {
    pub id: String,
    pub name: String,
}

/// The hall's configuration as the queue and the kiosk need it: windows, catalog, bindings and
/// queue rules. The supervisor's desktop is its source (through sync, later).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HallConfig {
    pub windows: Vec<Window>,
    pub departments: Vec<Department>,
    pub matters: Vec<Matter>,
    pub bindings: Vec<Binding>,
    pub settings: QueueSettings,
    /// SMS reminder rules; absent or null: no reminders.
    #[serde(default)]
    pub sms: Option<crate::SmsRuleSet>,
}

impl HallConfig {
    /// The slice of the hall the queue engine needs (the server's queue and the desktop's
    /// dashboard build it the same way).
    pub fn queue_config(&self) -> crate::QueueConfig {
        crate::QueueConfig {
            windows: self.windows.iter().map(crate::QueueWindow::from).collect(),
            matters: self.matters.iter().map(crate::QueueMatter::from).collect(),
            bindings: self.bindings.clone(),
            settings: self.settings.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeviceInput {
    pub kind: DeviceKind,
    pub name: String,
    /// Required for callers and rating pads.
    #[serde(default)]
    pub window_id: Option<String>,
}

/// A registered device. Its token is shown once, when it is created; the server keeps a hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    pub id: String,
    pub hall_id: String,
    pub kind: DeviceKind,
    pub name: String,
    pub window_id: Option<String>,
    pub created_at: String,
    pub revoked_at: Option<String>,
    /// When the device last called the server with its token (RFC 3339; None: never). Kept to
    /// the minute: the server writes it at most once a minute per device.
    #[serde(default)]
    pub last_seen_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeviceCreated {
    pub device: Device,
    /// The bearer token for `Authorization: Bearer …`; not retrievable later.
    pub token: String,
}

/// `POST /api/v1/admin/halls/{hallId}/pairings` (a new device) or `POST …/devices/{deviceId}/pairing`
/// (a new code for one already listed): a one-time code the device exchanges for its token.
/// 8 digits, valid 10 minutes, used once; the desktop shows it with a QR code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PairingCode {
    pub device: Device,
    pub code: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// `POST /api/v1/devices/pair` (no token: the code is the credential): the device's half of
/// the pairing. The answer is a [`DeviceCreated`] with the device's token; pairing again rotates it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PairDevice {
    pub code: String,
}

impl std::fmt::Debug for PairDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PairDevice { … }")
    }
}

/// What the desktop's 设备管理 shows for a pairing code: the code, and a QR code for devices
/// with a camera (docs/devices.md says what it encodes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PairingShown {
    pub pairing: PairingCode,
    /// The text the QR code holds: `hallkeeper-pair:<server base URL>?code=<code>`.
    pub qr_text: String,
    /// The QR code as an SVG document.
    pub qr_svg: String,
}

/// `PATCH /api/v1/admin/halls/{hallId}/devices/{deviceId}`: rename or rebind; absent fields stay.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeviceUpdate {
    #[serde(default)]
    pub name: Option<String>,
    /// A new window for a caller or rating pad.
    #[serde(default)]
    pub window_id: Option<String>,
}

// ---- kiosk ----

/// A matter the kiosk offers, with how many wait for it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KioskMatter {
    pub id: String,
    pub name: String,
    pub ticket_prefix: String,
    pub waiting: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KioskDepartment {
    pub id: String,
    pub name: String,
    pub matters: Vec<KioskMatter>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TakeTicket {
    pub matter_id: String,
    /// Normal unless staff at the kiosk chose the priority lane; appointments come by check-in.
    #[serde(default = "normal")]
    pub class: PriorityClass,
    /// For SMS reminders; optional, mainland mobile numbers only.
    #[serde(default)]
    pub phone: Option<String>,
}

fn normal() -> PriorityClass {
    PriorityClass::Normal
}

/// What the kiosk prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IssuedTicket {
    pub ticket: Ticket,
    pub matter_name: String,
    /// People who will be called before this ticket.
    pub ahead: u32,
    /// Numbers of the windows that serve its matter (floor order), open ones first; what the
    /// ticket prints under 请到以下窗口办理. Absent from servers older than the device pages.
    #[serde(default)]
    pub window_numbers: Vec<String>,
    /// Estimated minutes until it is called (docs/devices.md, "Estimated wait").
    #[serde(default)]
    pub estimated_wait_minutes: u32,
    /// The opaque id of its read-only follow page `/q/<followId>` (no personal data on it).
    #[serde(default)]
    pub follow_id: String,
}

// ---- caller ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TransferRequest {
    pub target: TransferTarget,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WindowStateRequest {
    pub state: WindowState,
}

/// The caller's screen: its window, the ticket at it, what waits, what it parked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CallerView {
    pub window_id: String,
    pub window_state: WindowState,
    pub current: Option<Ticket>,
    pub waiting: u32,
    pub parked: Vec<Ticket>,
    /// Recalls allowed per call (the current ticket's `recallCount` counts up to it; one more
    /// recall makes it a no-show).
    #[serde(default)]
    pub max_recalls: u32,
}

/// 完成并叫下一位: the ticket the window finished and the one it then called (None when nobody
/// was waiting; the window is free).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FinishedAndCalled {
    pub finished: Ticket,
    pub called: Option<Ticket>,
}

// ---- rating pad ----

/// 一事一评: five levels from 非常满意 to 非常不满意.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RatingLevel {
    VerySatisfied,
    Satisfied,
    Neutral,
    Dissatisfied,
    VeryDissatisfied,
}

impl RatingLevel {
    pub const ALL: [RatingLevel; 5] =
        [Self::VerySatisfied, Self::Satisfied, Self::Neutral, Self::Dissatisfied, Self::VeryDissatisfied];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerySatisfied => "very_satisfied",
            Self::Satisfied => "satisfied",
            Self::Neutral => "neutral",
            Self::Dissatisfied => "dissatisfied",
            Self::VeryDissatisfied => "very_dissatisfied",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// 差评: the two lowest levels, which open a rectification case.
    pub fn is_poor(self) -> bool {
        matches!(self, Self::Dissatisfied | Self::VeryDissatisfied)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RatingInput {
    pub ticket_id: String,
    pub level: RatingLevel,
    #[serde(default)]
    pub reasons: Vec<String>,
    #[serde(default)]
    pub comment: String,
}

/// The rating pad's screen (`GET /api/v1/pad`): its window, who serves there, what to rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PadView {
    pub window_id: String,
    pub window_number: String,
    pub window_name: String,
    pub window_state: WindowState,
    /// The window is paused (暂停服务 on the pad).
    pub paused: bool,
    /// Who is seated at the window today, if the hall's seating plan says.
    pub serving: Option<PadStaff>,
    /// The ticket to rate now: the one the terminal asked for (请评价), else the window's last
    /// finished ticket not yet rated; None when there is nothing to rate.
    pub rate_now: Option<PadTicket>,
    /// The reason tags the pad offers for the two lowest grades: the hall's list as a desktop
    /// last synced it (`rating_reasons`), else the server's default list (api/pad.rs
    /// `DEFAULT_REASON_TAGS`, docs/devices.md). A rating's reasons must be among them.
    pub reason_tags: Vec<String>,
}

/// The person at a pad's window, as the idle pad shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PadStaff {
    pub staff_id: String,
    /// 工号.
    pub employee_no: String,
    pub name: String,
    /// None: the store keeps no photo of staff yet.
    pub photo_url: Option<String>,
    /// Star grade 1–5 from this month's 服务之星 record a desktop published (`star_month`);
    /// None when they are not among the month's stars or none was published.
    pub stars: Option<u32>,
}

/// A finished ticket waiting for its rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PadTicket {
    pub ticket_id: String,
    pub ticket_number: String,
    pub matter_id: String,
    pub matter_name: String,
    pub finished_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Rating {
    pub id: String,
    pub hall_id: String,
    pub ticket_id: String,
    pub ticket_number: String,
    pub window_id: String,
    pub matter_id: String,
    pub level: RatingLevel,
    pub reasons: Vec<String>,
    pub comment: String,
    pub at: String,
}

// ---- hall display ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DisplayWindow {
    pub window_id: String,
    pub number: String,
    pub name: String,
    pub state: WindowState,
    /// The ticket number called or served there now.
    pub current: Option<String>,
    pub waiting: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DisplayCall {
    pub ticket_number: String,
    pub window_number: String,
    pub at: String,
    /// The call's number in the hall, strictly increasing (a recall gets a new one): a display
    /// announces each call once by remembering the highest it announced. The hall day
    /// (YYYYMMDD) × 1,000,000 + the call's ordinal that day, e.g. 20261125000003.
    pub seq: i64,
    /// A recall (重呼) rather than a first call.
    pub recall: bool,
    pub ticket_id: String,
    pub window_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DisplayFeed {
    pub hall_name: String,
    pub windows: Vec<DisplayWindow>,
    /// The latest calls, newest first.
    pub recent_calls: Vec<DisplayCall>,
    pub waiting: u32,
    /// This month's 服务之星 as a desktop last published them (`star_month`); None until one has.
    pub stars: Option<crate::StarMonth>,
}
