use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How every failure reaches the UI (and, later, a device): a stable machine code, a message in
/// the caller's language, and the input field at fault when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "CommandError")]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}
