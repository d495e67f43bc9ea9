//! The core's one error type. A [`Rejection`] is the store or a rule saying no to what the user
//! asked (stable code, the field at fault, values for the message); everything else is a fault.
//! The words are not here: `messages` renders an error (`Error::message`, `Error::to_body`, a
//! rejection's English `Display`), so this module owns the codes and messages depends on it.

use hallkeeper_proto::Locale;
use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Declares a code enum from one list of `Variant => "spelling"`: the enum, `as_str()`, `parse()`
/// and `ALL`. One list, so a variant cannot lack its spelling or be left out of `ALL`, which is
/// what the UI is told it can receive (`ui/src/api/errorCodes.gen.ts`, see [`typescript_error_codes`]).
macro_rules! codes {
    ($(#[$meta:meta])* pub enum $name:ident { $($variant:ident => $code:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)*
        }

        impl $name {
            /// Every variant, in the order declared.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)*
                }
            }

            /// The variant spelled `code`.
            pub fn parse(code: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|c| c.as_str() == code)
            }
        }
    };
}

codes! {
    /// Stable codes of rejections. The UI and tests key on `as_str()`; never renumber or rename.
    pub enum Code {
        WindowNumberEmpty => "window.number_empty",
        WindowNumberInvalid => "window.number_invalid",
        WindowNumberTooLong => "window.number_too_long",
        WindowNumberDuplicate => "window.number_duplicate",
        WindowNameEmpty => "window.name_empty",
        WindowNameTooLong => "window.name_too_long",
        WindowNameInvalid => "window.name_invalid",
        WindowZoneTooLong => "window.zone_too_long",
        WindowZoneInvalid => "window.zone_invalid",
        WindowNotFound => "window.not_found",
        WindowReferenced => "window.referenced",
        WindowReorderMismatch => "window.reorder_mismatch",
        SettingsLocaleInvalid => "settings.locale_invalid",
        SettingsOperatorInvalid => "settings.operator_invalid",
        SettingsLockMinutesInvalid => "settings.lock_minutes_invalid",
        ImportFileUnreadable => "import.file_unreadable",
        ImportFileTooLarge => "import.file_too_large",
        ImportNotATable => "import.not_a_table",
        ImportUnknownFormat => "import.unknown_format",
        ImportEncoding => "import.encoding",
        ImportEmpty => "import.empty",
        ImportColumnMissing => "import.column_missing",
        ImportMappingOutOfRange => "import.mapping_out_of_range",
        ImportDuplicateCode => "import.duplicate_code",
        ImportValueEmpty => "import.value_empty",
        ImportValueInvalid => "import.value_invalid",
        ImportJsonInvalid => "import.json_invalid",
        ImportXlsxInvalid => "import.xlsx_invalid",
        ImportPreviewStale => "import.preview_stale",
        MatterNotFound => "matter.not_found",
        MatterRetired => "matter.retired",
        BindingEmptySelection => "binding.empty_selection",
        StaffEmployeeNoEmpty => "staff.employee_no_empty",
        StaffEmployeeNoInvalid => "staff.employee_no_invalid",
        StaffEmployeeNoDuplicate => "staff.employee_no_duplicate",
        StaffNameEmpty => "staff.name_empty",
        StaffNameTooLong => "staff.name_too_long",
        StaffNameInvalid => "staff.name_invalid",
        StaffNotFound => "staff.not_found",
        DepartmentNotFound => "department.not_found",
        SeedNotEmpty => "seed.not_empty",
        ThresholdInvalid => "threshold.invalid",
        // The rectification and calendar modules' own refusals, under their own codes (see
        // `Rejection::from` below); their messages come from the modules.
        RectificationIllegalTransition => "rectification.illegal_transition",
        RectificationFieldRequired => "rectification.field_required",
        RectificationFieldInvalid => "rectification.field_invalid",
        RectificationCallBackRequired => "rectification.call_back_required",
        RectificationReopenNotAllowed => "rectification.reopen_not_allowed",
        RectificationTimeWentBackwards => "rectification.time_went_backwards",
        RectificationAssigneeUnchanged => "rectification.assignee_unchanged",
        RectificationAppealSelfDecided => "rectification.appeal_self_decided",
        RectificationProfileNameEmpty => "rectification.profile_name_empty",
        RectificationProfileNameTooLong => "rectification.profile_name_too_long",
        RectificationProfileNameInvalid => "rectification.profile_name_invalid",
        RectificationProfileNameDuplicate => "rectification.profile_name_duplicate",
        RectificationProfileOutOfRange => "rectification.profile_out_of_range",
        CalendarYearUnpublished => "calendar.year_unpublished",
        CalendarDateOutOfRange => "calendar.date_out_of_range",
        CalendarFileInvalid => "calendar.file_invalid",
        CalendarVersionUnsupported => "calendar.version_unsupported",
        CalendarDuplicateYear => "calendar.duplicate_year",
        CalendarEntryInvalid => "calendar.entry_invalid",
        // The store's refusals about cases.
        CaseNotFound => "rectification.case_not_found",
        EvidenceTooLarge => "rectification.evidence_too_large",
        EvidenceUnreadable => "rectification.evidence_unreadable",
        EvidenceUnknown => "rectification.evidence_unknown",
        // SMS reminder rules, as `hallkeeper-sms` refuses them (see `From<SmsError>` below).
        SmsTemplateUnknownPlaceholder => "sms.template_unknown_placeholder",
        SmsTemplateUnclosedBrace => "sms.template_unclosed_brace",
        SmsTemplateUnopenedBrace => "sms.template_unopened_brace",
        SmsTemplateEmptyPlaceholder => "sms.template_empty_placeholder",
        SmsTemplateEmpty => "sms.template_empty",
        SmsTemplatePlaceholderUnavailable => "sms.template_placeholder_unavailable",
        SmsRuleInvalid => "sms.rule_invalid",
        SmsPhoneInvalid => "sms.phone_invalid",
        // Service stars (服务之星).
        StarRuleInvalid => "stars.rule_invalid",
        StarMonthInvalid => "stars.month_invalid",
        // The rating pad's reason tags (评价原因标签), edited on the desktop.
        RatingReasonsCount => "rating_reasons.count",
        RatingReasonEmpty => "rating_reasons.empty",
        RatingReasonTooLong => "rating_reasons.too_long",
        RatingReasonDuplicate => "rating_reasons.duplicate",
        // Statistics and reports.
        ReportPeriodInvalid => "report.period_invalid",
        ReportExportFailed => "report.export_failed",
        // People and roles (issue 17): core's gate before every command, and the offline sign-in.
        AccessForbidden => "access.forbidden",
        SessionRequired => "session.required",
        SessionLocked => "session.locked",
        SessionWrongCredentials => "session.wrong_credentials",
        SessionOfflineUnavailable => "session.offline_unavailable",
    }
}

