//! People on the central server (issue 17, docs/accounts.md): what an account input must be, who
//! may grant what to whom, who is calling (a [`Principal`]), the sign-in throttle's memory, and
//! the first-run functions the desktop's embedded server and the CLI call in-process.
//!
//! The rules themselves (the matrix, `can_grant`, the password policy and hashing, the throttle's
//! numbers, session expiry) are `hallkeeper_access`'s; this module applies them to the server's
//! records. Storage only runs SQL (`storage::accounts`); the routes (`api::session`,
//! `api::accounts`) only do I/O around these decisions.

use crate::error::ApiError;
use crate::storage::accounts::{AccountRecord, AccountStorage};
use crate::storage::{to_millis, Storage, StorageError};
use chrono::{DateTime, Utc};
use hallkeeper_access::{
    allows, can_grant, check_grant, check_new_password, sync_entity_capability, AccessError, Capability,
    PasswordProblem, RetryAfter, Throttle, ThrottlePolicy,
};
use hallkeeper_proto::{Account, HallRole, RejectedOp, Role, SyncOp};
use std::collections::HashMap;
use std::sync::Mutex;

/// Longest login, in characters.
pub const LOGIN_MAX: usize = 64;
/// Longest display name, in characters.
pub const NAME_MAX: usize = 60;
/// The prefix of a session token (device tokens are `hk_…`), so the two are told apart before
/// any lookup.
pub const SESSION_PREFIX: &str = "hks_";

/// Logins are compared trimmed and in lower case (`Wang.Li` and `wang.li ` are one person), and
/// stored that way, so the database's UNIQUE is the rule.
pub fn normalize_login(login: &str) -> String {
    login.trim().to_lowercase()
}

/// A login as it will be stored: 2–64 letters, digits, `.`, `_`, `-` or `@` (Chinese letters
/// too), or `account.login_invalid` at `login`.
pub fn check_login(login: &str) -> Result<String, ApiError> {
    let login = normalize_login(login);
    let n = login.chars().count();
    if !(2..=LOGIN_MAX).contains(&n)
        || !login.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
    {
        return Err(ApiError::bad(
            "account.login_invalid",
            "login",
            format!("登录名须为 2–{LOGIN_MAX} 个字母、数字或 . _ - @"),
        ));
    }
    Ok(login)
}

/// A display name trimmed, 1–60 characters, or `account.name_invalid` at `displayName`.
pub fn check_display_name(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    let n = name.chars().count();
    if n == 0 || n > NAME_MAX || name.chars().any(char::is_control) {
        return Err(ApiError::bad(
            "account.name_invalid",
            "displayName",
            format!("姓名须为 1–{NAME_MAX} 个字"),
        ));
    }
    Ok(name.to_owned())
}

/// A staff link (工号 record id): absent, or an id (`account.staff_invalid` at `staffId`).
pub fn check_staff_id(staff_id: Option<String>) -> Result<Option<String>, ApiError> {
    match staff_id.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) if s.len() <= 64 && s.chars().all(|c| c.is_ascii_graphic()) => Ok(Some(s)),
        Some(_) => Err(ApiError::bad("account.staff_invalid", "staffId", "工号记录编号无效")),
    }
}

/// A password the person chose (creation, change, reset), against the policy; the problem is
/// answered at `field` (`password` for an administrator's input, `new` for a change).
pub fn check_password(login: &str, password: &str, field: &str) -> Result<(), ApiError> {
    check_new_password(login, password).map_err(|p: PasswordProblem| ApiError::BadRequest {
        code: p.code(),
        message: p.message(),
        field: Some(field.to_owned()),
    })
}

/// Grants checked one by one (`access.grant_invalid` at `grants[i]`) and without repeats, in
/// the order given.
pub fn check_grants(grants: &[HallRole]) -> Result<Vec<HallRole>, ApiError> {
    let mut out: Vec<HallRole> = Vec::with_capacity(grants.len());
    for (i, g) in grants.iter().enumerate() {
        check_grant(g).map_err(|e| ApiError::BadRequest {
            code: e.code(),
            message: e.message(),
            field: Some(format!("grants[{i}]")),
        })?;
        if let Some(h) = &g.hall_id {
            crate::ids::check_id(&format!("grants[{i}].hallId"), h)?;
        }
        if !out.contains(g) {
            out.push(g.clone());
        }
    }
    Ok(out)
}

