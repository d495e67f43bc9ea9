//! The one error of talking to the server, and the one classifier of its answers: a success is
//! read as the JSON the call expects, anything else becomes [`ClientError::Refused`] with the
//! server's `{code, message, field}` body when it sent one. The admin calls and sync both read
//! their answers here.

use hallkeeper_core::proto::{ErrorBody, Locale};
use hallkeeper_core::FailureCode;
use serde::de::DeserializeOwned;

/// How much of an error answer that is not the server's error body is kept to say what came.
const TEXT_KEPT: usize = 500;

/// Why a call to the server (or a sync step around one) did not go through.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server's address is not a URL: no request was made. Sync keeps trying, as for an
    /// unreachable server, and its status names the address.
    #[error("the central server's address {url:?} is not a URL")]
    BadUrl { url: String },
    /// No answer, or no whole one (connection refused, cut, timed out): try again later.
    #[error("cannot reach the central server at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    /// The server answered with an error status. `code`, `message` and `field` are its error
    /// body when it sent one; without one `code` is None and `message` the start of what came.
    /// A 4xx refuses the request itself (another sync version, a wrong token, a hall it does
    /// not know): retrying will not help until something changes. Anything else (5xx) is the
    /// server failing: try again later.
    #[error("the central server at {url} answered {status}: {message}{}", code_suffix(code))]
    Refused { url: String, status: u16, code: Option<String>, message: String, field: Option<String> },
    /// A success whose body is not what the call expects: try again later.
    #[error("the central server at {url} answered {status} with something unreadable: {detail}")]
    Unreadable { url: String, status: u16, detail: String },
    /// The local store failed around a sync step.
    #[error(transparent)]
    Store(#[from] hallkeeper_core::Error),
    #[error("a background task failed: {0}")]
    Task(String),
}

fn code_suffix(code: &Option<String>) -> String {
    code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default()
}

/// Reads one answer (`status`, `body`) from `url`: a 2xx as the JSON `T`, anything else as
/// [`refusal`].
pub fn read_answer<T: DeserializeOwned>(url: &str, status: u16, body: &[u8]) -> Result<T, ClientError> {
    if !is_success(status) {
        return Err(refusal(url, status, body));
    }
    serde_json::from_slice(body).map_err(|e| ClientError::Unreadable {
        url: url.to_owned(),
        status,
        detail: e.to_string(),
    })
}

/// An error answer as [`ClientError::Refused`], with the server's `{code, message, field}` when
/// the body is one.
pub fn refusal(url: &str, status: u16, body: &[u8]) -> ClientError {
    let (code, message, field) = match serde_json::from_slice::<ErrorBody>(body) {
        Ok(said) => (Some(said.code), said.message, said.field),
        Err(_) => (None, String::from_utf8_lossy(body).chars().take(TEXT_KEPT).collect(), None),
    };
    ClientError::Refused { url: url.to_owned(), status, code, message, field }
}

pub(crate) fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

impl ClientError {
    pub(crate) fn unreachable(url: &str, e: impl std::fmt::Display) -> Self {
        ClientError::Unreachable { url: url.to_owned(), reason: e.to_string() }
    }

    /// The server refused the request itself (a 4xx).
    pub fn is_refusal(&self) -> bool {
        matches!(self, ClientError::Refused { status: 400..=499, .. })
    }

    /// Whether trying again later may succeed on its own.
    pub fn retryable(&self) -> bool {
        match self {
            ClientError::Store(e) => {
                matches!(e, hallkeeper_core::Error::Busy | hallkeeper_core::Error::SyncGap { .. })
            }
            other => !other.is_refusal(),
        }
    }

    /// The server's own `{code, message, field}` when it refused with one.
    pub fn server_error(&self) -> Option<ErrorBody> {
        match self {
            ClientError::Refused { code: Some(code), message, field, .. } => {
                Some(ErrorBody { code: code.clone(), message: message.clone(), field: field.clone() })
            }
            _ => None,
        }
    }

    /// The code a failed sync step is known by (the sync status, "sync now").
    pub fn code(&self) -> String {
        match self {
            ClientError::BadUrl { .. } | ClientError::Unreachable { .. } => {
                FailureCode::SyncUnreachable.as_str().into()
            }
            ClientError::Refused { status, code, .. } if self.is_refusal() => {
                code.clone().unwrap_or_else(|| format!("http.{status}"))
            }
            ClientError::Refused { .. } | ClientError::Unreadable { .. } => {
                FailureCode::SyncServerError.as_str().into()
            }
            ClientError::Store(e) => e.code().into(),
            ClientError::Task(_) => FailureCode::SyncTaskFailed.as_str().into(),
        }
    }

