//! 大屏: the hall display's feed — each window's current number and queue, the latest calls —
//! the announcement of a call as audio, and the stream that says a call was made.

use crate::api::device_stream;
use crate::api::params::{DeviceAs, Display};
use crate::device_events::DeviceEvent;
use crate::error::ApiError;
use crate::halls::RECENT_CALLS;
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::stream::Stream;
use hallkeeper_proto::{DisplayCall, DisplayFeed, DisplayWindow, StarMonth};
use hallkeeper_queue::window_totals;
use std::convert::Infallible;
use std::sync::Arc;

/// How many times an announcement says its sentence when the display does not ask: once.
/// A display asks for 1–3 with `?repeat=N` (its own setting, docs/devices.md), since halls
/// differ in how loud and how large they are and the hall configuration has no such setting.
pub const ANNOUNCE_REPEAT: u32 = 1;

/// The most repeats a display may ask for (docs/voice.md).
pub const MAX_REPEAT: u32 = 3;

/// `repeat` from the announcement's query string: absent is [`ANNOUNCE_REPEAT`]; anything but
/// 1–[`MAX_REPEAT`] is refused with this code and field, not the extractor's text. Other
/// parameters (a cache-busting one, say) are ignored.
fn parse_repeat(query: Option<&str>) -> Result<u32, ApiError> {
    let Some(raw) = query.unwrap_or("").split('&').find_map(|kv| kv.strip_prefix("repeat=")) else {
        return Ok(ANNOUNCE_REPEAT);
    };
    match raw.parse::<u32>() {
        Ok(n) if (1..=MAX_REPEAT).contains(&n) && raw.len() == 1 => Ok(n),
        _ => Err(ApiError::bad(
            "announcement.repeat_invalid",
            "repeat",
            format!("播报次数须为 1–{MAX_REPEAT}"),
        )),
    }
}

/// The month's 服务之星 as a desktop last published them: the `star_month` row keyed by the
/// hall day's month (`YYYY-MM`). The server does not rank anyone (core does, on the desktop);
/// a row it cannot read is treated as none, said in the log (the push checked it, so only a
/// row from another version gets here).
pub(crate) async fn star_month(
    state: &AppState,
    hall_id: &str,
    day: chrono::NaiveDate,
) -> Result<Option<StarMonth>, ApiError> {
    let key = day.format("%Y-%m").to_string();
    let Some(row) = state.storage.sync_row_fields(hall_id, "star_month", &key).await? else {
        return Ok(None);
    };
    let Some(doc) = row.get("document") else { return Ok(None) };
    match serde_json::from_value::<StarMonth>(doc.clone()) {
        Ok(stars) => Ok(Some(stars)),
        Err(e) => {
            tracing::warn!(hall = hall_id, month = %key, "the star_month record is unreadable: {e}");
            Ok(None)
        }
    }
}

pub async fn feed(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Display>,
) -> Result<Json<DisplayFeed>, ApiError> {
    let feed = state
        .halls
        .with(&*state.storage, &device.hall_id, (state.now)(), async |rt| {
            let totals = window_totals(&rt.queue);
            let mut windows: Vec<_> = rt.config.windows.iter().collect();
            windows.sort_by_key(|w| w.position);
            let windows = windows
                .into_iter()
                .map(|w| {
                    let t = totals.iter().find(|t| t.window_id == w.id);
                    DisplayWindow {
                        window_id: w.id.clone(),
                        number: w.number.clone(),
                        name: w.name.clone(),
                        state: w.state,
                        current: rt.queue.current(&w.id).map(|t| t.number.clone()),
                        waiting: t.map_or(0, |t| t.callable),
                    }
                })
                .collect();
            Ok(DisplayFeed {
                hall_name: rt.hall.name.clone(),
                windows,
                recent_calls: rt.recent_calls.iter().take(RECENT_CALLS).cloned().collect(),
                waiting: rt.queue.waiting().count() as u32,
                stars: star_month(&state, &device.hall_id, rt.day).await?,
            })
        })
        .await?;
    Ok(Json(feed))
}

/// A call's sequence number from the path: digits only, so the route's answer for anything
/// else is this code and field, not the extractor's text.
fn parse_seq(raw: &str) -> Result<i64, ApiError> {
    let bad = || ApiError::bad("announcement.seq_invalid", "seq", "叫号序号须为数字");
    if raw.is_empty() || raw.len() > 18 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    raw.parse().map_err(|_| bad())
}

