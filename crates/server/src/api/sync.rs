//! Sync with the supervisors' desktops (docs/sync.md): a desktop pushes its outbox's operations,
//! pulls the hall's change log, its ticket events and its ratings from its cursors, and keeps a
//! stream open that says when there is something new to pull. The caller is a person signed in on
//! the desktop (`hall.read` in the hall); each pushed operation is then checked against its own
//! author (`SyncOp.author`, required from sync schema 2): the one whose change it is, who may be
//! another person than the one signed in now (changes queued offline).
//!
//! A push is refused whole only when it cannot be read (400), names an unknown hall (404) or
//! speaks another sync schema version (409 `sync.schema_mismatch`). A malformed operation inside
//! a well-formed push is rejected on its own, in the answer's `rejected`, and recorded under its
//! sequence like any rejection: the rest of the batch applies and the desktop's outbox moves on.

use crate::accounts::author_refusals;
use crate::api::check_id;
use crate::api::params::AdminHall;
use crate::audit::AuditDetail;
use crate::error::ApiError;
use crate::json::{ApiJson, CONFIG_LIMIT};
use crate::storage::Storage;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::stream::Stream;
use hallkeeper_proto::{
    EventsPage, PullResponse, PushRequest, RatingsPage, SyncHeads, SYNC_SCHEMA_VERSION, SYNC_VERSION_HEADER,
};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

/// Changes per pull page unless the desktop asks for another size, and the most it may ask for.
pub const PULL_LIMIT_DEFAULT: u32 = 500;
pub const PULL_LIMIT_MAX: u32 = 5000;

/// Ticket events per page unless the desktop asks for another size, and the most it may ask
/// for. Larger than change pages: a first sync pulls a year of events, and events are small.
pub const EVENTS_LIMIT_DEFAULT: u32 = 2000;
pub const EVENTS_LIMIT_MAX: u32 = 10_000;

/// Ratings per page unless the desktop asks for another size, and the most it may ask for. A
/// busy hall gives a few hundred a day; a rating is a few hundred bytes.
pub const RATINGS_LIMIT_DEFAULT: u32 = 1000;
pub const RATINGS_LIMIT_MAX: u32 = 5000;

/// A comment this often keeps proxies and the desktop's idle timeout from closing a quiet stream.
pub const STREAM_KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The least time between two `heads` of one stream: a busy hall stores several events a
/// second, and one pull after a short pause fetches them all.
pub const STREAM_MIN_GAP: Duration = Duration::from_millis(100);

pub async fn push(
    State(state): State<Arc<AppState>>,
    AdminHall { id: hall_id, who, .. }: AdminHall,
    ApiJson(request): ApiJson<PushRequest, CONFIG_LIMIT>,
) -> Result<Response, ApiError> {
    check_id("deviceId", &request.device_id)?;
    same_version(request.schema_version)?;
    // Each operation's author is re-checked now, not when it was queued: a person disabled (or
    // whose role was taken) since gets their queued changes refused, and the rest still apply.
    let refused = author_refusals(state.storage.accounts(), &who, &hall_id, &request.ops).await?;
    let answer =
        state.storage.apply_sync_ops_refusing(&hall_id, &request.device_id, &request.ops, &refused).await?;
    if !request.ops.is_empty() {
        // A push of replays changes nothing; the streams then find the heads unchanged and stay
        // quiet.
        state.signals.notify(&hall_id);
    }
    // The audit entry (written by the guard) names the person pushing and whose changes they
    // carried, so a change attributed to someone else can be traced to the session that sent it.
    let mut authors: Vec<&str> = request.ops.iter().filter_map(|o| o.author.as_deref()).collect();
    authors.sort_unstable();
    authors.dedup();
    let after = serde_json::json!({
        "deviceId": request.device_id,
        "ops": request.ops.len(),
        "rejected": answer.rejected.len(),
        "authors": authors,
    });
    let detail = AuditDetail { target: Some(request.device_id.clone()), before: None, after: Some(after) };
    let mut response = Json(answer).into_response();
    response.extensions_mut().insert(detail);
    Ok(response)
}

/// Refuses a desktop on another sync version, saying which side to upgrade.
fn same_version(theirs: u32) -> Result<(), ApiError> {
    let ours = SYNC_SCHEMA_VERSION;
    if theirs == ours {
        return Ok(());
    }
    let message = if theirs < ours {
        format!("桌面端的同步版本 {theirs} 旧于服务器的 {ours}：请升级桌面端后再同步")
    } else {
        format!("服务器的同步版本 {ours} 旧于桌面端的 {theirs}：请升级服务器后再同步")
    };
    Err(ApiError::Conflict { code: "sync.schema_mismatch", message })
}

