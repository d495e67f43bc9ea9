//! The server-sent event streams of the hall display (`GET /display/events`) and the rating pad
//! (`GET /pad/events`): the device is authenticated by its extractor before this runs, so an
//! unauthenticated request gets its 401 as JSON and no stream. Each stream takes one of its
//! device's [`MAX_STREAMS_PER_DEVICE`](crate::device_events::MAX_STREAMS_PER_DEVICE) places
//! (429 `device.too_many_streams` beyond), sends what the device must know at once, then each
//! hall event it keeps, with a keep-alive comment every [`KEEP_ALIVE`], and ends when the server
//! stops. A message is a hint to show something now; the device reads its full state with the
//! plain `GET` on connect and on `resync`, so nothing depends on a message surviving a drop.

use crate::api::sync::stopped;
use crate::device_events::{DeviceEvent, StreamSlot};
use crate::error::ApiError;
use crate::AppState;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::Stream;
use hallkeeper_proto::Device;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// A comment this often keeps proxies and the browser's idle timeouts from closing a quiet stream.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

type Keep = Box<dyn Fn(&DeviceEvent) -> bool + Send + Sync>;

/// The stream's SSE event name for a message (its `type`), or `resync` when the stream fell
/// behind and must read its state again.
fn event(message: &DeviceEvent) -> Option<Event> {
    let name = match message {
        DeviceEvent::Call { .. } => "call",
        DeviceEvent::RateNow { .. } => "rate_now",
        DeviceEvent::WindowState { .. } => "window_state",
    };
    Event::default().event(name).json_data(message).ok()
}

/// A place for another stream of this device, or 429.
pub fn slot(state: &AppState, device: &Device) -> Result<StreamSlot, ApiError> {
    state.device_events.open_stream(&device.id).ok_or(ApiError::TooManyStreams)
}

/// The stream: `first` at once, then every hall event `keep` accepts. `events` must have been
/// subscribed before `first` was read, so a change in between is sent, not lost.
pub fn open(
    state: &AppState,
    slot: StreamSlot,
    events: broadcast::Receiver<DeviceEvent>,
    first: Vec<DeviceEvent>,
    keep: impl Fn(&DeviceEvent) -> bool + Send + Sync + 'static,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let follow = Follow {
        _slot: slot,
        events,
        stopping: state.stopping.subscribe(),
        first: first.into(),
        keep: Box::new(keep),
    };
    Sse::new(futures_util::stream::unfold(follow, Follow::next))
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}

struct Follow {
    /// Held for the stream's life: dropping it gives the device's place back.
    _slot: StreamSlot,
    events: broadcast::Receiver<DeviceEvent>,
    stopping: watch::Receiver<bool>,
    first: VecDeque<DeviceEvent>,
    keep: Keep,
}

impl Follow {
    async fn next(mut self) -> Option<(Result<Event, Infallible>, Self)> {
        if let Some(message) = self.first.pop_front() {
            return Some((Ok(event(&message)?), self));
        }
        loop {
            let received = tokio::select! {
                r = self.events.recv() => r,
                () = stopped(&mut self.stopping) => return None,
            };
            match received {
                Ok(message) if (self.keep)(&message) => return Some((Ok(event(&message)?), self)),
                Ok(_) => continue,
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    return Some((Ok(Event::default().event("resync").data("{}")), self));
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}
