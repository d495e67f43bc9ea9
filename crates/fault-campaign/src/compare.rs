//! The end of a campaign: every replica against the server, row by row, and every operation
//! accounted for.
//!
//! - **content**: a replica's tables (`Store::replica_snapshot`) against the server's merged rows
//!   (`sync_rows`, projected by `hallkeeper_core::sync::server_snapshot`), every differing row
//!   named;
//! - **lost**: no operation still pending in an outbox; every acknowledged one in the server's
//!   `sync_ops` under the same (device, seq) and op id, applied; every rejected one rejected
//!   there (and listed with its reason); nothing in `sync_ops` a desktop did not make;
//! - **duplicated**: no op id twice in `sync_ops`, no (device, seq) twice in `sync_changes`, no
//!   ticket event twice in a replica;
//! - **ticket events**: each replica holds exactly the server's events of the hall;
//! - **cases and steps** are rows of the content like any other (`case`, `case_step`,
//!   `case_evidence`): a replica's case shows what its steps made of it, the server's is the
//!   replay of its steps, so "identical" covers each case's state, each step's place and whether
//!   it took effect; every step an outbox made must be a row on the server; and every evidence
//!   record's file must be in each replica's evidence folder;
//! - **authors**: every operation of a replica's outbox names the account its desktop signed in
//!   as (`outbox.author`); one without an author, or with another's, fails the campaign.

use hallkeeper_core::sync::{server_snapshot, Snapshot};
use hallkeeper_core::{Store, SystemClock};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A desktop's data folder, after its agent exited.
#[derive(Debug, Clone)]
pub struct Replica {
    pub name: String,
    pub dir: PathBuf,
    /// The account this desktop's person signed in as: every operation must carry it.
    pub author: String,
}

/// An operation of an outbox.
#[derive(Debug, Clone)]
struct LocalOp {
    seq: i64,
    op_id: String,
    state: String,
    reason: Option<String>,
    entity: String,
    key: String,
    author: Option<String>,
}

#[derive(Debug, Default)]
pub struct ReplicaReport {
    pub name: String,
    pub device_id: Option<String>,
    pub ops: u64,
    pub acked: u64,
    pub rejected: u64,
    pub pending: u64,
    pub rows: usize,
    pub events: usize,
    pub differing_rows: usize,
    /// Evidence records whose file this replica holds (all of them, or they are counted lost).
    pub evidence_files: usize,
    /// Operations carrying the replica's own account as author.
    pub authored: u64,
}

#[derive(Debug, Default)]
pub struct Verdict {
    pub replicas: Vec<ReplicaReport>,
    /// Rows on the server (visible, projected) and all rows it keeps (tombstones included).
    pub server_rows: usize,
    pub server_rows_stored: usize,
    pub server_ops: u64,
    pub server_ops_rejected: u64,
    pub server_changes: u64,
    pub server_events: usize,
    pub server_cases: usize,
    pub server_steps: usize,
    pub server_steps_effective: usize,
    pub server_evidence: usize,
    /// The server's steps counted by the account that made them (`actorId`).
    pub steps_by_author: BTreeMap<String, usize>,
    /// Every row compared (server rows, once per replica).
    pub rows_compared: usize,
    pub differences: Vec<String>,
    pub lost: Vec<String>,
    pub duplicated: Vec<String>,
    /// Rejected operations with their reasons: kept, not lost.
    pub rejections: Vec<String>,
    pub event_mismatches: Vec<String>,
    /// Operations without the author their desktop's person is.
    pub wrong_authors: Vec<String>,
}

impl Verdict {
    pub fn identical(&self) -> bool {
        self.differences.is_empty() && self.event_mismatches.is_empty()
    }

    pub fn ok(&self) -> bool {
        self.identical()
            && self.lost.is_empty()
            && self.duplicated.is_empty()
            && self.wrong_authors.is_empty()
    }
}

fn open_ro(path: &Path) -> Result<Connection, String> {
    // Read-write: a store left by a killed process may have a WAL to recover.
    let c = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    c.busy_timeout(std::time::Duration::from_secs(10)).map_err(|e| e.to_string())?;
    Ok(c)
}

