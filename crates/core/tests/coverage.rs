//! The coverage audit's rules, the bindings that feed it, and a property test: whatever
//! sequence of binds, unbinds and window state changes, the audit equals a brute-force
//! recomputation from the raw records.

mod common;

use common::*;
use hallkeeper_core::coverage::{self, Hall, Refusal};
use hallkeeper_core::proto::{
    BindInput, BindingPriority, CoverageReport, FindingKind, Locale, MatterState, Severity, UnbindInput,
    WindowState,
};
use hallkeeper_core::Store;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// A small hall: 3 departments, 8 matters (one optional, one retired), from a CSV.
fn small_hall() -> (Store, tempfile::TempDir) {
    let (store, _) = store();
    let dir = tempfile::tempdir().unwrap();
    let csv = "事项编码,事项名称,实施主体,实施主体编码,是否必进,事项状态\n\
        M1,居民身份证换领,公安局,D-POL,是,在用\n\
        M2,户口迁入登记,公安局,D-POL,是,在用\n\
        M3,企业设立登记,市场监管局,D-MKT,是,在用\n\
        M4,食品经营许可,市场监管局,D-MKT,否,在用\n\
        M5,失业保险金申领,人社局,D-HR,是,在用\n\
        M6,社保卡补办,人社局,D-HR,是,在用\n\
        M7,就业登记,人社局,D-HR,否,在用\n\
        M8,旧版证明开具,人社局,D-HR,是,停用\n";
    let path = write(dir.path(), "small.csv", csv.as_bytes());
    let inspection = hallkeeper_core::store::catalog::inspect_file(&path).unwrap();
    import(&store, &path, inspection.mapping);
    (store, dir)
}

fn matter_id(store: &Store, code: &str) -> String {
    store.catalog().unwrap().matters.into_iter().find(|m| m.catalog_code == code).unwrap().id
}

fn bind(
    store: &Store,
    window: &str,
    codes: &[&str],
    priority: BindingPriority,
) -> hallkeeper_core::Result<u32> {
    let matter_ids = codes.iter().map(|c| matter_id(store, c)).collect();
    store
        .bind_matters(ACTOR, &BindInput { window_id: window.into(), matter_ids, priority })
        .map(|c| c.changed)
}

fn kinds_of(report: &CoverageReport, kind: FindingKind) -> Vec<String> {
    report.groups.iter().find(|g| g.kind == kind).unwrap().findings.iter().map(|f| f.label.clone()).collect()
}

#[test]
fn an_empty_catalog_has_only_required_matters_and_departments_in_red() {
    let (store, _dir) = small_hall();
    let r = store.coverage().unwrap();
    assert_eq!(
        kinds_of(&r, FindingKind::RequiredUnbound),
        ["M1 居民身份证换领", "M2 户口迁入登记", "M3 企业设立登记", "M5 失业保险金申领", "M6 社保卡补办"]
    );
    assert_eq!(kinds_of(&r, FindingKind::DepartmentWithoutWindow), ["人社局", "公安局", "市场监管局"]);
    assert_eq!(kinds_of(&r, FindingKind::OptionalUnbound), ["M4 食品经营许可", "M7 就业登记"]);
    assert!(
        kinds_of(&r, FindingKind::RetiredStillBound).is_empty(),
        "an unbound retired matter is no finding"
    );
    assert_eq!((r.red, r.amber, r.info), (8, 0, 2));
    assert_eq!((r.required_matters, r.required_covered, r.active_matters), (5, 0, 7));
}

