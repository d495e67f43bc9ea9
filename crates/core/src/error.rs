//! The core's one error type. A [`Rejection`] is the store or a rule saying no to what the user
//! asked (stable code, the field at fault, values for the message); everything else is a fault.
//! The words are not here: `messages` renders an error (`Error::message`, `Error::to_body`, a
//! rejection's English `Display`), so this module owns the codes and messages depends on it.

use hallkeeper_proto::Locale;
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
    // The rectification and calendar modules' own refusals, under their own codes (see
    // `Rejection::from` below); their messages come from the modules.
    RectificationIllegalTransition,
    RectificationFieldRequired,
    RectificationFieldInvalid,
    RectificationCallBackRequired,
    RectificationReopenNotAllowed,
    RectificationTimeWentBackwards,
    RectificationAssigneeUnchanged,
    RectificationAppealSelfDecided,
    RectificationProfileNameEmpty,
    RectificationProfileNameTooLong,
    RectificationProfileNameInvalid,
    RectificationProfileNameDuplicate,
    RectificationProfileOutOfRange,
    CalendarYearUnpublished,
    CalendarDateOutOfRange,
    CalendarFileInvalid,
    CalendarVersionUnsupported,
    CalendarDuplicateYear,
    CalendarEntryInvalid,
    // The store's refusals about cases.
    CaseNotFound,
    EvidenceTooLarge,
    EvidenceUnreadable,
    EvidenceUnknown,
    // SMS reminder rules, as `hallkeeper-sms` refuses them (see `From<SmsError>` below).
    SmsTemplateUnknownPlaceholder,
    SmsTemplateUnclosedBrace,
    SmsTemplateUnopenedBrace,
    SmsTemplateEmptyPlaceholder,
    SmsTemplateEmpty,
    SmsTemplatePlaceholderUnavailable,
    SmsRuleInvalid,
    SmsPhoneInvalid,
    // Service stars (服务之星).
    StarRuleInvalid,
    StarMonthInvalid,
    // Statistics and reports.
    ReportPeriodInvalid,
    ReportExportFailed,
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
            Code::RectificationIllegalTransition => "rectification.illegal_transition",
            Code::RectificationFieldRequired => "rectification.field_required",
            Code::RectificationFieldInvalid => "rectification.field_invalid",
            Code::RectificationCallBackRequired => "rectification.call_back_required",
            Code::RectificationReopenNotAllowed => "rectification.reopen_not_allowed",
            Code::RectificationTimeWentBackwards => "rectification.time_went_backwards",
            Code::RectificationAssigneeUnchanged => "rectification.assignee_unchanged",
            Code::RectificationAppealSelfDecided => "rectification.appeal_self_decided",
            Code::RectificationProfileNameEmpty => "rectification.profile_name_empty",
            Code::RectificationProfileNameTooLong => "rectification.profile_name_too_long",
            Code::RectificationProfileNameInvalid => "rectification.profile_name_invalid",
            Code::RectificationProfileNameDuplicate => "rectification.profile_name_duplicate",
            Code::RectificationProfileOutOfRange => "rectification.profile_out_of_range",
            Code::CalendarYearUnpublished => "calendar.year_unpublished",
            Code::CalendarDateOutOfRange => "calendar.date_out_of_range",
            Code::CalendarFileInvalid => "calendar.file_invalid",
            Code::CalendarVersionUnsupported => "calendar.version_unsupported",
            Code::CalendarDuplicateYear => "calendar.duplicate_year",
            Code::CalendarEntryInvalid => "calendar.entry_invalid",
            Code::CaseNotFound => "rectification.case_not_found",
            Code::EvidenceTooLarge => "rectification.evidence_too_large",
            Code::EvidenceUnreadable => "rectification.evidence_unreadable",
            Code::EvidenceUnknown => "rectification.evidence_unknown",
            Code::SmsTemplateUnknownPlaceholder => "sms.template_unknown_placeholder",
            Code::SmsTemplateUnclosedBrace => "sms.template_unclosed_brace",
            Code::SmsTemplateUnopenedBrace => "sms.template_unopened_brace",
            Code::SmsTemplateEmptyPlaceholder => "sms.template_empty_placeholder",
            Code::SmsTemplateEmpty => "sms.template_empty",
            Code::SmsTemplatePlaceholderUnavailable => "sms.template_placeholder_unavailable",
            Code::SmsRuleInvalid => "sms.rule_invalid",
            Code::SmsPhoneInvalid => "sms.phone_invalid",
            Code::StarRuleInvalid => "stars.rule_invalid",
            Code::StarMonthInvalid => "stars.month_invalid",
            Code::ReportPeriodInvalid => "report.period_invalid",
            Code::ReportExportFailed => "report.export_failed",
        }
    }

    /// The codes the rectification and calendar modules name themselves.
    const MODULE_CODES: [Code; 19] = [
        Code::RectificationIllegalTransition,
        Code::RectificationFieldRequired,
        Code::RectificationFieldInvalid,
        Code::RectificationCallBackRequired,
        Code::RectificationReopenNotAllowed,
        Code::RectificationTimeWentBackwards,
        Code::RectificationAssigneeUnchanged,
        Code::RectificationAppealSelfDecided,
        Code::RectificationProfileNameEmpty,
        Code::RectificationProfileNameTooLong,
        Code::RectificationProfileNameInvalid,
        Code::RectificationProfileNameDuplicate,
        Code::RectificationProfileOutOfRange,
        Code::CalendarYearUnpublished,
        Code::CalendarDateOutOfRange,
        Code::CalendarFileInvalid,
        Code::CalendarVersionUnsupported,
        Code::CalendarDuplicateYear,
        Code::CalendarEntryInvalid,
    ];

    /// The variant whose string a module's `code()` returned. Matching on the string keeps the
    /// core's code identical to the module's by construction.
    fn from_module(code: &str) -> Option<Code> {
        Self::MODULE_CODES.into_iter().find(|c| c.as_str() == code)
    }
}

