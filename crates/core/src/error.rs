//! The core's one error type. A [`Rejection`] is the store or a rule saying no to what the user
//! asked (stable code, the field at fault, values for the message); everything else is a fault.

use crate::messages;
use hallkeeper_proto::{ErrorBody, Locale};
use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Stable codes of rejections. The UI and tests key on `as_str()`; never renumber or rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    WindowNumberEmpty,
    WindowNumberInvalid,
    WindowNumberTooLong,
    WindowNumberDuplicate,
    WindowNameEmpty,
    WindowNameTooLong,
    WindowNameInvalid,
    WindowZoneTooLong,
    WindowZoneInvalid,
    WindowNotFound,
    WindowReferenced,
    WindowReorderMismatch,
    SettingsLocaleInvalid,
    SettingsOperatorInvalid,
    ImportFileUnreadable,
    ImportFileTooLarge,
    ImportNotATable,
    ImportUnknownFormat,
    ImportEncoding,
    ImportEmpty,
    ImportColumnMissing,
    ImportMappingOutOfRange,
    ImportDuplicateCode,
    ImportValueEmpty,
    ImportValueInvalid,
    ImportJsonInvalid,
    ImportXlsxInvalid,
    ImportPreviewStale,
    MatterNotFound,
    MatterRetired,
    BindingEmptySelection,
    StaffEmployeeNoEmpty,
    StaffEmployeeNoInvalid,
    StaffEmployeeNoDuplicate,
    StaffNameEmpty,
    StaffNameTooLong,
    StaffNameInvalid,
    StaffNotFound,
    DepartmentNotFound,
    SeedNotEmpty,
    ThresholdInvalid,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::WindowNumberEmpty => "window.number_empty",
            Code::WindowNumberInvalid => "window.number_invalid",
            Code::WindowNumberTooLong => "window.number_too_long",
            Code::WindowNumberDuplicate => "window.number_duplicate",
            Code::WindowNameEmpty => "window.name_empty",
            Code::WindowNameTooLong => "window.name_too_long",
            Code::WindowNameInvalid => "window.name_invalid",
            Code::WindowZoneTooLong => "window.zone_too_long",
            Code::WindowZoneInvalid => "window.zone_invalid",
            Code::WindowNotFound => "window.not_found",
            Code::WindowReferenced => "window.referenced",
            Code::WindowReorderMismatch => "window.reorder_mismatch",
            Code::SettingsLocaleInvalid => "settings.locale_invalid",
            Code::SettingsOperatorInvalid => "settings.operator_invalid",
            Code::ImportFileUnreadable => "import.file_unreadable",
            Code::ImportFileTooLarge => "import.file_too_large",
            Code::ImportNotATable => "import.not_a_table",
            Code::ImportUnknownFormat => "import.unknown_format",
            Code::ImportEncoding => "import.encoding",
            Code::ImportEmpty => "import.empty",
            Code::ImportColumnMissing => "import.column_missing",
            Code::ImportMappingOutOfRange => "import.mapping_out_of_range",
            Code::ImportDuplicateCode => "import.duplicate_code",
            Code::ImportValueEmpty => "import.value_empty",
            Code::ImportValueInvalid => "import.value_invalid",
            Code::ImportJsonInvalid => "import.json_invalid",
            Code::ImportXlsxInvalid => "import.xlsx_invalid",
            Code::ImportPreviewStale => "import.preview_stale",
            Code::MatterNotFound => "matter.not_found",
            Code::MatterRetired => "matter.retired",
            Code::BindingEmptySelection => "binding.empty_selection",
            Code::StaffEmployeeNoEmpty => "staff.employee_no_empty",
            Code::StaffEmployeeNoInvalid => "staff.employee_no_invalid",
            Code::StaffEmployeeNoDuplicate => "staff.employee_no_duplicate",
            Code::StaffNameEmpty => "staff.name_empty",
            Code::StaffNameTooLong => "staff.name_too_long",
            Code::StaffNameInvalid => "staff.name_invalid",
            Code::StaffNotFound => "staff.not_found",
            Code::DepartmentNotFound => "department.not_found",
            Code::SeedNotEmpty => "seed.not_empty",
            Code::ThresholdInvalid => "threshold.invalid",
        }
    }
}

/// A refusal: what was refused, which input field is at fault, and the values the message names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub code: Code,
    /// A path into the input (`number`, `windows[2].thresholds.waitingAlarm`).
    pub field: Option<std::borrow::Cow<'static, str>>,
    pub args: Vec<(&'static str, String)>,
}

impl Rejection {
    pub fn new(code: Code) -> Self {
        Self { code, field: None, args: Vec::new() }
    }

    pub fn field(mut self, field: impl Into<std::borrow::Cow<'static, str>>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }

    pub fn get(&self, name: &str) -> &str {
        self.args.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}", messages::rejection(.0, Locale::EnUs))]
    Rejected(Rejection),
    #[error("the local database is busy (another program holds it)")]
    Busy,
    #[error("cannot open the local database at {path}: {source}")]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error("cannot create the data folder {path}: {source}")]
    DataDir { path: PathBuf, source: std::io::Error },
    #[error("database schema version {found} is newer than this app supports ({known}); update Hallkeeper")]
    SchemaTooNew { found: i64, known: i64 },
    #[error("migration {version} ({name}) failed: {source}")]
    Migration { version: i64, name: &'static str, source: rusqlite::Error },
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    #[error("the server's change log skipped from {expected} to {found}; pulling again")]
    SyncGap { expected: i64, found: i64 },
}

impl From<Rejection> for Error {
    fn from(r: Rejection) -> Self {
        Error::Rejected(r)
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked) => {
                Error::Busy
            }
            _ => Error::Sqlite(e),
        }
    }
}

impl Error {
    /// The stable code the UI sees.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Rejected(r) => r.code.as_str(),
            Error::Busy => "store.busy",
            Error::SchemaTooNew { .. } => "store.schema_too_new",
            Error::Open { .. } | Error::DataDir { .. } => "store.open_failed",
            Error::Migration { .. } | Error::Corrupt(_) | Error::Sqlite(_) => "store.failed",
            Error::SyncGap { .. } => "sync.gap",
        }
    }

    pub fn rejection(&self) -> Option<&Rejection> {
        match self {
            Error::Rejected(r) => Some(r),
            _ => None,
        }
    }

    /// The message for a person, in their language.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            Error::Rejected(r) => messages::rejection(r, locale),
            other => messages::fault(other, locale),
        }
    }

    pub fn to_body(&self, locale: Locale) -> ErrorBody {
        ErrorBody {
            code: self.code().to_owned(),
            message: self.message(locale),
            field: self.rejection().and_then(|r| r.field.clone()).map(std::borrow::Cow::into_owned),
        }
    }
}
