//! PostgreSQL storage (a city's or province's halls on one server): a small `deadpool-postgres`
//! pool of `tokio-postgres` connections.
//!
//! Connections are made without TLS: the database is expected on the loopback interface or a
//! private network that only the server reaches. Put TLS (or an SSH/WireGuard tunnel) in front
//! before pointing the server at a database across an untrusted network.
//!
//! Behaves as [`super::sqlite::SqliteStorage`] does, record for record (`tests/storage.rs` runs
//! one suite against both): timestamps are kept as `TIMESTAMPTZ` and given back in the SQLite
//! implementation's format (RFC 3339, milliseconds, `Z`), documents (configuration, events,
//! rating reasons) as `JSONB`, and ids that lists are ordered by sort bytewise (`COLLATE "C"`).

use super::{DeviceRecord, Storage, StorageError, StorageResult};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime};
use hallkeeper_proto::{Device, DeviceKind, Hall, HallConfig, Rating, RatingLevel, TicketEvent};
use std::time::Duration;
use tokio_postgres::types::Json;
use tokio_postgres::{NoTls, Row};

const MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("sql/postgres/0001_halls_devices_events_ratings.sql"))];

/// The version of the schema, in one row; created by the first migration run.
const SCHEMA_VERSION_TABLE: &str = "
    CREATE TABLE IF NOT EXISTS schema_version (
        only_row  BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
        version   BIGINT NOT NULL
    );
    INSERT INTO schema_version (version) VALUES (0) ON CONFLICT DO NOTHING;";

/// Key of the transaction-scoped advisory lock migrations take, so that servers starting at once
/// on the same database migrate one after the other ("HKSCHEMA" in ASCII).
const MIGRATION_LOCK: i64 = 0x484B_5343_4845_4D41;

/// Connections in the pool: a hall's traffic is a few writes a second; a few connections leave
/// room for reads during a write without holding many backends on a shared database server.
const POOL_SIZE: usize = 4;

#[derive(Clone)]
pub struct PostgresStorage {
    pool: Pool,
}

/// An error with its causes (tokio-postgres' own message is only "db error"; the server's
/// message is in the source).
fn backend(e: impl std::error::Error) -> StorageError {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
        source = s.source();
    }
    StorageError::Backend(msg)
}

fn backend_in(what: &str, e: impl std::error::Error) -> StorageError {
    match backend(e) {
        StorageError::Backend(msg) => StorageError::Backend(format!("{what}: {msg}")),
        other => other,
    }
}

fn is_constraint_violation(e: &tokio_postgres::Error) -> bool {
    // SQLSTATE class 23, integrity constraint violation (23505 unique, 23503 foreign key…): what
    // SQLite reports as SQLITE_CONSTRAINT.
    e.code().is_some_and(|c| c.code().starts_with("23"))
}

/// Like the SQLite implementation: a constraint said no (unique, and also a foreign key) →
/// `Conflict`.
fn conflict_or(e: tokio_postgres::Error, what: &str) -> StorageError {
    if is_constraint_violation(&e) {
        StorageError::Conflict(what.to_owned())
    } else {
        backend(e)
    }
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The proto types carry RFC 3339 strings; the database keeps instants.
fn parse_ts(what: &str, s: &str) -> StorageResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StorageError::Backend(format!("{what} {s:?} is not an RFC 3339 time: {e}")))
}

/// A lower bound for a `>=` comparison: at the millisecond precision SQLite compares at, and
/// no earlier than PostgreSQL's earliest time (4713 BC), which no stored time precedes (callers
/// pass `DateTime::<Utc>::MIN_UTC` for "since ever").
fn since_bound(t: DateTime<Utc>) -> DateTime<Utc> {
    let earliest =
        NaiveDate::from_ymd_opt(-4712, 11, 24).unwrap_or(NaiveDate::MIN).and_time(NaiveTime::MIN).and_utc();
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t).max(earliest)
}

impl PostgresStorage {
    /// Opens a pool on `url` (`postgres://user:password@host:port/database`, or the key=value
    /// form) and checks that one connection can be made. Does not migrate.
    pub async fn connect(url: &str) -> StorageResult<Self> {
        let mut config: tokio_postgres::Config = url.parse().map_err(|e| backend_in("PostgreSQL URL", e))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("hallkeeper-server");
        }
        let manager =
            Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .create_timeout(Some(Duration::from_secs(15)))
            .wait_timeout(Some(Duration::from_secs(30)))
            .build()
            .map_err(backend)?;
        let storage = Self { pool };
        drop(storage.client().await.map_err(|e| match e {
            StorageError::Backend(msg) => StorageError::Backend(format!("connecting to PostgreSQL: {msg}")),
            other => other,
        })?);
        Ok(storage)
    }

    async fn client(&self) -> StorageResult<Object> {
        self.pool.get().await.map_err(backend)
    }

    /// Applies the next pending migration in one transaction, under the migration lock; returns
    /// false when there was none left.
    async fn migrate_one(&self, client: &mut Object) -> StorageResult<bool> {
        let tx = client.transaction().await.map_err(backend)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await.map_err(backend)?;
        tx.batch_execute(SCHEMA_VERSION_TABLE).await.map_err(backend)?;
        let found: i64 =
            tx.query_one("SELECT version FROM schema_version", &[]).await.map_err(backend)?.get(0);
        let known = MIGRATIONS.last().map_or(0, |m| m.0);
        if found > known {
            return Err(StorageError::SchemaTooNew { found, known });
        }
        let Some((version, sql)) = MIGRATIONS.iter().find(|m| m.0 > found) else {
            tx.commit().await.map_err(backend)?;
            return Ok(false);
        };
        tx.batch_execute(sql).await.map_err(|e| backend_in(&format!("migration {version}"), e))?;
        tx.execute("UPDATE schema_version SET version = $1", &[version]).await.map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        tracing::info!(version, "PostgreSQL schema migrated");
        Ok(true)
    }
}

