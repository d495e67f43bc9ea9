//! Sending through an SMS provider.
//!
//! The outbox holds one row per message and calls [`SmsProvider::send`] until the row is sent or
//! permanently failed, so the adapters' main job besides signing is the *classification* of what
//! came back: [`ProviderError::Retryable`] (try the same row again, perhaps after `retry_after`)
//! versus [`ProviderError::Permanent`] (stop; and if `account_wide`, stop every row, because the
//! credentials, signature or template are wrong and every further request would fail the same way).
//!
//! Neither provider deduplicates on the idempotency key: Alibaba's `OutId` and Tencent's
//! `SessionContext` are only echoed back in delivery receipts. A request that timed out after the
//! provider accepted it will therefore be sent twice if retried; the key lets the outbox match the
//! receipts and notice. That is the providers' contract, not something an adapter can fix.

pub mod alibaba;
pub mod log;
pub mod tencent;

use std::time::Duration;

use async_trait::async_trait;
use hmac::{Hmac, KeyInit, Mac};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::phone::Phone;

pub use alibaba::{AlibabaConfig, AlibabaSms};
pub use log::{LogHandle, LogProvider, LoggedSms};
pub use tencent::{TencentConfig, TencentSms};

/// One message, ready for any provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingSms {
    pub phone: Phone,
    /// The approved signature name, without 【】.
    pub sign_name: String,
    /// Alibaba `TemplateCode` (`SMS_123456789`) or Tencent `TemplateId` (`1234567`).
    pub template_id: String,
    /// `(name, value)` in the template's placeholder order: Tencent takes the values in this
    /// order (`{1}`, `{2}` …), Alibaba takes them by name (`${ticket}`).
    pub params: Vec<(String, String)>,
    /// The rendered text with signature, as the citizen will read it — for logs and the demo
    /// provider; the real providers render from their approved template instead.
    pub text: String,
    /// The outbox row id, echoed by the provider in delivery receipts.
    pub idempotency_key: String,
}

impl OutgoingSms {
    pub fn ordered_values(&self) -> Vec<&str> {
        self.params.iter().map(|(_, v)| v.as_str()).collect()
    }
}

/// What the provider said when it accepted a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderReceipt {
    pub provider: &'static str,
    /// Alibaba `BizId`, Tencent `SerialNo`: the key of the later delivery receipt.
    pub message_id: String,
    pub request_id: String,
    /// Billed segments, when the provider says (Tencent's `Fee`).
    pub fee: Option<u32>,
}

pub use crate::provider_error::ProviderError;
#[cfg(test)]
use crate::redact::redact_digits;

impl ProviderError {
    /// Transport failures: the request may or may not have reached the provider. The URL is
    /// dropped because Alibaba's carries the phone number in its query string.
    pub(crate) fn from_transport(provider: &'static str, e: reqwest::Error) -> Self {
        let code = if e.is_timeout() {
            "network.timeout"
        } else if e.is_connect() {
            "network.connect"
        } else {
            "network"
        };
        let message = e.without_url().to_string();
        Self::retryable(provider, code, &message, None)
    }
}

#[async_trait]
pub trait SmsProvider: Send + Sync {
    /// Stable name for logs and the outbox (`alibaba`, `tencent`, `log`).
    fn name(&self) -> &'static str;
    async fn send(&self, msg: &OutgoingSms) -> Result<ProviderReceipt, ProviderError>;
}

pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

pub(crate) fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Compares two signatures without an early exit, so the imitations do not leak how many leading
/// characters matched.
#[cfg_attr(not(feature = "imitation"), allow(dead_code))]
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A credential that never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

/// Parses an endpoint and derives the `host` value that the signature covers: host plus port when
/// the port is not the scheme's default, exactly what the HTTP client sends.
pub(crate) fn endpoint_host(endpoint: &str) -> Result<(reqwest::Url, String), crate::SmsError> {
    let bad = |reason: String| crate::SmsError::ConfigInvalid { reason };
    let url = reqwest::Url::parse(endpoint).map_err(|e| bad(format!("endpoint \"{endpoint}\": {e}")))?;
    let host = url.host_str().ok_or_else(|| bad(format!("endpoint \"{endpoint}\" has no host")))?;
    let host = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    Ok((url, host))
}

/// The HTTP side both cloud adapters share: the parsed endpoint, the `host` their signatures
/// cover, and a client with the configured timeout.
#[derive(Debug, Clone)]
pub(crate) struct Gateway {
    pub client: reqwest::Client,
    pub url: reqwest::Url,
    pub host: String,
}

impl Gateway {
    pub fn new(endpoint: &str, timeout: Duration) -> Result<Self, crate::SmsError> {
        let (url, host) = endpoint_host(endpoint)?;
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| crate::SmsError::ConfigInvalid { reason: format!("HTTP client: {e}") })?;
        Ok(Gateway { client, url, host })
    }

    /// Sends a signed request and reads the provider's JSON reply with the HTTP status. A reply
    /// that does not parse is retryable: on a 5xx the provider failed; otherwise the message may
    /// or may not have been accepted, and retrying risks a duplicate where dropping risks a
    /// missed reminder, which is worse for the citizen.
    pub async fn exchange<T: DeserializeOwned>(
        provider: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Result<(u16, T), ProviderError> {
        let response = request.send().await.map_err(|e| ProviderError::from_transport(provider, e))?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(|e| ProviderError::from_transport(provider, e))?;
        match serde_json::from_slice(&body) {
            Ok(parsed) => Ok((status, parsed)),
            Err(_) if status >= 500 => {
                Err(ProviderError::retryable(provider, &format!("http.{status}"), "server error", None))
            }
            Err(e) => Err(ProviderError::retryable(
                provider,
                "unexpected_response",
                &format!("HTTP {status}: {e}"),
                None,
            )),
        }
    }
}

/// The builder methods every cloud adapter's config has (`endpoint` and `timeout` fields).
macro_rules! http_settings {
    ($config:ty) => {
        impl $config {
            /// Where to send: the provider's production endpoint by default, a loopback URL in tests.
            pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
                self.endpoint = endpoint.into();
                self
            }

            pub fn with_timeout(mut self, timeout: std::time::Duration) -> Self {
                self.timeout = timeout;
                self
            }
        }
    };
}
pub(crate) use http_settings;

/// 16 random bytes in hex: Alibaba's signature nonce, the imitations' request ids.
pub(crate) fn random_hex(bytes: usize) -> Result<String, getrandom::Error> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf)?;
    Ok(hex::encode(buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_phone_numbers_in_messages() {
        assert_eq!(
            redact_digits("string to sign: PhoneNumbers=13812345678&x=1"),
            "string to sign: PhoneNumbers=138****5678&x=1"
        );
        assert_eq!(redact_digits("+8613812345678"), "+*********5678");
        assert_eq!(redact_digits("Permits:10 at 2023"), "Permits:10 at 2023");
    }

    #[test]
    fn constant_time_eq_works() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    #[test]
    fn endpoint_host_keeps_non_default_port() {
        assert_eq!(endpoint_host("https://sms.tencentcloudapi.com").unwrap().1, "sms.tencentcloudapi.com");
        assert_eq!(endpoint_host("http://127.0.0.1:8080/").unwrap().1, "127.0.0.1:8080");
        assert_eq!(endpoint_host("nope").unwrap_err().code(), "sms.config_invalid");
    }
}
