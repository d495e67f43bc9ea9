//! Tencent Cloud SMS (API 3.0, version 2021-01-11), `SendSms`, signed with `TC3-HMAC-SHA256`.
//!
//! The signing follows Tencent Cloud's "Signature v3" document (the same page is published under
//! every product, e.g. https://www.tencentcloud.com/document/product/382/40467 for SMS) and is
//! tested against its worked CVM `DescribeInstances` example. The SMS request signs
//! `content-type;host;x-tc-action`, as the current document's demo code does; the server accepts
//! any `SignedHeaders` that include `content-type` and `host`.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    hmac_sha256, http_settings, sha256_hex, Gateway, OutgoingSms, ProviderError, ProviderReceipt, Secret,
    SmsProvider,
};
use crate::error::Result;

pub const NAME: &str = "tencent";
pub const DEFAULT_ENDPOINT: &str = "https://sms.tencentcloudapi.com";
pub const SERVICE: &str = "sms";
pub const ACTION: &str = "SendSms";
pub const VERSION: &str = "2021-01-11";
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";
pub const CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// Everything a TC3 signature covers.
#[derive(Debug, Clone)]
pub struct Tc3Input<'a> {
    pub secret_id: &'a str,
    pub secret_key: &'a str,
    pub service: &'a str,
    /// Lower-case names and values of the headers to sign; sorted here.
    pub headers: &'a [(&'a str, &'a str)],
    pub payload: &'a [u8],
    pub timestamp: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tc3Signed {
    pub canonical_request: String,
    pub string_to_sign: String,
    pub credential_scope: String,
    pub signed_headers: String,
    pub signature: String,
    pub authorization: String,
}

/// The credential scope's date is the UTC date of the timestamp, never the local one.
pub fn scope_date(timestamp: i64) -> Option<String> {
    DateTime::<Utc>::from_timestamp(timestamp, 0).map(|t| t.format("%Y-%m-%d").to_string())
}

/// `SecretSigning = HMAC(HMAC(HMAC("TC3" + SecretKey, Date), Service), "tc3_request")`.
pub fn signing_key(secret_key: &str, date: &str, service: &str) -> [u8; 32] {
    let k_date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let k_service = hmac_sha256(&k_date, service.as_bytes());
    hmac_sha256(&k_service, b"tc3_request")
}

/// Signs a POST to `/` with an empty query string; pure, so the published example replays.
/// `None` only for a timestamp outside chrono's range.
pub fn sign(input: &Tc3Input<'_>) -> Option<Tc3Signed> {
    let date = scope_date(input.timestamp)?;
    // The document: "Both the key and value of the header should be converted to lowercase with
    // the leading and trailing spaces removed" — hence `x-tc-action:sendsms`.
    let mut headers: Vec<(String, String)> =
        input.headers.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_ascii_lowercase())).collect();
    headers.sort();
    let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed_headers = headers.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(";");
    let canonical_request =
        format!("POST\n/\n\n{canonical_headers}\n{signed_headers}\n{}", sha256_hex(input.payload));
    let credential_scope = format!("{date}/{}/tc3_request", input.service);
    let string_to_sign = format!(
        "{ALGORITHM}\n{}\n{credential_scope}\n{}",
        input.timestamp,
        sha256_hex(canonical_request.as_bytes())
    );
    let key = signing_key(input.secret_key, &date, input.service);
    let signature = hex::encode(hmac_sha256(&key, string_to_sign.as_bytes()));
    let authorization = format!(
        "{ALGORITHM} Credential={}/{credential_scope}, SignedHeaders={signed_headers}, Signature={signature}",
        input.secret_id
    );
    Some(Tc3Signed {
        canonical_request,
        string_to_sign,
        credential_scope,
        signed_headers,
        signature,
        authorization,
    })
}

/// The `SendSms` request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendSmsRequest {
    pub phone_number_set: Vec<String>,
    pub sms_sdk_app_id: String,
    pub sign_name: String,
    pub template_id: String,
    #[serde(default)]
    pub template_param_set: Vec<String>,
    #[serde(default)]
    pub session_context: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendStatus {
    pub serial_no: String,
    pub phone_number: String,
    pub fee: u32,
    pub session_context: String,
    pub code: String,
    pub message: String,
    pub iso_code: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResponseBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ApiError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_status_set: Option<Vec<SendStatus>>,
    pub request_id: String,
}

