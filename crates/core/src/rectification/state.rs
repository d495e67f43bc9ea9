//! What a case's state and an action mean apart from any one case: which states are terminal,
//! in which the deadline clock runs, and their Chinese labels (audit log, refusal messages). The
//! types are proto's `CaseState` and `CaseActionKind`; the state machine is in `case`.

use super::{ActionKind, CaseState};

/// The rules of a case's state: the deadline and terminal states (the wire spelling, `as_str`,
/// is proto's).
pub trait CaseStateExt {
    fn label_zh(self) -> &'static str;
    fn is_terminal(self) -> bool;
    /// The deadline clock runs in these states: nothing has been fixed yet. An appeal does not
    /// stop it, so an appeal that fails has not bought the department time.
    fn awaits_rectification(self) -> bool;
}

impl CaseStateExt for CaseState {
    fn label_zh(self) -> &'static str {
        match self {
            Self::New => "待核实",
            Self::Verifying => "核实中",
            Self::Rectifying => "整改中",
            Self::Rectified => "已整改",
            Self::CalledBack => "已回访",
            Self::Closed => "已办结",
            Self::Appealed => "申诉中",
            Self::AppealUpheld => "申诉成立",
        }
    }

    fn is_terminal(self) -> bool {
        matches!(self, Self::Closed | Self::AppealUpheld)
    }

    fn awaits_rectification(self) -> bool {
        matches!(self, Self::New | Self::Verifying | Self::Rectifying | Self::Appealed)
    }
}

pub trait ActionKindExt {
    fn label_zh(self) -> &'static str;
}

impl ActionKindExt for ActionKind {
    fn label_zh(self) -> &'static str {
        match self {
            Self::Verify => "核实",
            Self::StartRectifying => "开始整改",
            Self::MarkRectified => "整改完成",
            Self::CallBack => "回访",
            Self::Close => "办结",
            Self::Appeal => "申诉",
            Self::UpholdAppeal => "申诉成立",
            Self::RejectAppeal => "驳回申诉",
            Self::Reassign => "改派",
        }
    }
}
