//! Why a provider refused a message. Kept out of `provider` (which needs the HTTP client, behind
//! the `providers` feature) because [`crate::SmsError`] carries it and the pure parts — templates,
//! rules, budgets — build without the providers (the desktop's core validates rules with them).

use crate::redact::redact_digits;
use std::time::Duration;

/// Why a send failed, with the provider's own code and message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    #[error("{provider} {code} (retryable): {message}")]
    Retryable { provider: &'static str, code: String, message: String, retry_after: Option<Duration> },
    #[error("{provider} {code}: {message}")]
    Permanent { provider: &'static str, code: String, message: String, account_wide: bool },
}

impl ProviderError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, ProviderError::Retryable { .. })
    }

    pub fn provider(&self) -> &'static str {
        match self {
            ProviderError::Retryable { provider, .. } | ProviderError::Permanent { provider, .. } => provider,
        }
    }

    /// The provider's code (`isv.MOBILE_NUMBER_ILLEGAL`, `LimitExceeded.PhoneNumberDailyLimit`), or
    /// `network.*` / `http.5xx` when no provider answer was read.
    pub fn code(&self) -> &str {
        match self {
            ProviderError::Retryable { code, .. } | ProviderError::Permanent { code, .. } => code,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            ProviderError::Retryable { message, .. } | ProviderError::Permanent { message, .. } => message,
        }
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ProviderError::Retryable { retry_after, .. } => *retry_after,
            ProviderError::Permanent { .. } => None,
        }
    }

    /// True when no later request can succeed until someone fixes the configuration.
    pub fn is_account_wide(&self) -> bool {
        matches!(self, ProviderError::Permanent { account_wide: true, .. })
    }

    #[cfg_attr(not(feature = "providers"), allow(dead_code))]
    pub(crate) fn retryable(
        provider: &'static str,
        code: &str,
        message: &str,
        retry_after: Option<Duration>,
    ) -> Self {
        ProviderError::Retryable {
            provider,
            code: code.to_owned(),
            message: redact_digits(message),
            retry_after,
        }
    }

    #[cfg_attr(not(feature = "providers"), allow(dead_code))]
    pub(crate) fn permanent(provider: &'static str, code: &str, message: &str, account_wide: bool) -> Self {
        ProviderError::Permanent {
            provider,
            code: code.to_owned(),
            message: redact_digits(message),
            account_wide,
        }
    }
}
