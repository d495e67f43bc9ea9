//! The case of one poor rating and the steps that move it, as a pure state machine: `apply` takes
//! a case and a step and returns the next case or says why not. The store persists cases and
//! passes the time in; nothing here reads a clock.

use super::error::{FieldProblem, TransitionError};
use super::profile::ProfileExt as _;
use super::state::CaseStateExt as _;
use super::{
    Action, ActionKind, AppealDecision, AppealRecord, Assignee, Attachment, CallBackRecord, Case, CaseRules,
    CaseState, DeadlineProfile, Step, Transition,
};
use crate::calendar::{Calendar, CalendarError, Deadline, DeadlineExt as _};
use crate::clock::hall_date;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The limits of a step's text, shared with the server's check of synced steps.
pub use hallkeeper_proto::rectification_limits::{
    ACTOR_MAX_CHARS, ASSIGNEE_MAX_CHARS, ATTACHMENTS_MAX, ATTACHMENT_NAME_MAX_CHARS, NOTE_MAX_CHARS,
};

/// A case as it opens: new, with no rectification, call-back, closing, appeal or step yet (here,
/// from the store's opening columns, and from a synced opening).
pub fn opened_case(
    rating_id: String,
    real_name: bool,
    assignee: Assignee,
    opened_at: DateTime<Utc>,
    rules: CaseRules,
    deadline: Deadline,
) -> Case {
    Case {
        rating_id,
        real_name,
        state: CaseState::New,
        assignee,
        opened_at,
        rules,
        deadline,
        rectified_at: None,
        called_back_at: None,
        call_back: None,
        closed_at: None,
        appeal: None,
        history: Vec::new(),
    }
}

/// The rules a case is opened under, taken from the profile (trimmed name) at opening.
pub fn case_rules(p: &DeadlineProfile) -> CaseRules {
    CaseRules {
        profile: p.name.trim().to_string(),
        rectify_working_days: p.rectify_working_days,
        due_soon_working_days: p.due_soon_working_days,
        close_requires_call_back: p.close_requires_call_back,
    }
}

/// What opening a case needs from the rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewCase {
    pub rating_id: String,
    /// Whether the citizen left a name and number: only they can be called back.
    pub real_name: bool,
    pub assignee: Assignee,
    /// When the poor rating was received; the deadline counts from its hall date.
    pub opened_at: DateTime<Utc>,
}

/// The state an action leads to from a state, before any check of the step's content: `None`
/// is an illegal transition. Appeals are allowed only before rectification starts — starting to
/// rectify accepts the rating as founded — so from new and verifying. A rejected appeal goes
/// straight to rectifying: deciding the appeal has verified the rating, and the clock is running.
pub fn target(state: CaseState, action: ActionKind) -> Option<CaseState> {
    use ActionKind as A;
    use CaseState as S;
    match (state, action) {
        (S::New, A::Verify) => Some(S::Verifying),
        (S::Verifying, A::StartRectifying) | (S::CalledBack, A::StartRectifying) => Some(S::Rectifying),
        (S::Rectifying, A::MarkRectified) => Some(S::Rectified),
        (S::Rectified, A::CallBack) | (S::CalledBack, A::CallBack) => Some(S::CalledBack),
        (S::Rectified, A::Close) | (S::CalledBack, A::Close) => Some(S::Closed),
        (S::New, A::Appeal) | (S::Verifying, A::Appeal) => Some(S::Appealed),
        (S::Appealed, A::UpholdAppeal) => Some(S::AppealUpheld),
        (S::Appealed, A::RejectAppeal) => Some(S::Rectifying),
        (s, A::Reassign) if !s.is_terminal() => Some(s),
        _ => None,
    }
}

/// What a case answers about itself: its deadline, its flags and the actions it accepts now.
/// The case is proto's `RectificationCase`; these are its rules.
pub trait CaseExt: Sized {
    /// Opens the case for a poor rating under a profile; the deadline comes from the calendar.
    fn open(new: NewCase, profile: &DeadlineProfile, calendar: &Calendar) -> Result<Self, TransitionError>;
    /// The deadline again under a newer calendar: how an `Unpublished` deadline gets its date
    /// once the notice is out.
    fn with_calendar(&self, calendar: &Calendar) -> Result<Self, CalendarError>;
    /// Anonymous raters cannot be called back; a profile may also waive the visit.
    fn call_back_required(&self) -> bool;
    /// A rating excluded from the hall's statistics (好评率, 差评整改率 …).
    fn excluded_from_statistics(&self) -> bool;
    /// Past the deadline and still not rectified. `None` when the deadline waits for an
    /// unpublished notice and `today` is past its earliest possible date.
    fn overdue(&self, today: NaiveDate) -> Option<bool>;
    /// Working days left on `today` before the deadline: counting is exact even when the
    /// deadline's date is not, because the number of working days owed is known. Negative once
    /// the deadline has passed. `None` when a day up to `today` is in an unpublished year.
    fn working_days_left(&self, today: NaiveDate, calendar: &Calendar) -> Option<i64>;
    /// Still to rectify, not yet overdue, and at most the profile's due-soon working days left.
    fn due_soon(&self, today: NaiveDate, calendar: &Calendar) -> Option<bool>;
    /// Whether the (latest) rectification met the deadline; `None` before rectification or while
    /// the deadline waits for an unpublished notice.
    fn on_time(&self) -> Option<bool>;
    /// The actions this case accepts now, for the UI's buttons (the step's content is checked
    /// on `apply`).
    fn allowed_actions(&self) -> Vec<ActionKind>;
}

