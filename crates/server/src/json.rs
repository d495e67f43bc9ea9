//! The JSON body extractor: a size limit, and errors that name the field at fault (unknown
//! fields, bad enum values, wrong types) by its path, e.g. `level` or `target.windowId`.

use crate::error::ApiError;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

/// Device bodies larger than this are refused with 413 before they are parsed.
pub const BODY_LIMIT: usize = 64 * 1024;

/// A hall configuration carries the whole catalog (10,000 matters is about 3 MB).
pub const CONFIG_LIMIT: usize = 16 * 1024 * 1024;

pub struct ApiJson<T, const LIMIT: usize = BODY_LIMIT>(pub T);

impl<S, T, const LIMIT: usize> FromRequest<S> for ApiJson<T, LIMIT>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !json {
            return Err(ApiError::BadRequest {
                code: "request.not_json",
                message: "请求内容须为 JSON（Content-Type: application/json）".into(),
                field: None,
            });
        }
        let bytes = axum::body::to_bytes(req.into_body(), LIMIT)
            .await
            .map_err(|_| ApiError::TooLarge { limit: LIMIT })?;
        parse(&bytes).map(ApiJson)
    }
}

pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let unknown = inner.to_string();
        // The path names the field at fault; for an unknown field at the top level it can be
        // empty, and serde's message names it.
        let field = match unknown.strip_prefix("unknown field `").and_then(|r| r.split('`').next()) {
            Some(name) if path == "." => name.to_owned(),
            _ => path.clone(),
        };
        let code = if inner.is_syntax() || inner.is_eof() {
            "request.malformed_json"
        } else {
            "request.invalid_field"
        };
        let field = (field != "." && code == "request.invalid_field").then_some(field);
        let message = match &field {
            Some(f) => format!("字段 {f} 无效：{inner}"),
            None => format!("JSON 格式错误：{inner}"),
        };
        ApiError::BadRequest { code, message, field }
    })
}