/// The display's field names for the voice normaliser's (a refusal names what the call holds).
fn call_field(voice_field: &str) -> String {
    match voice_field {
        "ticket" => "ticketNumber".into(),
        "window" => "windowNumber".into(),
        other => other.into(),
    }
}

/// `GET /display/announcements/{seq}`: the call's announcement as `audio/wav` — chime, then
/// "[重呼]请A012号到3号窗口办理" `?repeat=` 1–3 times, once by default (docs/voice.md). 404
/// `announcement.not_found` for a sequence number not among the hall's latest
/// [`CALLS_KEPT`](crate::halls::CALLS_KEPT) calls today; 422 with the normaliser's code and the
/// call's field (`ticketNumber`, `windowNumber`) for a call it cannot read.
pub async fn announcement(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Display>,
    Path(seq): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let seq = parse_seq(&seq)?;
    let repeat = parse_repeat(query.as_deref())?;
    let call: DisplayCall = state
        .halls
        .with(&*state.storage, &device.hall_id, (state.now)(), async |rt| {
            rt.recent_calls.iter().find(|c| c.seq == seq).cloned().ok_or_else(|| ApiError::NotFound {
                code: "announcement.not_found",
                what: format!("叫号 {seq}"),
            })
        })
        .await?;
    let pack = state.voice.clone().map_err(|e| {
        tracing::error!("announcement without a voice pack: {e}");
        ApiError::VoiceUnavailable
    })?;
    let spoken = hallkeeper_voice::Call {
        ticket: call.ticket_number.clone(),
        window: call.window_number.clone(),
        recall: call.recall,
        repeat,
    };
    // A few milliseconds of sample copying: off the async workers all the same.
    let wav = tokio::task::spawn_blocking(move || pack.announce(&spoken)).await.map_err(|e| {
        tracing::error!("announcement task failed: {e}");
        ApiError::VoiceUnavailable
    })?;
    let wav = wav.map_err(|e| ApiError::Unprocessable {
        code: e.code(),
        message: format!("叫号 {} 号到 {} 窗口无法播报：{e}", call.ticket_number, call.window_number),
        field: e.field().map(call_field),
    })?;
    // A sequence number's call never changes, so a display may keep the audio.
    Ok(([(header::CONTENT_TYPE, "audio/wav"), (header::CACHE_CONTROL, "private, max-age=86400")], wav)
        .into_response())
}

/// `GET /display/events`: `text/event-stream`. A `call` event (`{"type":"call","seq":N}`) at
/// once with the hall's latest call, if there is one today, then one for every call stored; a
/// `resync` event when the stream fell behind (read the feed again).
pub async fn events(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Display>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let slot = device_stream::slot(&state, &device)?;
    let events = state.device_events.subscribe(&device.hall_id);
    let latest = state
        .halls
        .with(&*state.storage, &device.hall_id, (state.now)(), async |rt| {
            Ok(rt.recent_calls.front().map(|c| c.seq))
        })
        .await?;
    let first = latest.map(|seq| DeviceEvent::Call { seq }).into_iter().collect();
    Ok(device_stream::open(&state, slot, events, first, |e| matches!(e, DeviceEvent::Call { .. })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sequence_number_is_digits() {
        assert_eq!(parse_seq("20261125000003").unwrap(), 20_261_125_000_003);
        for bad in ["", "-1", "1e3", "12a", "+5", "9999999999999999999"] {
            let e = parse_seq(bad).unwrap_err();
            assert_eq!((e.code(), e.status().as_u16()), ("announcement.seq_invalid", 400), "{bad:?}");
        }
    }

    #[test]
    fn a_display_asks_for_one_to_three_repeats() {
        assert_eq!(parse_repeat(None).unwrap(), ANNOUNCE_REPEAT);
        assert_eq!(parse_repeat(Some("v=2")).unwrap(), ANNOUNCE_REPEAT);
        for n in 1..=MAX_REPEAT {
            assert_eq!(parse_repeat(Some(&format!("v=1&repeat={n}"))).unwrap(), n);
        }
        for bad in ["repeat=0", "repeat=4", "repeat=", "repeat=x", "repeat=01", "repeat=-1"] {
            let e = parse_repeat(Some(bad)).unwrap_err();
            assert_eq!((e.code(), e.status().as_u16()), ("announcement.repeat_invalid", 400), "{bad:?}");
        }
    }
}