codes! {
    /// Every other code the UI can receive in a `CommandError`: the store failing, the desktop's
    /// own refusals (`notices`), the sync client's failures, the central server's refusals the
    /// desktop relays and words in English, and the one the UI makes itself. Other server codes
    /// reach the UI as the server sent them; list one here before the UI switches on it.
    pub enum FailureCode {
        // The store (`Error::code`).
        StoreBusy => "store.busy",
        StoreSchemaTooNew => "store.schema_too_new",
        StoreOpenFailed => "store.open_failed",
        StoreFailed => "store.failed",
        SyncGap => "sync.gap",
        // The desktop shell's own refusals (`notices`).
        Internal => "internal",
        DisplayWindowFailed => "display.window_failed",
        ServerNotConnected => "server.not_connected",
        SyncNotConnected => "sync.not_connected",
        ServerUrlInvalid => "server.url_invalid",
        ServerUnreachable => "server.unreachable",
        ServerBadAnswer => "server.bad_answer",
        SmsServerUnreachable => "sms.server_unreachable",
        SmsServerRefused => "sms.server_refused",
        // The sync client's failures (its `SyncError::code`).
        SyncUnreachable => "sync.unreachable",
        SyncServerError => "sync.server_error",
        SyncTaskFailed => "sync.task_failed",
        // The central server's refusals the desktop relays (`notices::server_refusal`).
        QueueWindowNotFound => "queue.window_not_found",
        QueueWindowClosed => "queue.window_closed",
        QueueUnknownMatter => "queue.unknown_matter",
        QueueNothingToMove => "queue.nothing_to_move",
        HallNotConfigured => "hall.not_configured",
        HallNotFound => "hall.not_found",
        AuthTokenMissing => "auth.token_missing",
        AuthTokenInvalid => "auth.token_invalid",
        AuthSessionExpired => "auth.session_expired",
        SessionAccountDisabled => "session.account_disabled",
        SessionThrottled => "session.throttled",
        SessionPasswordChangeRequired => "session.password_change_required",
        FirstRunDone => "first_run.done",
        StorageUnavailable => "storage.unavailable",
        // Made by the UI itself, which checks the path before asking (CatalogImportDialog).
        ImportPathEmpty => "import.path_empty",
    }
}