/// The version a pull or stream request names in its header; a request without one (a person
/// with curl) is served.
fn header_version(headers: &HeaderMap) -> Result<(), ApiError> {
    match headers.get(SYNC_VERSION_HEADER) {
        None => Ok(()),
        Some(v) => match v.to_str().ok().and_then(|v| v.trim().parse::<u32>().ok()) {
            Some(theirs) => same_version(theirs),
            None => Err(ApiError::bad(
                "request.invalid_field",
                SYNC_VERSION_HEADER,
                format!("{SYNC_VERSION_HEADER} 须为整数"),
            )),
        },
    }
}

/// A cursor from the query string: absent or empty is 0.
fn cursor_param(field: &str, value: Option<&str>) -> Result<i64, ApiError> {
    match value {
        None | Some("") => Ok(0),
        Some(c) => c.parse::<i64>().ok().filter(|c| *c >= 0).ok_or_else(|| {
            ApiError::bad("request.invalid_field", field, format!("{field} 须为不小于 0 的整数"))
        }),
    }
}

/// A page size from the query string: absent or empty is `default`.
fn limit_param(value: Option<&str>, default: u32, max: u32) -> Result<u32, ApiError> {
    match value {
        None | Some("") => Ok(default),
        Some(l) => l.parse::<u32>().ok().filter(|l| (1..=max).contains(l)).ok_or_else(|| {
            ApiError::bad("request.invalid_field", "limit", format!("limit 须为 1–{max} 的整数"))
        }),
    }
}

#[derive(serde::Deserialize)]
pub struct PullQuery {
    cursor: Option<String>,
    limit: Option<String>,
}

pub async fn pull(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    AdminHall { id: hall_id, .. }: AdminHall,
    Query(q): Query<PullQuery>,
) -> Result<Json<PullResponse>, ApiError> {
    header_version(&headers)?;
    let cursor = cursor_param("cursor", q.cursor.as_deref())?;
    let limit = limit_param(q.limit.as_deref(), PULL_LIMIT_DEFAULT, PULL_LIMIT_MAX)?;
    Ok(Json(state.storage.pull_changes(&hall_id, cursor, limit).await?))
}

#[derive(serde::Deserialize)]
pub struct EventsQuery {
    after: Option<String>,
    limit: Option<String>,
}

/// The hall's ticket events after a seq, each as stored: the server passes the event's text
/// through (`RawValue`) instead of parsing and writing it again.
pub async fn events(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    AdminHall { id: hall_id, .. }: AdminHall,
    Query(q): Query<EventsQuery>,
) -> Result<Json<EventsPage>, ApiError> {
    header_version(&headers)?;
    let after = cursor_param("after", q.after.as_deref())?;
    let limit = limit_param(q.limit.as_deref(), EVENTS_LIMIT_DEFAULT, EVENTS_LIMIT_MAX)?;
    let mut page = state.storage.events_after(&hall_id, after, limit).await?;
    if page.has_more {
        page.head = Some(state.storage.sync_heads(&hall_id).await?.event_seq);
    }
    Ok(Json(page))
}

/// The hall's ratings after a seq (one query shape as `events`: `after`, `limit`, `head` while
/// there is more).
pub async fn ratings(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    AdminHall { id: hall_id, .. }: AdminHall,
    Query(q): Query<EventsQuery>,
) -> Result<Json<RatingsPage>, ApiError> {
    header_version(&headers)?;
    let after = cursor_param("after", q.after.as_deref())?;
    let limit = limit_param(q.limit.as_deref(), RATINGS_LIMIT_DEFAULT, RATINGS_LIMIT_MAX)?;
    let mut page = state.storage.ratings_after(&hall_id, after, limit).await?;
    if page.has_more {
        page.head = Some(state.storage.sync_heads(&hall_id).await?.rating_seq);
    }
    Ok(Json(page))
}

