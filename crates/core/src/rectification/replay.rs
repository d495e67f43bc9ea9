//! A case's state as a pure function of its opening and its steps (docs/sync.md, "Cases"):
//! with several supervisor PCs a case's steps are append-only rows that arrive in any order, so
//! every replica sorts them the same way — by HLC, then step id — and folds them through the
//! state machine. A step the machine refuses at its place in that order (two people verified
//! the same case at once on two PCs; the second verify meets a case already verifying) is kept
//! and marked not effective: nothing anyone did is lost, and every replica agrees on the state.

use super::case::apply_unclocked;
use super::{Case, CaseState, Step};

/// A step as sync carries it: the HLC of the operation that made it and its id (the tie-break,
/// and its key after the case's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncedStep {
    pub hlc: String,
    pub id: String,
    pub step: Step,
}

/// One step after the fold: its place (`n`, from 1), whether it took effect, and the states it
/// moved between (the same state twice when it did not take effect).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayedStep {
    pub n: usize,
    pub effective: bool,
    pub from: CaseState,
    pub to: CaseState,
    pub step: SyncedStep,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replayed {
    /// The case after every effective step; its history holds only those.
    pub case: Case,
    /// Every step, in order.
    pub steps: Vec<ReplayedStep>,
}

/// The case after its steps in (hlc, id) order. `opening` is the case as opened (its history is
/// ignored). Deterministic: the same set of steps gives the same answer in any input order.
pub fn replay(opening: &Case, mut steps: Vec<SyncedStep>) -> Replayed {
    steps.sort_by(|a, b| (&a.hlc, &a.id).cmp(&(&b.hlc, &b.id)));
    // Two rows for one step id (cannot come from sync, whose key is the id) count once.
    steps.dedup_by(|a, b| a.id == b.id);
    let mut case = Case { history: Vec::new(), ..opening.clone() };
    let mut out = Vec::with_capacity(steps.len());
    for (i, s) in steps.into_iter().enumerate() {
        let from = case.state;
        let (effective, to) = match apply_unclocked(&case, &s.step) {
            Ok(next) => {
                let to = next.state;
                case = next;
                (true, to)
            }
            Err(_) => (false, from),
        };
        out.push(ReplayedStep { n: i + 1, effective, from, to, step: s });
    }
    Replayed { case, steps: out }
}
