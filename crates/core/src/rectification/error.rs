//! Why a step on a case was refused. Every refusal has a stable code and the values its message
//! names, and reads in both languages, because the supervisor must see what to do next.

use super::profile::ProfileError;
use super::state::{ActionKindExt as _, CaseStateExt as _};
use super::{ActionKind, CaseState};
use crate::calendar::CalendarError;
use chrono::{DateTime, Utc};
use hallkeeper_proto::Locale;

/// What is wrong with a field that was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldProblem {
    TooLong {
        max: usize,
        len: usize,
    },
    /// Line breaks are fine in a note; other control characters are not.
    ControlChars,
    /// Not 64 lowercase hex digits.
    NotSha256,
    TooMany {
        max: usize,
        len: usize,
    },
    /// A return visit that did not reach the citizen cannot record their satisfaction.
    SatisfiedWithoutReach,
}

impl FieldProblem {
    fn en(&self) -> String {
        match self {
            Self::TooLong { max, len } => format!("at most {max} characters, this has {len}"),
            Self::ControlChars => "contains control characters".into(),
            Self::NotSha256 => "is not a SHA-256 digest (64 lowercase hex digits)".into(),
            Self::TooMany { max, len } => format!("at most {max} allowed, {len} given"),
            Self::SatisfiedWithoutReach => {
                "satisfaction cannot be recorded when the citizen was not reached".into()
            }
        }
    }

    fn zh(&self) -> String {
        match self {
            Self::TooLong { max, len } => format!("最多 {max} 个字，现为 {len} 个字"),
            Self::ControlChars => "含有控制字符".into(),
            Self::NotSha256 => "不是 SHA-256 摘要（64 位小写十六进制）".into(),
            Self::TooMany { max, len } => format!("最多 {max} 个，现为 {len} 个"),
            Self::SatisfiedWithoutReach => "未联系上办事群众，不能记录满意与否".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("a case in state \"{}\" cannot take the action \"{}\"", .state.as_str(), .action.as_str())]
    Illegal { state: CaseState, action: ActionKind },
    #[error("\"{}\" needs {field}", .action.map_or("open", ActionKind::as_str))]
    FieldRequired { action: Option<ActionKind>, field: String },
    #[error("{field} {}", .problem.en())]
    FieldInvalid { field: String, problem: FieldProblem },
    #[error("this real-name rating must be called back (回访) before the case is closed")]
    CallBackRequired,
    #[error("rectification can only be reopened after a return visit found the citizen dissatisfied")]
    ReopenNotAllowed,
    #[error("the step is dated {at}, before the case's last step at {last}")]
    TimeWentBackwards { at: DateTime<Utc>, last: DateTime<Utc> },
    #[error("the case is already assigned to {assignee}")]
    AssigneeUnchanged { assignee: String },
    #[error("{actor} filed the appeal and cannot decide it")]
    AppealSelfDecided { actor: String },
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

impl TransitionError {
    /// Stable codes; never rename.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Illegal { .. } => "rectification.illegal_transition",
            Self::FieldRequired { .. } => "rectification.field_required",
            Self::FieldInvalid { .. } => "rectification.field_invalid",
            Self::CallBackRequired => "rectification.call_back_required",
            Self::ReopenNotAllowed => "rectification.reopen_not_allowed",
            Self::TimeWentBackwards { .. } => "rectification.time_went_backwards",
            Self::AssigneeUnchanged { .. } => "rectification.assignee_unchanged",
            Self::AppealSelfDecided { .. } => "rectification.appeal_self_decided",
            Self::Profile(e) => e.code(),
            Self::Calendar(e) => e.code(),
        }
    }

    /// The step's field at fault (`note`, `attachments[1].sha256`, `action.reason`).
    pub fn field(&self) -> Option<String> {
        match self {
            Self::FieldRequired { field, .. } | Self::FieldInvalid { field, .. } => Some(field.clone()),
            Self::Profile(e) => Some(format!("profile.{}", e.field())),
            Self::Calendar(e) => e.field(),
            _ => None,
        }
    }

    /// The values the message names, for the core's `Rejection::arg`.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::Illegal { state, action } => {
                vec![("state", state.as_str().into()), ("action", action.as_str().into())]
            }
            Self::FieldRequired { action, field } => {
                vec![("action", action.map_or("open", ActionKind::as_str).into()), ("field", field.clone())]
            }
            Self::FieldInvalid { field, problem } => {
                vec![("field", field.clone()), ("problemEn", problem.en()), ("problemZh", problem.zh())]
            }
            Self::CallBackRequired | Self::ReopenNotAllowed => vec![],
            Self::TimeWentBackwards { at, last } => {
                vec![("at", at.to_rfc3339()), ("last", last.to_rfc3339())]
            }
            Self::AssigneeUnchanged { assignee } => vec![("assignee", assignee.clone())],
            Self::AppealSelfDecided { actor } => vec![("actor", actor.clone())],
            Self::Profile(e) => e.args(),
            Self::Calendar(e) => e.args(),
        }
    }

    pub fn message(&self, locale: Locale) -> String {
        if locale == Locale::EnUs {
            return self.to_string();
        }
        match self {
            Self::Illegal { state, action } => {
                format!("该差评件处于“{}”状态，不能执行“{}”", state.label_zh(), action.label_zh())
            }
            Self::FieldRequired { action, field } => {
                let what = match field.as_str() {
                    "note" if *action == Some(ActionKind::MarkRectified) => "整改措施说明",
                    "note" => "说明",
                    "actor" => "经办人",
                    "action.reason" => "理由",
                    "action.satisfied" => "群众是否满意",
                    "assignee.id" | "action.assignee.id" => "办理部门或人员",
                    other => other,
                };
                match action {
                    Some(a) => format!("“{}”须填写{what}", a.label_zh()),
                    None => format!("请填写{what}"),
                }
            }
            Self::FieldInvalid { field, problem } => format!("{field}：{}", problem.zh()),
            Self::CallBackRequired => "实名差评须先回访，才能办结".into(),
            Self::ReopenNotAllowed => "只有回访时群众不满意，才能重新整改".into(),
            Self::TimeWentBackwards { at, last } => {
                format!("该步骤时间 {at} 早于上一步骤时间 {last}，请检查电脑时间")
            }
            Self::AssigneeUnchanged { assignee } => format!("该件已由 {assignee} 办理"),
            Self::AppealSelfDecided { actor } => format!("{actor} 是申诉提出人，不能审核本人的申诉"),
            Self::Profile(e) => e.message(locale),
            Self::Calendar(e) => e.message(locale),
        }
    }
}
