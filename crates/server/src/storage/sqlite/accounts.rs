//! [`AccountStorage`] on SQLite (a child module of `sqlite/`, so it shares its one connection).

use super::{backend, bad_column, conflict_or, ts, SqliteStorage};
use crate::storage::accounts::{AccountRecord, AccountStorage, AuditFilter, NewAuditEntry, SessionRecord};
use crate::storage::StorageResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hallkeeper_proto::{Account, HallRole, Role, ServerAuditEntry};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

const ACCOUNT_COLUMNS: &str =
    "id, login, display_name, staff_id, password_hash, active, must_change_password, created_at, updated_at";

fn time_at(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<DateTime<Utc>> {
    let s: String = r.get(i)?;
    DateTime::parse_from_rfc3339(&s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| bad_column(i, format!("time {s:?}")))
}

fn opt_time_at(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let s: Option<String> = r.get(i)?;
    s.map(|s| {
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| bad_column(i, format!("time {s:?}")))
    })
    .transpose()
}

fn record_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AccountRecord> {
    Ok(AccountRecord {
        account: Account {
            id: r.get(0)?,
            login: r.get(1)?,
            display_name: r.get(2)?,
            staff_id: r.get(3)?,
            grants: Vec::new(),
            active: r.get(5)?,
            must_change_password: r.get(6)?,
        },
        password_hash: r.get(4)?,
        created_at: time_at(r, 7)?,
        updated_at: time_at(r, 8)?,
    })
}

fn grants_of(c: &Connection, account_id: &str) -> StorageResult<Vec<HallRole>> {
    let mut st = c
        .prepare_cached("SELECT hall_id, role FROM account_grants WHERE account_id = ?1 ORDER BY position")
        .map_err(backend)?;
    let rows = st
        .query_map([account_id], |r| {
            let role: String = r.get(1)?;
            Ok(HallRole {
                hall_id: r.get(0)?,
                role: Role::parse(&role).ok_or_else(|| bad_column(1, format!("role {role:?}")))?,
            })
        })
        .map_err(backend)?;
    rows.collect::<rusqlite::Result<_>>().map_err(backend)
}

fn put_grants(c: &Connection, account_id: &str, grants: &[HallRole]) -> StorageResult<()> {
    c.execute("DELETE FROM account_grants WHERE account_id = ?1", [account_id]).map_err(backend)?;
    for (i, g) in grants.iter().enumerate() {
        c.execute(
            "INSERT INTO account_grants (account_id, position, hall_id, role) VALUES (?1, ?2, ?3, ?4)",
            params![account_id, i as i64, g.hall_id, g.role.as_str()],
        )
        .map_err(|e| conflict_or(e, "grant"))?;
    }
    Ok(())
}