/// Tencent answers HTTP 200 for errors too; everything is in `Response`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Envelope {
    pub response: ResponseBody,
}

/// Sorts a Tencent code — from `Response.Error` or from a `SendStatusSet` entry — into retry or
/// stop. The per-number daily limits are permanent for the message for the same reason as
/// Alibaba's day-level flow control: a reminder that can only go tomorrow is worthless.
pub fn classify(code: &str, message: &str) -> ProviderError {
    let retry =
        |after: Option<u64>| ProviderError::retryable(NAME, code, message, after.map(Duration::from_secs));
    let stop = |account_wide| ProviderError::permanent(NAME, code, message, account_wide);
    match code {
        "LimitExceeded.PhoneNumberThirtySecondLimit" => retry(Some(30)),
        "LimitExceeded.PhoneNumberOneHourLimit" => retry(Some(3600)),
        "LimitExceeded.PhoneNumberDailyLimit"
        | "LimitExceeded.PhoneNumberSameContentDailyLimit"
        | "LimitExceeded.DeliveryFrequencyLimit" => stop(false),
        c if c.starts_with("LimitExceeded.App") => stop(true),
        c if c.starts_with("RequestLimitExceeded") => retry(Some(1)),
        c if c.starts_with("InternalError")
            || c == "ResourceUnavailable"
            || c == "FailedOperation.FailResolvePacket" =>
        {
            retry(None)
        }
        c if c.starts_with("AuthFailure") || c.starts_with("UnauthorizedOperation") => stop(true),
        "FailedOperation.SignatureIncorrectOrUnapproved"
        | "FailedOperation.TemplateIncorrectOrUnapproved"
        | "FailedOperation.InsufficientBalanceInSmsPackage"
        | "FailedOperation.MarketingSendTimeConstraint"
        | "InvalidParameterValue.SdkAppIdNotExist"
        | "InvalidAction"
        | "NoSuchVersion" => stop(true),
        _ => stop(false),
    }
}

#[derive(Debug, Clone)]
pub struct TencentConfig {
    pub secret_id: String,
    pub secret_key: Secret,
    pub sdk_app_id: String,
    /// `X-TC-Region`; SMS serves from `ap-guangzhou`, `ap-beijing` and `ap-nanjing`.
    pub region: String,
    pub endpoint: String,
    pub timeout: Duration,
}

impl TencentConfig {
    pub fn new(
        secret_id: impl Into<String>,
        secret_key: impl Into<String>,
        sdk_app_id: impl Into<String>,
    ) -> Self {
        TencentConfig {
            secret_id: secret_id.into(),
            secret_key: Secret::new(secret_key),
            sdk_app_id: sdk_app_id.into(),
            region: "ap-guangzhou".to_owned(),
            endpoint: DEFAULT_ENDPOINT.to_owned(),
            timeout: Duration::from_secs(10),
        }
    }
}

http_settings!(TencentConfig);

#[derive(Debug, Clone)]
pub struct TencentSms {
    config: TencentConfig,
    gateway: Gateway,
}

impl TencentSms {
    pub fn new(config: TencentConfig) -> Result<Self> {
        let gateway = Gateway::new(&config.endpoint, config.timeout)?;
        Ok(TencentSms { config, gateway })
    }

    pub fn request_body(&self, msg: &OutgoingSms) -> SendSmsRequest {
        SendSmsRequest {
            phone_number_set: vec![msg.phone.e164()],
            sms_sdk_app_id: self.config.sdk_app_id.clone(),
            sign_name: msg.sign_name.clone(),
            template_id: msg.template_id.clone(),
            template_param_set: msg.ordered_values().into_iter().map(str::to_owned).collect(),
            session_context: msg.idempotency_key.clone(),
        }
    }
}