/// The messages of a module's refusal travel as two arguments, because the module already words
/// them in both languages (and its arguments, e.g. a field problem, are not all strings here).
pub(crate) const MESSAGE_ZH: &str = "messageZh";
pub(crate) const MESSAGE_EN: &str = "messageEn";

fn module_rejection(
    code: &str,
    field: Option<String>,
    args: Vec<(&'static str, String)>,
    zh: String,
    en: String,
) -> Rejection {
    // Every module code is listed in MODULE_CODES (a test walks them); a new one that is not
    // still reaches the UI with its message, under the nearest generic code.
    let code = Code::from_module(code).unwrap_or(Code::RectificationFieldInvalid);
    let mut r = Rejection { code, field: field.map(Into::into), args };
    r.args.push((MESSAGE_ZH, zh));
    r.args.push((MESSAGE_EN, en));
    r
}

impl From<crate::rectification::TransitionError> for Rejection {
    fn from(e: crate::rectification::TransitionError) -> Self {
        module_rejection(e.code(), e.field(), e.args(), e.message(Locale::ZhCn), e.message(Locale::EnUs))
    }
}

impl From<crate::rectification::ProfileError> for Rejection {
    fn from(e: crate::rectification::ProfileError) -> Self {
        let zh = e.message(Locale::ZhCn);
        let en = e.message(Locale::EnUs);
        module_rejection(e.code(), Some(e.field().to_owned()), e.args(), zh, en)
    }
}

impl From<crate::calendar::CalendarError> for Rejection {
    fn from(e: crate::calendar::CalendarError) -> Self {
        module_rejection(e.code(), e.field(), e.args(), e.message(Locale::ZhCn), e.message(Locale::EnUs))
    }
}

impl From<crate::rectification::TransitionError> for Error {
    fn from(e: crate::rectification::TransitionError) -> Self {
        Error::Rejected(e.into())
    }
}

impl From<crate::rectification::ProfileError> for Error {
    fn from(e: crate::rectification::ProfileError) -> Self {
        Error::Rejected(e.into())
    }
}

impl From<crate::calendar::CalendarError> for Error {
    fn from(e: crate::calendar::CalendarError) -> Self {
        Error::Rejected(e.into())
    }
}

/// The SMS crate's refusals keep its codes (the server answers with the same ones) and its field
/// path; the message is worded here (messages.rs) from the arguments.
impl From<hallkeeper_sms::SmsError> for Rejection {
    fn from(e: hallkeeper_sms::SmsError) -> Self {
        use hallkeeper_sms::SmsError as S;
        let field = e.field().map(str::to_owned);
        let inner = match &e {
            S::AtField { inner, .. } => inner.as_ref(),
            other => other,
        };
        let code = match inner {
            S::TemplateUnknownPlaceholder { .. } => Code::SmsTemplateUnknownPlaceholder,
            S::TemplateUnclosedBrace { .. } => Code::SmsTemplateUnclosedBrace,
            S::TemplateUnopenedBrace { .. } => Code::SmsTemplateUnopenedBrace,
            S::TemplateEmptyPlaceholder { .. } => Code::SmsTemplateEmptyPlaceholder,
            S::TemplateEmpty | S::TemplateMissingValue { .. } => Code::SmsTemplateEmpty,
            S::TemplatePlaceholderUnavailable { .. } => Code::SmsTemplatePlaceholderUnavailable,
            S::PhoneInvalid { .. } => Code::SmsPhoneInvalid,
            _ => Code::SmsRuleInvalid,
        };
        let mut r = Rejection::new(code);
        r.field = field.map(Into::into);
        if let Some(p) = e.position() {
            r = r.arg("position", p);
        }
        match inner {
            S::TemplateUnknownPlaceholder { name, .. } | S::TemplateMissingValue { name } => {
                r = r.arg("name", name)
            }
            S::TemplatePlaceholderUnavailable { name, trigger, .. } => {
                r = r.arg("name", name).arg("trigger", trigger)
            }
            S::RuleInvalid { reason } | S::PhoneInvalid { reason, .. } => r = r.arg("reason", reason),
            _ => {}
        }
        r
    }
}

impl From<hallkeeper_sms::SmsError> for Error {
    fn from(e: hallkeeper_sms::SmsError) -> Self {
        Error::Rejected(e.into())
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
    /// Displayed in English by `messages`.
    #[error("{0}")]
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
}