/// Whether `granter` may change `from` into `to`: every grant added or taken away must be one
/// they may give (`can_grant`: no role above their own, only in halls they manage, 系统管理员
/// only by a 系统管理员), and on a hall's routes (`scope`) only grants of that hall. Refused
/// with 403 `access.grant_forbidden`, naming the first grant at fault.
pub fn check_grant_change(
    granter: &[HallRole],
    scope: Option<&str>,
    from: &[HallRole],
    to: &[HallRole],
) -> Result<(), ApiError> {
    let added = to.iter().filter(|g| !from.contains(g));
    let removed = from.iter().filter(|g| !to.contains(g));
    for g in added.chain(removed) {
        let in_scope = scope.is_none_or(|h| g.hall_id.as_deref() == Some(h));
        if !in_scope || !can_grant(granter, g) {
            return Err(ApiError::Forbidden {
                code: "access.grant_forbidden",
                message: format!(
                    "无权授予或收回角色 {}{}",
                    hallkeeper_access::matrix::role_name_zh(g.role),
                    g.hall_id.as_deref().map(|h| format!("（大厅 {h}）")).unwrap_or_default()
                ),
            });
        }
    }
    Ok(())
}

/// Whether `manager` may manage `target` at all (change, reset, disable): only someone who could
/// have given every grant the target holds — nobody manages a person more powerful or reaching
/// further than themselves. On a hall's routes the target must also hold a grant in that hall
/// (otherwise, for that hall's administrator, the account is not there: 404).
pub fn check_may_manage(manager: &[HallRole], scope: Option<&str>, target: &Account) -> Result<(), ApiError> {
    if let Some(h) = scope {
        if !target.grants.iter().any(|g| g.hall_id.as_deref() == Some(h)) {
            return Err(account_not_found(&target.id));
        }
    }
    if target.grants.iter().all(|g| can_grant(manager, g)) {
        Ok(())
    } else {
        Err(ApiError::Forbidden {
            code: "access.account_above_you",
            message: "该账号的角色高于或超出你的权限，不能修改".into(),
        })
    }
}

pub fn account_not_found(id: &str) -> ApiError {
    ApiError::NotFound { code: "account.not_found", what: format!("账号 {id}") }
}

/// Who is calling an authenticated route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A person, by their session.
    Person { account: Account, session_hash: String },
    /// The shared admin token, when `break_glass` is on: acts as 系统管理员, audited as `break-glass`.
    BreakGlass,
}

/// The caller of a request and the peer address it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub actor: Actor,
    pub address: String,
}

/// The name the audit log gives the break-glass token.
pub const BREAK_GLASS: &str = "break-glass";

impl Principal {
    pub fn grants(&self) -> Vec<HallRole> {
        match &self.actor {
            Actor::Person { account, .. } => account.grants.clone(),
            Actor::BreakGlass => vec![HallRole { hall_id: None, role: Role::SystemAdmin }],
        }
    }

    /// Whether the caller may do `cap` in `hall_id` (for a server-wide capability the hall does
    /// not matter: only 系统管理员 holds those).
    pub fn allows(&self, hall_id: &str, cap: Capability) -> bool {
        allows(&self.grants(), hall_id, cap)
    }

    pub fn is_system_admin(&self) -> bool {
        self.grants().iter().any(|g| g.role == Role::SystemAdmin)
    }

    pub fn account_id(&self) -> Option<&str> {
        match &self.actor {
            Actor::Person { account, .. } => Some(&account.id),
            Actor::BreakGlass => None,
        }
    }

    pub fn actor_name(&self) -> &str {
        match &self.actor {
            Actor::Person { account, .. } => &account.display_name,
            Actor::BreakGlass => BREAK_GLASS,
        }
    }
}

