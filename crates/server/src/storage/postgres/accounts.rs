//! [`AccountStorage`] on PostgreSQL.

use super::{backend, col, conflict_or, ts, PostgresStorage};
use crate::storage::accounts::{AccountRecord, AccountStorage, AuditFilter, NewAuditEntry, SessionRecord};
use crate::storage::{StorageError, StorageResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hallkeeper_proto::{Account, HallRole, Role, ServerAuditEntry};
use tokio_postgres::types::Json;
use tokio_postgres::{GenericClient, Row};

const ACCOUNT_COLUMNS: &str =
    "id, login, display_name, staff_id, password_hash, active, must_change_password, created_at, updated_at";

/// Key of the transaction-scoped advisory lock under which the first account is made ("HKFIRSTA"):
/// the count and the insert of two servers starting their first run at once cannot interleave.
const FIRST_ACCOUNT_LOCK: i64 = 0x484B_4649_5253_5441;

fn record_from_row(r: &Row) -> StorageResult<AccountRecord> {
    Ok(AccountRecord {
        account: Account {
            id: r.try_get(0).map_err(backend)?,
            login: r.try_get(1).map_err(backend)?,
            display_name: r.try_get(2).map_err(backend)?,
            staff_id: r.try_get(3).map_err(backend)?,
            grants: Vec::new(),
            active: r.try_get(5).map_err(backend)?,
            must_change_password: r.try_get(6).map_err(backend)?,
        },
        password_hash: r.try_get(4).map_err(backend)?,
        created_at: r.try_get(7).map_err(backend)?,
        updated_at: r.try_get(8).map_err(backend)?,
    })
}

async fn grants_of(c: &impl GenericClient, account_id: &str) -> StorageResult<Vec<HallRole>> {
    let rows = c
        .query(
            "SELECT hall_id, role FROM account_grants WHERE account_id = $1 ORDER BY position",
            &[&account_id],
        )
        .await
        .map_err(backend)?;
    rows.iter()
        .map(|r| {
            let role: String = r.try_get(1).map_err(backend)?;
            Ok(HallRole {
                hall_id: r.try_get(0).map_err(backend)?,
                role: Role::parse(&role).ok_or_else(|| StorageError::Backend(format!("role {role:?}")))?,
            })
        })
        .collect()
}

async fn put_grants(c: &impl GenericClient, account_id: &str, grants: &[HallRole]) -> StorageResult<()> {
    c.execute("DELETE FROM account_grants WHERE account_id = $1", &[&account_id]).await.map_err(backend)?;
    for (i, g) in grants.iter().enumerate() {
        let position = i32::try_from(i).unwrap_or(i32::MAX);
        c.execute(
            "INSERT INTO account_grants (account_id, position, hall_id, role) VALUES ($1, $2, $3, $4)",
            &[&account_id, &position, &g.hall_id, &g.role.as_str()],
        )
        .await
        .map_err(|e| conflict_or(e, "grant"))?;
    }
    Ok(())
}

async fn insert_account(c: &impl GenericClient, r: &AccountRecord) -> StorageResult<()> {
    let a = &r.account;
    c.execute(
        &format!("INSERT INTO accounts ({ACCOUNT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"),
        &[
            &a.id,
            &a.login,
            &a.display_name,
            &a.staff_id,
            &r.password_hash,
            &a.active,
            &a.must_change_password,
            &r.created_at,
            &r.updated_at,
        ],
    )
    .await
    .map_err(|e| conflict_or(e, "account"))?;
    put_grants(c, &a.id, &a.grants).await
}

async fn one_account(s: &PostgresStorage, column: &str, value: &str) -> StorageResult<Option<AccountRecord>> {
    let c = s.client().await?;
    let st = c
        .prepare_cached(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE {column} = $1"))
        .await
        .map_err(backend)?;
    let Some(row) = c.query_opt(&st, &[&value]).await.map_err(backend)? else { return Ok(None) };
    let mut record = record_from_row(&row)?;
    record.account.grants = grants_of(&**c, &record.account.id).await?;
    Ok(Some(record))
}

fn session_from_row(r: &Row) -> StorageResult<SessionRecord> {
    Ok(from_columns!(col; r => SessionRecord {
        token_hash, account_id, created_at, last_used_at, idle_expires_at, absolute_expires_at,
        revoked_at,
    }))
}

fn audit_from_row(r: &Row) -> StorageResult<ServerAuditEntry> {
    let at: DateTime<Utc> = r.try_get(1).map_err(backend)?;
    let json = |i: usize| -> StorageResult<Option<serde_json::Value>> {
        Ok(r.try_get::<_, Option<Json<serde_json::Value>>>(i).map_err(backend)?.map(|Json(v)| v))
    };
    Ok(from_columns!(col; r => ServerAuditEntry {
        seq,
        at = ts(at),
        account_id, actor_name, address, hall_id, action, target,
        before = json(8)?,
        after = json(9)?,
    }))
}

#[async_trait]
impl AccountStorage for PostgresStorage {
    async fn has_any_account(&self) -> StorageResult<bool> {
        let c = self.client().await?;
        let row = c.query_one("SELECT EXISTS (SELECT 1 FROM accounts)", &[]).await.map_err(backend)?;
        row.try_get(0).map_err(backend)
    }

    async fn create_account(&self, record: &AccountRecord) -> StorageResult<()> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(backend)?;
        insert_account(&*tx, record).await?;
        tx.commit().await.map_err(backend)
    }

    async fn create_first_account(&self, record: &AccountRecord) -> StorageResult<bool> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(backend)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&FIRST_ACCOUNT_LOCK]).await.map_err(backend)?;
        let any: bool = tx
            .query_one("SELECT EXISTS (SELECT 1 FROM accounts)", &[])
            .await
            .map_err(backend)?
            .try_get(0)
            .map_err(backend)?;
        if any {
            return Ok(false);
        }
        insert_account(&*tx, record).await?;
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }

    async fn account(&self, id: &str) -> StorageResult<Option<AccountRecord>> {
        one_account(self, "id", id).await
    }

    async fn account_by_login(&self, login: &str) -> StorageResult<Option<AccountRecord>> {
        one_account(self, "login", login).await
    }

    async fn accounts(&self, hall_id: Option<&str>) -> StorageResult<Vec<Account>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(&format!(
                "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE $1::TEXT IS NULL OR id IN \
                 (SELECT account_id FROM account_grants WHERE hall_id = $1) ORDER BY login"
            ))
            .await
            .map_err(backend)?;
        let rows = c.query(&st, &[&hall_id]).await.map_err(backend)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut r = record_from_row(row)?;
            r.account.grants = grants_of(&**c, &r.account.id).await?;
            out.push(r.account);
        }
        Ok(out)
    }

    async fn update_account(&self, record: &AccountRecord) -> StorageResult<bool> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(backend)?;
        let a = &record.account;
        let n = tx
            .execute(
                "UPDATE accounts SET display_name = $2, staff_id = $3, password_hash = $4, active = $5, \
                 must_change_password = $6, updated_at = $7 WHERE id = $1",
                &[
                    &a.id,
                    &a.display_name,
                    &a.staff_id,
                    &record.password_hash,
                    &a.active,
                    &a.must_change_password,
                    &record.updated_at,
                ],
            )
            .await
            .map_err(backend)?;
        if n == 0 {
            return Ok(false);
        }
        put_grants(&*tx, &a.id, &a.grants).await?;
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }

    async fn create_session(&self, s: &SessionRecord) -> StorageResult<()> {
        let c = self.client().await?;
        c.execute(
            "INSERT INTO sessions (token_hash, account_id, created_at, last_used_at, idle_expires_at, \
             absolute_expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &s.token_hash,
                &s.account_id,
                &s.created_at,
                &s.last_used_at,
                &s.idle_expires_at,
                &s.absolute_expires_at,
                &s.revoked_at,
            ],
        )
        .await
        .map_err(|e| conflict_or(e, "session"))?;
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> StorageResult<Option<SessionRecord>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "SELECT token_hash, account_id, created_at, last_used_at, idle_expires_at, \
                 absolute_expires_at, revoked_at FROM sessions WHERE token_hash = $1",
            )
            .await
            .map_err(backend)?;
        let row = c.query_opt(&st, &[&token_hash]).await.map_err(backend)?;
        row.as_ref().map(session_from_row).transpose()
    }

    async fn touch_session(
        &self,
        token_hash: &str,
        last_used_at: DateTime<Utc>,
        idle_expires_at: DateTime<Utc>,
    ) -> StorageResult<()> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "UPDATE sessions SET last_used_at = $2, idle_expires_at = $3 WHERE token_hash = $1",
            )
            .await
            .map_err(backend)?;
        c.execute(&st, &[&token_hash, &last_used_at, &idle_expires_at]).await.map_err(backend)?;
        Ok(())
    }

    async fn revoke_session(&self, token_hash: &str, at: DateTime<Utc>) -> StorageResult<bool> {
        let c = self.client().await?;
        let n = c
            .execute(
                "UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL",
                &[&token_hash, &at],
            )
            .await
            .map_err(backend)?;
        Ok(n == 1)
    }

    async fn revoke_sessions_of(
        &self,
        account_id: &str,
        keep: Option<&str>,
        at: DateTime<Utc>,
    ) -> StorageResult<u64> {
        let c = self.client().await?;
        c.execute(
            "UPDATE sessions SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL \
             AND ($3::TEXT IS NULL OR token_hash <> $3)",
            &[&account_id, &at, &keep],
        )
        .await
        .map_err(backend)
    }

    async fn append_audit(&self, e: &NewAuditEntry) -> StorageResult<i64> {
        let c = self.client().await?;
        let json = |v: &Option<serde_json::Value>| v.clone().map(Json);
        let row = c
            .query_one(
                "INSERT INTO server_audit (at, account_id, actor_name, address, hall_id, action, target, \
                 before, after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING seq",
                &[
                    &e.at,
                    &e.account_id,
                    &e.actor_name,
                    &e.address,
                    &e.hall_id,
                    &e.action,
                    &e.target,
                    &json(&e.before),
                    &json(&e.after),
                ],
            )
            .await
            .map_err(backend)?;
        row.try_get(0).map_err(backend)
    }

    async fn audit(&self, f: &AuditFilter) -> StorageResult<Vec<ServerAuditEntry>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "SELECT seq, at, account_id, actor_name, address, hall_id, action, target, before, after \
                 FROM server_audit WHERE ($1::TEXT IS NULL OR hall_id = $1) AND ($2::BIGINT IS NULL OR seq < $2) \
                 ORDER BY seq DESC LIMIT $3",
            )
            .await
            .map_err(backend)?;
        let rows = c.query(&st, &[&f.hall_id, &f.before, &i64::from(f.limit)]).await.map_err(backend)?;
        rows.iter().map(audit_from_row).collect()
    }
}