#[test]
fn binding_clears_red_and_closing_the_window_turns_its_matters_amber() {
    let (store, _dir) = small_hall();
    let a1 = window(&store, "A01", WindowState::Open);
    let r0 = store.coverage().unwrap();
    assert_eq!(kinds_of(&r0, FindingKind::WindowWithoutMatters), ["A01 窗口A01"]);

    assert_eq!(bind(&store, &a1, &["M1", "M2", "M3"], BindingPriority::Primary).unwrap(), 3);
    let r1 = store.coverage().unwrap();
    assert_eq!(kinds_of(&r1, FindingKind::RequiredUnbound), ["M5 失业保险金申领", "M6 社保卡补办"]);
    assert_eq!(kinds_of(&r1, FindingKind::DepartmentWithoutWindow), ["人社局"]);
    assert!(kinds_of(&r1, FindingKind::WindowWithoutMatters).is_empty());
    assert_eq!(r1.red, r0.red - 5, "3 matters and 2 departments covered");
    assert_eq!(r1.required_covered, 3);

    store.set_window_state(ACTOR, &a1, WindowState::Closed).unwrap();
    let r2 = store.coverage().unwrap();
    assert_eq!(
        kinds_of(&r2, FindingKind::OnlyInactiveWindows),
        ["M1 居民身份证换领", "M2 户口迁入登记", "M3 企业设立登记"]
    );
    let amber = &r2.groups.iter().find(|g| g.kind == FindingKind::OnlyInactiveWindows).unwrap().findings[0];
    assert_eq!((amber.severity, amber.window_ids.clone()), (Severity::Amber, vec![a1.clone()]));
    assert_eq!(r2.red, r1.red, "a closed window still counts as the department's presence");
    assert_eq!(r2.required_covered, 0);
    assert!(
        kinds_of(&r2, FindingKind::WindowWithoutMatters).is_empty(),
        "a closed window is not asked to have matters"
    );
}

#[test]
fn retiring_a_bound_matter_is_flagged_and_binding_a_retired_one_is_refused() {
    let (store, dir) = small_hall();
    let a1 = window(&store, "A01", WindowState::Open);
    bind(&store, &a1, &["M5"], BindingPriority::Primary).unwrap();
    let err = bind(&store, &a1, &["M6", "M8"], BindingPriority::Primary).unwrap_err();
    let body = err.to_body(Locale::ZhCn);
    assert_eq!(body.code, "matter.retired");
    assert!(body.message.contains("M8"), "{}", body.message);
    assert_eq!(store.list_bindings().unwrap().len(), 1, "the whole drop is refused, M6 included");

    // A new catalog without M5: it is retired while A01 still has it.
    let csv = "事项编码,事项名称,实施主体,实施主体编码\nM1,居民身份证换领,公安局,D-POL\n";
    let path = write(dir.path(), "smaller.csv", csv.as_bytes());
    let inspection = hallkeeper_core::store::catalog::inspect_file(&path).unwrap();
    let preview = store.preview_import(&request(&path, inspection.mapping.clone()), &quiet).unwrap();
    assert_eq!(preview.retired_still_bound, 1);
    import(&store, &path, inspection.mapping);
    let r = store.coverage().unwrap();
    let group = r.groups.iter().find(|g| g.kind == FindingKind::RetiredStillBound).unwrap();
    assert_eq!(
        group.findings.iter().map(|f| (f.label.as_str(), f.window_ids.clone())).collect::<Vec<_>>(),
        [("M5 失业保险金申领", vec![a1.clone()])]
    );
    assert_eq!(
        kinds_of(&r, FindingKind::WindowWithoutMatters),
        ["A01 窗口A01"],
        "a window holding only retired matters calls nobody"
    );
}

#[test]
fn binds_are_idempotent_reprioritise_and_are_audited_once_per_change() {
    let (store, _dir) = small_hall();
    let a1 = window(&store, "A01", WindowState::Open);
    let entries = || store.list_audit(100, None).unwrap().entries;
    let n0 = entries().len();
    assert_eq!(bind(&store, &a1, &["M1", "M2"], BindingPriority::Primary).unwrap(), 2);
    assert_eq!(bind(&store, &a1, &["M1", "M2"], BindingPriority::Primary).unwrap(), 0);
    assert_eq!(entries().len(), n0 + 1, "a drop that changes nothing is not recorded");
    assert_eq!(bind(&store, &a1, &["M2"], BindingPriority::Overflow).unwrap(), 1);
    let b = store.list_bindings().unwrap();
    assert_eq!(
        b.iter().map(|b| b.priority).collect::<Vec<_>>(),
        [BindingPriority::Primary, BindingPriority::Overflow]
    );
    let last = &entries()[0];
    assert_eq!(last.action, "binding.add");
    assert_eq!(last.after.as_ref().unwrap()["reprioritised"][0], "M2");

    let change = store
        .unbind_matters(
            ACTOR,
            &UnbindInput {
                window_id: a1.clone(),
                matter_ids: vec![matter_id(&store, "M1"), matter_id(&store, "M3")],
            },
        )
        .unwrap();
    assert_eq!((change.changed, change.unchanged, change.bindings.len()), (1, 1, 1));
    assert_eq!(entries()[0].action, "binding.remove");
    // The window cannot be deleted while it has a matter.
    let err = store.delete_window(ACTOR, &a1).unwrap_err();
    assert_eq!(err.code(), "window.referenced");
}

