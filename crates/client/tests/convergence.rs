//! Sync's promise, checked with real stores and the real server storage (in process, no HTTP,
//! so thousands of interleavings run in seconds): whatever the order of local edits, pushes
//! (some answers lost, some repeated) and pulls (in pages of any size), once everything is
//! pushed and pulled every replica's tables equal what the server's change log says, row by row.

use chrono::Duration;
use hallkeeper_core::catalog::mapping::standard_order;
use hallkeeper_core::proto::{
    BindInput, BindingPriority, FindingKind, ImportRequest, SeatInput, StaffInput, UnbindInput, WindowInput,
    WindowKind, WindowState,
};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[path = "common/replicas.rs"]
mod replicas;
use hallkeeper_server::storage::Storage;
use replicas::{Replicas, HALL};

struct World {
    sync: Replicas,
    _dir: tempfile::TempDir,
    catalog: PathBuf,
}

/// The harness's pushes, pulls and stores, on the world that adds a catalog to import.
impl std::ops::Deref for World {
    type Target = Replicas;
    fn deref(&self) -> &Replicas {
        &self.sync
    }
}

/// A small catalog (the sample's first five matters), imported on every replica: stable ids
/// make the copies one set of rows.
fn small_catalog(dir: &Path) -> PathBuf {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample-catalog/sample-catalog.csv");
    let text = std::fs::read_to_string(sample).unwrap();
    let lines: Vec<&str> = text.lines().take(6).collect();
    let path = dir.join("small.csv");
    std::fs::write(&path, lines.join("\n")).unwrap();
    path
}

impl World {
    fn new(n: usize, skews_ms: &[i64]) -> World {
        let skews: Vec<i64> = (0..n).map(|i| skews_ms.get(i).copied().unwrap_or(0)).collect();
        let dir = tempfile::tempdir().unwrap();
        let catalog = small_catalog(dir.path());
        World { sync: Replicas::new(&skews), _dir: dir, catalog }
    }

    fn import(&self, r: usize) {
        let req =
            ImportRequest { path: self.catalog.to_string_lossy().into_owned(), mapping: standard_order() };
        let s = self.store(r);
        let preview = s.preview_import(&req, &|_| {}).unwrap();
        s.apply_import("t", &req, &preview.fingerprint, &|_| {}).unwrap();
    }

    fn edit(&self, r: usize, kind: u8, a: u8, b: u8) {
        let (s, clock) = &self.replicas[r];
        clock.advance(Duration::milliseconds(1 + i64::from(b % 7)));
        let windows = s.list_windows().unwrap();
        let window = (!windows.is_empty()).then(|| windows[a as usize % windows.len()].clone());
        let matters = s.catalog().unwrap().matters;
        let staff = s.list_staff().unwrap();
        let person = (!staff.is_empty()).then(|| staff[b as usize % staff.len()].clone());
        let numbers = ["A01", "A02", "B01"];
        let input = |number: &str, name: &str, state| WindowInput {
            number: number.into(),
            name: name.into(),
            zone: String::new(),
            kind: WindowKind::General,
            state,
        };
        // Refusals (a duplicate number, deleting a bound window) are part of the game.
        let _ = match (kind % 10, window, person) {
            (0, _, _) => {
                s.create_window("t", &input(numbers[a as usize % 3], "综合受理", WindowState::Open)).map(drop)
            }
            (1, Some(w), _) => s
                .update_window(
                    "t",
                    &w.id,
                    &input(&w.number, ["综合受理", "不动产", "社保"][b as usize % 3], w.state),
                )
                .map(drop),
            (2, Some(w), _) => {
                let state = [WindowState::Open, WindowState::Paused, WindowState::Closed][b as usize % 3];
                s.set_window_state("t", &w.id, state).map(drop)
            }
            (3, Some(w), _) => s.delete_window("t", &w.id),
            (4, Some(w), _) if !matters.is_empty() => s
                .bind_matters(
                    "t",
                    &BindInput {
                        window_id: w.id,
                        matter_ids: vec![matters[b as usize % matters.len()].id.clone()],
                        priority: if b.is_multiple_of(2) {
                            BindingPriority::Primary
                        } else {
                            BindingPriority::Overflow
                        },
                    },
                )
                .map(drop),
            (5, Some(w), _) if !matters.is_empty() => s
                .unbind_matters(
                    "t",
                    &UnbindInput {
                        window_id: w.id,
                        matter_ids: vec![matters[b as usize % matters.len()].id.clone()],
                    },
                )
                .map(drop),
            (6, _, _) => s
                .create_staff(
                    "t",
                    &StaffInput {
                        employee_no: format!("10{}", a % 4),
                        name: ["张三", "李四"][b as usize % 2].into(),
                        department_id: None,
                    },
                )
                .map(drop),
            (7, Some(w), Some(p)) => {
                s.set_seat("t", &SeatInput { window_id: w.id, staff_id: Some(p.id) }).map(drop)
            }
            (8, _, Some(p)) => s.delete_staff("t", &p.id),
            (9, _, _) if windows.len() > 1 => {
                let ids: Vec<String> = windows.iter().rev().map(|w| w.id.clone()).collect();
                s.reorder_windows("t", &ids).map(drop)
            }
            _ => Ok(()),
        };
    }