/// `text/event-stream`: a `heads` event at once, then one whenever the hall's heads move (a
/// push applied, a ticket event or a rating stored), at most one per [`STREAM_MIN_GAP`], with a keep-alive
/// comment every [`STREAM_KEEP_ALIVE`]. It only says "pull now": a message lost with a dropped
/// connection costs nothing, since the desktop pulls from its cursors when it reconnects.
pub async fn stream(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    AdminHall { id: hall_id, .. }: AdminHall,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    header_version(&headers)?;
    // Subscribed before the heads are read: a change stored in between still wakes the stream.
    let changed = state.signals.subscribe(&hall_id);
    let heads = state.storage.sync_heads(&hall_id).await?;
    let follow = Follow {
        storage: state.storage.clone(),
        hall_id,
        changed,
        stopping: state.stopping.subscribe(),
        first: Some(heads),
        sent: heads,
        sent_at: Instant::now(),
    };
    let stream = futures_util::stream::unfold(follow, Follow::next);
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(STREAM_KEEP_ALIVE)))
}

/// One sync stream's state between its messages.
struct Follow {
    storage: Arc<dyn Storage>,
    hall_id: String,
    changed: watch::Receiver<()>,
    stopping: watch::Receiver<bool>,
    /// The heads read on connect, not sent yet.
    first: Option<SyncHeads>,
    sent: SyncHeads,
    sent_at: Instant,
}

impl Follow {
    /// The next `heads` message, or None to end the stream (the server is stopping, or storage
    /// failed: the desktop reconnects and gets fresh heads).
    async fn next(mut self) -> Option<(Result<Event, Infallible>, Self)> {
        if let Some(heads) = self.first.take() {
            return self.send(heads);
        }
        loop {
            tokio::select! {
                woke = self.changed.changed() => woke.ok()?,
                () = stopped(&mut self.stopping) => return None,
            }
            tokio::select! {
                () = tokio::time::sleep_until(self.sent_at + STREAM_MIN_GAP) => {}
                () = stopped(&mut self.stopping) => return None,
            }
            // What was marked during the pause is in the heads read below.
            self.changed.mark_unchanged();
            match self.storage.sync_heads(&self.hall_id).await {
                Ok(heads) if heads == self.sent => continue,
                Ok(heads) => return self.send(heads),
                Err(e) => {
                    tracing::warn!(hall = %self.hall_id, "sync stream ends, heads not read: {e}");
                    return None;
                }
            }
        }
    }

    fn send(mut self, heads: SyncHeads) -> Option<(Result<Event, Infallible>, Self)> {
        let event = match Event::default().event("heads").json_data(heads) {
            Ok(event) => event,
            Err(e) => {
                tracing::error!(hall = %self.hall_id, "sync stream ends, heads not written: {e}");
                return None;
            }
        };
        self.sent = heads;
        self.sent_at = Instant::now();
        Some((Ok(event), self))
    }
}

/// Resolves once the server is stopping (never, if its state is gone without stopping).
pub(crate) async fn stopped(stopping: &mut watch::Receiver<bool>) {
    while !*stopping.borrow_and_update() {
        if stopping.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// `PUT …/sync/evidence/{sha256}`: an evidence file of a case, its bytes as the body (at most
/// `EVIDENCE_MAX_BYTES`), stored under its SHA-256 only if the content has that hash. 201 when
/// stored now, 204 when already held (a retry, or another PC's copy of the same file), so an
/// upload may be repeated freely (docs/sync.md, "Records").
pub async fn upload(
    State(state): State<Arc<AppState>>,
    AdminHall { id: hall_id, .. }: AdminHall,
    axum::extract::Path((_, sha256)): axum::extract::Path<(String, String)>,
    body: axum::body::Body,
) -> Result<axum::http::StatusCode, ApiError> {
    let limit = hallkeeper_proto::EVIDENCE_MAX_BYTES as usize;
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| ApiError::TooLarge { limit })?;
    crate::sync::records::check_evidence_file(&sha256, &bytes)
        .map_err(|(code, message)| ApiError::bad(code, "sha256", message))?;
    let stored = state.storage.put_evidence(&hall_id, &sha256, &bytes, (state.now)()).await?;
    Ok(if stored { axum::http::StatusCode::CREATED } else { axum::http::StatusCode::NO_CONTENT })
}

/// `GET …/sync/evidence/{sha256}`: the bytes of an evidence file (404 `evidence.not_found` until
/// the PC that attached it has uploaded it).
pub async fn download(
    State(state): State<Arc<AppState>>,
    AdminHall { id: hall_id, .. }: AdminHall,
    axum::extract::Path((_, sha256)): axum::extract::Path<(String, String)>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    match state.storage.evidence(&hall_id, &sha256).await? {
        Some(bytes) => {
            Ok(([(axum::http::header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
        }
        None => Err(ApiError::NotFound { code: "evidence.not_found", what: format!("evidence {sha256}") }),
    }
}
