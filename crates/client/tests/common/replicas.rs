//! Desktop replicas and one server storage in process (no HTTP, so thousands of interleavings
//! run in seconds): the harness the convergence properties share. Each replica is a real store
//! on its own fixed clock; pushes and pulls go straight to the server's storage.

use chrono::{DateTime, Duration, Utc};
use hallkeeper_client::sync_op;
use hallkeeper_core::proto::{Hall, SyncOp};
use hallkeeper_core::sync::{merge::Row, server_snapshot, Hlc, Snapshot};
use hallkeeper_core::{FixedClock, Store};
use hallkeeper_server::storage::sqlite::SqliteStorage;
use hallkeeper_server::storage::Storage;
use std::collections::BTreeMap;
use std::sync::Arc;

pub const HALL: &str = "h1";

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub struct Replicas {
    pub rt: tokio::runtime::Runtime,
    pub server: SqliteStorage,
    pub replicas: Vec<(Store, Arc<FixedClock>)>,
    /// Every push must be accepted whole (a refusal fails the test where it happens).
    pub refuse_nothing: bool,
}

impl Replicas {
    /// The hall on the server, and one replica a skew (ms from the same start).
    pub fn new(skews_ms: &[i64]) -> Replicas {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let server = SqliteStorage::open_in_memory().unwrap();
        rt.block_on(async {
            server.migrate().await.unwrap();
            server.create_hall(&Hall { id: HALL.into(), name: "大厅".into() }).await.unwrap();
        });
        let replicas = skews_ms
            .iter()
            .map(|skew| {
                let clock =
                    Arc::new(FixedClock::new(at("2026-11-25T01:30:00Z") + Duration::milliseconds(*skew)));
                (Store::open_in_memory(clock.clone()).unwrap(), clock)
            })
            .collect();
        Replicas { rt, server, replicas, refuse_nothing: false }
    }

    pub fn store(&self, r: usize) -> &Store {
        &self.replicas[r].0
    }

    /// Sends the outbox; with `lose_answer` the server applies it but the replica never hears.
    pub fn push(&self, r: usize, lose_answer: bool) {
        let s = self.store(r);
        let ops: Vec<SyncOp> = s.pending_ops(1000).unwrap().into_iter().map(sync_op).collect();
        let Some(device) = s.sync_device_id().unwrap() else { return };
        if ops.is_empty() {
            return;
        }
        let answer = self.rt.block_on(self.server.apply_sync_ops(HALL, &device, &ops)).unwrap();
        if self.refuse_nothing {
            assert!(answer.rejected.is_empty(), "replica {r}: the server refused {:?}", answer.rejected);
        }
        if !lose_answer {
            let rejected: Vec<_> =
                answer.rejected.iter().map(|x| (x.seq, x.code.clone(), x.message.clone())).collect();
            s.record_push_result(answer.highest_seq, &rejected).unwrap();
        }
    }

    pub fn pull(&self, r: usize, limit: u32) {
        let s = self.store(r);
        let cursor = s.pull_cursor().unwrap();
        let page = self.rt.block_on(self.server.pull_changes(HALL, cursor, limit)).unwrap();
        s.apply_pull(cursor, &page).unwrap();
    }

    /// Pushes and pulls everything, a few rounds (a pull may bring what a push then answers).
    pub fn settle(&self) {
        for _ in 0..3 {
            for r in 0..self.replicas.len() {
                self.push(r, false);
            }
            for r in 0..self.replicas.len() {
                loop {
                    let before = self.store(r).pull_cursor().unwrap();
                    self.pull(r, 500);
                    if self.store(r).pull_cursor().unwrap() == before {
                        break;
                    }
                }
            }
        }
    }

    /// The server's rows, folded from its whole change log.
    pub fn server_rows(&self) -> Snapshot {
        let page = self.rt.block_on(self.server.pull_changes(HALL, 0, 5000)).unwrap();
        assert!(!page.has_more);
        let mut rows: BTreeMap<(String, String), Row> = BTreeMap::new();
        for c in page.changes {
            let hlc = Hlc::parse(&c.hlc).unwrap();
            let change = Row::parse_change(&c.change).unwrap();
            rows.entry((c.entity, c.key)).or_default().apply(&hlc, &change);
        }
        server_snapshot(rows.into_iter().map(|((e, k), r)| (e, k, r)))
    }
}