impl CaseExt for Case {
    fn open(new: NewCase, profile: &DeadlineProfile, calendar: &Calendar) -> Result<Case, TransitionError> {
        profile.validate()?;
        if new.rating_id.trim().is_empty() {
            return Err(TransitionError::FieldRequired { action: None, field: "ratingId".into() });
        }
        check_assignee(&new.assignee, None, "assignee")?;
        let rules = case_rules(profile);
        let deadline = calendar.add_working_days(hall_date(new.opened_at), rules.rectify_working_days)?;
        Ok(opened_case(new.rating_id, new.real_name, new.assignee, new.opened_at, rules, deadline))
    }

    fn with_calendar(&self, calendar: &Calendar) -> Result<Case, CalendarError> {
        let deadline =
            calendar.add_working_days(hall_date(self.opened_at), self.rules.rectify_working_days)?;
        Ok(Case { deadline, ..self.clone() })
    }

    fn call_back_required(&self) -> bool {
        self.real_name && self.rules.close_requires_call_back
    }

    fn excluded_from_statistics(&self) -> bool {
        self.state == CaseState::AppealUpheld
    }

    fn overdue(&self, today: NaiveDate) -> Option<bool> {
        if !self.state.awaits_rectification() {
            return Some(false);
        }
        self.deadline.passed_by(today)
    }

    fn working_days_left(&self, today: NaiveDate, calendar: &Calendar) -> Option<i64> {
        if let Deadline::Known { date } = self.deadline {
            if date < today {
                return calendar.working_days_between(today, date).ok();
            }
        }
        let used = calendar.working_days_between(hall_date(self.opened_at), today).ok()?;
        Some(i64::from(self.rules.rectify_working_days) - used)
    }

    fn due_soon(&self, today: NaiveDate, calendar: &Calendar) -> Option<bool> {
        if !self.state.awaits_rectification() {
            return Some(false);
        }
        match self.overdue(today) {
            Some(true) => Some(false),
            _ => {
                let left = self.working_days_left(today, calendar)?;
                Some(left >= 0 && left <= i64::from(self.rules.due_soon_working_days))
            }
        }
    }

    fn on_time(&self) -> Option<bool> {
        let at = self.rectified_at?;
        self.deadline.met_by(hall_date(at))
    }

    fn allowed_actions(&self) -> Vec<ActionKind> {
        ActionKind::ALL
            .into_iter()
            .filter(|a| target(self.state, *a).is_some() && guard(self, *a).is_ok())
            .collect()
    }
}

/// Refusals that depend on the case rather than on the step.
fn guard(case: &Case, action: ActionKind) -> Result<(), TransitionError> {
    match (case.state, action) {
        (CaseState::Rectified, ActionKind::Close) if case.call_back_required() => {
            Err(TransitionError::CallBackRequired)
        }
        (CaseState::CalledBack, ActionKind::StartRectifying)
            if case.call_back.as_ref().and_then(|c| c.satisfied) != Some(false) =>
        {
            Err(TransitionError::ReopenNotAllowed)
        }
        _ => Ok(()),
    }
}

/// The case after `step`, or why the step is refused. The case is not changed either way.
pub fn apply(case: &Case, step: &Step) -> Result<Case, TransitionError> {
    let last = case.history.last().map_or(case.opened_at, |t| t.step.at);
    if step.at < last {
        return Err(TransitionError::TimeWentBackwards { at: step.at, last });
    }
    apply_unclocked(case, step)
}

