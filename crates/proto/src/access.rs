use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What a person may do, per hall (issue 17). The permission matrix that says which role may do
/// what is `hallkeeper-access`'s (`docs/roles.md`); here is only the name on the wire. Listed from
/// the most to the least powerful: each role includes everything the ones after it may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员: the whole server — its halls and every account.
    SystemAdmin,
    /// 大厅管理员: one hall — its accounts, devices, SMS provider settings and everything below.
    HallAdmin,
    /// 值班长: windows, bindings, staff and seating, thresholds, SMS rules, rectification.
    ShiftLead,
    /// 监督员: reads the dashboard, reports, cases and audit; changes nothing.
    Supervisor,
    /// 窗口人员: the window terminal of the window they are seated at, and their own ratings.
    WindowStaff,
}

impl Role {
    /// Every role, the most powerful first.
    pub const ALL: [Role; 5] =
        [Self::SystemAdmin, Self::HallAdmin, Self::ShiftLead, Self::Supervisor, Self::WindowStaff];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SystemAdmin => "system_admin",
            Self::HallAdmin => "hall_admin",
            Self::ShiftLead => "shift_lead",
            Self::Supervisor => "supervisor",
            Self::WindowStaff => "window_staff",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// One grant of a role. A hall role names its hall; 系统管理员 is server-wide and names none
/// (`hallId` null), so a grant cannot claim a hall it does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HallRole {
    pub hall_id: Option<String>,
    pub role: Role,
}

/// A person's account on the central server (the authority for every hall it hosts). The password
/// hash never leaves the server and is not part of this shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub id: String,
    /// What the person types to sign in; unique on the server.
    pub login: String,
    /// The name shown in the header, the audit log and case steps.
    pub display_name: String,
    /// The staff record (工号) this person is, if they also work at a window.
    pub staff_id: Option<String>,
    pub grants: Vec<HallRole>,
    /// A disabled account cannot sign in, and its queued offline changes are refused.
    pub active: bool,
    /// Set by an administrator's reset: the next sign-in must choose a new password first.
    pub must_change_password: bool,
}
