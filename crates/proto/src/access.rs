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

/// `POST /api/v1/session`: a person signs in (docs/accounts.md).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignIn {
    pub login: String,
    pub password: String,
}

impl std::fmt::Debug for SignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignIn").field("login", &self.login).field("password", &"…").finish()
    }
}

/// A signed-in person's session, as the server issues it. The token is opaque, shown once and
/// kept hashed by the server; it expires `idle` after its last use (sliding) and at `absolute`
/// in any case, and an administrator can revoke it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub token: String,
    pub account: Account,
    /// RFC 3339; the token is refused after it unless used again before (each use slides it).
    pub idle_expires_at: String,
    /// RFC 3339; the token is refused after it whatever its use.
    pub absolute_expires_at: String,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("token", &"…")
            .field("account", &self.account)
            .field("idle_expires_at", &self.idle_expires_at)
            .field("absolute_expires_at", &self.absolute_expires_at)
            .finish()
    }
}

/// `PUT /api/v1/session/password`: the signed-in person changes their own password (required
/// before anything else when `mustChangePassword` is set).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

impl std::fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordChange { … }")
    }
}

/// `POST /api/v1/admin/accounts` (系统管理员) or `POST /api/v1/admin/halls/{hallId}/accounts`
/// (the hall's 大厅管理员): a new account with a first password the administrator hands over;
/// the person must change it at their first sign-in. Grants may not exceed the granter's own.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountInput {
    pub login: String,
    pub display_name: String,
    #[serde(default)]
    pub staff_id: Option<String>,
    pub grants: Vec<HallRole>,
    pub password: String,
}

impl std::fmt::Debug for AccountInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountInput")
            .field("login", &self.login)
            .field("display_name", &self.display_name)
            .field("staff_id", &self.staff_id)
            .field("grants", &self.grants)
            .field("password", &"…")
            .finish()
    }
}

/// `PATCH …/accounts/{accountId}`: what an administrator changes; absent fields stay. Disabling
/// an account revokes its sessions.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountUpdate {
    #[serde(default)]
    pub display_name: Option<String>,
    /// `Some(None)` (JSON null) unlinks the staff record.
    #[serde(default, with = "double_option")]
    #[ts(optional, type = "string | null")]
    pub staff_id: Option<Option<String>>,
    #[serde(default)]
    pub grants: Option<Vec<HallRole>>,
    #[serde(default)]
    pub active: Option<bool>,
}

/// `POST …/accounts/{accountId}/reset`: a temporary password; the person must change it at
/// their next sign-in, and their sessions are revoked.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordReset {
    pub password: String,
}

impl std::fmt::Debug for PasswordReset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordReset { … }")
    }
}

/// One entry of the server's audit log: every sign-in (ok or refused) and every administrative
/// action — who, when, from which address, what, before/after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ServerAuditEntry {
    /// Increasing on the server.
    pub seq: i64,
    pub at: String,
    /// The account acting (or the login tried, for a refused sign-in); null for the break-glass
    /// token and the CLI.
    pub account_id: Option<String>,
    /// The display name at the time (or the login tried); `cli` / `break-glass` otherwise.
    pub actor_name: String,
    /// The peer address the request came from (`cli` for the command line).
    pub address: String,
    /// The hall the action concerns, if one.
    pub hall_id: Option<String>,
    /// `<area>.<verb>`, e.g. `session.sign_in`, `session.sign_in_refused`, `account.create`,
    /// `device.revoke`, `config.put`.
    pub action: String,
    /// What it was done to (an account id, a device id, a hall id …).
    pub target: Option<String>,
    #[ts(type = "unknown | null")]
    pub before: Option<serde_json::Value>,
    #[ts(type = "unknown | null")]
    pub after: Option<serde_json::Value>,
}

/// `GET /api/v1/admin/halls/{hallId}/audit?before=SEQ&limit=N`, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ServerAuditPage {
    pub entries: Vec<ServerAuditEntry>,
    /// Pass as `before` for the next page; null at the end.
    pub next_before: Option<i64>,
}

/// `serde(with)` for `Option<Option<T>>`: absent → `None`, `null` → `Some(None)`.
mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(v: &Option<Option<T>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            None => s.serialize_none(),
            Some(inner) => inner.serialize(s),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}