#[test]
fn an_unknown_window_or_an_empty_selection_is_refused() {
    let (store, _dir) = small_hall();
    let err = bind(&store, "no-such-window", &["M1"], BindingPriority::Primary).unwrap_err();
    assert_eq!(err.code(), "window.not_found");
    let a1 = window(&store, "A01", WindowState::Open);
    let err = bind(&store, &a1, &[], BindingPriority::Primary).unwrap_err();
    assert_eq!(err.code(), "binding.empty_selection");
    let err = store
        .bind_matters(
            ACTOR,
            &BindInput { window_id: a1, matter_ids: vec!["nope".into()], priority: BindingPriority::Primary },
        )
        .unwrap_err();
    assert_eq!(err.code(), "matter.not_found");
}

#[test]
fn the_kiosk_refusal_follows_the_same_rules() {
    let (store, _dir) = small_hall();
    let a1 = window(&store, "A01", WindowState::Paused);
    bind(&store, &a1, &["M1"], BindingPriority::Primary).unwrap();
    assert_eq!(store.ticket_refusal(&matter_id(&store, "M2")).unwrap(), Some(Refusal::NoWindow));
    assert_eq!(
        store.ticket_refusal(&matter_id(&store, "M1")).unwrap(),
        Some(Refusal::NoOpenWindow { window_ids: vec![a1.clone()] })
    );
    assert_eq!(store.ticket_refusal(&matter_id(&store, "M8")).unwrap(), Some(Refusal::Retired));
    assert_eq!(store.ticket_refusal("nope").unwrap(), Some(Refusal::UnknownMatter));
    store.set_window_state(ACTOR, &a1, WindowState::Open).unwrap();
    assert_eq!(store.ticket_refusal(&matter_id(&store, "M1")).unwrap(), None);
}

#[test]
fn findings_are_cut_to_the_limit_but_counted_in_full() {
    let (store, _dir) = small_hall();
    let r = store.coverage_with_limit(2).unwrap();
    let g = r.groups.iter().find(|g| g.kind == FindingKind::RequiredUnbound).unwrap();
    assert_eq!((g.total, g.findings.len()), (5, 2));
    assert_eq!(r.red, 8);
}

// ---- the property: audit == brute force ----