const DEVICE_COLUMNS: &str = "id, hall_id, kind, name, window_id, created_at, revoked_at";

fn device_from_row(r: &Row) -> StorageResult<Device> {
    let kind: String = r.try_get(2).map_err(backend)?;
    let created_at: DateTime<Utc> = r.try_get(5).map_err(backend)?;
    let revoked_at: Option<DateTime<Utc>> = r.try_get(6).map_err(backend)?;
    Ok(Device {
        id: r.try_get(0).map_err(backend)?,
        hall_id: r.try_get(1).map_err(backend)?,
        kind: DeviceKind::parse(&kind)
            .ok_or_else(|| StorageError::Backend(format!("device kind {kind:?}")))?,
        name: r.try_get(3).map_err(backend)?,
        window_id: r.try_get(4).map_err(backend)?,
        created_at: ts(created_at),
        revoked_at: revoked_at.map(ts),
    })
}

fn rating_from_row(r: &Row) -> StorageResult<Rating> {
    let level: String = r.try_get(6).map_err(backend)?;
    let Json(reasons): Json<Vec<String>> = r.try_get(7).map_err(backend)?;
    let at: DateTime<Utc> = r.try_get(9).map_err(backend)?;
    Ok(Rating {
        id: r.try_get(0).map_err(backend)?,
        hall_id: r.try_get(1).map_err(backend)?,
        ticket_id: r.try_get(2).map_err(backend)?,
        ticket_number: r.try_get(3).map_err(backend)?,
        window_id: r.try_get(4).map_err(backend)?,
        matter_id: r.try_get(5).map_err(backend)?,
        level: RatingLevel::parse(&level)
            .ok_or_else(|| StorageError::Backend(format!("rating level {level:?}")))?,
        reasons,
        comment: r.try_get(8).map_err(backend)?,
        at: ts(at),
    })
}

#[async_trait]
impl Storage for PostgresStorage {
    async fn migrate(&self) -> StorageResult<()> {
        let mut client = self.client().await?;
        while self.migrate_one(&mut client).await? {}
        Ok(())
    }

    async fn create_hall(&self, hall: &Hall) -> StorageResult<()> {
        let c = self.client().await?;
        let st = c.prepare_cached("INSERT INTO halls (id, name) VALUES ($1, $2)").await.map_err(backend)?;
        c.execute(&st, &[&hall.id, &hall.name])
            .await
            .map_err(|e| conflict_or(e, &format!("hall {}", hall.id)))?;
        Ok(())
    }

    async fn hall(&self, id: &str) -> StorageResult<Option<Hall>> {
        let c = self.client().await?;
        let st = c.prepare_cached("SELECT id, name FROM halls WHERE id = $1").await.map_err(backend)?;
        let row = c.query_opt(&st, &[&id]).await.map_err(backend)?;
        Ok(row.map(|r| Hall { id: r.get(0), name: r.get(1) }))
    }

    async fn halls(&self) -> StorageResult<Vec<Hall>> {
        let c = self.client().await?;
        let st = c.prepare_cached("SELECT id, name FROM halls ORDER BY id").await.map_err(backend)?;
        let rows = c.query(&st, &[]).await.map_err(backend)?;
        Ok(rows.iter().map(|r| Hall { id: r.get(0), name: r.get(1) }).collect())
    }

