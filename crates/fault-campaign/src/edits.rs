//! A supervisor's edits, at random, through the desktop's real store API: windows (rename,
//! state, renumber, reorder, create, delete after unbinding), bindings, staff and today's seats.
//!
//! Both agents draw from the same small pools of names, numbers and employee numbers and edit
//! the same windows (they share ids through the seeded hall and through pulls), so their edits
//! conflict field by field; one deletes a window the other is binding matters to; both create
//! windows and staff with the same natural keys. A refused edit (a duplicate number, a window
//! still bound, a row the other agent deleted) is a normal outcome and is counted.
//!
//! Every edit is made as the agent's person (`access::Person`, the account it signed in as), so
//! every outbox operation names that account as its author and the server re-checks it.
//! That person also works the rectification ledger:
//! both desktops open a case for every poor rating they pull, and both act on the same cases —
//! verify, rectify, call back, close, appeal, reassign — and attach evidence, at the same time,
//! so their steps meet on the server in every order.

use hallkeeper_core::access::Person;
use hallkeeper_core::{Error, Store};
use hallkeeper_proto::{
    BindInput, BindingPriority, CaseAction, CaseActionKind, CaseAssignee, CaseAssigneeKind, CaseStep,
    InboxFilter, SeatInput, StaffInput, UnbindInput, Window, WindowInput, WindowKind, WindowState,
};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::RngExt;