    /// A failed sync step for the supervisor, in their language (the sentences are core's).
    pub fn message(&self, locale: Locale) -> String {
        use hallkeeper_core::notices;
        let said = match self {
            ClientError::BadUrl { url } | ClientError::Unreachable { url, .. } => {
                notices::sync_unreachable(locale, url)
            }
            // The server's own message is already in Chinese.
            ClientError::Refused { message, .. } if self.is_refusal() && locale == Locale::ZhCn => {
                Some(message.clone())
            }
            ClientError::Refused { .. } if self.is_refusal() => None,
            ClientError::Refused { status, .. } | ClientError::Unreadable { status, .. } => {
                notices::sync_server_error(locale, *status)
            }
            ClientError::Store(e) => Some(e.message(locale)),
            ClientError::Task(_) => None,
        };
        said.unwrap_or_else(|| self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const URL: &str = "http://127.0.0.1:8720/api/v1/admin/halls/h1/config";

    fn refused(status: u16, body: &str) -> ClientError {
        match read_answer::<Value>(URL, status, body.as_bytes()) {
            Ok(v) => panic!("{status} {body} read as a success: {v}"),
            Err(e) => e,
        }
    }

    #[test]
    fn a_code_and_message_body_is_the_servers_refusal() {
        let e = refused(404, r#"{"code":"hall.not_found","message":"没有这个大厅","field":null}"#);
        assert!(
            matches!(
                &e,
                ClientError::Refused { status: 404, code: Some(c), message, field: None, .. }
                    if c == "hall.not_found" && message == "没有这个大厅"
            ),
            "{e:?}"
        );
        assert!(e.is_refusal() && !e.retryable());
        let said = e.server_error();
        assert_eq!(
            said.as_ref().map(|b| (b.code.as_str(), b.message.as_str())),
            Some(("hall.not_found", "没有这个大厅"))
        );
        assert_eq!(e.code(), "hall.not_found");
        assert_eq!(e.message(Locale::ZhCn), "没有这个大厅");

        // Without `field`, and with the field the server blames.
        let e = refused(409, r#"{"code":"queue.window_closed","message":"窗口已暂停"}"#);
        assert_eq!(e.server_error().map(|b| b.field), Some(None));
        let e = refused(400, r#"{"code":"queue.nothing_to_move","message":"没有","field":"matterId"}"#);
        assert_eq!(e.server_error().and_then(|b| b.field).as_deref(), Some("matterId"));
    }

    #[test]
    fn a_body_that_is_not_json_is_kept_as_text_without_a_code() {
        let e = refused(401, "<html>Unauthorized</html>");
        assert!(
            matches!(
                &e,
                ClientError::Refused { status: 401, code: None, message, .. } if message == "<html>Unauthorized</html>"
            ),
            "{e:?}"
        );
        assert_eq!(e.server_error(), None);
        assert_eq!(e.code(), "http.401");
        assert!(!e.retryable());
        // JSON, but not the error body.
        assert_eq!(refused(400, r#"{"error":"nope"}"#).server_error(), None);
        let long = "x".repeat(2000);
        assert!(
            matches!(refused(400, &long), ClientError::Refused { message, .. } if message.len() == TEXT_KEPT)
        );
    }

    #[test]
    fn an_empty_body_is_a_refusal_without_words_or_an_unreadable_success() {
        let e = refused(403, "");
        assert!(
            matches!(&e, ClientError::Refused { status: 403, code: None, message, .. } if message.is_empty())
        );
        assert_eq!(e.code(), "http.403");
        let e = refused(200, "");
        assert!(matches!(e, ClientError::Unreadable { status: 200, .. }), "{e:?}");
        assert!(e.retryable());
        assert_eq!(e.code(), "sync.server_error");
        let read: Result<Value, _> = read_answer(URL, 200, br#"{"moved":2}"#);
        assert_eq!(read.ok(), Some(serde_json::json!({ "moved": 2 })));
    }

    #[test]
    fn a_5xx_is_the_server_failing_and_worth_retrying() {
        let e = refused(503, "Service Unavailable");
        assert!(!e.is_refusal() && e.retryable(), "{e:?}");
        assert_eq!(e.code(), "sync.server_error");
        assert!(e.message(Locale::ZhCn).contains("503"), "{}", e.message(Locale::ZhCn));
        // Its error body is still the server's word.
        let e = refused(500, r#"{"code":"internal","message":"服务器内部错误"}"#);
        assert!(e.retryable());
        assert_eq!(e.server_error().map(|b| b.code).as_deref(), Some("internal"));
        assert_eq!(e.code(), "sync.server_error");
        assert!(refusal(URL, 302, b"").retryable(), "a redirect not followed is not a refusal");
    }

    #[test]
    fn no_answer_and_a_bad_address_are_worth_retrying_in_the_supervisors_words() {
        let e = ClientError::unreachable(URL, "connection refused");
        assert!(e.retryable());
        assert_eq!(e.code(), "sync.unreachable");
        assert!(e.message(Locale::ZhCn).contains("连不上"), "{}", e.message(Locale::ZhCn));
        let e = ClientError::BadUrl { url: "not a url".into() };
        assert!(e.retryable());
        assert_eq!(e.code(), "sync.unreachable");
        assert!(e.message(Locale::EnUs).contains("not a url"), "{}", e.message(Locale::EnUs));
    }
}