/// The sign-in throttle's state: one `hallkeeper_access::Throttle` per login and one per
/// address. Kept in the server's memory, not in storage, because:
/// - it only has to hold for minutes (the longest delay is 15 min, a key is forgotten after an
///   hour), and a guesser cannot restart the server to clear it;
/// - storing it would make every unauthenticated guess a database write before the guess is even
///   checked — a flood of bad sign-ins would then load the database every hall shares;
/// - the must-show (wrong passwords → 429; the right one refused during the delay, accepted
///   after) holds within one server process, which is how the server runs (one per database).
///
/// Several servers sharing one PostgreSQL database would each keep their own count; put them
/// behind one address-keyed limit at the proxy in that case (docs/accounts.md).
pub struct Throttles {
    login: ThrottlePolicy,
    address: ThrottlePolicy,
    keys: Mutex<HashMap<String, Throttle>>,
}

/// Above this many remembered keys, the forgotten ones are dropped at the next failure.
const THROTTLE_KEYS_SWEEP: usize = 10_000;

impl Default for Throttles {
    /// Per login, the access crate's numbers (5 free failures, then 1 s doubling to 15 min). Per
    /// address more failures are free: a hall's PCs often share one address behind NAT, and a
    /// whole office mistyping must not lock itself out.
    fn default() -> Self {
        let login = ThrottlePolicy::default();
        let address = ThrottlePolicy { free_failures: 20, ..login };
        Self::new(login, address)
    }
}

impl Throttles {
    pub fn new(login: ThrottlePolicy, address: ThrottlePolicy) -> Self {
        Self { login, address, keys: Mutex::new(HashMap::new()) }
    }

    fn keys(&self) -> std::sync::MutexGuard<'_, HashMap<String, Throttle>> {
        // A poisoned lock means a panic elsewhere mid-update; the counts are still usable.
        self.keys.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether a sign-in of `login` from `address` may be tried at `now`. If so, the attempt is
    /// counted against the login at once (as a failure until [`Throttles::succeeded`] clears it),
    /// so concurrent guesses at one account cannot all pass before the first one is counted.
    pub fn begin(&self, login: &str, address: &str, now: DateTime<Utc>) -> Result<(), RetryAfter> {
        let mut keys = self.keys();
        let (lk, ak) = (format!("login:{login}"), format!("addr:{address}"));
        let wait_login = keys.get(&lk).map_or(Ok(()), |t| t.check(now));
        let wait_addr = keys.get(&ak).map_or(Ok(()), |t| t.check(now));
        match (wait_login, wait_addr) {
            (Ok(()), Ok(())) => {}
            (Err(a), Err(b)) => return Err(RetryAfter { seconds: a.seconds.max(b.seconds) }),
            (Err(r), _) | (_, Err(r)) => return Err(r),
        }
        if keys.len() > THROTTLE_KEYS_SWEEP {
            keys.retain(|_, t| !t.is_forgotten(now));
        }
        let policy = self.login;
        keys.entry(lk).or_insert_with(|| Throttle::new(policy)).failed(now);
        Ok(())
    }

    /// The password was wrong (or the login unknown): the address counts it too.
    pub fn failed(&self, address: &str, now: DateTime<Utc>) {
        let policy = self.address;
        self.keys().entry(format!("addr:{address}")).or_insert_with(|| Throttle::new(policy)).failed(now);
    }

    /// The password was right: the login's count starts again (the address's does not, or a
    /// guesser could clear it by signing in to an account of their own).
    pub fn succeeded(&self, login: &str) {
        self.keys().remove(&format!("login:{login}"));
    }
}

