//! The server's one error type, answered as `{code, message, field}` with a fitting status.
//! `message` is in Chinese, what a kiosk or caller shows; devices key on `code`, and the log has
//! the English text.

use crate::storage::StorageError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hallkeeper_proto::ErrorBody;
use hallkeeper_queue::QueueError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("missing bearer token")]
    TokenMissing,
    #[error("invalid or revoked token")]
    TokenInvalid,
    #[error("this device may not use this endpoint")]
    WrongDevice,
    /// A session token that was valid once: signed out, revoked, expired, or its account disabled.
    #[error("session expired or revoked")]
    SessionExpired,
    /// A refusal of who the caller is (a wrong password): 401 with the field at fault.
    #[error("{message}")]
    Unauthorized { code: &'static str, message: String, field: Option<String> },
    /// The caller is known but may not do this (`access.forbidden`, `session.account_disabled`…).
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// Too many failed sign-ins: 429 with `Retry-After`.
    #[error("sign-in throttled for {seconds} s")]
    Throttled { seconds: u64 },
    /// Hashing failed, or a stored hash is unreadable: not the caller's fault.
    #[error(transparent)]
    Access(#[from] hallkeeper_access::AccessError),
    #[error("{message}")]
    BadRequest { code: &'static str, message: String, field: Option<String> },
    /// Well-formed, but what it names cannot be done (a call the voice normaliser cannot read).
    #[error("{message}")]
    Unprocessable { code: &'static str, message: String, field: Option<String> },
    #[error("request body over {limit} bytes")]
    TooLarge { limit: usize },
    #[error("{what} not found")]
    NotFound { code: &'static str, what: String },
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error(transparent)]
    Queue(#[from] QueueError),
    /// A queue refusal of an administrator's request: the same code and status as the queue's,
    /// with the field at fault and a sentence written for the supervisor's screen.
    #[error("{source}")]
    QueueRefused { source: QueueError, field: &'static str, message: String },
    /// Too many pairing-code tries from one address (`crate::pairing`): 429 with `Retry-After`.
    #[error("pairing throttled for {seconds} s")]
    PairingThrottled { seconds: u64 },
    /// A device with all its event streams open already (`device_events::MAX_STREAMS_PER_DEVICE`).
    #[error("too many open event streams for this device")]
    TooManyStreams,
    /// The server has no voice pack (it would not have started) or building the audio failed.
    #[error("voice unavailable")]
    VoiceUnavailable,
    #[error("hall {0} has no configuration yet")]
    NotConfigured(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl ApiError {
    pub fn bad(code: &'static str, field: &str, message: impl Into<String>) -> Self {
        Self::BadRequest { code, message: message.into(), field: Some(field.to_owned()) }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::TokenMissing | Self::TokenInvalid => StatusCode::UNAUTHORIZED,
            Self::WrongDevice | Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::SessionExpired | Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Access(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::PairingThrottled { .. } | Self::TooManyStreams => StatusCode::TOO_MANY_REQUESTS,
            Self::Conflict { .. } | Self::NotConfigured(_) => StatusCode::CONFLICT,
            Self::Queue(q) | Self::QueueRefused { source: q, .. } => match q {
                QueueError::TicketNotFound(_) | QueueError::WindowNotFound(_) => StatusCode::NOT_FOUND,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            },
            Self::Storage(StorageError::Conflict(_)) => StatusCode::CONFLICT,
            Self::Storage(StorageError::NotFound(_)) => StatusCode::NOT_FOUND,
            Self::Storage(_) | Self::VoiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::TokenMissing => "auth.token_missing",
            Self::TokenInvalid => "auth.token_invalid",
            Self::WrongDevice => "auth.wrong_device",
            Self::SessionExpired => "auth.session_expired",
            Self::Unauthorized { code, .. } | Self::Forbidden { code, .. } => code,
            Self::Throttled { .. } => "session.throttled",
            Self::PairingThrottled { .. } => "pairing.throttled",
            Self::TooManyStreams => "device.too_many_streams",
            Self::VoiceUnavailable => "voice.unavailable",
            Self::Access(e) => e.code(),
            Self::BadRequest { code, .. }
            | Self::Unprocessable { code, .. }
            | Self::NotFound { code, .. }
            | Self::Conflict { code, .. } => code,
            Self::TooLarge { .. } => "request.too_large",
            Self::Queue(q) | Self::QueueRefused { source: q, .. } => q.code(),
            Self::NotConfigured(_) => "hall.not_configured",
            Self::Storage(StorageError::Conflict(_)) => "storage.conflict",
            Self::Storage(StorageError::NotFound(_)) => "storage.not_found",
            Self::Storage(_) => "storage.unavailable",
        }
    }

    fn field(&self) -> Option<String> {
        match self {
            Self::BadRequest { field, .. }
            | Self::Unprocessable { field, .. }
            | Self::Unauthorized { field, .. } => field.clone(),
            Self::QueueRefused { field, .. } => Some((*field).to_owned()),
            _ => None,
        }
    }

    /// The message in Chinese, for the device's screen.
    fn message_zh(&self) -> String {
        match self {
            Self::TokenMissing => "缺少令牌，请先登录".into(),
            Self::TokenInvalid => "令牌无效或已吊销".into(),
            Self::SessionExpired => "登录已过期或已被注销，请重新登录".into(),
            Self::Unauthorized { message, .. } | Self::Forbidden { message, .. } => message.clone(),
            Self::Throttled { seconds } => format!("登录失败次数过多，请 {seconds} 秒后再试"),
            Self::Access(e) => e.message(),
            Self::WrongDevice => "该设备无权使用此功能".into(),
            Self::BadRequest { message, .. }
            | Self::Unprocessable { message, .. }
            | Self::Conflict { message, .. }
            | Self::QueueRefused { message, .. } => message.clone(),
            Self::PairingThrottled { seconds } => format!("尝试次数过多，请 {seconds} 秒后再试"),
            Self::TooManyStreams => "本设备的实时连接过多，请关闭多余的页面".into(),
            Self::VoiceUnavailable => "语音播报暂不可用".into(),
            Self::TooLarge { limit } => format!("请求内容超过 {limit} 字节"),
            Self::NotFound { what, .. } => format!("未找到{what}"),
            Self::NotConfigured(_) => "本大厅尚未配置窗口和事项".into(),
            Self::Queue(q) => queue_zh(q),
            Self::Storage(StorageError::Conflict(_)) => "记录已存在".into(),
            Self::Storage(StorageError::NotFound(_)) => "记录不存在".into(),
            Self::Storage(_) => "服务器存储暂不可用，请稍后重试".into(),
        }
    }
}

fn queue_zh(q: &QueueError) -> String {
    use hallkeeper_proto::TicketRefusal;
    match q {
        QueueError::TicketNotFound(_) => "未找到该号码".into(),
        QueueError::WindowNotFound(_) => "未找到该窗口".into(),
        QueueError::WindowClosed { .. } => "窗口未开放，不能叫号".into(),
        QueueError::WindowBusy { .. } => "窗口正在办理一个号码，请先办结或过号".into(),
        QueueError::NothingWaiting(_) => "当前没有等候的群众".into(),
        QueueError::NotYourTicket { .. } => "该号码不在本窗口".into(),
        QueueError::InvalidTransition { .. } => "该号码当前状态不允许此操作".into(),
        QueueError::TransferSameTarget(_) => "该号码已在目标窗口或事项".into(),
        QueueError::NothingToMove(_) => "该事项当前没有排队等候的群众".into(),
        QueueError::Refused { refusal, .. } => match refusal {
            TicketRefusal::UnknownMatter => "没有这个事项".into(),
            TicketRefusal::Retired => "该事项已停用".into(),
            TicketRefusal::NoWindow => "该事项暂无办理窗口，请咨询导办人员".into(),
            TicketRefusal::NoOpenWindow { .. } => "办理该事项的窗口暂未开放，请咨询导办人员".into(),
        },
        other => other.to_string(),
    }
}

impl ApiError {
    /// The `{code, message, field}` answer.
    pub fn body(&self) -> ErrorBody {
        ErrorBody { code: self.code().to_owned(), message: self.message_zh(), field: self.field() }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(code = self.code(), "request failed: {self}");
        } else {
            tracing::debug!(code = self.code(), "request refused: {self}");
        }
        let mut response = (status, axum::Json(self.body())).into_response();
        if let Self::Throttled { seconds } | Self::PairingThrottled { seconds } = self {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(seconds));
        }
        response
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: std::net::SocketAddr, source: std::io::Error },
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("configuration: {0}")]
    Config(String),
}
