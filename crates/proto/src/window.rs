use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What a window is for. Halls distinguish general counters (综合窗口) that take many matters,
/// dedicated counters (专窗) for one department, and the priority lane (绿色通道) for the elderly,
/// disabled and other priority groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum WindowKind {
    General,
    Dedicated,
    Priority,
}

impl WindowKind {
    pub const ALL: [WindowKind; 3] = [Self::General, Self::Dedicated, Self::Priority];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::General => "general",
            Self::Dedicated => "dedicated",
            Self::Priority => "priority",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Whether a window takes calls. A paused window keeps its queue (staff on a break); a closed
/// one is out of service for the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum WindowState {
    Open,
    Paused,
    Closed,
}

impl WindowState {
    pub const ALL: [WindowState; 3] = [Self::Open, Self::Paused, Self::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Paused => "paused",
            Self::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A service counter (窗口) of the hall.
// Exported as HallWindow: `Window` is the DOM's global in the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "HallWindow")]
pub struct Window {
    pub id: String,
    /// Unique within the hall, upper case, e.g. `A03`.
    pub number: String,
    pub name: String,
    /// Zone or area of the hall floor; may be empty.
    pub zone: String,
    pub kind: WindowKind,
    pub state: WindowState,
    /// The supervisor's floor order, 0-based and dense.
    pub position: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// The editable fields of a window, as a form submits them. Validated and normalised by core.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WindowInput {
    pub number: String,
    pub name: String,
    #[serde(default)]
    pub zone: String,
    pub kind: WindowKind,
    #[serde(default = "default_state")]
    pub state: WindowState,
}

fn default_state() -> WindowState {
    WindowState::Open
}
