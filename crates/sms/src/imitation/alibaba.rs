//! Alibaba Cloud dysmsapi `SendSms`, V3-signed, on loopback.
//!
//! Error shapes: business errors come back HTTP 200 with `{"Code","Message","RequestId"}` (as the
//! SendSms API reference shows); gateway errors — signature, credentials, timestamp, nonce,
//! throttling — come back 4xx with `{"RequestId","HostId","Code","Message","Recommend"}`. A payload
//! hash that does not match the body is reported as `SignatureDoesNotMatch`: the hash is part of
//! what is signed.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use percent_encoding::percent_decode_str;
use serde_json::json;

use super::{apply_fault, header, is_mainland_mobile, lock, request_id, AcceptedSms, Books, Imitation};
use crate::provider::alibaba::{self as acs, canonical_query};
use crate::provider::{constant_time_eq, sha256_hex};

const HOST_ID: &str = "dysmsapi.aliyuncs.com";
/// The V3 document: "The timestamp must be within 15 minutes before the request is sent."
const MAX_SKEW_SECS: i64 = 15 * 60;

#[derive(Debug, Clone)]
pub struct AlibabaImitationConfig {
    pub access_key_id: String,
    pub access_key_secret: String,
    /// Approved signature names.
    pub sign_names: Vec<String>,
    /// Approved template codes and the variables each requires.
    pub templates: BTreeMap<String, Vec<String>>,
    /// Notification limit per signature + template + number per day (Alibaba's default is 50).
    pub daily_limit_per_number: Option<u32>,
    /// Added to the imitation's clock, to test timestamp skew.
    pub clock_offset: chrono::Duration,
}

impl Default for AlibabaImitationConfig {
    fn default() -> Self {
        AlibabaImitationConfig {
            access_key_id: "LTAI-test-key".into(),
            access_key_secret: "test-secret".into(),
            sign_names: vec!["市民中心".into()],
            templates: BTreeMap::from([("SMS_100001".into(), vec!["ticket".into(), "window".into()])]),
            daily_limit_per_number: Some(50),
            clock_offset: chrono::Duration::zero(),
        }
    }
}

type Shared = super::Shared<AlibabaImitationConfig, Books<(String, String, String), HashSet<String>>>;

/// A running imitation; stops when dropped.
pub type AlibabaImitation =
    Imitation<AlibabaImitationConfig, Books<(String, String, String), HashSet<String>>>;

impl AlibabaImitation {
    pub async fn start(config: AlibabaImitationConfig) -> std::io::Result<Self> {
        Imitation::serve(config, |shared| Router::new().fallback(handle).with_state(shared)).await
    }

    pub fn set_daily_limit(&self, limit: Option<u32>) {
        self.config().daily_limit_per_number = limit;
    }

    /// Starts a new day for the rate limits.
    pub fn reset_day(&self) {
        self.books().per_number.clear();
    }
}

fn gateway_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({
        "RequestId": request_id(),
        "HostId": HOST_ID,
        "Code": code,
        "Message": message,
        "Recommend": format!("https://api.aliyun.com/troubleshoot?q={code}&product=Dysmsapi"),
    });
    (status, Json(body)).into_response()
}

fn business_error(code: &str, message: &str) -> Response {
    (StatusCode::OK, Json(json!({"RequestId": request_id(), "Code": code, "Message": message})))
        .into_response()
}