#[async_trait]
impl SmsProvider for TencentSms {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn send(&self, msg: &OutgoingSms) -> Result<ProviderReceipt, ProviderError> {
        let payload = serde_json::to_vec(&self.request_body(msg))
            .map_err(|e| ProviderError::permanent(NAME, "local.encode", &e.to_string(), false))?;
        let timestamp = Utc::now().timestamp();
        let signed = sign(&Tc3Input {
            secret_id: &self.config.secret_id,
            secret_key: self.config.secret_key.expose(),
            service: SERVICE,
            headers: &[("content-type", CONTENT_TYPE), ("host", &self.gateway.host), ("x-tc-action", ACTION)],
            payload: &payload,
            timestamp,
        })
        .ok_or_else(|| ProviderError::retryable(NAME, "local.clock", "system clock out of range", None))?;
        tracing::debug!(phone = %msg.phone, template = %msg.template_id, key = %msg.idempotency_key, "tencent SendSms");
        let request = self
            .gateway
            .client
            .post(self.gateway.url.clone())
            .header("authorization", signed.authorization)
            .header("content-type", CONTENT_TYPE)
            .header("host", &self.gateway.host)
            .header("x-tc-action", ACTION)
            .header("x-tc-timestamp", timestamp.to_string())
            .header("x-tc-version", VERSION)
            .header("x-tc-region", &self.config.region)
            .body(payload);
        let (_, envelope): (u16, Envelope) = Gateway::exchange(NAME, request).await?;
        let r = envelope.response;
        if let Some(err) = r.error {
            return Err(classify(&err.code, &err.message));
        }
        let Some(first) = r.send_status_set.and_then(|s| s.into_iter().next()) else {
            return Err(ProviderError::retryable(NAME, "unexpected_response", "no SendStatusSet", None));
        };
        if first.code == "Ok" {
            Ok(ProviderReceipt {
                provider: NAME,
                message_id: first.serial_no,
                request_id: r.request_id,
                fee: Some(first.fee),
            })
        } else {
            Err(classify(&first.code, &first.message))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of Tencent Cloud's "Signature v3" (TC3-HMAC-SHA256) document, English
    /// edition (e.g. https://www.tencentcloud.com/document/product/382/40467; a stored copy was
    /// found through the code corpus): CVM DescribeInstances in ap-guangzhou, X-TC-Timestamp
    /// 1551113065, SecretKey `Gu5t9xGARNpq86cd98joQYCN3EXAMPLE` (the SecretId is printed masked,
    /// and it is not part of the signature), payload
    /// `{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}`.
    /// The document publishes the payload hash, the hashed canonical request, and the signature.
    #[test]
    fn published_tc3_example() {
        let payload =
            br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
        assert_eq!(sha256_hex(payload), "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064");
        let signed = sign(&Tc3Input {
            secret_id: "AKID**********************0123456789EXAMPLE",
            secret_key: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
            service: "cvm",
            headers: &[("content-type", CONTENT_TYPE), ("host", "cvm.tencentcloudapi.com")],
            payload,
            timestamp: 1551113065,
        })
        .unwrap();
        assert_eq!(
            signed.canonical_request,
            "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\n\
             content-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        assert_eq!(
            signed.string_to_sign,
            "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n\
             5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
        assert_eq!(
            signed.authorization,
            "TC3-HMAC-SHA256 Credential=AKID**********************0123456789EXAMPLE/2019-02-25/cvm/tc3_request, \
             SignedHeaders=content-type;host, \
             Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
    }

    #[test]
    fn scope_date_is_utc() {
        // 00:44 on the 26th in Beijing is still the 25th in UTC — the document's own warning.
        assert_eq!(scope_date(1551113065).as_deref(), Some("2019-02-25"));
    }

    #[test]
    fn classification() {
        assert_eq!(
            classify("LimitExceeded.PhoneNumberThirtySecondLimit", "").retry_after(),
            Some(Duration::from_secs(30))
        );
        let daily = classify("LimitExceeded.PhoneNumberDailyLimit", "");
        assert!(!daily.is_retryable() && !daily.is_account_wide());
        assert!(classify("RequestLimitExceeded", "").is_retryable());
        assert!(classify("InternalError.Timeout", "").is_retryable());
        assert!(classify("AuthFailure.SignatureFailure", "").is_account_wide());
        assert!(!classify("InvalidParameterValue.IncorrectPhoneNumber", "").is_account_wide());
        assert!(classify("FailedOperation.TemplateIncorrectOrUnapproved", "").is_account_wide());
    }
}
