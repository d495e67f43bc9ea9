use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How every failure reaches the UI (and, later, a device): a stable machine code, a message in
/// the caller's language, and the input field at fault when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "CommandError")]
pub struct ErrorBody {
    /// For the UI one of `ErrorCode`, generated from hallkeeper-core's codes into
    /// `ui/src/api/errorCodes.gen.ts` (the core depends on this crate, not the reverse).
    #[ts(type = "ErrorCode")]
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}
