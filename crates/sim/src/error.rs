//! The simulator's one error type.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The first request found no server: the sim stops before doing anything.
    #[error("the server at {url} is unreachable: {source}")]
    Unreachable {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    /// The server answered with an error body (`{code, message}`).
    #[error("{method} {path}: HTTP {status} {code}: {message}")]
    Refused { method: &'static str, path: String, status: u16, code: String, message: String },
    /// The request did not get an answer (connection refused or reset, timeout…).
    #[error("{method} {path}: {source}")]
    Transport {
        method: &'static str,
        path: String,
        #[source]
        source: reqwest::Error,
    },
    /// The answer was not what the API documents.
    #[error("{method} {path}: unexpected answer (HTTP {status}): {detail}")]
    Decode { method: &'static str, path: String, status: u16, detail: String },
    #[error("catalog {path}: {message}")]
    Catalog { path: String, message: String },
    #[error("the hall configuration cannot be built: {0}")]
    Config(String),
    #[error("{0}")]
    Options(String),
    #[error(
        "an admin token is needed to set up and check hall {0} (--admin-token or HALLKEEPER_ADMIN_TOKEN)"
    )]
    AdminTokenNeeded(String),
    #[error("state file {path}: {message}")]
    StateFile { path: PathBuf, message: String },
    #[error("cannot start the server: {0}")]
    Server(#[from] hallkeeper_server::error::StartError),
    #[error("server storage: {0}")]
    Storage(#[from] hallkeeper_server::storage::StorageError),
    #[error("PostgreSQL: {0}")]
    Postgres(String),
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
}

impl SimError {
    /// The server's error code, for a refusal.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Refused { code, .. } => Some(code),
            _ => None,
        }
    }

    /// How the failure is counted in a report: the error code, or the kind of failure.
    pub fn tally_key(&self) -> String {
        match self {
            Self::Refused { code, status, .. } if code.is_empty() => format!("http_{status}"),
            Self::Refused { code, .. } => code.clone(),
            Self::Transport { source, .. } if source.is_timeout() => "transport.timeout".into(),
            Self::Transport { source, .. } if source.is_connect() => "transport.connect".into(),
            Self::Transport { .. } | Self::Unreachable { .. } => "transport.other".into(),
            Self::Decode { .. } => "decode".into(),
            _ => "other".into(),
        }
    }

    pub(crate) fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io { what: what.into(), source }
    }
}

pub type Result<T, E = SimError> = std::result::Result<T, E>;
