//! Every schema change, numbered, in one place. A migration is never edited once released: a
//! change is a new, higher number. `PRAGMA user_version` holds the number applied last.

use crate::error::{Error, Result};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "windows_and_audit", sql: include_str!("sql/0001_windows_and_audit.sql") },
    Migration { version: 2, name: "matter_bindings", sql: include_str!("sql/0002_matter_bindings.sql") },
    Migration { version: 3, name: "staff_and_seats", sql: include_str!("sql/0003_staff_and_seats.sql") },
    Migration { version: 4, name: "sync_outbox", sql: include_str!("sql/0004_sync_outbox.sql") },
    Migration { version: 5, name: "sync_pull", sql: include_str!("sql/0005_sync_pull.sql") },
    Migration { version: 6, name: "overflow_today", sql: include_str!("sql/0006_overflow_today.sql") },
    Migration { version: 7, name: "reports", sql: include_str!("sql/0007_reports.sql") },
    Migration { version: 8, name: "ratings", sql: include_str!("sql/0008_ratings.sql") },
    Migration { version: 9, name: "rectification", sql: include_str!("sql/0009_rectification.sql") },
    Migration { version: 10, name: "report_feed", sql: include_str!("sql/0010_report_feed.sql") },
    Migration { version: 11, name: "rollup_counters", sql: include_str!("sql/0011_rollup_counters.sql") },
    Migration { version: 12, name: "records_sync", sql: include_str!("sql/0012_records_sync.sql") },
    Migration { version: 13, name: "people", sql: include_str!("sql/0013_people.sql") },
];

pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

pub fn current_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Applies what is missing, each migration in its own immediate transaction together with the
/// version bump, so a crash leaves the store at a whole version.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let found = current_version(conn)?;
    let known = latest_version();
    if found > known {
        return Err(Error::SchemaTooNew { found, known });
    }
    if found == known {
        return Ok(());
    }
    // A migration may rebuild a table (SQLite's way to drop a constraint), which needs foreign
    // keys off; they are checked before each commit instead, and restored after.
    let enforced: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let outcome = apply_missing(conn, found);
    conn.pragma_update(None, "foreign_keys", enforced)?;
    outcome
}

fn apply_missing(conn: &mut Connection, found: i64) -> Result<()> {
    for m in MIGRATIONS.iter().filter(|m| m.version > found) {
        let wrap = |source| Error::Migration { version: m.version, name: m.name, source };
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(wrap)?;
        tx.execute_batch(m.sql).map_err(wrap)?;
        let dangling: Option<String> = tx
            .query_row(
                "SELECT \"table\" || ' row ' || rowid FROM pragma_foreign_key_check LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(wrap)?;
        if let Some(row) = dangling {
            return Err(Error::Corrupt(format!(
                "migration {} ({}) left a dangling reference: {row}",
                m.version, m.name
            )));
        }
        tx.pragma_update(None, "user_version", m.version).map_err(wrap)?;
        tx.commit().map_err(wrap)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_contiguous_from_one() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1, "migration {} is out of sequence", m.name);
            assert!(!m.sql.trim().is_empty(), "migration {} is empty", m.name);
        }
    }

    #[test]
    fn every_sql_file_is_listed_once() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store/sql");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        let expected: Vec<String> =
            MIGRATIONS.iter().map(|m| format!("{:04}_{}.sql", m.version, m.name)).collect();
        assert_eq!(files, expected, "a migration file is not listed in MIGRATIONS (or misnamed)");
    }

    #[test]
    fn migrating_twice_is_a_no_op_and_leaves_a_sound_schema() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        migrate(&mut conn).unwrap();
        let schema = |c: &Connection| -> Vec<String> {
            let mut st =
                c.prepare("SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY name").unwrap();
            st.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect()
        };
        let first = schema(&conn);
        migrate(&mut conn).unwrap();
        assert_eq!(schema(&conn), first);
        assert_eq!(current_version(&conn).unwrap(), latest_version());
        let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(ok, "ok");
        let fk_problems: i64 =
            conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
        assert_eq!(fk_problems, 0);
    }

    #[test]
    fn each_prefix_of_migrations_upgrades_to_the_latest() {
        // A store left at any older version must upgrade cleanly.
        for stop in 0..MIGRATIONS.len() {
            let mut conn = Connection::open_in_memory().unwrap();
            for m in &MIGRATIONS[..stop] {
                conn.execute_batch(m.sql).unwrap();
                conn.pragma_update(None, "user_version", m.version).unwrap();
            }
            migrate(&mut conn).unwrap();
            assert_eq!(current_version(&conn).unwrap(), latest_version());
        }
    }

    #[test]
    fn packing_the_rollup_counters_keeps_every_value() {
        let mut conn = Connection::open_in_memory().unwrap();
        for m in MIGRATIONS.iter().take_while(|m| m.version < 11) {
            conn.execute_batch(m.sql).unwrap();
            conn.pragma_update(None, "user_version", m.version).unwrap();
        }
        // Column i holds 1000 * i + 7, the last one a value past 32 bits.
        let values: Vec<i64> = (0..19).map(|i| 1000 * i + 7).chain([5_000_000_000]).skip(1).collect();
        conn.execute(
            "INSERT INTO report_rollups VALUES (3, 0, 19886, 'm1', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,
                     x'0102', x'0304', ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
            rusqlite::params_from_iter(&values),
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let (key, counters, wait, service): (String, Vec<u8>, Vec<u8>, Vec<u8>) = conn
            .query_row("SELECT key, counters, wait_hist, service_hist FROM report_rollups", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .unwrap();
        assert_eq!((key.as_str(), wait, service), ("m1", vec![1, 2], vec![3, 4]));
        let unpacked: Vec<i64> =
            counters.chunks_exact(8).map(|c| i64::from_be_bytes(c.try_into().unwrap())).collect();
        assert_eq!(unpacked, values);
    }

    #[test]
    fn a_newer_store_is_refused_untouched() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", latest_version() + 1).unwrap();
        match migrate(&mut conn) {
            Err(Error::SchemaTooNew { found, known }) => {
                assert_eq!((found, known), (latest_version() + 1, latest_version()))
            }
            other => panic!("expected SchemaTooNew, got {other:?}"),
        }
        let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0)).unwrap();
        assert_eq!(tables, 0);
    }
}