/// Every rule restated naively over the raw records, finding by finding.
fn brute_force(store: &Store) -> BTreeMap<FindingKind, BTreeSet<(String, Vec<String>)>> {
    let windows = store.list_windows().unwrap();
    let catalog = store.catalog().unwrap();
    let bindings = store.list_bindings().unwrap();
    let mut out: BTreeMap<FindingKind, BTreeSet<(String, Vec<String>)>> = BTreeMap::new();
    for kind in FindingKind::ALL {
        out.insert(kind, BTreeSet::new());
    }
    let windows_of = |matter: &str| -> Vec<&hallkeeper_core::proto::Window> {
        let mut ws: Vec<_> = windows
            .iter()
            .filter(|w| bindings.iter().any(|b| b.matter_id == matter && b.window_id == w.id))
            .collect();
        ws.sort_by_key(|w| w.position);
        ws
    };
    for m in &catalog.matters {
        let ws = windows_of(&m.id);
        let ids: Vec<String> = ws.iter().map(|w| w.id.clone()).collect();
        let kind = if m.state == MatterState::Retired {
            (!ws.is_empty()).then_some(FindingKind::RetiredStillBound)
        } else if ws.is_empty() {
            Some(if m.required { FindingKind::RequiredUnbound } else { FindingKind::OptionalUnbound })
        } else if ws.iter().all(|w| w.state != WindowState::Open) {
            Some(FindingKind::OnlyInactiveWindows)
        } else {
            None
        };
        if let Some(kind) = kind {
            let ids = if kind == FindingKind::RequiredUnbound || kind == FindingKind::OptionalUnbound {
                vec![]
            } else {
                ids
            };
            out.get_mut(&kind).unwrap().insert((m.id.clone(), ids));
        }
    }
    for d in &catalog.departments {
        let active: Vec<_> = catalog
            .matters
            .iter()
            .filter(|m| m.department_id == d.id && m.state == MatterState::Active)
            .collect();
        if active.iter().any(|m| m.required) && active.iter().all(|m| windows_of(&m.id).is_empty()) {
            out.get_mut(&FindingKind::DepartmentWithoutWindow).unwrap().insert((d.id.clone(), vec![]));
        }
    }
    for w in &windows {
        let has_active = bindings.iter().any(|b| {
            b.window_id == w.id
                && catalog.matters.iter().any(|m| m.id == b.matter_id && m.state == MatterState::Active)
        });
        if w.state != WindowState::Closed && !has_active {
            out.get_mut(&FindingKind::WindowWithoutMatters)
                .unwrap()
                .insert((w.id.clone(), vec![w.id.clone()]));
        }
    }
    out
}

fn as_sets(r: &CoverageReport) -> BTreeMap<FindingKind, BTreeSet<(String, Vec<String>)>> {
    r.groups
        .iter()
        .map(|g| {
            assert_eq!(g.total as usize, g.findings.len(), "no cut at this size");
            (g.kind, g.findings.iter().map(|f| (f.subject_id.clone(), f.window_ids.clone())).collect())
        })
        .collect()
}

#[derive(Debug, Clone)]
enum Op {
    Bind { window: usize, matters: Vec<usize>, overflow: bool },
    Unbind { window: usize, matters: Vec<usize> },
    State { window: usize, state: WindowState },
}