/// What one edit did.
#[derive(Debug)]
pub enum Outcome {
    /// Written (possibly with nothing to change).
    Done,
    /// Refused by a rule of the store (its error code).
    Refused(&'static str),
    /// Anything else (the store could not be read or written).
    Failed(String),
    /// Nothing to edit of that kind right now.
    Skipped,
}

impl Outcome {
    fn of<T>(r: Result<T, Error>) -> Outcome {
        match r {
            Ok(_) => Outcome::Done,
            Err(e @ Error::Rejected(_)) => Outcome::Refused(e.code()),
            Err(e) => Outcome::Failed(format!("{}: {e}", e.code())),
        }
    }
}

const NAMES: &[&str] = &[
    "综合受理",
    "不动产登记",
    "社保医保",
    "公积金",
    "户籍办理",
    "出入境",
    "税务",
    "市场监管",
    "企业开办",
    "公安交管",
    "人才服务",
    "民政婚姻",
];
const ZONES: &[&str] = &["", "一楼A区", "一楼B区", "二楼A区", "二楼C区", "三楼"];
const STAFF_NAMES: &[&str] =
    &["王芳", "李强", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄涛", "周婷", "吴刚"];

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> Option<&'a T> {
    (!items.is_empty()).then(|| &items[rng.random_range(0..items.len())])
}

fn input_of(w: &Window) -> WindowInput {
    WindowInput {
        number: w.number.clone(),
        name: w.name.clone(),
        zone: w.zone.clone(),
        kind: w.kind,
        state: w.state,
    }
}

/// One random edit by `actor`; returns its kind and outcome.
pub fn random_edit(store: &Store, rng: &mut StdRng, actor: &Person) -> (&'static str, Outcome) {
    // A third of the edits work the ledger.
    if rng.random_bool(0.33) {
        let kind = if rng.random_bool(0.15) { "case.evidence" } else { "case.step" };
        let outcome = match case_edit(store, rng, actor, kind) {
            Ok(o) => o,
            Err(e) => Outcome::of::<()>(Err(e)),
        };
        return (kind, outcome);
    }
    let roll = rng.random_range(0..100u32);
    let kind = match roll {
        0..22 => "window.rename",
        22..40 => "window.state",
        40..44 => "window.renumber",
        44..48 => "window.reorder",
        48..54 => "window.create",
        54..59 => "window.delete",
        59..72 => "binding.bind",
        72..80 => "binding.unbind",
        80..85 => "staff.create",
        85..89 => "staff.update",
        89..92 => "staff.delete",
        _ => "seat.set",
    };
    let outcome = match edit(store, rng, actor, kind) {
        Ok(o) => o,
        Err(e) => Outcome::of::<()>(Err(e)),
    };
    (kind, outcome)
}

fn edit(store: &Store, rng: &mut StdRng, actor: &Person, kind: &str) -> Result<Outcome, Error> {
    let windows = store.list_windows()?;
    Ok(match kind {
        "window.rename" => {
            let Some(w) = pick(rng, &windows) else { return Ok(Outcome::Skipped) };
            let mut input = input_of(w);
            if rng.random_bool(0.7) {
                input.name = pick(rng, NAMES).copied().unwrap_or("综合受理").to_owned();
            }
            if rng.random_bool(0.4) {
                input.zone = pick(rng, ZONES).copied().unwrap_or("").to_owned();
            }
            if rng.random_bool(0.15) {
                input.kind = *pick(rng, &WindowKind::ALL).unwrap_or(&WindowKind::General);
            }
            Outcome::of(store.update_window(actor, &w.id, &input))
        }
        "window.state" => {
            let Some(w) = pick(rng, &windows) else { return Ok(Outcome::Skipped) };
            let state = *pick(rng, &WindowState::ALL).unwrap_or(&WindowState::Open);
            Outcome::of(store.set_window_state(actor, &w.id, state))
        }
        "window.renumber" => {
            let Some(w) = pick(rng, &windows) else { return Ok(Outcome::Skipped) };
            let mut input = input_of(w);
            input.number = format!("R{:02}", rng.random_range(1..16u32));
            Outcome::of(store.update_window(actor, &w.id, &input))
        }
        "window.reorder" => {
            if windows.len() < 2 {
                return Ok(Outcome::Skipped);
            }
            let mut ids: Vec<String> = windows.iter().map(|w| w.id.clone()).collect();
            // Move one or two windows, as a drag on the floor plan does.
            for _ in 0..rng.random_range(1..3) {
                let from = rng.random_range(0..ids.len());
                let to = rng.random_range(0..ids.len());
                let id = ids.remove(from);
                ids.insert(to, id);
            }
            if rng.random_bool(0.1) {
                ids.shuffle(rng);
            }
            Outcome::of(store.reorder_windows(actor, &ids))
        }
        "window.create" => {
            let input = WindowInput {
                number: format!("N{:02}", rng.random_range(1..25u32)),
                name: pick(rng, NAMES).copied().unwrap_or("综合受理").to_owned(),
                zone: pick(rng, ZONES).copied().unwrap_or("").to_owned(),
                kind: WindowKind::General,
                state: WindowState::Open,
            };
            Outcome::of(store.create_window(actor, &input))
        }
        "window.delete" => {
            // Prefer windows this campaign created, but now and then one of the hall's own.
            let created: Vec<&Window> = windows.iter().filter(|w| w.number.starts_with('N')).collect();
            let w = if !created.is_empty() && rng.random_bool(0.7) {
                created[rng.random_range(0..created.len())]
            } else {
                let Some(w) = pick(rng, &windows) else { return Ok(Outcome::Skipped) };
                w
            };
            // A supervisor unbinds the window's matters first (often), then deletes it.
            if rng.random_bool(0.8) {
                let bound: Vec<String> = store
                    .list_bindings()?
                    .into_iter()
                    .filter(|b| b.window_id == w.id)
                    .map(|b| b.matter_id)
                    .collect();
                if !bound.is_empty() {
                    if let Outcome::Refused(code) =
                        Outcome::of(store.unbind_matters(
                            actor,
                            &UnbindInput { window_id: w.id.clone(), matter_ids: bound },
                        ))
                    {
                        return Ok(Outcome::Refused(code));
                    }
                }
            }
            Outcome::of(store.delete_window(actor, &w.id))
        }
        "binding.bind" => {
            // Often onto a window the campaign created (which the other agent may be deleting).
            let created: Vec<&Window> = windows.iter().filter(|w| w.number.starts_with('N')).collect();
            let w = if !created.is_empty() && rng.random_bool(0.5) {
                created[rng.random_range(0..created.len())]
            } else {
                let Some(w) = pick(rng, &windows) else { return Ok(Outcome::Skipped) };
                w
            };
            let matters = store.catalog()?.matters;
            if matters.is_empty() {
                return Ok(Outcome::Skipped);
            }
            let n = rng.random_range(1..4);
            let matter_ids = (0..n).map(|_| matters[rng.random_range(0..matters.len())].id.clone()).collect();
            let priority =
                if rng.random_bool(0.7) { BindingPriority::Primary } else { BindingPriority::Overflow };
            Outcome::of(
                store.bind_matters(actor, &BindInput { window_id: w.id.clone(), matter_ids, priority }),
            )
        }
        "binding.unbind" => {
            let bindings = store.list_bindings()?;
            let Some(b) = pick(rng, &bindings) else { return Ok(Outcome::Skipped) };
            let mut matter_ids = vec![b.matter_id.clone()];
            // Sometimes a matter that is bound elsewhere too (nothing to do for it here).
            if let Some(other) = pick(rng, &bindings) {
                if rng.random_bool(0.3) {
                    matter_ids.push(other.matter_id.clone());
                }
            }
            Outcome::of(
                store.unbind_matters(actor, &UnbindInput { window_id: b.window_id.clone(), matter_ids }),
            )
        }
        "staff.create" => {
            let departments = store.catalog()?.departments;
            let input = StaffInput {
                employee_no: format!("E{:03}", rng.random_range(1..40u32)),
                name: pick(rng, STAFF_NAMES).copied().unwrap_or("王芳").to_owned(),
                department_id: if rng.random_bool(0.6) {
                    pick(rng, &departments).map(|d| d.id.clone())
                } else {
                    None
                },
            };
            Outcome::of(store.create_staff(actor, &input))
        }
        "staff.update" => {
            let staff = store.list_staff()?;
            let Some(s) = pick(rng, &staff) else { return Ok(Outcome::Skipped) };
            let mut input = StaffInput {
                employee_no: s.employee_no.clone(),
                name: s.name.clone(),
                department_id: s.department_id.clone(),
            };
            if rng.random_bool(0.8) {
                input.name = pick(rng, STAFF_NAMES).copied().unwrap_or("王芳").to_owned();
            } else {
                input.employee_no = format!("E{:03}", rng.random_range(1..40u32));
            }
            Outcome::of(store.update_staff(actor, &s.id, &input))
        }
        "staff.delete" => {
            let staff = store.list_staff()?;
            let Some(s) = pick(rng, &staff) else { return Ok(Outcome::Skipped) };
            Outcome::of(store.delete_staff(actor, &s.id))
        }
        "seat.set" => {
            let Some(w) = pick(rng, &windows) else { return Ok(Outcome::Skipped) };
            let staff = store.list_staff()?;
            let staff_id = if rng.random_bool(0.8) { pick(rng, &staff).map(|s| s.id.clone()) } else { None };
            Outcome::of(store.set_seat(actor, &SeatInput { window_id: w.id.clone(), staff_id }))
        }
        _ => Outcome::Skipped,
    })
}

/// A step on a random case (open ones mostly) among the actions it allows now, or a piece of
/// evidence attached to it.
fn case_edit(store: &Store, rng: &mut StdRng, actor: &Person, kind: &str) -> Result<Outcome, Error> {
    let open_only = rng.random_bool(0.8);
    let cases = store.poor_rating_inbox(&InboxFilter {
        open_only: Some(open_only),
        limit: Some(500),
        ..Default::default()
    })?;
    let Some(case) = pick(rng, &cases) else { return Ok(Outcome::Skipped) };
    if kind == "case.evidence" {
        let Some(dir) = store.evidence_dir() else { return Ok(Outcome::Skipped) };
        let incoming = dir.with_file_name("evidence-incoming");
        std::fs::create_dir_all(&incoming).map_err(|e| Error::Corrupt(e.to_string()))?;
        // A few distinct contents, so two agents sometimes attach the same file (one hash).
        let n = rng.random_range(0..6u32);
        let path = incoming.join(format!("整改照片-{n}.txt"));
        std::fs::write(&path, format!("整改现场照片 {n}\n")).map_err(|e| Error::Corrupt(e.to_string()))?;
        return Ok(Outcome::of(store.attach_evidence(actor, &case.id, &path)));
    }
    let detail = store.case(&case.id)?;
    let Some(action) = pick(rng, &detail.allowed_actions).copied() else { return Ok(Outcome::Skipped) };
    let action = match action {
        CaseActionKind::Verify => CaseAction::Verify,
        CaseActionKind::StartRectifying => CaseAction::StartRectifying,
        CaseActionKind::MarkRectified => CaseAction::MarkRectified,
        CaseActionKind::CallBack => {
            let reached = rng.random_bool(0.5);
            CaseAction::CallBack { reached, satisfied: reached.then(|| rng.random_bool(0.7)) }
        }
        CaseActionKind::Close => CaseAction::Close,
        CaseActionKind::Appeal => CaseAction::Appeal { reason: "系恶意差评".into() },
        CaseActionKind::UpholdAppeal => CaseAction::UpholdAppeal { reason: "监控核实为恶意".into() },
        CaseActionKind::RejectAppeal => CaseAction::RejectAppeal { reason: "理由不成立".into() },
        CaseActionKind::Reassign => {
            let departments = store.catalog()?.departments;
            let Some(d) = pick(rng, &departments) else { return Ok(Outcome::Skipped) };
            CaseAction::Reassign {
                assignee: CaseAssignee {
                    kind: CaseAssigneeKind::Department,
                    id: d.id.clone(),
                    name: d.name.clone(),
                },
            }
        }
    };
    // Cite evidence held on the case now and then.
    let attachments =
        if rng.random_bool(0.3) { detail.evidence.into_iter().take(2).collect() } else { Vec::new() };
    let step = CaseStep {
        action,
        actor: actor.name.clone(),
        at: store.now(),
        note: Some("已约谈窗口人员，整改措施已落实".into()),
        attachments,
    };
    Ok(Outcome::of(store.case_action(actor, &case.id, step)))
}