    async fn put_config(&self, hall_id: &str, config: &HallConfig, at: DateTime<Utc>) -> StorageResult<()> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "INSERT INTO hall_configs (hall_id, config, updated_at) VALUES ($1, $2, $3)
                 ON CONFLICT (hall_id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at",
            )
            .await
            .map_err(backend)?;
        c.execute(&st, &[&hall_id, &Json(config), &at]).await.map_err(|e| {
            if is_constraint_violation(&e) {
                StorageError::NotFound(format!("hall {hall_id}"))
            } else {
                backend(e)
            }
        })?;
        Ok(())
    }

    async fn config(&self, hall_id: &str) -> StorageResult<Option<HallConfig>> {
        let c = self.client().await?;
        let st =
            c.prepare_cached("SELECT config FROM hall_configs WHERE hall_id = $1").await.map_err(backend)?;
        let row = c.query_opt(&st, &[&hall_id]).await.map_err(backend)?;
        row.map(|r| r.try_get::<_, Json<HallConfig>>(0).map(|Json(config)| config).map_err(backend))
            .transpose()
    }

    async fn add_device(&self, device: &DeviceRecord) -> StorageResult<()> {
        let d = &device.device;
        let created_at = parse_ts("device created_at", &d.created_at)?;
        let revoked_at = d.revoked_at.as_deref().map(|s| parse_ts("device revoked_at", s)).transpose()?;
        let c = self.client().await?;
        let st = c
            .prepare_cached(&format!(
                "INSERT INTO devices ({DEVICE_COLUMNS}, token_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            ))
            .await
            .map_err(backend)?;
        c.execute(
            &st,
            &[
                &d.id,
                &d.hall_id,
                &d.kind.as_str(),
                &d.name,
                &d.window_id,
                &created_at,
                &revoked_at,
                &device.token_hash,
            ],
        )
        .await
        .map_err(|e| conflict_or(e, "device"))?;
        Ok(())
    }

    async fn device_by_token_hash(&self, token_hash: &str) -> StorageResult<Option<Device>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(&format!(
                "SELECT {DEVICE_COLUMNS} FROM devices WHERE token_hash = $1 AND revoked_at IS NULL"
            ))
            .await
            .map_err(backend)?;
        let row = c.query_opt(&st, &[&token_hash]).await.map_err(backend)?;
        row.as_ref().map(device_from_row).transpose()
    }

    async fn devices(&self, hall_id: &str) -> StorageResult<Vec<Device>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(&format!(
                "SELECT {DEVICE_COLUMNS} FROM devices WHERE hall_id = $1 ORDER BY created_at, id"
            ))
            .await
            .map_err(backend)?;
        let rows = c.query(&st, &[&hall_id]).await.map_err(backend)?;
        rows.iter().map(device_from_row).collect()
    }

    async fn revoke_device(&self, hall_id: &str, device_id: &str, at: DateTime<Utc>) -> StorageResult<bool> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "UPDATE devices SET revoked_at = $3 WHERE hall_id = $1 AND id = $2 AND revoked_at IS NULL",
            )
            .await
            .map_err(backend)?;
        let n = c.execute(&st, &[&hall_id, &device_id, &at]).await.map_err(backend)?;
        Ok(n == 1)
    }

    async fn append_event(&self, hall_id: &str, day: NaiveDate, event: &TicketEvent) -> StorageResult<()> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "INSERT INTO ticket_events (hall_id, day, ticket_id, at, event) VALUES ($1, $2, $3, $4, $5)",
            )
            .await
            .map_err(backend)?;
        c.execute(&st, &[&hall_id, &day, &event.ticket_id, &event.at, &Json(event)])
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn events(&self, hall_id: &str, day: NaiveDate) -> StorageResult<Vec<TicketEvent>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached("SELECT event FROM ticket_events WHERE hall_id = $1 AND day = $2 ORDER BY seq")
            .await
            .map_err(backend)?;
        let rows = c.query(&st, &[&hall_id, &day]).await.map_err(backend)?;
        rows.iter().map(|r| r.try_get::<_, Json<TicketEvent>>(0).map(|Json(e)| e).map_err(backend)).collect()
    }

    async fn add_rating(&self, rating: &Rating) -> StorageResult<()> {
        let r = rating;
        let at = parse_ts("rating at", &r.at)?;
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "INSERT INTO ratings (id, hall_id, ticket_id, ticket_number, window_id, matter_id, level, reasons, comment, at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .await
            .map_err(backend)?;
        c.execute(
            &st,
            &[
                &r.id,
                &r.hall_id,
                &r.ticket_id,
                &r.ticket_number,
                &r.window_id,
                &r.matter_id,
                &r.level.as_str(),
                &Json(&r.reasons),
                &r.comment,
                &at,
            ],
        )
        .await
        .map_err(|e| conflict_or(e, &format!("rating for ticket {}", r.ticket_id)))?;
        Ok(())
    }

    async fn ratings(&self, hall_id: &str, since: DateTime<Utc>) -> StorageResult<Vec<Rating>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "SELECT id, hall_id, ticket_id, ticket_number, window_id, matter_id, level, reasons, comment, at
                   FROM ratings WHERE hall_id = $1 AND at >= $2 ORDER BY at, id",
            )
            .await
            .map_err(backend)?;
        let rows = c.query(&st, &[&hall_id, &since_bound(since)]).await.map_err(backend)?;
        rows.iter().map(rating_from_row).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_given_back_as_sqlite_writes_them() {
        let t = parse_ts("t", "2026-11-25T09:30:00.123456+08:00").unwrap();
        assert_eq!(ts(t), "2026-11-25T01:30:00.123Z");
        assert_eq!(ts(since_bound(t)), "2026-11-25T01:30:00.123Z");
        assert!(since_bound(t) <= t);
        assert_eq!(ts(since_bound(DateTime::<Utc>::MIN_UTC)), "-4712-11-24T00:00:00.000Z");
        assert!(matches!(parse_ts("device created_at", "yesterday"), Err(StorageError::Backend(_))));
    }
}
