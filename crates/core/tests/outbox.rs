//! Every synced change leaves its operations in the outbox, in its own transaction: imports,
//! bindings, seating, the demo seed. Refused or no-op writes leave none.

mod common;

use common::*;
use hallkeeper_core::proto::{BindInput, BindingPriority, SeatInput, UnbindInput, WindowState};

fn by_entity(ops: &[hallkeeper_core::store::OutboxOp], entity: &str) -> usize {
    ops.iter().filter(|o| o.entity == entity).count()
}

#[test]
fn an_import_sends_each_row_once_and_a_reimport_sends_nothing() {
    let (store, _) = store();
    import(&store, &sample_csv(), sample_mapping());
    let ops = store.pending_ops(10_000).unwrap();
    assert_eq!((by_entity(&ops, "department"), by_entity(&ops, "matter")), (15, 347));
    assert!(ops.windows(2).all(|p| p[1].seq == p[0].seq + 1 && p[0].hlc < p[1].hlc));
    let matter = ops.iter().find(|o| o.entity == "matter").unwrap();
    assert_eq!(matter.change["kind"], "upsert");
    assert!(matter.change["fields"]["departmentId"].is_string());
    import(&store, &sample_csv(), sample_mapping());
    assert_eq!(store.pending_ops(10_000).unwrap().len(), ops.len(), "the same file again changes nothing");

    // A changed file sends only the fields it changed.
    let dir = tempfile::tempdir().unwrap();
    let mut lines = sample_lines();
    lines[1] = lines[1].replacen("居民身份证首次申领", "居民身份证首次申领（新）", 1);
    let path = write(dir.path(), "v2.csv", lines.join("\n").as_bytes());
    import(&store, &path, sample_mapping());
    let after = store.pending_ops(10_000).unwrap();
    let last = after.last().unwrap();
    assert_eq!(after.len(), ops.len() + 1);
    assert_eq!(last.change["fields"], serde_json::json!({ "name": "居民身份证首次申领（新）" }));
}

#[test]
fn binds_unbinds_and_seats_are_operations_and_refusals_are_not() {
    let (store, _) = store();
    import(&store, &sample_csv(), sample_mapping());
    let before = store.pending_ops(10_000).unwrap().len();
    let a = window(&store, "A01", WindowState::Open);
    let b = window(&store, "B01", WindowState::Open);
    let ids: Vec<String> = store.catalog().unwrap().matters.iter().take(2).map(|m| m.id.clone()).collect();
    store
        .bind_matters(
            ACTOR,
            &BindInput { window_id: a.clone(), matter_ids: ids.clone(), priority: BindingPriority::Primary },
        )
        .unwrap();
    store
        .bind_matters(
            ACTOR,
            &BindInput { window_id: a.clone(), matter_ids: ids.clone(), priority: BindingPriority::Primary },
        )
        .unwrap();
    assert!(store
        .bind_matters(
            ACTOR,
            &BindInput {
                window_id: "nope".into(),
                matter_ids: ids.clone(),
                priority: BindingPriority::Primary
            }
        )
        .is_err());
    store
        .unbind_matters(ACTOR, &UnbindInput { window_id: a.clone(), matter_ids: vec![ids[0].clone()] })
        .unwrap();
    let zhang = staff(&store, "ZW-1", "张晓燕");
    store.set_seat(ACTOR, &SeatInput { window_id: a.clone(), staff_id: Some(zhang.id.clone()) }).unwrap();
    store.set_seat(ACTOR, &SeatInput { window_id: b.clone(), staff_id: Some(zhang.id.clone()) }).unwrap();
    let ops: Vec<_> = store.pending_ops(10_000).unwrap().into_iter().skip(before).collect();
    let kinds: Vec<(String, String)> =
        ops.iter().map(|o| (o.entity.clone(), o.change["kind"].as_str().unwrap().to_owned())).collect();
    let expect = |e: &str, k: &str| (e.to_owned(), k.to_owned());
    assert_eq!(
        kinds,
        [
            expect("window", "upsert"),
            expect("window", "upsert"),
            expect("binding", "upsert"),
            expect("binding", "upsert"),
            expect("binding", "delete"),
            expect("staff", "upsert"),
            expect("seat", "upsert"),
            expect("seat", "delete"),
            expect("seat", "upsert"),
        ],
        "two windows, two binds (the repeat sends nothing, the refusal nothing), one unbind, one person, a seat and a move"
    );
    assert_eq!(ops[4].key, format!("{a}/{}", ids[0]));
    assert!(ops[7].key.ends_with(&format!("/{a}")), "the move empties A01's seat");
}

#[test]
fn a_push_result_acknowledges_and_keeps_rejections() {
    let (store, _) = store();
    for n in ["A01", "A02", "A03"] {
        window(&store, n, WindowState::Open);
    }
    assert!(store.sync_device_id().unwrap().is_some());
    let ops = store.pending_ops(10).unwrap();
    assert_eq!(ops.len(), 3);
    store.record_push_result(2, &[(2, "sync.reference_deleted".into(), "window gone".into())]).unwrap();
    let left = store.pending_ops(10).unwrap();
    assert_eq!(left.iter().map(|o| o.seq).collect::<Vec<_>>(), [3], "acked up to 2; 3 still pending");
    let status = store.outbox_status().unwrap();
    assert_eq!((status.pending, status.rejected, status.acked_through), (1, 1, 1));
    // Replaying the same answer changes nothing.
    store.record_push_result(2, &[(2, "sync.reference_deleted".into(), "window gone".into())]).unwrap();
    assert_eq!(store.outbox_status().unwrap(), status);
}
