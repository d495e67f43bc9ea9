//! The offline sign-in's local half (`hallkeeper_access::offline`): after each sign-in through the
//! central server this PC keeps, per person, an argon2id verifier of the password made here (never
//! the password, never the server's hash), the account as the server gave it and when; while the
//! server cannot be reached, a person who signed in here within the policy's days signs in
//! against it. Not audited and not synced: it is this PC's, not the hall's.

use super::Store;
use crate::error::{Code, Error, Rejection, Result};
use hallkeeper_access::{offline_verifier, verify_offline, OfflinePolicy};
use hallkeeper_proto::Account;
use rusqlite::{params, OptionalExtension};

impl Store {
    /// Keeps the verifier for `account`, who just signed in through the server with `password`
    /// (replacing the one from an earlier sign-in, so a changed password takes over).
    pub fn remember_online_sign_in(&self, account: &Account, password: &str) -> Result<()> {
        let verifier = offline_verifier(password)?;
        let json = serde_json::to_string(account)
            .map_err(|e| Error::Corrupt(format!("cannot keep the account for offline sign-in: {e}")))?;
        self.write_quietly("", |w| {
            // A login is the server's to give: another account that held it here is gone.
            w.tx.execute(
                "DELETE FROM offline_verifiers WHERE login = ?1 AND account_id <> ?2",
                params![account.login, account.id],
            )?;
            w.tx.execute(
                "INSERT INTO offline_verifiers (account_id, login, account_json, verifier, last_online_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (account_id) DO UPDATE SET login = excluded.login,
                    account_json = excluded.account_json, verifier = excluded.verifier,
                    last_online_at = excluded.last_online_at",
                params![account.id, account.login, json, verifier, w.now_text()],
            )?;
            Ok(())
        })
    }

    /// Forgets the verifier of an account the server said is disabled (or that was deleted).
    pub fn forget_offline_sign_in(&self, login: &str) -> Result<()> {
        self.write_quietly("", |w| {
            w.tx.execute("DELETE FROM offline_verifiers WHERE login = ?1", [login])?;
            Ok(())
        })
    }

    /// Signs `login` in against this PC's verifier: the account as last known, or
    /// `session.wrong_credentials` (field `password`) or `session.offline_unavailable` (nobody of
    /// that login signed in here through the server, or too long ago: only the server can tell).
    pub fn offline_sign_in(&self, login: &str, password: &str, policy: OfflinePolicy) -> Result<Account> {
        let row: Option<(String, String, String)> = self.read(|c| {
            Ok(c.query_row(
                "SELECT account_json, verifier, last_online_at FROM offline_verifiers WHERE login = ?1",
                [login.trim()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?)
        })?;
        let wrong = || Error::from(Rejection::new(Code::SessionWrongCredentials).field("password"));
        let unavailable = || {
            Error::from(
                Rejection::new(Code::SessionOfflineUnavailable).arg("days", policy.max_age.num_days()),
            )
        };
        let Some((json, verifier, last_online)) = row else {
            return Err(unavailable());
        };
        if !verify_offline(password, &verifier)? {
            return Err(wrong());
        }
        let last_online = chrono::DateTime::parse_from_rfc3339(&last_online)
            .map_err(|e| Error::Corrupt(format!("offline sign-in time: {e}")))?
            .with_timezone(&chrono::Utc);
        if !policy.allows(self.now(), last_online) {
            return Err(unavailable());
        }
        let account: Account =
            serde_json::from_str(&json).map_err(|e| Error::Corrupt(format!("offline account: {e}")))?;
        Ok(account)
    }

    /// Whether the central server for this store's hall has been signed in through here
    /// before (the sign-in screen's hint).
    pub fn has_offline_sign_ins(&self) -> Result<bool> {
        self.read(|c| {
            Ok(c.query_row("SELECT count(*) FROM offline_verifiers", [], |r| r.get::<_, i64>(0))? > 0)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::store::testing::store;
    use hallkeeper_access::OfflinePolicy;
    use hallkeeper_proto::{Account, HallRole, Role};

    fn account(id: &str, login: &str) -> Account {
        Account {
            id: id.into(),
            login: login.into(),
            display_name: "李值班".into(),
            staff_id: None,
            grants: vec![HallRole { hall_id: Some("local".into()), role: Role::ShiftLead }],
            active: true,
            must_change_password: false,
        }
    }

    #[test]
    fn a_recent_online_sign_in_lets_the_person_in_offline_and_an_old_one_does_not() {
        let (s, clock) = store();
        let a = account("acc-1", "li");
        s.remember_online_sign_in(&a, "值班长的密码-2026").unwrap();
        let policy = OfflinePolicy::default();
        assert_eq!(s.offline_sign_in("li", "值班长的密码-2026", policy).unwrap(), a);
        let wrong = s.offline_sign_in("li", "值班长的密码-2025", policy).unwrap_err();
        assert_eq!(
            (wrong.code(), wrong.rejection().and_then(|r| r.field.as_deref())),
            ("session.wrong_credentials", Some("password"))
        );
        assert_eq!(
            s.offline_sign_in("nobody", "x", policy).unwrap_err().code(),
            "session.offline_unavailable"
        );
        // The verifier is not the password.
        let kept: String =
            s.read(|c| Ok(c.query_row("SELECT verifier FROM offline_verifiers", [], |r| r.get(0))?)).unwrap();
        assert!(kept.starts_with("$argon2id$") && !kept.contains("值班长"));
        clock.advance(chrono::Duration::days(7));
        let old = s.offline_sign_in("li", "值班长的密码-2026", policy).unwrap_err();
        assert_eq!(old.code(), "session.offline_unavailable");
        assert!(old.message(hallkeeper_proto::Locale::ZhCn).contains('7'));
        // A new online sign-in starts the days again; forgetting the login ends it.
        s.remember_online_sign_in(&a, "新密码-2026-12").unwrap();
        assert!(s.offline_sign_in("li", "新密码-2026-12", policy).is_ok());
        assert_eq!(
            s.offline_sign_in("li", "值班长的密码-2026", policy).unwrap_err().code(),
            "session.wrong_credentials"
        );
        s.forget_offline_sign_in("li").unwrap();
        assert!(!s.has_offline_sign_ins().unwrap());
    }
}
