//! The shell's error type and what the UI receives: `{code, message, field}` with a stable code
//! and a message in the UI's current language.

use hallkeeper_core::proto::{ErrorBody, Locale};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum DesktopError {
    #[error(transparent)]
    Core(#[from] hallkeeper_core::Error),
    #[error("a background task failed: {0}")]
    Task(String),
}

impl DesktopError {
    pub fn to_body(&self, locale: Locale) -> ErrorBody {
        match self {
            DesktopError::Core(e) => e.to_body(locale),
            DesktopError::Task(detail) => hallkeeper_core::notices::internal(locale, detail),
        }
    }
}

/// What a command rejects with; serialises as the bare `{code, message, field}` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct CommandError(pub ErrorBody);

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.0.code, self.0.message)
    }
}

impl std::error::Error for CommandError {}
