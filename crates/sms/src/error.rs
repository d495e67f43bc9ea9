//! The crate's one error type.
//!
//! Every variant carries a stable string code (`sms.…`) so that the server can store it in the
//! outbox and the desktop can pick a translated message without parsing English text, and — where
//! there is one — the offending field and character position so the editor can point at it.

use crate::provider_error::ProviderError;

/// Why something in this crate was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsError {
    #[error("unknown placeholder {{{name}}} at char {position}; known: {{ticket}} {{window}} {{ahead}} {{wait_min}} {{matter}} {{hall}}")]
    TemplateUnknownPlaceholder { name: String, position: usize },
    #[error("the brace opened at char {position} is never closed")]
    TemplateUnclosedBrace { position: usize },
    #[error("the closing brace at char {position} has no opening brace (write }}}} for a literal brace)")]
    TemplateUnopenedBrace { position: usize },
    #[error("empty placeholder {{}} at char {position}")]
    TemplateEmptyPlaceholder { position: usize },
    #[error("the template is empty")]
    TemplateEmpty,
    #[error("no value for placeholder {{{name}}}")]
    TemplateMissingValue { name: String },
    #[error("placeholder {{{name}}} at char {position} is not available to the {trigger} trigger")]
    TemplatePlaceholderUnavailable { name: String, position: usize, trigger: String },
    /// A rule-set field that is wrong for a reason other than its template.
    #[error("{reason}")]
    RuleInvalid { reason: String },
    #[error("not a mainland China mobile number: {reason}")]
    PhoneInvalid { reason: String, position: Option<usize> },
    #[error("the phone cipher key must be 32 bytes, got {len}")]
    CipherKeyInvalid { len: usize },
    #[error("the sealed phone number cannot be opened: {reason}")]
    CipherOpenFailed { reason: &'static str },
    #[error("provider configuration: {reason}")]
    ConfigInvalid { reason: String },
    #[error("log provider could not write {path}: {reason}")]
    LogIo { path: String, reason: String },
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// Any of the above, found at a named field (`rules[2].template`, `quietHours.start`).
    #[error("{field}: {inner}")]
    AtField { field: String, inner: Box<SmsError> },
}

impl SmsError {
    /// The stable code; for [`SmsError::AtField`] the code of the underlying problem, so that the
    /// UI's message table does not need a second entry per field.
    pub fn code(&self) -> &'static str {
        match self {
            SmsError::TemplateUnknownPlaceholder { .. } => "sms.template_unknown_placeholder",
            SmsError::TemplateUnclosedBrace { .. } => "sms.template_unclosed_brace",
            SmsError::TemplateUnopenedBrace { .. } => "sms.template_unopened_brace",
            SmsError::TemplateEmptyPlaceholder { .. } => "sms.template_empty_placeholder",
            SmsError::TemplateEmpty => "sms.template_empty",
            SmsError::TemplateMissingValue { .. } => "sms.template_missing_value",
            SmsError::TemplatePlaceholderUnavailable { .. } => "sms.template_placeholder_unavailable",
            SmsError::RuleInvalid { .. } => "sms.rule_invalid",
            SmsError::PhoneInvalid { .. } => "sms.phone_invalid",
            SmsError::CipherKeyInvalid { .. } => "sms.cipher_key_invalid",
            SmsError::CipherOpenFailed { .. } => "sms.cipher_open_failed",
            SmsError::ConfigInvalid { .. } => "sms.config_invalid",
            SmsError::LogIo { .. } => "sms.log_io",
            SmsError::Provider(e) => {
                if e.is_retryable() {
                    "sms.provider_retryable"
                } else {
                    "sms.provider_permanent"
                }
            }
            SmsError::AtField { inner, .. } => inner.code(),
        }
    }

    /// The field path the problem was found at, if it was found inside a larger structure.
    pub fn field(&self) -> Option<&str> {
        match self {
            SmsError::AtField { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The 0-based character (Unicode scalar) position of the problem in its text, if any.
    pub fn position(&self) -> Option<usize> {
        match self {
            SmsError::TemplateUnknownPlaceholder { position, .. }
            | SmsError::TemplateUnclosedBrace { position }
            | SmsError::TemplateUnopenedBrace { position }
            | SmsError::TemplateEmptyPlaceholder { position }
            | SmsError::TemplatePlaceholderUnavailable { position, .. } => Some(*position),
            SmsError::PhoneInvalid { position, .. } => *position,
            SmsError::AtField { inner, .. } => inner.position(),
            _ => None,
        }
    }

    pub(crate) fn at(self, field: impl Into<String>) -> SmsError {
        SmsError::AtField { field: field.into(), inner: Box::new(self) }
    }
}

pub type Result<T, E = SmsError> = std::result::Result<T, E>;
