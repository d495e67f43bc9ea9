//! Handling a poor rating (差评): verify it, rectify the cause within a deadline counted in
//! working days, call the citizen back (回访), close — or, for a malicious rating, appeal (申诉).
//!
//! 国办发〔2019〕51号 asks that poor ratings be verified and rectified and real-name raters called
//! back (target 100 %), and that the hall report rectification, on-time rectification and
//! return-visit rates; a case's history and flags are what those figures are counted from.
//! Pure: the store keeps the cases and passes time and the calendar in.

mod case;
mod error;
mod profile;

pub use case::{
    apply, target, Action, ActionKind, AppealDecision, AppealRecord, Assignee, AssigneeKind, Attachment,
    CallBackRecord, Case, CaseRules, CaseState, NewCase, Step, Transition, ACTOR_MAX_CHARS,
    ASSIGNEE_MAX_CHARS, ATTACHMENTS_MAX, ATTACHMENT_NAME_MAX_CHARS, NOTE_MAX_CHARS,
};
pub use error::{FieldProblem, TransitionError};
pub use profile::{
    validate_profiles, DeadlineProfile, ProfileError, NAME_MAX_CHARS, RECTIFY_WORKING_DAYS_MAX,
};
