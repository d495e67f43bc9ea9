//! Alibaba Cloud SMS (dysmsapi, API version 2017-05-25), `SendSms`, signed with V3
//! (`ACS3-HMAC-SHA256`).
//!
//! The signing follows "Request syntax and signature method V3"
//! (https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature),
//! and is tested against that page's worked example. `SendSms` is an RPC-style API, so its
//! parameters travel in the query string and the body is empty.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Deserialize;

use super::{
    hmac_sha256, http_settings, random_hex, sha256_hex, Gateway, OutgoingSms, ProviderError, ProviderReceipt,
    Secret, SmsProvider,
};
use crate::error::Result;

pub const NAME: &str = "alibaba";
pub const DEFAULT_ENDPOINT: &str = "https://dysmsapi.aliyuncs.com";
pub const ACTION: &str = "SendSms";
pub const VERSION: &str = "2017-05-25";
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// RFC 3986 unreserved characters stay; everything else is `%XX` (space → `%20`, `*` → `%2A`),
/// as the V3 document requires.
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

pub fn percent_encode(s: &str) -> String {
    utf8_percent_encode(s, RFC3986).to_string()
}

/// `CanonicalQueryString`: parameters sorted by name, names and values RFC 3986-encoded.
pub fn canonical_query(params: &[(String, String)]) -> String {
    let mut encoded: Vec<(String, String)> =
        params.iter().map(|(k, v)| (percent_encode(k), percent_encode(v))).collect();
    encoded.sort();
    encoded.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

/// Everything a V3 signature covers.
#[derive(Debug, Clone)]
pub struct Acs3Input<'a> {
    pub method: &'a str,
    /// `host` as sent, port included when not the default.
    pub host: &'a str,
    /// `CanonicalURI`: `/` for RPC-style APIs.
    pub path: &'a str,
    pub query: &'a [(String, String)],
    pub body: &'a [u8],
    pub action: &'a str,
    pub version: &'a str,
    /// `x-acs-date`, `yyyy-MM-ddTHH:mm:ssZ` in UTC.
    pub date: &'a str,
    pub nonce: &'a str,
    pub access_key_id: &'a str,
    pub access_key_secret: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acs3Signed {
    pub canonical_request: String,
    pub string_to_sign: String,
    pub signature: String,
    pub authorization: String,
    /// Lower-case header names and values to send (Authorization included).
    pub headers: Vec<(String, String)>,
}

/// Builds the canonical request from already-canonical parts; shared with the imitation, which
/// rebuilds it from what arrived.
pub fn canonical_request(
    method: &str,
    path: &str,
    canonical_query: &str,
    signed: &BTreeMap<String, String>,
    hashed_payload: &str,
) -> (String, String) {
    let canonical_headers: String = signed.iter().map(|(k, v)| format!("{k}:{}\n", v.trim())).collect();
    let signed_headers = signed.keys().cloned().collect::<Vec<_>>().join(";");
    (
        format!(
            "{method}\n{path}\n{canonical_query}\n{canonical_headers}\n{signed_headers}\n{hashed_payload}"
        ),
        signed_headers,
    )
}

/// `HexEncode(HMAC-SHA256(secret, "ACS3-HMAC-SHA256\n" + HexEncode(SHA256(CanonicalRequest))))`.
pub fn signature(secret: &str, canonical_request: &str) -> (String, String) {
    let string_to_sign = format!("{ALGORITHM}\n{}", sha256_hex(canonical_request.as_bytes()));
    (hex::encode(hmac_sha256(secret.as_bytes(), string_to_sign.as_bytes())), string_to_sign)
}

/// Signs a request; pure, so that the published example can be replayed byte for byte.
pub fn sign(input: &Acs3Input<'_>) -> Acs3Signed {
    let hashed_payload = sha256_hex(input.body);
    let signed: BTreeMap<String, String> = [
        ("host", input.host),
        ("x-acs-action", input.action),
        ("x-acs-content-sha256", hashed_payload.as_str()),
        ("x-acs-date", input.date),
        ("x-acs-signature-nonce", input.nonce),
        ("x-acs-version", input.version),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let (canonical_request, signed_headers) =
        canonical_request(input.method, input.path, &canonical_query(input.query), &signed, &hashed_payload);
    let (signature, string_to_sign) = signature(input.access_key_secret, &canonical_request);
    let authorization = format!(
        "{ALGORITHM} Credential={},SignedHeaders={signed_headers},Signature={signature}",
        input.access_key_id
    );
    let mut headers: Vec<(String, String)> = signed.into_iter().collect();
    headers.push(("authorization".to_owned(), authorization.clone()));
    Acs3Signed { canonical_request, string_to_sign, signature, authorization, headers }
}

/// The `SendSms` query parameters for `msg`.
pub fn send_sms_query(msg: &OutgoingSms) -> Vec<(String, String)> {
    let mut q = vec![
        ("PhoneNumbers".to_owned(), msg.phone.expose().to_owned()),
        ("SignName".to_owned(), msg.sign_name.clone()),
        ("TemplateCode".to_owned(), msg.template_id.clone()),
        ("OutId".to_owned(), msg.idempotency_key.clone()),
    ];
    if !msg.params.is_empty() {
        let named: BTreeMap<&str, &str> = msg.params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        // A map of strings always serialises.
        q.push(("TemplateParam".to_owned(), serde_json::to_string(&named).unwrap_or_default()));
    }
    q
}

/// Both success and business errors come back in this shape (HTTP 200); gateway errors
/// (signature, throttling, credentials) add `HostId` and `Recommend` with a 4xx status.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendSmsResponse {
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub biz_id: Option<String>,
    #[serde(default)]
    pub request_id: String,
}

/// Sorts an Alibaba answer into retry or stop.
///
/// `isv.BUSINESS_LIMIT_CONTROL` is flow control, but which one matters: its message names the
/// window (`触发分钟级流控`, `…小时级…`, `…天级…`). A minute or hour window is worth retrying after it
/// passes; a day window is not — a queue reminder that can only go out tomorrow is worthless, and
/// retrying only burns requests — so it is permanent for this message (not for the account).
pub fn classify(code: &str, message: &str, http_status: u16) -> ProviderError {
    let retry =
        |after: Option<u64>| ProviderError::retryable(NAME, code, message, after.map(Duration::from_secs));
    let stop = |account_wide| ProviderError::permanent(NAME, code, message, account_wide);
    match code {
        "isv.BUSINESS_LIMIT_CONTROL" if message.contains("分钟级") => retry(Some(60)),
        "isv.BUSINESS_LIMIT_CONTROL" if message.contains("小时级") => retry(Some(3600)),
        "isv.BUSINESS_LIMIT_CONTROL" => stop(false),
        c if c.starts_with("Throttling") => retry(Some(1)),
        "isp.SYSTEM_ERROR" | "InternalError" | "ServiceUnavailable" | "SignatureNonceUsed" => retry(None),
        "SignatureDoesNotMatch"
        | "IncompleteSignature"
        | "InvalidTimeStamp.Expired"
        | "isv.SMS_SIGNATURE_ILLEGAL"
        | "isv.SMS_SIGN_ILLEGAL"
        | "isv.SMS_TEMPLATE_ILLEGAL"
        | "isv.OUT_OF_SERVICE"
        | "isv.PRODUCT_UN_SUBSCRIPT"
        | "isv.PRODUCT_UNSUBSCRIBE"
        | "isv.ACCOUNT_NOT_EXISTS"
        | "isv.ACCOUNT_ABNORMAL"
        | "isv.AMOUNT_NOT_ENOUGH"
        | "isv.DAY_LIMIT_CONTROL"
        | "isp.RAM_PERMISSION_DENY" => stop(true),
        c if c.starts_with("InvalidAccessKeyId") || c.starts_with("Forbidden") => stop(true),
        "isv.MOBILE_NUMBER_ILLEGAL"
        | "isv.MOBILE_COUNT_OVER_LIMIT"
        | "isv.TEMPLATE_MISSING_PARAMETERS"
        | "isv.INVALID_JSON_PARAM"
        | "isv.INVALID_PARAMETERS"
        | "isv.BLACK_KEY_CONTROL_LIMIT"
        | "isv.PARAM_LENGTH_LIMIT"
        | "isv.PARAM_NOT_SUPPORT_URL" => stop(false),
        _ if http_status >= 500 => retry(None),
        _ => stop(false),
    }
}

#[derive(Debug, Clone)]
pub struct AlibabaConfig {
    pub access_key_id: String,
    pub access_key_secret: Secret,
    /// `https://dysmsapi.aliyuncs.com` in production; a loopback URL in tests.
    pub endpoint: String,
    pub timeout: Duration,
}

impl AlibabaConfig {
    pub fn new(access_key_id: impl Into<String>, access_key_secret: impl Into<String>) -> Self {
        AlibabaConfig {
            access_key_id: access_key_id.into(),
            access_key_secret: Secret::new(access_key_secret),
            endpoint: DEFAULT_ENDPOINT.to_owned(),
            timeout: Duration::from_secs(10),
        }
    }
}

http_settings!(AlibabaConfig);

#[derive(Debug, Clone)]
pub struct AlibabaSms {
    config: AlibabaConfig,
    gateway: Gateway,
}

impl AlibabaSms {
    pub fn new(config: AlibabaConfig) -> Result<Self> {
        let gateway = Gateway::new(&config.endpoint, config.timeout)?;
        Ok(AlibabaSms { config, gateway })
    }
}

#[async_trait]
impl SmsProvider for AlibabaSms {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn send(&self, msg: &OutgoingSms) -> Result<ProviderReceipt, ProviderError> {
        let query = send_sms_query(msg);
        let date = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let nonce = random_hex(16)
            .map_err(|e| ProviderError::retryable(NAME, "local.randomness", &e.to_string(), None))?;
        let signed = sign(&Acs3Input {
            method: "POST",
            host: &self.gateway.host,
            path: "/",
            query: &query,
            body: b"",
            action: ACTION,
            version: VERSION,
            date: &date,
            nonce: &nonce,
            access_key_id: &self.config.access_key_id,
            access_key_secret: self.config.access_key_secret.expose(),
        });
        let mut url = self.gateway.url.clone();
        url.set_path("/");
        // The exact string that was signed; `set_query` leaves `%XX` and unreserved characters
        // alone, so the server sees the same bytes.
        url.set_query(Some(&canonical_query(&query)));
        let mut request = self.gateway.client.post(url);
        for (name, value) in &signed.headers {
            request = request.header(name, value);
        }
        tracing::debug!(phone = %msg.phone, template = %msg.template_id, key = %msg.idempotency_key, "alibaba SendSms");
        let (status, parsed): (u16, SendSmsResponse) = Gateway::exchange(NAME, request).await?;
        if parsed.code == "OK" && (200..300).contains(&status) {
            return Ok(ProviderReceipt {
                provider: NAME,
                message_id: parsed.biz_id.unwrap_or_default(),
                request_id: parsed.request_id,
                fee: None,
            });
        }
        Err(classify(&parsed.code, &parsed.message, status))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone::Phone;

    /// The worked example of "Request syntax and signature method V3",
    /// https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature
    /// (ECS RunInstances; AccessKeyId `YourAccessKeyId`, secret `YourAccessKeySecret`,
    /// x-acs-date 2023-10-26T10:22:32Z, nonce 3156853299f313e23d1673dc12e1703d). The page prints
    /// the canonical headers, the hashed canonical request and the final Authorization header.
    #[test]
    fn published_v3_example() {
        let query = vec![
            ("ImageId".to_owned(), "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd".to_owned()),
            ("RegionId".to_owned(), "cn-shanghai".to_owned()),
        ];
        let signed = sign(&Acs3Input {
            method: "POST",
            host: "ecs.cn-shanghai.aliyuncs.com",
            path: "/",
            query: &query,
            body: b"",
            action: "RunInstances",
            version: "2014-05-26",
            date: "2023-10-26T10:22:32Z",
            nonce: "3156853299f313e23d1673dc12e1703d",
            access_key_id: "YourAccessKeyId",
            access_key_secret: "YourAccessKeySecret",
        });
        assert_eq!(
            signed.canonical_request,
            "POST\n/\nImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai\n\
             host:ecs.cn-shanghai.aliyuncs.com\n\
             x-acs-action:RunInstances\n\
             x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
             x-acs-date:2023-10-26T10:22:32Z\n\
             x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\n\
             x-acs-version:2014-05-26\n\n\
             host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            signed.string_to_sign,
            "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
        );
        assert_eq!(
            signed.authorization,
            "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,\
             SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,\
             Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
        );
    }

    #[test]
    fn rfc3986_encoding() {
        assert_eq!(percent_encode("a b*c~d"), "a%20b%2Ac~d");
        assert_eq!(percent_encode("【签】"), "%E3%80%90%E7%AD%BE%E3%80%91");
        assert_eq!(percent_encode(r#"{"a":"1"}"#), "%7B%22a%22%3A%221%22%7D");
    }

    #[test]
    fn query_carries_named_params_and_out_id() {
        let msg = OutgoingSms {
            phone: Phone::parse("13812345678").unwrap(),
            sign_name: "市民中心".into(),
            template_id: "SMS_1".into(),
            params: vec![("window".into(), "5".into()), ("ticket".into(), "A1".into())],
            text: String::new(),
            idempotency_key: "row-9".into(),
        };
        let q = send_sms_query(&msg);
        assert!(q.contains(&("TemplateParam".into(), r#"{"ticket":"A1","window":"5"}"#.into())));
        assert!(q.contains(&("OutId".into(), "row-9".into())));
        assert!(q.contains(&("PhoneNumbers".into(), "13812345678".into())));
    }

    #[test]
    fn classification() {
        assert_eq!(
            classify("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1", 200).retry_after(),
            Some(Duration::from_secs(60))
        );
        assert!(classify("isv.BUSINESS_LIMIT_CONTROL", "触发小时级流控Permits:5", 200).is_retryable());
        let day = classify("isv.BUSINESS_LIMIT_CONTROL", "触发天级流控Permits:10", 200);
        assert!(!day.is_retryable() && !day.is_account_wide());
        assert!(!classify("isv.MOBILE_NUMBER_ILLEGAL", "", 200).is_retryable());
        assert!(!classify("isv.TEMPLATE_MISSING_PARAMETERS", "", 200).is_account_wide());
        assert!(
            classify("Throttling.User", "Request was denied due to user flow control.", 400).is_retryable()
        );
        assert!(classify("SignatureDoesNotMatch", "", 400).is_account_wide());
        assert!(classify("InvalidAccessKeyId.NotFound", "", 404).is_account_wide());
        assert!(classify("Whatever", "", 503).is_retryable());
        assert!(!classify("Whatever", "", 400).is_retryable());
    }
}
