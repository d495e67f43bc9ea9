//! Handling a poor rating (差评): verify it, rectify the cause within a deadline counted in
//! working days, call the citizen back (回访), close — or, for a malicious rating, appeal (申诉).
//!
//! 国办发〔2019〕51号 asks that poor ratings be verified and rectified and real-name raters called
//! back (target 100 %), and that the hall report rectification, on-time rectification and
//! return-visit rates; a case's history and flags are what those figures are counted from.
//! Pure: the store keeps the cases and passes time and the calendar in.

//!
//! The types are the wire types of `hallkeeper_proto` (the UI's TypeScript is generated from
//! them), under the short names the rules use here; the rules over them are functions and the
//! extension traits [`CaseExt`], [`CaseStateExt`], [`ActionKindExt`] and [`ProfileExt`].

mod case;
mod error;
mod profile;
mod replay;
mod state;

pub use case::{
    apply, case_rules, opened_case, target, CaseExt, NewCase, ACTOR_MAX_CHARS, ASSIGNEE_MAX_CHARS,
    ATTACHMENTS_MAX, ATTACHMENT_NAME_MAX_CHARS, NOTE_MAX_CHARS,
};
pub use error::{FieldProblem, TransitionError};
pub use hallkeeper_proto::{
    AppealDecision, AppealRecord, CallBackRecord, CaseAction as Action, CaseActionKind as ActionKind,
    CaseAssignee as Assignee, CaseAssigneeKind as AssigneeKind, CaseAttachment as Attachment, CaseRules,
    CaseState, CaseStep as Step, CaseTransition as Transition, DeadlineProfile, RectificationCase as Case,
};
pub use profile::{validate_profiles, ProfileError, ProfileExt, NAME_MAX_CHARS, RECTIFY_WORKING_DAYS_MAX};
pub use replay::{replay, Replayed, ReplayedStep, SyncedStep};
pub use state::{ActionKindExt, CaseStateExt};
