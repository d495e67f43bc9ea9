//! Tencent Cloud SMS `SendSms` (2021-01-11), TC3-signed, on loopback.
//!
//! Tencent answers HTTP 200 whatever happened: request-level failures as `Response.Error`, and
//! per-number outcomes in `Response.SendStatusSet` (a rate-limited or invalid number is a status
//! there, not an error). A gateway 5xx, when scripted, is a bare `502 Bad Gateway`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use chrono::Utc;

use super::{apply_fault, header, is_mainland_mobile, lock, request_id, AcceptedSms, Books, Imitation};
use crate::provider::constant_time_eq;
use crate::provider::tencent::{
    self as tc3, ApiError, Envelope, ResponseBody, SendSmsRequest, SendStatus, Tc3Input,
};

/// Tencent: "if the difference between the UNIX timestamp and the server time is greater than 5
/// minutes, a signature expiration error may occur."
const MAX_SKEW_SECS: i64 = 5 * 60;

#[derive(Debug, Clone)]
pub struct TencentImitationConfig {
    pub secret_id: String,
    pub secret_key: String,
    pub sdk_app_id: String,
    pub sign_names: Vec<String>,
    /// Approved template ids and their number of parameters.
    pub templates: BTreeMap<String, usize>,
    /// Messages per number per calendar day (Tencent's published default is 2).
    pub daily_limit_per_number: Option<u32>,
    /// One identical message per number per 30 seconds, as Tencent's default.
    pub same_content_30s: bool,
    pub clock_offset: chrono::Duration,
}

impl Default for TencentImitationConfig {
    fn default() -> Self {
        TencentImitationConfig {
            secret_id: "AKID-test".into(),
            secret_key: "test-key".into(),
            sdk_app_id: "1400000001".into(),
            sign_names: vec!["市民中心".into()],
            templates: BTreeMap::from([("100001".into(), 2)]),
            daily_limit_per_number: Some(2),
            same_content_30s: true,
            clock_offset: chrono::Duration::zero(),
        }
    }
}

type Shared =
    super::Shared<TencentImitationConfig, Books<String, HashMap<(String, String, Vec<String>), Instant>>>;

/// A running imitation; stops when dropped.
pub type TencentImitation =
    Imitation<TencentImitationConfig, Books<String, HashMap<(String, String, Vec<String>), Instant>>>;

impl TencentImitation {
    pub async fn start(config: TencentImitationConfig) -> std::io::Result<Self> {
        Imitation::serve(config, |shared| Router::new().fallback(handle).with_state(shared)).await
    }

    pub fn set_daily_limit(&self, limit: Option<u32>) {
        self.config().daily_limit_per_number = limit;
    }

    /// Starts a new day for the rate limits.
    pub fn reset_day(&self) {
        let mut books = self.books();
        books.per_number.clear();
        books.extra.clear();
    }
}

fn reply(body: ResponseBody) -> Response {
    (StatusCode::OK, Json(Envelope { response: body })).into_response()
}

fn error(code: &str, message: &str) -> Response {
    reply(ResponseBody {
        error: Some(ApiError { code: code.to_owned(), message: message.to_owned() }),
        send_status_set: None,
        request_id: request_id().to_lowercase(),
    })
}

fn status(phone: &str, session: &str, code: &str, message: &str, serial: String, fee: u32) -> SendStatus {
    SendStatus {
        serial_no: serial,
        phone_number: phone.to_owned(),
        fee,
        session_context: session.to_owned(),
        code: code.to_owned(),
        message: message.to_owned(),
        iso_code: "CN".to_owned(),
    }
}

struct Authorization {
    secret_id: String,
    date: String,
    service: String,
    signed_headers: Vec<String>,
    signature: String,
}

fn parse_authorization(value: &str) -> Option<Authorization> {
    let rest = value.strip_prefix(tc3::ALGORITHM)?.trim_start();
    let mut fields = HashMap::new();
    for part in rest.split(", ") {
        let (k, v) = part.split_once('=')?;
        fields.insert(k.trim(), v.trim());
    }
    let mut credential = fields.get("Credential")?.split('/');
    let secret_id = credential.next()?.to_owned();
    let date = credential.next()?.to_owned();
    let service = credential.next()?.to_owned();
    if credential.next()? != "tc3_request" {
        return None;
    }
    Some(Authorization {
        secret_id,
        date,
        service,
        signed_headers: fields.get("SignedHeaders")?.split(';').map(str::to_owned).collect(),
        signature: (*fields.get("Signature")?).to_owned(),
    })
}