/// The refusals of a push's operations by their authors (issue 17: the server re-checks each
/// operation's author when it receives it), by seq. An operation is refused when it names no
/// author (`access.author_missing`; only the break-glass token may push without one, its ops
/// being its own), an author that does not exist or is disabled (`access.author_disabled`), or
/// one lacking the entity's capability in the hall (`access.forbidden`,
/// `hallkeeper_access::sync_entity_capability`). Authors are looked up once each.
pub async fn author_refusals(
    storage: &dyn AccountStorage,
    principal: &Principal,
    hall_id: &str,
    ops: &[SyncOp],
) -> Result<crate::storage::SyncRefusals, StorageError> {
    let mut authors: HashMap<&str, Option<Account>> = HashMap::new();
    let mut out = crate::storage::SyncRefusals::new();
    for op in ops {
        let refuse = |code: &str, message: String| RejectedOp { seq: op.seq, code: code.into(), message };
        let Some(author) = op.author.as_deref() else {
            if principal.actor != Actor::BreakGlass {
                out.insert(op.seq, refuse("access.author_missing", "该操作没有署名的账号".into()));
            }
            continue;
        };
        if !authors.contains_key(author) {
            let found = storage.account(author).await?.map(|r| r.account);
            authors.insert(author, found);
        }
        let account = authors.get(author).and_then(Option::as_ref);
        let Some(account) = account.filter(|a| a.active) else {
            out.insert(
                op.seq,
                refuse("access.author_disabled", format!("账号 {author} 不存在或已停用，其修改不能生效")),
            );
            continue;
        };
        match sync_entity_capability(&op.entity) {
            // An entity nobody maps is left to the push's own check (unknown entity, rejected as
            // malformed); a known one without a capability cannot exist (a test holds the map
            // complete), and would be refused here rather than let through.
            None if !hallkeeper_proto::SYNC_ENTITIES.contains(&op.entity.as_str()) => {}
            Some(cap) if allows(&account.grants, hall_id, cap) => {}
            cap => {
                let code = cap.map_or("access.forbidden", |_| "access.forbidden");
                let what = cap.map_or("此类修改", |c| c.as_str());
                out.insert(
                    op.seq,
                    refuse(
                        code,
                        format!("{} 在本大厅没有 {what} 权限，其修改不能生效", account.display_name),
                    ),
                );
            }
        }
    }
    Ok(out)
}