fn insert_account(c: &Connection, r: &AccountRecord) -> StorageResult<()> {
    let a = &r.account;
    c.execute(
        &format!("INSERT INTO accounts ({ACCOUNT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
        params![
            a.id,
            a.login,
            a.display_name,
            a.staff_id,
            r.password_hash,
            a.active,
            a.must_change_password,
            ts(r.created_at),
            ts(r.updated_at)
        ],
    )
    .map_err(|e| conflict_or(e, "account"))?;
    put_grants(c, &a.id, &a.grants)
}

fn one_account(c: &Connection, column: &str, value: &str) -> StorageResult<Option<AccountRecord>> {
    let mut st = c
        .prepare_cached(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE {column} = ?1"))
        .map_err(backend)?;
    let Some(mut record) = st.query_row([value], record_from_row).optional().map_err(backend)? else {
        return Ok(None);
    };
    record.account.grants = grants_of(c, &record.account.id)?;
    Ok(Some(record))
}

fn session_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SessionRecord> {
    Ok(from_columns!(rusqlite::Row::get; r => SessionRecord {
        token_hash, account_id,
        created_at = time_at(r, 2)?,
        last_used_at = time_at(r, 3)?,
        idle_expires_at = time_at(r, 4)?,
        absolute_expires_at = time_at(r, 5)?,
        revoked_at = opt_time_at(r, 6)?,
    }))
}

fn json_at(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<serde_json::Value>> {
    let s: Option<String> = r.get(i)?;
    s.map(|s| serde_json::from_str(&s).map_err(|e| bad_column(i, format!("audit json: {e}")))).transpose()
}

fn audit_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ServerAuditEntry> {
    Ok(from_columns!(rusqlite::Row::get; r => ServerAuditEntry {
        seq, at, account_id, actor_name, address, hall_id, action, target,
        before = json_at(r, 8)?,
        after = json_at(r, 9)?,
    }))
}

#[async_trait]
impl AccountStorage for SqliteStorage {
    async fn has_any_account(&self) -> StorageResult<bool> {
        self.with(|c| {
            c.query_row("SELECT EXISTS (SELECT 1 FROM accounts)", [], |r| r.get::<_, bool>(0))
                .map_err(backend)
        })
        .await
    }

    async fn create_account(&self, record: &AccountRecord) -> StorageResult<()> {
        let record = record.clone();
        self.with(move |c| {
            let tx = c.transaction().map_err(backend)?;
            insert_account(&tx, &record)?;
            tx.commit().map_err(backend)
        })
        .await
    }

    async fn create_first_account(&self, record: &AccountRecord) -> StorageResult<bool> {
        let record = record.clone();
        self.with(move |c| {
            // Immediate: the count and the insert are one step against another server on the file.
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
            let any: bool =
                tx.query_row("SELECT EXISTS (SELECT 1 FROM accounts)", [], |r| r.get(0)).map_err(backend)?;
            if any {
                return Ok(false);
            }
            insert_account(&tx, &record)?;
            tx.commit().map_err(backend)?;
            Ok(true)
        })
        .await
    }

    async fn account(&self, id: &str) -> StorageResult<Option<AccountRecord>> {
        let id = id.to_owned();
        self.with(move |c| one_account(c, "id", &id)).await
    }

    async fn account_by_login(&self, login: &str) -> StorageResult<Option<AccountRecord>> {
        let login = login.to_owned();
        self.with(move |c| one_account(c, "login", &login)).await
    }

    async fn accounts(&self, hall_id: Option<&str>) -> StorageResult<Vec<Account>> {
        let hall_id = hall_id.map(str::to_owned);
        self.with(move |c| {
            let mut st = c
                .prepare_cached(&format!(
                    "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE ?1 IS NULL OR id IN \
                     (SELECT account_id FROM account_grants WHERE hall_id = ?1) ORDER BY login"
                ))
                .map_err(backend)?;
            let records: Vec<AccountRecord> = st
                .query_map([&hall_id], record_from_row)
                .map_err(backend)?
                .collect::<rusqlite::Result<_>>()
                .map_err(backend)?;
            records
                .into_iter()
                .map(|mut r| {
                    r.account.grants = grants_of(c, &r.account.id)?;
                    Ok(r.account)
                })
                .collect()
        })
        .await
    }

    async fn update_account(&self, record: &AccountRecord) -> StorageResult<bool> {
        let record = record.clone();
        self.with(move |c| {
            let tx = c.transaction().map_err(backend)?;
            let a = &record.account;
            let n = tx
                .execute(
                    "UPDATE accounts SET display_name = ?2, staff_id = ?3, password_hash = ?4, active = ?5, \
                     must_change_password = ?6, updated_at = ?7 WHERE id = ?1",
                    params![
                        a.id,
                        a.display_name,
                        a.staff_id,
                        record.password_hash,
                        a.active,
                        a.must_change_password,
                        ts(record.updated_at)
                    ],
                )
                .map_err(backend)?;
            if n == 0 {
                return Ok(false);
            }
            put_grants(&tx, &a.id, &a.grants)?;
            tx.commit().map_err(backend)?;
            Ok(true)
        })
        .await
    }

    async fn create_session(&self, session: &SessionRecord) -> StorageResult<()> {
        let s = session.clone();
        self.with(move |c| {
            c.execute(
                "INSERT INTO sessions (token_hash, account_id, created_at, last_used_at, idle_expires_at, \
                 absolute_expires_at, revoked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    s.token_hash,
                    s.account_id,
                    ts(s.created_at),
                    ts(s.last_used_at),
                    ts(s.idle_expires_at),
                    ts(s.absolute_expires_at),
                    s.revoked_at.map(ts)
                ],
            )
            .map_err(|e| conflict_or(e, "session"))?;
            Ok(())
        })
        .await
    }

    async fn session(&self, token_hash: &str) -> StorageResult<Option<SessionRecord>> {
        let hash = token_hash.to_owned();
        self.with(move |c| {
            let mut st = c
                .prepare_cached(
                    "SELECT token_hash, account_id, created_at, last_used_at, idle_expires_at, \
                     absolute_expires_at, revoked_at FROM sessions WHERE token_hash = ?1",
                )
                .map_err(backend)?;
            st.query_row([hash], session_from_row).optional().map_err(backend)
        })
        .await
    }

    async fn touch_session(
        &self,
        token_hash: &str,
        last_used_at: DateTime<Utc>,
        idle_expires_at: DateTime<Utc>,
    ) -> StorageResult<()> {
        let hash = token_hash.to_owned();
        self.with(move |c| {
            c.execute(
                "UPDATE sessions SET last_used_at = ?2, idle_expires_at = ?3 WHERE token_hash = ?1",
                params![hash, ts(last_used_at), ts(idle_expires_at)],
            )
            .map_err(backend)?;
            Ok(())
        })
        .await
    }

    async fn revoke_session(&self, token_hash: &str, at: DateTime<Utc>) -> StorageResult<bool> {
        let hash = token_hash.to_owned();
        self.with(move |c| {
            let n = c
                .execute(
                    "UPDATE sessions SET revoked_at = ?2 WHERE token_hash = ?1 AND revoked_at IS NULL",
                    params![hash, ts(at)],
                )
                .map_err(backend)?;
            Ok(n == 1)
        })
        .await
    }

    async fn revoke_sessions_of(
        &self,
        account_id: &str,
        keep: Option<&str>,
        at: DateTime<Utc>,
    ) -> StorageResult<u64> {
        let (id, keep) = (account_id.to_owned(), keep.map(str::to_owned));
        self.with(move |c| {
            let n = c
                .execute(
                    "UPDATE sessions SET revoked_at = ?2 WHERE account_id = ?1 AND revoked_at IS NULL \
                     AND (?3 IS NULL OR token_hash <> ?3)",
                    params![id, ts(at), keep],
                )
                .map_err(backend)?;
            Ok(n as u64)
        })
        .await
    }

    async fn append_audit(&self, entry: &NewAuditEntry) -> StorageResult<i64> {
        let e = entry.clone();
        self.with(move |c| {
            let json = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string());
            c.execute(
                "INSERT INTO server_audit (at, account_id, actor_name, address, hall_id, action, target, \
                 before, after) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    ts(e.at),
                    e.account_id,
                    e.actor_name,
                    e.address,
                    e.hall_id,
                    e.action,
                    e.target,
                    json(&e.before),
                    json(&e.after)
                ],
            )
            .map_err(backend)?;
            Ok(c.last_insert_rowid())
        })
        .await
    }

    async fn audit(&self, filter: &AuditFilter) -> StorageResult<Vec<ServerAuditEntry>> {
        let f = filter.clone();
        self.with(move |c| {
            let mut st = c
                .prepare_cached(
                    "SELECT seq, at, account_id, actor_name, address, hall_id, action, target, before, after \
                     FROM server_audit WHERE (?1 IS NULL OR hall_id = ?1) AND (?2 IS NULL OR seq < ?2) \
                     ORDER BY seq DESC LIMIT ?3",
                )
                .map_err(backend)?;
            let rows = st
                .query_map(params![f.hall_id, f.before, i64::from(f.limit)], audit_from_row)
                .map_err(backend)?;
            rows.collect::<rusqlite::Result<_>>().map_err(backend)
        })
        .await
    }
}
