//! The outbox: operations for the server, written in the same transaction as the change they
//! describe (docs/sync.md). One operation per row changed; a per-device sequence and an HLC
//! timestamp are allocated here, inside that transaction.

use super::Write;
use crate::error::Result;
use hallkeeper_sync::Hlc;
use rusqlite::{params, OptionalExtension};
use serde_json::{Map, Value};

pub(crate) use crate::sync::Entity;

/// What an operation does to its row: set some fields, or delete it.
pub(crate) fn upsert(fields: Map<String, Value>) -> Value {
    serde_json::json!({ "kind": "upsert", "fields": fields })
}

/// An upsert that makes the row exist (a create): only such a write undoes a delete
/// (`merge::LIVE`).
pub(crate) fn create(mut fields: Map<String, Value>) -> Value {
    fields.insert(crate::sync::merge::LIVE.into(), Value::Bool(true));
    upsert(fields)
}

/// A hall document's operation (the deadline profile, the star rule, the thresholds, the SMS
/// rules): the whole document in one field, so the last save wins as a whole and two PCs never
/// mix halves of two rule sets.
pub(crate) fn document<T: serde::Serialize>(doc: &T) -> Result<Value> {
    let mut fields = Map::new();
    fields.insert("document".into(), super::snapshot(doc)?);
    Ok(upsert(fields))
}

pub(crate) fn delete() -> Value {
    serde_json::json!({ "kind": "delete" })
}

/// The fields an edit set, from the record's snapshots before and after (bookkeeping excluded).
pub(crate) fn changed_fields(before: Option<&Value>, after: &Value) -> Map<String, Value> {
    let empty = Map::new();
    let before = before.and_then(Value::as_object).unwrap_or(&empty);
    after
        .as_object()
        .map(|a| {
            a.iter()
                .filter(|(k, _)| !matches!(k.as_str(), "id" | "createdAt" | "updatedAt"))
                .filter(|(k, v)| before.get(*k) != Some(*v))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

impl Write<'_> {
    /// Appends operations to the outbox, allocating their sequence numbers and HLC timestamps.
    pub(crate) fn record_ops(&self, ops: impl IntoIterator<Item = (Entity, String, Value)>) -> Result<()> {
        let mut ops = ops.into_iter().peekable();
        if ops.peek().is_none() {
            return Ok(());
        }
        let (device, mut seq, mut last) = self.sync_state()?;
        let now = self.now_text();
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO outbox (seq, op_id, hlc, entity, entity_key, change, created_at, author)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for (entity, key, change) in ops {
            let hlc = Hlc::tick(last.as_ref(), self.now.timestamp_millis(), &device);
            insert.execute(params![
                seq,
                self.new_id(),
                hlc.to_string(),
                entity.as_str(),
                key,
                change.to_string(),
                now,
                self.author(),
            ])?;
            seq += 1;
            last = Some(hlc);
        }
        self.tx.execute(
            "UPDATE sync_state SET next_seq = ?1, last_hlc = ?2 WHERE id = 1",
            params![seq, last.map(|h| h.to_string())],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::store::testing::store;
    use hallkeeper_proto::{WindowInput, WindowKind, WindowState};

    fn outbox(s: &crate::Store) -> Vec<(i64, String, String, String)> {
        s.read(|c| {
            let mut st = c.prepare("SELECT seq, entity, entity_key, change FROM outbox ORDER BY seq")?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .unwrap()
    }

    fn input(number: &str) -> WindowInput {
        WindowInput {
            number: number.into(),
            name: "综合受理".into(),
            zone: String::new(),
            kind: WindowKind::General,
            state: WindowState::Open,
        }
    }

    #[test]
    fn each_change_writes_its_operation_and_a_refused_one_writes_none() {
        let (s, clock) = store();
        let a = s.create_window("t", &input("A01")).unwrap();
        clock.advance(chrono::Duration::seconds(1));
        s.set_window_state("t", &a.id, WindowState::Paused).unwrap();
        s.set_window_state("t", &a.id, WindowState::Paused).unwrap(); // no change, no operation
        assert!(s.create_window("t", &input("a01")).is_err()); // refused: duplicate number
        s.delete_window("t", &a.id).unwrap();
        let ops = outbox(&s);
        assert_eq!(
            ops.iter().map(|o| o.0).collect::<Vec<_>>(),
            [1, 2, 3],
            "dense sequence, nothing for refusals"
        );
        assert!(ops.iter().all(|o| o.1 == "window" && o.2 == a.id));
        let created: serde_json::Value = serde_json::from_str(&ops[0].3).unwrap();
        assert_eq!(created["kind"], "upsert");
        assert_eq!(created["fields"]["number"], "A01");
        assert!(created["fields"].get("id").is_none() && created["fields"].get("createdAt").is_none());
        let paused: serde_json::Value = serde_json::from_str(&ops[1].3).unwrap();
        assert_eq!(paused["fields"], serde_json::json!({ "state": "paused" }), "only the field that changed");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&ops[2].3).unwrap()["kind"], "delete");
        let hlcs: Vec<String> = s
            .read(|c| {
                Ok(c.prepare("SELECT hlc FROM outbox ORDER BY seq")?
                    .query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?)
            })
            .unwrap();
        assert!(hlcs.windows(2).all(|p| p[0] < p[1]), "HLCs increase: {hlcs:?}");
    }
}

/// An operation waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxOp {
    pub seq: i64,
    pub op_id: String,
    pub hlc: String,
    pub entity: String,
    pub key: String,
    pub change: Value,
    /// The account whose change it is (the server re-checks their role); None for an operation
    /// written before sign-in existed.
    pub author: Option<String>,
}

impl crate::Store {
    /// Attributes the pending operations that name no author to `person`, just signed in through
    /// the server: they were written on this PC before anyone signed in here (a store from
    /// before sign-in existed, the demo seed), and the server refuses an operation without an
    /// author (`access.author_missing`). The person taking them over is the one whose role the
    /// server then checks. Answers how many.
    pub fn adopt_unauthored_ops(&self, person: &crate::access::Person) -> Result<u64> {
        self.write_quietly("sync", |w| {
            let n = w.tx.execute(
                "UPDATE outbox SET author = ?1 WHERE author IS NULL AND state = 'pending'",
                [&person.account_id],
            )?;
            Ok(n as u64)
        })
    }

    /// The oldest pending operations, in sequence order (what the next push sends).
    pub fn pending_ops(&self, limit: usize) -> Result<Vec<OutboxOp>> {
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT seq, op_id, hlc, entity, entity_key, change, author FROM outbox
                  WHERE state = 'pending' ORDER BY seq LIMIT ?1",
            )?;
            let rows = st.query_map([limit as i64], |r| {
                let change: String = r.get(5)?;
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, change, r.get(6)?))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (seq, op_id, hlc, entity, key, change, author) = row?;
                let change = serde_json::from_str(&change)
                    .map_err(|e| crate::Error::Corrupt(format!("outbox operation {seq}: {e}")))?;
                out.push(OutboxOp { seq, op_id, hlc, entity, key, change, author });
            }
            Ok(out)
        })
    }
}