fn op() -> impl Strategy<Value = Op> {
    let matters = proptest::collection::vec(0usize..7, 1..4); // M1..M7: the active matters
    prop_oneof![
        (0usize..3, matters.clone(), any::<bool>()).prop_map(|(window, matters, overflow)| Op::Bind {
            window,
            matters,
            overflow
        }),
        (0usize..3, matters).prop_map(|(window, matters)| Op::Unbind { window, matters }),
        (
            0usize..3,
            prop_oneof![Just(WindowState::Open), Just(WindowState::Paused), Just(WindowState::Closed)]
        )
            .prop_map(|(window, state)| Op::State { window, state }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_sequence_of_binds_and_unbinds_keeps_the_audit_equal_to_brute_force(ops in proptest::collection::vec(op(), 1..25)) {
        let (store, _dir) = small_hall();
        let windows: Vec<String> = ["A01", "A02", "B01"].iter().map(|n| window(&store, n, WindowState::Open)).collect();
        let codes = ["M1", "M2", "M3", "M4", "M5", "M6", "M7"];
        let ids: Vec<String> = codes.iter().map(|c| matter_id(&store, c)).collect();
        for op in ops {
            match op {
                Op::Bind { window, matters, overflow } => {
                    let priority = if overflow { BindingPriority::Overflow } else { BindingPriority::Primary };
                    store.bind_matters(ACTOR, &BindInput { window_id: windows[window].clone(), matter_ids: matters.iter().map(|i| ids[*i].clone()).collect(), priority }).unwrap();
                }
                Op::Unbind { window, matters } => {
                    store.unbind_matters(ACTOR, &UnbindInput { window_id: windows[window].clone(), matter_ids: matters.iter().map(|i| ids[*i].clone()).collect() }).unwrap();
                }
                Op::State { window, state } => { store.set_window_state(ACTOR, &windows[window], state).unwrap(); }
            }
            let report = store.coverage().unwrap();
            let expected = brute_force(&store);
            prop_assert_eq!(as_sets(&report), expected.clone());
            // The uncut id lists agree with the findings.
            let ids = |kinds: &[FindingKind]| -> BTreeSet<String> {
                kinds.iter().flat_map(|k| expected[k].iter().map(|(id, _)| id.clone())).collect()
            };
            prop_assert_eq!(report.unbound_matter_ids.iter().cloned().collect::<BTreeSet<_>>(), ids(&[FindingKind::RequiredUnbound, FindingKind::OptionalUnbound]));
            prop_assert_eq!(report.inactive_only_matter_ids.iter().cloned().collect::<BTreeSet<_>>(), ids(&[FindingKind::OnlyInactiveWindows]));
            let red = report.groups.iter().filter(|g| g.severity == Severity::Red).map(|g| g.total).sum::<u32>();
            prop_assert_eq!(report.red, red);
        }
    }
}

#[test]
fn the_pure_audit_needs_no_store() {
    let r = coverage::audit(Hall { windows: &[], departments: &[], matters: &[], bindings: &[] }, 10);
    assert_eq!((r.red, r.amber, r.info, r.groups.len()), (0, 0, 0, FindingKind::ALL.len()));
}

// ---- the kiosk refusal is the same rule in core and in the queue engine ----

fn random_hall() -> impl Strategy<Value = (Vec<(WindowState, i64)>, Vec<bool>, Vec<(usize, usize, bool)>)> {
    let windows = proptest::collection::vec(
        (prop_oneof![Just(WindowState::Open), Just(WindowState::Paused), Just(WindowState::Closed)], 0i64..4),
        1..5,
    );
    let matters = proptest::collection::vec(any::<bool>(), 1..6); // retired?
    let bindings = proptest::collection::vec((0usize..5, 0usize..6, any::<bool>()), 0..12);
    (windows, matters, bindings)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn core_and_the_queue_engine_refuse_the_same_matters_for_the_same_reasons((ws, ms, bs) in random_hall()) {
        use hallkeeper_core::proto::*;
        let windows: Vec<Window> = ws
            .iter()
            .enumerate()
            .map(|(i, (state, position))| Window {
                id: format!("w{i}"),
                number: format!("A{i:02}"),
                name: format!("窗口{i}"),
                zone: String::new(),
                kind: WindowKind::General,
                state: *state,
                position: *position,
                created_at: String::new(),
                updated_at: String::new(),
            })
            .collect();
        let matters: Vec<Matter> = ms
            .iter()
            .enumerate()
            .map(|(i, retired)| Matter {
                id: format!("m{i}"),
                catalog_code: format!("M{i}"),
                name: format!("事项{i}"),
                department_id: "d".into(),
                matter_type: String::new(),
                required: true,
                time_limit_days: None,
                ticket_prefix: "A".into(),
                state: if *retired { MatterState::Retired } else { MatterState::Active },
            })
            .collect();
        let mut bindings: Vec<Binding> = Vec::new();
        for (w, m, overflow) in bs {
            let (w, m) = (w % windows.len(), m % matters.len());
            if !bindings.iter().any(|b| b.window_id == windows[w].id && b.matter_id == matters[m].id) {
                bindings.push(Binding {
                    window_id: windows[w].id.clone(),
                    matter_id: matters[m].id.clone(),
                    priority: if overflow { BindingPriority::Overflow } else { BindingPriority::Primary },
                });
            }
        }
        let hall = coverage::Hall { windows: &windows, departments: &[], matters: &matters, bindings: &bindings };
        let queue = hallkeeper_queue::HallQueue::new(QueueConfig {
            windows: windows.iter().map(QueueWindow::from).collect(),
            matters: matters.iter().map(QueueMatter::from).collect(),
            bindings: bindings.clone(),
            settings: QueueSettings { max_recalls: 2, fallback_prefix: "A".into() },
        })
        .unwrap();
        for id in matters.iter().map(|m| m.id.as_str()).chain(["no-such-matter"]) {
            prop_assert_eq!(coverage::refusal(hall, id), queue.refusal(id), "matter {}", id);
        }
    }
}
