use hallkeeper_core::proto::Locale;
use hallkeeper_core::FailureCode;

/// Why a sync step did not go through.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// No answer (connection refused, cut, timed out): try again later.
    #[error("cannot reach the central server at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    /// The server failed (5xx) or its answer could not be read: try again later.
    #[error("the central server at {url} answered {status}: {body}")]
    Server { url: String, status: u16, body: String },
    /// The server refused the request itself (4xx): another sync version, a wrong token, a
    /// hall it does not know. Retrying will not help until something changes.
    #[error("the central server refused: {message} ({code})")]
    Refused { status: u16, code: String, message: String },
    #[error(transparent)]
    Store(#[from] hallkeeper_core::Error),
    #[error("a background task failed: {0}")]
    Task(String),
}

impl SyncError {
    /// Whether trying again later may succeed on its own.
    pub fn retryable(&self) -> bool {
        match self {
            SyncError::Unreachable { .. } | SyncError::Server { .. } | SyncError::Task(_) => true,
            SyncError::Refused { .. } => false,
            SyncError::Store(e) => {
                matches!(e, hallkeeper_core::Error::Busy | hallkeeper_core::Error::SyncGap { .. })
            }
        }
    }

    pub fn code(&self) -> String {
        match self {
            SyncError::Unreachable { .. } => FailureCode::SyncUnreachable.as_str().into(),
            SyncError::Server { .. } => FailureCode::SyncServerError.as_str().into(),
            SyncError::Refused { code, .. } => code.clone(),
            SyncError::Store(e) => e.code().into(),
            SyncError::Task(_) => FailureCode::SyncTaskFailed.as_str().into(),
        }
    }

    /// For the supervisor, in their language (the sentences are core's).
    pub fn message(&self, locale: Locale) -> String {
        use hallkeeper_core::notices;
        let said = match self {
            SyncError::Unreachable { url, .. } => notices::sync_unreachable(locale, url),
            SyncError::Server { status, .. } => notices::sync_server_error(locale, *status),
            // The server's own message is already in Chinese.
            SyncError::Refused { message, .. } if locale == Locale::ZhCn => Some(message.clone()),
            SyncError::Store(e) => Some(e.message(locale)),
            _ => None,
        };
        said.unwrap_or_else(|| self.to_string())
    }
}