async fn handle(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    lock(&shared.books).requests += 1;
    if apply_fault(&shared.faults).await {
        return (StatusCode::BAD_GATEWAY, "Bad Gateway").into_response();
    }
    let config = lock(&shared.config).clone();

    let Some(auth) = header(&headers, "authorization").and_then(parse_authorization) else {
        return error("AuthFailure.InvalidAuthorization", "Authorization header is missing or malformed.");
    };
    if auth.secret_id != config.secret_id {
        return error(
            "AuthFailure.SecretIdNotFound",
            "The SecretId is not found, please ensure that your SecretId is correct.",
        );
    }
    if header(&headers, "x-tc-action") != Some(tc3::ACTION) {
        return error("InvalidAction", "The requested action does not exist.");
    }
    if header(&headers, "x-tc-version") != Some(tc3::VERSION) {
        return error("NoSuchVersion", "The requested version does not exist or is not supported.");
    }
    if header(&headers, "x-tc-region").is_none_or(str::is_empty) {
        return error("MissingParameter", "The request is missing a required parameter `Region`.");
    }
    let Some(timestamp) = header(&headers, "x-tc-timestamp").and_then(|t| t.parse::<i64>().ok()) else {
        return error("MissingParameter", "The request is missing a required parameter `Timestamp`.");
    };
    let now = (Utc::now() + config.clock_offset).timestamp();
    if (now - timestamp).abs() > MAX_SKEW_SECS {
        return error(
            "AuthFailure.SignatureExpire",
            &format!("Signature expired. Timestamp received is {timestamp}, server time is {now}."),
        );
    }
    let signed_ok = auth.signed_headers.iter().any(|h| h == "content-type")
        && auth.signed_headers.iter().any(|h| h == "host");
    let mut signed = Vec::new();
    for name in &auth.signed_headers {
        match header(&headers, name) {
            Some(v) => signed.push((name.as_str(), v)),
            None => {
                return error(
                    "AuthFailure.SignatureFailure",
                    &format!("The signed header {name} is missing."),
                )
            }
        }
    }
    let expected = tc3::sign(&Tc3Input {
        secret_id: &auth.secret_id,
        secret_key: &config.secret_key,
        service: tc3::SERVICE,
        headers: &signed,
        payload: &body,
        timestamp,
    });
    let valid = signed_ok
        && auth.service == tc3::SERVICE
        && tc3::scope_date(timestamp).as_deref() == Some(auth.date.as_str())
        && expected.is_some_and(|e| constant_time_eq(e.signature.as_bytes(), auth.signature.as_bytes()));
    if !valid {
        return error(
            "AuthFailure.SignatureFailure",
            "The provided credentials could not be validated. Please check your signature is correct.",
        );
    }
    if !header(&headers, "content-type").is_some_and(|c| c.starts_with("application/json")) {
        return error("InvalidParameter", "Content-Type must be application/json.");
    }

    let Ok(request) = serde_json::from_slice::<SendSmsRequest>(&body) else {
        return error("InvalidParameter", "The request body is not a valid SendSms request.");
    };
    if request.sms_sdk_app_id != config.sdk_app_id {
        return error("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId does not exist.");
    }
    if !config.sign_names.contains(&request.sign_name) {
        return error(
            "FailedOperation.SignatureIncorrectOrUnapproved",
            "The signature is not approved or incorrect.",
        );
    }
    let Some(&param_count) = config.templates.get(&request.template_id) else {
        return error(
            "FailedOperation.TemplateIncorrectOrUnapproved",
            "The template is not approved or incorrect.",
        );
    };
    if request.template_param_set.len() != param_count {
        return error(
            "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
            "The number of template parameters does not match the approved template.",
        );
    }

    let mut books = lock(&shared.books);
    let mut statuses = Vec::new();
    for phone in &request.phone_number_set {
        let session = request.session_context.as_str();
        let national = phone.strip_prefix("+86").unwrap_or(phone);
        if !phone.starts_with("+86") || !is_mainland_mobile(national) {
            statuses.push(status(
                phone,
                session,
                "InvalidParameterValue.IncorrectPhoneNumber",
                "incorrect phone number",
                String::new(),
                0,
            ));
            continue;
        }
        let content = (phone.clone(), request.template_id.clone(), request.template_param_set.clone());
        if config.same_content_30s && books.extra.get(&content).is_some_and(|t| t.elapsed().as_secs() < 30) {
            statuses.push(status(
                phone,
                session,
                "LimitExceeded.PhoneNumberThirtySecondLimit",
                "the number of sms messages sent from a single mobile number within 30 seconds exceeds the upper limit",
                String::new(),
                0,
            ));
            continue;
        }
        let sent = books.per_number.get(phone).copied().unwrap_or(0);
        if config.daily_limit_per_number.is_some_and(|limit| sent >= limit) {
            statuses.push(status(
                phone,
                session,
                "LimitExceeded.PhoneNumberDailyLimit",
                "the number of sms messages sent from a single mobile number every day exceeds the upper limit",
                String::new(),
                0,
            ));
            continue;
        }
        books.per_number.insert(phone.clone(), sent + 1);
        books.extra.insert(content, Instant::now());
        books.serial += 1;
        let serial = format!("2640:{}", 3_358_116_809_169_702_930_u64 + books.serial);
        books.accepted.push(AcceptedSms {
            phone: phone.clone(),
            sign_name: request.sign_name.clone(),
            template_id: request.template_id.clone(),
            params: request
                .template_param_set
                .iter()
                .enumerate()
                .map(|(i, v)| ((i + 1).to_string(), v.clone()))
                .collect(),
            idempotency_key: request.session_context.clone(),
            message_id: serial.clone(),
        });
        statuses.push(status(phone, session, "Ok", "send success", serial, 1));
    }
    reply(ResponseBody {
        error: None,
        send_status_set: Some(statuses),
        request_id: request_id().to_lowercase(),
    })
}
