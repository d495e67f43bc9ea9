//! The server's audit log (issue 17): who, when, from which address, in which hall, what, to
//! what, before/after. Every sign-in (ok or refused) is written by the session routes; every
//! administrative write by the route guard (`api::guard`) once the handler has succeeded, with
//! the details a handler leaves in its response ([`AuditDetail`]).

use crate::storage::accounts::NewAuditEntry;
use chrono::{DateTime, Utc};
use hallkeeper_proto::Account;
use serde_json::{json, Value};

/// What a handler adds to the guard's entry: what it acted on and the record before and after.
/// Put in the response's extensions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditDetail {
    pub target: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// A builder for one entry.
pub struct EntryBuilder(NewAuditEntry);

pub fn entry(
    at: DateTime<Utc>,
    account_id: Option<&str>,
    actor_name: &str,
    address: &str,
    hall_id: Option<&str>,
    action: &str,
) -> EntryBuilder {
    EntryBuilder(NewAuditEntry {
        at: crate::storage::to_millis(at),
        account_id: account_id.map(str::to_owned),
        actor_name: actor_name.to_owned(),
        address: address.to_owned(),
        hall_id: hall_id.map(str::to_owned),
        action: action.to_owned(),
        target: None,
        before: None,
        after: None,
    })
}

impl EntryBuilder {
    pub fn target(mut self, target: &str) -> Self {
        self.0.target = Some(target.to_owned());
        self
    }

    pub fn before(mut self, v: Value) -> Self {
        self.0.before = Some(v);
        self
    }

    pub fn after(mut self, v: Value) -> Self {
        self.0.after = Some(v);
        self
    }

    pub fn detail(mut self, d: AuditDetail) -> Self {
        if d.target.is_some() {
            self.0.target = d.target;
        }
        self.0.before = d.before.or(self.0.before);
        self.0.after = d.after.or(self.0.after);
        self
    }

    pub fn build(self) -> NewAuditEntry {
        self.0
    }
}

/// An account as the audit log shows it (everything but the password hash, which is never in it).
pub fn account_json(a: &Account) -> Value {
    json!({
        "login": a.login,
        "displayName": a.display_name,
        "staffId": a.staff_id,
        "grants": a.grants,
        "active": a.active,
        "mustChangePassword": a.must_change_password,
    })
}
