//! Storage of people (issue 17): accounts and their grants, sessions, and the server's audit log.
//! A trait of its own (reached through [`super::Storage::accounts`]) so the main trait does not
//! widen; both backends implement it (`sqlite/accounts.rs`, `postgres/accounts.rs`) and pass the
//! same suite (`tests/storage.rs`). Backends only run SQL and map rows: what to store when —
//! password policy, grants, session expiry, who may do what — is `crate::accounts`'s and
//! `hallkeeper_access`'s.
//!
//! Session tokens are stored as their SHA-256 only (`hallkeeper_access::token_hash`); password
//! hashes are argon2id PHC strings and never leave the server.
//!
//! The sign-in throttle is not stored here: it lives in the server's memory
//! (`crate::accounts::Throttles`), see there why.

use super::StorageResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hallkeeper_proto::{Account, ServerAuditEntry};

/// An account as stored: the public record and its password hash.
#[derive(Clone, PartialEq, Eq)]
pub struct AccountRecord {
    pub account: Account,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl std::fmt::Debug for AccountRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountRecord")
            .field("account", &self.account)
            .field("password_hash", &"…")
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .finish()
    }
}

/// A session as stored (the token itself is never stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub token_hash: String,
    pub account_id: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    /// When it ends unless used again before (slides with each use, never past `absolute`).
    pub idle_expires_at: DateTime<Utc>,
    pub absolute_expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// An audit entry to append; storage gives it its `seq`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEntry {
    pub at: DateTime<Utc>,
    pub account_id: Option<String>,
    pub actor_name: String,
    pub address: String,
    pub hall_id: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Which audit entries to read, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only the entries of this hall; None: every entry of the server.
    pub hall_id: Option<String>,
    /// Only entries with a smaller seq (the previous page's `nextBefore`).
    pub before: Option<i64>,
    pub limit: u32,
}

#[async_trait]
pub trait AccountStorage: Send + Sync {
    /// Whether any account exists (first run: the first administrator is made only when none does).
    async fn has_any_account(&self) -> StorageResult<bool>;
    /// Stores a new account with its grants; `Conflict` when the login (or id) is taken.
    async fn create_account(&self, record: &AccountRecord) -> StorageResult<()>;
    /// Stores the account only if there is none yet, in one transaction (two first-run
    /// administrators racing: one wins). Returns false, storing nothing, when one exists.
    async fn create_first_account(&self, record: &AccountRecord) -> StorageResult<bool>;
    async fn account(&self, id: &str) -> StorageResult<Option<AccountRecord>>;
    /// By login, exactly as stored (logins are stored normalised: `crate::accounts::normalize_login`).
    async fn account_by_login(&self, login: &str) -> StorageResult<Option<AccountRecord>>;
    /// Every account (`hall_id` None), or those holding a grant in the hall; by login.
    async fn accounts(&self, hall_id: Option<&str>) -> StorageResult<Vec<Account>>;
    /// Replaces the account's display name, staff link, active flag, must-change flag, password
    /// hash and grants with the record's, in one transaction; false when there is no such account.
    async fn update_account(&self, record: &AccountRecord) -> StorageResult<bool>;

    async fn create_session(&self, session: &SessionRecord) -> StorageResult<()>;
    /// The session, revoked or expired ones included (the caller decides what it still opens).
    async fn session(&self, token_hash: &str) -> StorageResult<Option<SessionRecord>>;
    /// Records a use: `last_used_at` and the new idle end.
    async fn touch_session(
        &self,
        token_hash: &str,
        last_used_at: DateTime<Utc>,
        idle_expires_at: DateTime<Utc>,
    ) -> StorageResult<()>;
    /// Revokes one session (sign-out); false when it was not live.
    async fn revoke_session(&self, token_hash: &str, at: DateTime<Utc>) -> StorageResult<bool>;
    /// Revokes every session of the account but `keep` (disable, reset, password change); how many.
    async fn revoke_sessions_of(
        &self,
        account_id: &str,
        keep: Option<&str>,
        at: DateTime<Utc>,
    ) -> StorageResult<u64>;

    /// Appends to the server's audit log; returns the entry's seq.
    async fn append_audit(&self, entry: &NewAuditEntry) -> StorageResult<i64>;
    /// Newest first, at most `limit`.
    async fn audit(&self, filter: &AuditFilter) -> StorageResult<Vec<ServerAuditEntry>>;
}