impl crate::Store {
    /// The keys of every operation this PC made on `entity`, whatever their state (for
    /// checking that none was lost).
    pub fn outbox_keys(&self, entity: &str) -> Result<Vec<String>> {
        self.read(|c| {
            let mut st = c.prepare_cached("SELECT entity_key FROM outbox WHERE entity = ?1 ORDER BY seq")?;
            let keys = st.query_map([entity], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
            Ok(keys)
        })
    }
}

/// Where the outbox stands, for the sync status in the UI.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OutboxStatus {
    pub pending: u64,
    pub rejected: u64,
    /// The highest sequence the server acknowledged.
    pub acked_through: i64,
}

impl crate::Store {
    /// This store's identity as a sync peer (made with its first operation); None before any.
    pub fn sync_device_id(&self) -> Result<Option<String>> {
        self.read(|c| {
            Ok(c.query_row("SELECT device_id FROM sync_state WHERE id = 1", [], |r| r.get(0)).optional()?)
        })
    }

    /// Records the server's answer to a push: everything up to `highest_seq` is acknowledged,
    /// except the operations it rejected, which are kept with their reason — never dropped.
    pub fn record_push_result(&self, highest_seq: i64, rejected: &[(i64, String, String)]) -> Result<()> {
        // The outbox's own bookkeeping: the hall's rows stay as they are.
        self.write_quietly("sync", |w| {
            let mut reject = w.tx.prepare_cached(
                "UPDATE outbox SET state = 'rejected', reason = ?2 WHERE seq = ?1 AND state = 'pending'",
            )?;
            for (seq, code, message) in rejected {
                reject.execute(params![seq, format!("{code}: {message}")])?;
            }
            w.tx.execute(
                "UPDATE outbox SET state = 'acked' WHERE seq <= ?1 AND state = 'pending'",
                [highest_seq],
            )?;
            w.tx.execute("UPDATE sync_state SET last_push_at = ?1 WHERE id = 1", [w.now_text()])?;
            // A rejected operation no longer lies on top of the pulled state: show what the
            // server holds instead.
            let mut touched = Vec::new();
            {
                let mut st = w.tx.prepare_cached("SELECT entity, entity_key FROM outbox WHERE seq = ?1")?;
                for (seq, _, _) in rejected {
                    if let Some((e, k)) = st
                        .query_row([seq], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
                        .optional()?
                    {
                        if let Some(e) = Entity::parse(&e) {
                            touched.push((e, k));
                        }
                    }
                }
            }
            w.project_all(touched)?;
            Ok(())
        })
    }

    pub fn outbox_status(&self) -> Result<OutboxStatus> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT coalesce(sum(state = 'pending'), 0), coalesce(sum(state = 'rejected'), 0),
                        coalesce(max(CASE WHEN state = 'acked' THEN seq END), 0)
                   FROM outbox",
                [],
                |r| {
                    Ok(OutboxStatus {
                        pending: r.get::<_, i64>(0)? as u64,
                        rejected: r.get::<_, i64>(1)? as u64,
                        acked_through: r.get(2)?,
                    })
                },
            )?)
        })
    }
}