/// [`apply`] without the check that time moves forward: replaying steps made on several PCs in
/// their HLC order (`replay`), where one PC's wall clock may be behind another's.
pub(super) fn apply_unclocked(case: &Case, step: &Step) -> Result<Case, TransitionError> {
    let kind = step.action.kind();
    let Some(to) = target(case.state, kind) else {
        return Err(TransitionError::Illegal { state: case.state, action: kind });
    };
    guard(case, kind)?;
    let actor = required_line(Some(&step.actor), Some(kind), "actor", ACTOR_MAX_CHARS)?;
    if let Some(note) = &step.note {
        check_text(note, "note", NOTE_MAX_CHARS)?;
    }
    check_attachments(&step.attachments)?;
    let note_present = step.note.as_deref().is_some_and(|n| !n.trim().is_empty());
    let require_note = || {
        if note_present {
            Ok(())
        } else {
            Err(TransitionError::FieldRequired { action: Some(kind), field: "note".into() })
        }
    };

    let mut next = case.clone();
    match &step.action {
        Action::Verify => {}
        Action::StartRectifying => {
            if case.state == CaseState::CalledBack {
                // The work is being redone: the old rectification and visit no longer count.
                next.rectified_at = None;
                next.called_back_at = None;
                next.call_back = None;
            }
        }
        Action::MarkRectified => {
            require_note()?;
            next.rectified_at = Some(step.at);
        }
        Action::CallBack { reached, satisfied } => {
            match (reached, satisfied) {
                (false, Some(_)) => {
                    return Err(TransitionError::FieldInvalid {
                        field: "action.satisfied".into(),
                        problem: FieldProblem::SatisfiedWithoutReach,
                    })
                }
                (true, None) => {
                    return Err(TransitionError::FieldRequired {
                        action: Some(kind),
                        field: "action.satisfied".into(),
                    })
                }
                _ => {}
            }
            next.call_back = Some(CallBackRecord {
                at: step.at,
                by: actor.to_string(),
                reached: *reached,
                satisfied: *satisfied,
            });
            next.called_back_at = Some(step.at);
        }
        Action::Close => {
            // Closing over a dissatisfied citizen is allowed, but the reason must be written down.
            if case.call_back.as_ref().and_then(|c| c.satisfied) == Some(false) {
                require_note()?;
            }
            next.closed_at = Some(step.at);
        }
        Action::Appeal { reason } => {
            let reason = required_reason(reason, kind)?;
            next.appeal = Some(AppealRecord {
                reason: reason.to_string(),
                filed_by: actor.to_string(),
                filed_at: step.at,
                decision: None,
            });
        }
        Action::UpholdAppeal { reason } | Action::RejectAppeal { reason } => {
            let reason = required_reason(reason, kind)?;
            let Some(appeal) = next.appeal.as_mut() else {
                // Unreachable through `apply` (appealed is only entered by filing an appeal),
                // but a case read back from storage could be damaged.
                return Err(TransitionError::Illegal { state: case.state, action: kind });
            };
            if appeal.filed_by.trim() == actor {
                return Err(TransitionError::AppealSelfDecided { actor: actor.to_string() });
            }
            appeal.decision = Some(AppealDecision {
                upheld: kind == ActionKind::UpholdAppeal,
                reason: reason.to_string(),
                by: actor.to_string(),
                at: step.at,
            });
        }
        Action::Reassign { assignee } => {
            check_assignee(assignee, Some(kind), "action.assignee")?;
            if assignee.kind == case.assignee.kind && assignee.id.trim() == case.assignee.id.trim() {
                return Err(TransitionError::AssigneeUnchanged { assignee: case.assignee.name.clone() });
            }
            next.assignee = assignee.clone();
        }
    }
    next.state = to;
    next.history.push(Transition { from: case.state, to, step: step.clone() });
    Ok(next)
}

fn check_text(text: &str, field: &str, max: usize) -> Result<(), TransitionError> {
    let len = text.chars().count();
    if len > max {
        return Err(TransitionError::FieldInvalid {
            field: field.into(),
            problem: FieldProblem::TooLong { max, len },
        });
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(TransitionError::FieldInvalid {
            field: field.into(),
            problem: FieldProblem::ControlChars,
        });
    }
    Ok(())
}

/// A required single-line value, trimmed.
fn required_line<'a>(
    value: Option<&'a str>,
    action: Option<ActionKind>,
    field: &str,
    max: usize,
) -> Result<&'a str, TransitionError> {
    let v = value.map(str::trim).unwrap_or("");
    if v.is_empty() {
        return Err(TransitionError::FieldRequired { action, field: field.into() });
    }
    check_text(v, field, max)?;
    if v.contains(['\n', '\r', '\t']) {
        return Err(TransitionError::FieldInvalid {
            field: field.into(),
            problem: FieldProblem::ControlChars,
        });
    }
    Ok(v)
}

fn required_reason(reason: &str, kind: ActionKind) -> Result<&str, TransitionError> {
    let r = reason.trim();
    if r.is_empty() {
        return Err(TransitionError::FieldRequired { action: Some(kind), field: "action.reason".into() });
    }
    check_text(r, "action.reason", NOTE_MAX_CHARS)?;
    Ok(r)
}

fn check_assignee(a: &Assignee, action: Option<ActionKind>, field: &str) -> Result<(), TransitionError> {
    required_line(Some(&a.id), action, &format!("{field}.id"), ASSIGNEE_MAX_CHARS)?;
    required_line(Some(&a.name), action, &format!("{field}.name"), ASSIGNEE_MAX_CHARS)?;
    Ok(())
}

fn check_attachments(list: &[Attachment]) -> Result<(), TransitionError> {
    if list.len() > ATTACHMENTS_MAX {
        return Err(TransitionError::FieldInvalid {
            field: "attachments".into(),
            problem: FieldProblem::TooMany { max: ATTACHMENTS_MAX, len: list.len() },
        });
    }
    for (i, a) in list.iter().enumerate() {
        required_line(Some(&a.name), None, &format!("attachments[{i}].name"), ATTACHMENT_NAME_MAX_CHARS)?;
        let hex = a.sha256.len() == 64 && a.sha256.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !hex {
            return Err(TransitionError::FieldInvalid {
                field: format!("attachments[{i}].sha256"),
                problem: FieldProblem::NotSha256,
            });
        }
    }
    Ok(())
}