fn sql<T>(what: &str, r: rusqlite::Result<T>) -> Result<T, String> {
    r.map_err(|e| format!("{what}: {e}"))
}

/// The server's rows of the hall, projected as a replica must show them.
pub fn server_content(conn: &Connection, hall: &str) -> Result<(Snapshot, usize), String> {
    let mut st =
        sql("sync_rows", conn.prepare("SELECT entity, entity_key, row FROM sync_rows WHERE hall_id = ?1"))?;
    let rows = sql(
        "sync_rows",
        st.query_map([hall], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>()),
    )?;
    let stored = rows.len();
    let mut merged = Vec::with_capacity(stored);
    for (entity, key, json) in rows {
        let v: Value = serde_json::from_str(&json).map_err(|e| format!("sync_rows {entity}/{key}: {e}"))?;
        let row = hallkeeper_server::sync::row_from_json(&v)
            .map_err(|e| format!("sync_rows {entity}/{key}: {e}"))?;
        merged.push((entity, key, row));
    }
    Ok((server_snapshot(merged), stored))
}

fn count(snap: &Snapshot) -> usize {
    snap.values().map(BTreeMap::len).sum()
}

fn show(v: Option<&Value>) -> String {
    match v {
        None => "—".into(),
        Some(v) => v.to_string(),
    }
}

/// Every row that differs, one line each (field by field).
pub fn diff(replica: &str, server: &Snapshot, local: &Snapshot) -> Vec<String> {
    let empty = BTreeMap::new();
    let entities: BTreeSet<&String> = server.keys().chain(local.keys()).collect();
    let mut out = Vec::new();
    for entity in entities {
        let s = server.get(entity).unwrap_or(&empty);
        let l = local.get(entity).unwrap_or(&empty);
        let keys: BTreeSet<&String> = s.keys().chain(l.keys()).collect();
        for key in keys {
            match (s.get(key), l.get(key)) {
                (Some(a), Some(b)) if a == b => {}
                (Some(a), None) => {
                    out.push(format!("{replica}: {entity} {key} missing (server has {})", fields(a)))
                }
                (None, Some(b)) => out
                    .push(format!("{replica}: {entity} {key} not on the server (replica has {})", fields(b))),
                (Some(a), Some(b)) => {
                    let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
                    let parts: Vec<String> = names
                        .into_iter()
                        .filter(|n| a.get(*n) != b.get(*n))
                        .map(|n| format!("{n}: server {} replica {}", show(a.get(n)), show(b.get(n))))
                        .collect();
                    out.push(format!("{replica}: {entity} {key} differs: {}", parts.join("; ")));
                }
                (None, None) => {}
            }
        }
    }
    out
}

fn fields(m: &Map<String, Value>) -> String {
    Value::Object(m.clone()).to_string()
}