fn parse_authorization(value: &str) -> Option<(String, Vec<String>, String)> {
    let rest = value.strip_prefix(acs::ALGORITHM)?.trim_start();
    let mut credential = None;
    let mut signed = None;
    let mut signature = None;
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k {
            "Credential" => credential = Some(v.to_owned()),
            "SignedHeaders" => signed = Some(v.split(';').map(str::to_owned).collect()),
            "Signature" => signature = Some(v.to_owned()),
            _ => {}
        }
    }
    Some((credential?, signed?, signature?))
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    lock(&shared.books).requests += 1;
    if apply_fault(&shared.faults).await {
        return gateway_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "The request processing has failed due to some unknown error, exception or failure.",
        );
    }
    let config = lock(&shared.config).clone();

    let Some((key_id, signed_names, signature)) =
        header(&headers, "authorization").and_then(parse_authorization)
    else {
        return gateway_error(
            StatusCode::BAD_REQUEST,
            "IncompleteSignature",
            "The request signature does not conform to Aliyun standards.",
        );
    };
    if key_id != config.access_key_id {
        return gateway_error(
            StatusCode::NOT_FOUND,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        );
    }
    for required in [
        "host",
        "x-acs-action",
        "x-acs-version",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-acs-content-sha256",
    ] {
        if header(&headers, required).is_none() {
            return gateway_error(
                StatusCode::BAD_REQUEST,
                "MissingParameter",
                &format!("The header {required} is required."),
            );
        }
    }
    // Every x-acs-* header and host must be signed: an unsigned one could be altered in transit.
    let signed_set: HashSet<&str> = signed_names.iter().map(String::as_str).collect();
    let unsigned = headers
        .keys()
        .map(|k| k.as_str())
        .find(|k| (k.starts_with("x-acs-") || *k == "host") && !signed_set.contains(k));
    if let Some(name) = unsigned {
        return gateway_error(
            StatusCode::BAD_REQUEST,
            "IncompleteSignature",
            &format!("The header {name} is not signed."),
        );
    }
    let action = header(&headers, "x-acs-action").unwrap_or_default();
    if action != acs::ACTION {
        return gateway_error(
            StatusCode::NOT_FOUND,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        );
    }
    if header(&headers, "x-acs-version") != Some(acs::VERSION) {
        return gateway_error(
            StatusCode::BAD_REQUEST,
            "InvalidVersion",
            "Specified parameter Version is not valid.",
        );
    }
    let date = header(&headers, "x-acs-date").unwrap_or_default();
    let Ok(sent_at) = DateTime::parse_from_rfc3339(date) else {
        return gateway_error(
            StatusCode::BAD_REQUEST,
            "InvalidTimeStamp.Format",
            "Specified time stamp or date value is not well formatted.",
        );
    };
    let now = Utc::now() + config.clock_offset;
    if (now - sent_at.with_timezone(&Utc)).num_seconds().abs() > MAX_SKEW_SECS {
        return gateway_error(
            StatusCode::BAD_REQUEST,
            "InvalidTimeStamp.Expired",
            "Specified time stamp or date value is expired.",
        );
    }
    let hashed_payload = header(&headers, "x-acs-content-sha256").unwrap_or_default();
    let mut signed_values = BTreeMap::new();
    for name in &signed_names {
        let Some(value) = header(&headers, name) else {
            return gateway_error(
                StatusCode::BAD_REQUEST,
                "IncompleteSignature",
                &format!("The signed header {name} is missing."),
            );
        };
        signed_values.insert(name.to_ascii_lowercase(), value.to_owned());
    }
    let pairs: Vec<(String, String)> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect();
    let (canonical, _) = acs::canonical_request(
        method.as_str(),
        uri.path(),
        &canonical_query(&pairs),
        &signed_values,
        hashed_payload,
    );
    let (expected, _) = acs::signature(&config.access_key_secret, &canonical);
    if !constant_time_eq(expected.as_bytes(), signature.as_bytes()) || sha256_hex(&body) != hashed_payload {
        return gateway_error(
            StatusCode::BAD_REQUEST,
            "SignatureDoesNotMatch",
            "Specified signature does not match our calculation.",
        );
    }
    let nonce = header(&headers, "x-acs-signature-nonce").unwrap_or_default().to_owned();
    if !lock(&shared.books).extra.insert(nonce) {
        return gateway_error(
            StatusCode::BAD_REQUEST,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        );
    }

    let param =
        |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let phone = param("PhoneNumbers");
    let sign_name = param("SignName");
    let template = param("TemplateCode");
    if !is_mainland_mobile(&phone) {
        return business_error("isv.MOBILE_NUMBER_ILLEGAL", "手机号码格式错误");
    }
    if !config.sign_names.contains(&sign_name) {
        return business_error("isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名");
    }
    let Some(required) = config.templates.get(&template) else {
        return business_error("isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板");
    };
    let raw_params = param("TemplateParam");
    let params: BTreeMap<String, String> = if raw_params.is_empty() {
        BTreeMap::new()
    } else {
        match serde_json::from_str(&raw_params) {
            Ok(p) => p,
            Err(_) => return business_error("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值"),
        }
    };
    if let Some(missing) = required.iter().find(|v| !params.contains_key(*v)) {
        return business_error("isv.TEMPLATE_MISSING_PARAMETERS", &format!("模版缺少变量: {missing}"));
    }

    let mut books = lock(&shared.books);
    let count = books.per_number.entry((phone.clone(), sign_name.clone(), template.clone())).or_default();
    if let Some(limit) = config.daily_limit_per_number {
        if *count >= limit {
            return business_error("isv.BUSINESS_LIMIT_CONTROL", &format!("触发天级流控Permits:{limit}"));
        }
    }
    *count += 1;
    books.serial += 1;
    let biz_id = format!("{}^{}", 9_006_197_469_364_984_400_u64 + books.serial, books.serial);
    books.accepted.push(AcceptedSms {
        phone,
        sign_name,
        template_id: template,
        params: params.into_iter().collect(),
        idempotency_key: param("OutId"),
        message_id: biz_id.clone(),
    });
    (StatusCode::OK, Json(json!({"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": request_id()})))
        .into_response()
}