    fn assert_converged(&self) {
        let server = self.server_rows();
        for r in 0..self.replicas.len() {
            let s = self.store(r);
            let status = s.outbox_status().unwrap();
            assert_eq!(status.pending, 0, "replica {r} still has pending operations");
            let mine = s.replica_snapshot().unwrap();
            for entity in server.keys().chain(mine.keys()) {
                let (a, b) = (server.get(entity), mine.get(entity));
                let empty = BTreeMap::new();
                let (a, b) = (a.unwrap_or(&empty), b.unwrap_or(&empty));
                for key in a.keys().chain(b.keys()) {
                    assert_eq!(a.get(key), b.get(key), "replica {r}: {entity} {key} differs from the server");
                }
            }
        }
    }
}

#[derive(Debug, Clone)]
enum Step {
    Edit { r: usize, kind: u8, a: u8, b: u8 },
    Push { r: usize, lose_answer: bool },
    Pull { r: usize, limit: u32 },
}

fn step(n: usize) -> impl Strategy<Value = Step> {
    prop_oneof![
        5 => (0..n, any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(r, kind, a, b)| Step::Edit { r, kind, a, b }),
        2 => (0..n, prop::bool::weighted(0.25)).prop_map(|(r, lose_answer)| Step::Push { r, lose_answer }),
        2 => (0..n, 1u32..8).prop_map(|(r, limit)| Step::Pull { r, limit }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_interleaving_of_edits_pushes_and_pulls_converges(
        skews in prop::collection::vec(-5_000i64..5_000, 3),
        steps in prop::collection::vec(step(3), 1..80),
    ) {
        let world = World::new(3, &skews);
        world.import(0);
        world.import(1);
        for s in &steps {
            match *s {
                Step::Edit { r, kind, a, b } => world.edit(r, kind, a, b),
                Step::Push { r, lose_answer } => world.push(r, lose_answer),
                Step::Pull { r, limit } => world.pull(r, limit),
            }
        }
        world.settle();
        world.assert_converged();
    }
}

fn window_input(number: &str, name: &str) -> WindowInput {
    WindowInput {
        number: number.into(),
        name: name.into(),
        zone: String::new(),
        kind: WindowKind::General,
        state: WindowState::Open,
    }
}

#[test]
fn a_pull_never_undoes_an_edit_the_server_has_not_seen() {
    let world = World::new(2, &[0, 0]);
    let a = world.store(0).create_window("t", &window_input("A01", "综合受理")).unwrap();
    world.push(0, false);
    world.pull(1, 100);
    // PC2 renames it and the server has that; PC1 renames it later but has not pushed.
    world.replicas[1].1.advance(Duration::seconds(1));
    world.store(1).update_window("t", &a.id, &window_input("A01", "不动产登记")).unwrap();
    world.push(1, false);
    world.replicas[0].1.advance(Duration::seconds(2));
    world.store(0).update_window("t", &a.id, &window_input("A01", "社保医保")).unwrap();
    world.pull(0, 100);
    assert_eq!(world.store(0).get_window(&a.id).unwrap().name, "社保医保", "the unpushed local edit stays");
    world.settle();
    assert_eq!(world.store(1).get_window(&a.id).unwrap().name, "社保医保", "the later edit wins everywhere");
    world.assert_converged();
}

#[test]
fn an_edit_that_lost_to_a_later_one_is_written_in_the_audit_log() {
    let world = World::new(2, &[0, 0]);
    let a = world.store(0).create_window("t", &window_input("A01", "综合受理")).unwrap();
    world.settle();
    // PC1 edits first but pushes last: the server orders PC2's later edit before it.
    world.replicas[0].1.advance(Duration::seconds(1));
    world.store(0).update_window("t", &a.id, &window_input("A01", "不动产登记")).unwrap();
    world.replicas[1].1.advance(Duration::seconds(5));
    world.store(1).update_window("t", &a.id, &window_input("A01", "社保医保")).unwrap();
    world.push(1, false);
    world.push(0, false);
    world.pull(0, 100);
    assert_eq!(world.store(0).get_window(&a.id).unwrap().name, "社保医保");
    let audit = world.store(0).list_audit(50, None).unwrap();
    let lost = audit
        .entries
        .iter()
        .find(|e| e.action == "sync.superseded")
        .expect("an audit entry for the lost edit");
    assert!(lost.summary.contains("name"), "{}", lost.summary);
    world.settle();
    world.assert_converged();
}

#[test]
fn a_binding_to_a_window_deleted_elsewhere_ends_unbound_and_reported() {
    let world = World::new(2, &[0, 0]);
    world.import(0);
    let a = world.store(0).create_window("t", &window_input("A01", "综合受理")).unwrap();
    world.settle();
    let matter = world.store(1).catalog().unwrap().matters[0].id.clone();
    // PC1 deletes the window while PC2, offline, binds a matter to it.
    world.store(0).delete_window("t", &a.id).unwrap();
    world
        .store(1)
        .bind_matters(
            "t",
            &BindInput {
                window_id: a.id.clone(),
                matter_ids: vec![matter.clone()],
                priority: BindingPriority::Primary,
            },
        )
        .unwrap();
    world.push(0, false);
    world.push(1, false);
    world.settle();
    world.assert_converged();
    for r in 0..2 {
        let s = world.store(r);
        assert!(s.list_bindings().unwrap().is_empty(), "replica {r} keeps no binding to the deleted window");
        let report = s.coverage().unwrap();
        assert!(report.unbound_matter_ids.contains(&matter), "replica {r}: the matter is reported unbound");
    }
    let local = world.store(1).sync_local().unwrap();
    assert_eq!(local.rejected.len(), 1, "PC2's binding is kept as rejected, with its reason");
    assert!(local.rejected[0].reason.starts_with("sync.reference_deleted"), "{}", local.rejected[0].reason);
}

#[test]
fn two_pcs_creating_the_same_window_number_offline_both_keep_both() {
    let world = World::new(2, &[0, 0]);
    world.store(0).create_window("t", &window_input("A03", "综合受理")).unwrap();
    world.store(1).create_window("t", &window_input("A03", "综合受理")).unwrap();
    world.settle();
    world.assert_converged();
    assert_eq!(world.store(0).list_windows().unwrap().len(), 2);
    for r in 0..2 {
        let report = world.store(r).coverage().unwrap();
        let dup = report.groups.iter().find(|g| g.kind == FindingKind::DuplicateWindowNumber).unwrap();
        assert_eq!(dup.total, 2, "replica {r}: both windows are reported");
    }
}

#[test]
fn a_page_that_skips_a_change_is_refused_and_nothing_moves() {
    let world = World::new(2, &[0, 0]);
    for n in ["A01", "A02", "A03"] {
        world.store(0).create_window("t", &window_input(n, "综合受理")).unwrap();
    }
    world.push(0, false);
    let mut page = world.rt.block_on(world.server.pull_changes(HALL, 0, 10)).unwrap();
    page.changes.remove(1);
    let err = world.store(1).apply_pull(0, &page).unwrap_err();
    assert_eq!(err.code(), "sync.gap");
    assert_eq!(world.store(1).pull_cursor().unwrap(), 0);
    assert!(world.store(1).list_windows().unwrap().is_empty(), "nothing of the refused page is kept");
    world.settle();
    world.assert_converged();
}

#[test]
fn ticket_events_are_appended_once_in_order() {
    let world = World::new(1, &[0]);
    let s = world.store(0);
    let events = [(3, "2026-11-25", "{\"a\":1}"), (7, "2026-11-25", "{\"a\":2}")];
    assert_eq!(s.apply_events(0, events, 7).unwrap(), Some(2));
    assert_eq!(s.apply_events(0, events, 7).unwrap(), None, "a page from an old cursor is ignored");
    assert_eq!(s.apply_events(7, [(9, "2026-11-26", "{}")], 9).unwrap(), Some(1));
    assert_eq!(s.ticket_event_seqs().unwrap(), [3, 7, 9]);
    assert!(
        s.apply_events(9, [(9, "2026-11-26", "{}")], 9).is_err(),
        "an event at or before the cursor is refused"
    );
}

#[test]
fn a_delete_wins_over_an_edit_made_elsewhere_without_seeing_it() {
    let world = World::new(2, &[0, 0]);
    let a = world.store(0).create_window("t", &window_input("A01", "综合受理")).unwrap();
    let p = world
        .store(0)
        .create_staff(
            "t",
            &StaffInput { employee_no: "1001".into(), name: "张三".into(), department_id: None },
        )
        .unwrap();
    world
        .store(0)
        .set_seat("t", &SeatInput { window_id: a.id.clone(), staff_id: Some(p.id.clone()) })
        .unwrap();
    world.settle();
    // PC1 deletes the window (its seat goes with it); PC2, not having seen that, renames it
    // later — and a reorder elsewhere would write its position the same way.
    world.replicas[0].1.advance(Duration::seconds(1));
    world.store(0).delete_window("t", &a.id).unwrap();
    world.push(0, false);
    world.replicas[1].1.advance(Duration::seconds(3));
    world.store(1).update_window("t", &a.id, &window_input("A01", "不动产登记")).unwrap();
    world.settle();
    world.assert_converged();
    for r in 0..2 {
        assert!(world.store(r).get_window(&a.id).is_err(), "replica {r}: the window stays deleted");
        assert!(world.store(r).roster_today().unwrap().seats.is_empty(), "replica {r}: and its seat");
    }
    let audit = world.store(1).list_audit(50, None).unwrap();
    let lost =
        audit.entries.iter().find(|e| e.action == "sync.superseded").expect("PC2 is told its rename lost");
    assert!(lost.summary.contains("删除"), "{}", lost.summary);
}

#[test]
fn deleting_a_window_moves_the_later_ones_up_on_every_replica() {
    let world = World::new(2, &[0, 0]);
    let ids: Vec<String> = ["A01", "A02", "A03"]
        .iter()
        .map(|n| world.store(0).create_window("t", &window_input(n, "综合受理")).unwrap().id)
        .collect();
    world.settle();
    world.store(0).delete_window("t", &ids[0]).unwrap();
    world.settle();
    world.assert_converged();
    let positions: Vec<i64> = world.store(1).list_windows().unwrap().iter().map(|w| w.position).collect();
    assert_eq!(positions, [0, 1]);
}