/// Compares every replica with the server's SQLite file (the server stopped).
pub fn verify(server_db: &Path, hall: &str, replicas: &[Replica]) -> Result<Verdict, String> {
    let server = open_ro(server_db)?;
    let mut v = Verdict::default();
    let (content, stored) = server_content(&server, hall)?;
    v.server_rows = count(&content);
    v.server_rows_stored = stored;
    let empty = BTreeMap::new();
    let steps = content.get("case_step").unwrap_or(&empty);
    v.server_cases = content.get("case").map_or(0, BTreeMap::len);
    v.server_evidence = content.get("case_evidence").map_or(0, BTreeMap::len);
    v.server_steps = steps.len();
    v.server_steps_effective =
        steps.values().filter(|f| f.get("effective") == Some(&Value::Bool(true))).count();
    for f in steps.values() {
        let who = f.get("actorId").and_then(Value::as_str).unwrap_or("(none)").to_owned();
        *v.steps_by_author.entry(who).or_default() += 1;
    }

    // The server's operations, by (device, seq).
    let mut server_ops: HashMap<(String, i64), (String, String)> = HashMap::new();
    {
        let mut st = sql(
            "sync_ops",
            server.prepare("SELECT device_id, seq, op_id, state FROM sync_ops WHERE hall_id = ?1"),
        )?;
        let rows = sql(
            "sync_ops",
            st.query_map([hall], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get(2)?, r.get(3)?)))
                .and_then(|r| r.collect::<rusqlite::Result<Vec<(String, i64, String, String)>>>()),
        )?;
        for (device, seq, op_id, state) in rows {
            v.server_ops += 1;
            if state == "rejected" {
                v.server_ops_rejected += 1;
            }
            if server_ops.insert((device.clone(), seq), (op_id, state)).is_some() {
                v.duplicated.push(format!("sync_ops holds ({device}, {seq}) twice"));
            }
        }
    }
    let dup_ops: Vec<(String, i64)> = sql(
        "sync_ops duplicates",
        server
            .prepare("SELECT op_id, count(*) FROM sync_ops GROUP BY op_id HAVING count(*) > 1")
            .and_then(|mut st| st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect()),
    )?;
    for (op, n) in dup_ops {
        v.duplicated.push(format!("op {op} is {n} times in the server's sync_ops"));
    }
    let dup_changes: Vec<(String, i64, i64)> = sql(
        "sync_changes duplicates",
        server
            .prepare(
                "SELECT device_id, seq, count(*) FROM sync_changes
                  WHERE hall_id = ?1 AND device_id <> 'server'
                  GROUP BY device_id, seq HAVING count(*) > 1",
            )
            .and_then(|mut st| st.query_map([hall], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect()),
    )?;
    for (device, seq, n) in dup_changes {
        v.duplicated.push(format!("the change of ({device}, {seq}) is {n} times in sync_changes"));
    }
    v.server_changes = sql(
        "sync_changes",
        server.query_row("SELECT count(*) FROM sync_changes WHERE hall_id = ?1", [hall], |r| {
            r.get::<_, i64>(0)
        }),
    )? as u64;
    let server_events: Vec<i64> = sql(
        "ticket_events",
        server
            .prepare("SELECT seq FROM ticket_events WHERE hall_id = ?1 ORDER BY seq")
            .and_then(|mut st| st.query_map([hall], |r| r.get(0))?.collect()),
    )?;
    v.server_events = server_events.len();

    let mut devices_seen = BTreeSet::new();
    for replica in replicas {
        let mut rep = ReplicaReport { name: replica.name.clone(), ..ReplicaReport::default() };
        let db = replica.dir.join(hallkeeper_core::store::STORE_FILE);
        let (device, ops) = {
            let c = open_ro(&db)?;
            let device: Option<String> = sql(
                "sync_state",
                c.query_row("SELECT device_id FROM sync_state WHERE id = 1", [], |r| r.get(0)).optional(),
            )?;
            let ops: Vec<LocalOp> = sql(
                "outbox",
                c.prepare(
                    "SELECT seq, op_id, state, reason, entity, entity_key, author FROM outbox ORDER BY seq",
                )
                .and_then(|mut st| {
                    st.query_map([], |r| {
                        Ok(LocalOp {
                            seq: r.get(0)?,
                            op_id: r.get(1)?,
                            state: r.get(2)?,
                            reason: r.get(3)?,
                            entity: r.get(4)?,
                            key: r.get(5)?,
                            author: r.get(6)?,
                        })
                    })?
                    .collect()
                }),
            )?;
            (device, ops)
        };
        rep.device_id = device.clone();
        let mut local_ids = BTreeSet::new();
        for op in &ops {
            rep.ops += 1;
            local_ids.insert(op.op_id.clone());
            let on_server = device.as_ref().and_then(|d| server_ops.get(&(d.clone(), op.seq)));
            let what = format!("{} op {} ({} {} seq {})", replica.name, op.op_id, op.entity, op.key, op.seq);
            if op.author.as_deref() == Some(replica.author.as_str()) {
                rep.authored += 1;
            } else {
                v.wrong_authors.push(format!(
                    "{what}: author {}, the desktop's person is {}",
                    op.author.as_deref().unwrap_or("(none)"),
                    replica.author
                ));
            }
            if op.entity == "case_step" && op.state != "rejected" && !steps.contains_key(&op.key) {
                v.lost.push(format!("{what}: a step this desktop made is not among the server's steps"));
            }
            match op.state.as_str() {
                "pending" => {
                    rep.pending += 1;
                    v.lost.push(format!("{what}: still pending after the final sync"));
                }
                "acked" => {
                    rep.acked += 1;
                    match on_server {
                        None => v.lost.push(format!("{what}: acknowledged but not in the server's sync_ops")),
                        Some((id, _)) if *id != op.op_id => {
                            v.lost.push(format!("{what}: the server holds op {id} under that sequence"))
                        }
                        Some((_, state)) if state != "applied" => {
                            v.lost.push(format!("{what}: acknowledged, but the server recorded it {state}"))
                        }
                        Some(_) => {}
                    }
                }
                "rejected" => {
                    rep.rejected += 1;
                    v.rejections.push(format!("{what}: {}", op.reason.as_deref().unwrap_or("(no reason)")));
                    match on_server {
                        Some((id, state)) if *id == op.op_id && state == "rejected" => {}
                        other => v.lost.push(format!("{what}: rejected locally, the server has {other:?}")),
                    }
                }
                other => v.lost.push(format!("{what}: unknown outbox state {other:?}")),
            }
        }
        // Nothing on the server under this device that the desktop did not make.
        if let Some(d) = &device {
            devices_seen.insert(d.clone());
            for ((dev, seq), (id, _)) in &server_ops {
                if dev == d && !local_ids.contains(id) {
                    v.duplicated.push(format!(
                        "{}: the server holds op {id} (seq {seq}) the desktop never made",
                        replica.name
                    ));
                }
            }
        }

        let store = Store::open_in_dir(&replica.dir, Arc::new(SystemClock))
            .map_err(|e| format!("{}: {e}", replica.dir.display()))?;
        let local =
            store.replica_snapshot().map_err(|e| format!("{} replica_snapshot: {e}", replica.name))?;
        rep.rows = count(&local);
        // Every evidence record's file must have come with it (fetched by hash, checked on save).
        let missing = store
            .missing_evidence_files()
            .map_err(|e| format!("{} missing_evidence_files: {e}", replica.name))?;
        for sha in missing {
            v.lost.push(format!(
                "{}: the evidence file {sha} its cases cite is not in its folder",
                replica.name
            ));
        }
        rep.evidence_files = local.get("case_evidence").map_or(0, BTreeMap::len);
        v.rows_compared += v.server_rows.max(rep.rows);
        let d = diff(&replica.name, &content, &local);
        rep.differing_rows = d.len();
        v.differences.extend(d);

        let events =
            store.ticket_event_seqs().map_err(|e| format!("{} ticket_event_seqs: {e}", replica.name))?;
        rep.events = events.len();
        let unique: BTreeSet<i64> = events.iter().copied().collect();
        if unique.len() != events.len() {
            v.duplicated.push(format!(
                "{}: {} ticket events held more than once",
                replica.name,
                events.len() - unique.len()
            ));
        }
        if events != server_events {
            let server_set: BTreeSet<i64> = server_events.iter().copied().collect();
            let missing: Vec<i64> = server_set.difference(&unique).copied().collect();
            let extra: Vec<i64> = unique.difference(&server_set).copied().collect();
            v.event_mismatches.push(format!(
                "{}: {} ticket events, the server {}; missing {} {:?}{}, not on the server {:?}",
                replica.name,
                events.len(),
                server_events.len(),
                missing.len(),
                &missing[..missing.len().min(20)],
                if missing.len() > 20 { " …" } else { "" },
                &extra[..extra.len().min(20)],
            ));
        }
        v.replicas.push(rep);
    }
    // Operations on the server from a device no replica is.
    let strangers: BTreeSet<&String> =
        server_ops.keys().map(|(d, _)| d).filter(|d| !devices_seen.contains(*d)).collect();
    for d in strangers {
        v.differences.push(format!("the server holds operations of device {d}, which no replica is"));
    }
    Ok(v)
}