/// `ui/src/api/errorCodes.gen.ts`: every code of [`Code`] and [`FailureCode`], as the UI's
/// `ERROR_CODES` and its `ErrorCode` union (`tests/error_codes.rs` keeps the file fresh).
pub fn typescript_error_codes() -> String {
    let mut out = String::from(
        "// Generated from crates/core/src/error.rs (`Code`, `FailureCode`) by `cargo test -p\n\
         // hallkeeper-core --test error_codes` with HALLKEEPER_UPDATE_BINDINGS=1. Do not edit by hand.\n\n\
         /** Every error code the UI can receive in a CommandError. */\n\
         export const ERROR_CODES = [\n",
    );
    for code in Code::ALL.iter().map(|c| c.as_str()).chain(FailureCode::ALL.iter().map(|c| c.as_str())) {
        out.push_str(&format!("  '{code}',\n"));
    }
    out.push_str("] as const\n\nexport type ErrorCode = (typeof ERROR_CODES)[number]\n");
    out
}

impl Code {
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
        Self::parse(code).filter(|c| Self::MODULE_CODES.contains(c))
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
            Error::Busy => FailureCode::StoreBusy.as_str(),
            Error::SchemaTooNew { .. } => FailureCode::StoreSchemaTooNew.as_str(),
            Error::Open { .. } | Error::DataDir { .. } => FailureCode::StoreOpenFailed.as_str(),
            Error::Migration { .. } | Error::Corrupt(_) | Error::Sqlite(_) => {
                FailureCode::StoreFailed.as_str()
            }
            Error::SyncGap { .. } => FailureCode::SyncGap.as_str(),
        }
    }

    pub fn rejection(&self) -> Option<&Rejection> {
        match self {
            Error::Rejected(r) => Some(r),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_spelled_once_as_area_dot_name() {
        let all: Vec<&str> =
            Code::ALL.iter().map(|c| c.as_str()).chain(FailureCode::ALL.iter().map(|c| c.as_str())).collect();
        let unique: std::collections::HashSet<_> = all.iter().collect();
        assert_eq!(unique.len(), all.len(), "a code is spelled twice");
        for code in &all {
            let ok = *code == "internal"
                || code.split_once('.').is_some_and(|(area, name)| {
                    [area, name]
                        .iter()
                        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
                });
            assert!(ok, "{code} is not `area.snake_name`");
        }
        for &c in Code::ALL {
            assert_eq!(Code::parse(c.as_str()), Some(c));
        }
        for &c in FailureCode::ALL {
            assert_eq!(FailureCode::parse(c.as_str()), Some(c));
        }
    }

    #[test]
    fn every_store_fault_code_is_listed() {
        let faults = [
            Error::Busy,
            Error::SchemaTooNew { found: 2, known: 1 },
            Error::Corrupt("x".into()),
            Error::SyncGap { expected: 1, found: 3 },
            Error::DataDir { path: "x".into(), source: std::io::Error::other("x") },
        ];
        for e in faults {
            assert!(FailureCode::parse(e.code()).is_some(), "{} is not in FailureCode", e.code());
        }
    }

    #[test]
    fn module_codes_are_codes_of_their_modules() {
        for c in Code::MODULE_CODES {
            assert_eq!(Code::from_module(c.as_str()), Some(c));
        }
        assert_eq!(Code::from_module(Code::WindowNotFound.as_str()), None);
    }
}
