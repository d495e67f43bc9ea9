//! The window terminal (窗口叫号, `/terminal`): a person signs in at a paired caller device with
//! their 工号 and password; the caller's routes then carry their terminal session
//! (`X-Terminal-Session`) beside the device token. docs/devices.md has the rules.

use crate::{Role, Ticket, WindowState};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

/// `POST /api/v1/terminal/session` (with the caller's device token).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TerminalSignIn {
    /// 工号: the staff record's employee number.
    pub employee_no: String,
    pub password: String,
}

impl std::fmt::Debug for TerminalSignIn {
    // The password must not reach a log through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TerminalSignIn").field("employee_no", &self.employee_no).finish_non_exhaustive()
    }
}

/// `GET /api/v1/terminal/window` (device token only): what the sign-in screen shows before anyone
/// is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TerminalWindow {
    pub hall_name: String,
    pub window_id: String,
    pub window_number: String,
    pub window_name: String,
    /// Whether the server refuses caller requests without a terminal session.
    pub sign_in_required: bool,
}

/// Who works the terminal now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TerminalPerson {
    pub account_id: String,
    pub display_name: String,
    pub employee_no: String,
    pub staff_id: String,
    /// Their highest role in the hall.
    pub role: Role,
    /// Whether the day's seating plan seats them at this window (false: a 值班长 or above covering).
    pub seated: bool,
    /// When the session ends at the latest (RFC 3339): the hall day's end or 12 h after sign-in.
    pub expires_at: String,
}

/// The answer to a terminal sign-in: the session token to send as `X-Terminal-Session`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TerminalSession {
    pub token: String,
    pub person: TerminalPerson,
    pub window_id: String,
}

/// `GET /api/v1/caller/terminal`: everything the terminal's screen shows, in one answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TerminalView {
    pub window_id: String,
    pub window_number: String,
    pub window_name: String,
    pub window_state: WindowState,
    pub current: Option<Ticket>,
    /// The current ticket's matter name (and every other listed ticket's): matter id → name.
    pub matter_names: BTreeMap<String, String>,
    /// How many wait in the window's queue.
    pub waiting: u32,
    /// The first of them in call order (at most 50), to call one out of order.
    pub waiting_list: Vec<Ticket>,
    pub parked: Vec<Ticket>,
    /// Recalls allowed per call: one more makes the ticket a no-show.
    pub max_recalls: u32,
    /// Who is signed in (None only where sign-in is optional and nobody is).
    pub person: Option<TerminalPerson>,
    /// The server's clock (RFC 3339), so the page ticks time in service from the server's time.
    pub now: String,
}

/// One place a ticket can be transferred to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TransferMatter {
    pub id: String,
    pub name: String,
    /// Its department's name, shown beside it in the picker.
    pub department_name: String,
    pub waiting: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TransferWindow {
    pub id: String,
    pub number: String,
    pub name: String,
    pub state: WindowState,
    pub waiting: u32,
}

/// `GET /api/v1/caller/transfer-targets?q=`: the matters a kiosk would ticket and the other open
/// windows, filtered by `q` (name, number or id, case-insensitive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TransferTargets {
    pub matters: Vec<TransferMatter>,
    pub windows: Vec<TransferWindow>,
}