/// Why the first administrator was not made.
#[derive(Debug, thiserror::Error)]
pub enum FirstRunError {
    /// An account exists already: the first administrator is made once, on a fresh store.
    #[error("an account exists already")]
    AccountsExist,
    /// The input broke a rule (login, name, password policy): `{code, message, field}`.
    #[error("{}", .0.message)]
    Invalid(hallkeeper_proto::ErrorBody),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl FirstRunError {
    /// The stable code (`account.exists`, `password.too_short`, …).
    pub fn code(&self) -> String {
        match self {
            Self::AccountsExist => "account.first_exists".into(),
            Self::Invalid(b) => b.code.clone(),
            Self::Access(e) => e.code().into(),
            Self::Storage(_) => "storage.unavailable".into(),
        }
    }
}

fn invalid(e: ApiError) -> FirstRunError {
    FirstRunError::Invalid(e.body())
}

/// Whether the store holds any account (the desktop asks for the first administrator when not).
pub async fn has_any_account(storage: &dyn Storage) -> Result<bool, StorageError> {
    storage.accounts().has_any_account().await
}

/// A new account's record, its password hashed (argon2id: call off the async runtime's threads
/// when serving, `tokio::task::spawn_blocking`).
pub fn new_record(
    now: DateTime<Utc>,
    login: &str,
    display_name: &str,
    staff_id: Option<String>,
    grants: Vec<HallRole>,
    password: &str,
    must_change_password: bool,
) -> Result<AccountRecord, AccessError> {
    let now = to_millis(now);
    Ok(AccountRecord {
        account: Account {
            id: crate::ids::id_at(now),
            login: login.to_owned(),
            display_name: display_name.to_owned(),
            staff_id,
            grants,
            active: true,
            must_change_password,
        },
        password_hash: hallkeeper_access::hash_password(password)?,
        created_at: now,
        updated_at: now,
    })
}

/// The first administrator of a fresh store (COMMON item 6): a 系统管理员 with the password the
/// person chose (so no forced change). Refused once any account exists — also when two first runs
/// race (storage makes the count and the insert one step). Hashes the password on a blocking
/// thread. The audit log records it as done by `first-run`.
pub async fn create_first_administrator(
    storage: &dyn Storage,
    now: DateTime<Utc>,
    login: &str,
    display_name: &str,
    password: &str,
) -> Result<Account, FirstRunError> {
    let login = check_login(login).map_err(invalid)?;
    let name = check_display_name(display_name).map_err(invalid)?;
    check_password(&login, password, "password").map_err(invalid)?;
    if storage.accounts().has_any_account().await? {
        return Err(FirstRunError::AccountsExist);
    }
    let grants = vec![HallRole { hall_id: None, role: Role::SystemAdmin }];
    let (l, n, p) = (login.clone(), name.clone(), password.to_owned());
    let record = tokio::task::spawn_blocking(move || new_record(now, &l, &n, None, grants, &p, false))
        .await
        .map_err(|e| AccessError::HashFailed { reason: e.to_string() })??;
    if !storage.accounts().create_first_account(&record).await? {
        return Err(FirstRunError::AccountsExist);
    }
    let entry = crate::audit::entry(now, None, "first-run", "local", None, "account.create_first")
        .target(&record.account.id)
        .after(crate::audit::account_json(&record.account));
    storage.accounts().append_audit(&entry.build()).await?;
    Ok(record.account)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hall(role: Role, h: &str) -> HallRole {
        HallRole { hall_id: Some(h.into()), role }
    }

    #[test]
    fn logins_are_normalised_and_checked() {
        assert_eq!(check_login("  Wang.Li ").unwrap(), "wang.li");
        assert_eq!(check_login("王丽").unwrap(), "王丽");
        for bad in ["", "a", "has space", "semi;colon", &"x".repeat(65)] {
            assert_eq!(check_login(bad).unwrap_err().code(), "account.login_invalid", "{bad:?}");
        }
        assert_eq!(check_display_name("  王丽 ").unwrap(), "王丽");
        assert!(check_display_name(" ").is_err());
        assert_eq!(check_staff_id(Some(" ".into())).unwrap(), None);
    }

    #[test]
    fn a_hall_admin_changes_only_grants_they_could_give_in_their_hall() {
        let admin = [hall(Role::HallAdmin, "h1")];
        let none: [HallRole; 0] = [];
        assert!(check_grant_change(&admin, Some("h1"), &none, &[hall(Role::ShiftLead, "h1")]).is_ok());
        let err = check_grant_change(&admin, Some("h1"), &none, &[hall(Role::ShiftLead, "h2")]).unwrap_err();
        assert_eq!(err.code(), "access.grant_forbidden");
        let sys = HallRole { hall_id: None, role: Role::SystemAdmin };
        assert!(check_grant_change(&admin, Some("h1"), &none, std::slice::from_ref(&sys)).is_err());
        // Keeping a grant they could not give is not changing it.
        let from = [hall(Role::Supervisor, "h1"), hall(Role::Supervisor, "h2")];
        let to = [hall(Role::ShiftLead, "h1"), hall(Role::Supervisor, "h2")];
        assert!(check_grant_change(&admin, Some("h1"), &from, &to).is_ok());
        let lead = [hall(Role::ShiftLead, "h1")];
        assert!(check_grant_change(&lead, Some("h1"), &none, &[hall(Role::WindowStaff, "h1")]).is_err());
    }

    #[test]
    fn nobody_manages_someone_above_them() {
        let admin = [hall(Role::HallAdmin, "h1")];
        let target = |grants: Vec<HallRole>| Account {
            id: "a".into(),
            login: "x".into(),
            display_name: "x".into(),
            staff_id: None,
            grants,
            active: true,
            must_change_password: false,
        };
        assert!(check_may_manage(&admin, Some("h1"), &target(vec![hall(Role::ShiftLead, "h1")])).is_ok());
        let wider = target(vec![hall(Role::ShiftLead, "h1"), hall(Role::Supervisor, "h2")]);
        assert_eq!(
            check_may_manage(&admin, Some("h1"), &wider).unwrap_err().code(),
            "access.account_above_you"
        );
        let elsewhere = target(vec![hall(Role::ShiftLead, "h2")]);
        assert_eq!(check_may_manage(&admin, Some("h1"), &elsewhere).unwrap_err().code(), "account.not_found");
    }

    #[test]
    fn the_throttle_counts_per_login_and_per_address() {
        let t = Throttles::default();
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        for _ in 0..5 {
            t.begin("wang", "10.0.0.1", now).unwrap();
            t.failed("10.0.0.1", now);
        }
        t.begin("wang", "10.0.0.1", now).unwrap();
        t.failed("10.0.0.1", now);
        assert_eq!(
            t.begin("wang", "10.0.0.2", now),
            Err(RetryAfter { seconds: 1 }),
            "the login waits anywhere"
        );
        assert!(t.begin("li", "10.0.0.1", now).is_ok(), "the address has 20 free failures");
        t.succeeded("li");
        let later = now + chrono::Duration::seconds(1);
        t.begin("wang", "10.0.0.1", later).unwrap();
        t.succeeded("wang");
        assert!(t.begin("wang", "10.0.0.1", later).is_ok());
    }
}
