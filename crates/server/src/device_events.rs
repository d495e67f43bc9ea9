//! What the hall's devices are told at once (the display's and the pad's server-sent event
//! streams, `api/display.rs` and `api/pad.rs`): one `tokio::sync::broadcast` per hall, sent to
//! after the change is stored. Unlike the sync signal (a bare "something changed", `signals`),
//! each message says what changed, because a pad must know *which* ticket to rate; a stream that
//! falls behind the channel's [`CAPACITY`] is told to read its state again (`resync`), so a lost
//! message costs a fetch, never a wrong screen.
//!
//! Also the bound on a device's open streams ([`MAX_STREAMS_PER_DEVICE`]): a page reloading in a
//! loop, or a stolen token, must not hold the server's connections.

use hallkeeper_proto::WindowState;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// Messages a hall's channel holds for its slowest stream before that one lags.
pub const CAPACITY: usize = 64;

/// Open streams per device token: two lets a reloaded page connect before the old connection
/// is noticed closed; a third is refused (429 `device.too_many_streams`).
pub const MAX_STREAMS_PER_DEVICE: usize = 2;

/// One change a device may need to show, in the hall it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum DeviceEvent {
    /// A call (or recall, or a parked ticket called back) was stored: the display's recent
    /// calls now end at `seq`.
    Call { seq: i64 },
    /// A ticket finished at a window (or its terminal asked for a rating, 请评价): the window's
    /// pad shows it for rating.
    RateNow { window_id: String, ticket_id: String },
    /// A window was paused, reopened or closed.
    WindowState { window_id: String, state: WindowState },
}

#[derive(Default)]
pub struct DeviceHub {
    halls: Mutex<HashMap<String, broadcast::Sender<DeviceEvent>>>,
    streams: Arc<Mutex<HashMap<String, usize>>>,
}

/// Held by an open stream; gives its place back when the stream is dropped (the client left,
/// or the server is stopping).
pub struct StreamSlot {
    device_id: String,
    streams: Arc<Mutex<HashMap<String, usize>>>,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut streams = self.streams.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = streams.get_mut(&self.device_id) {
            *n -= 1;
            if *n == 0 {
                streams.remove(&self.device_id);
            }
        }
    }
}

impl DeviceHub {
    fn sender(&self, hall_id: &str) -> broadcast::Sender<DeviceEvent> {
        let mut halls = self.halls.lock().unwrap_or_else(|p| p.into_inner());
        halls.entry(hall_id.to_owned()).or_insert_with(|| broadcast::channel(CAPACITY).0).clone()
    }

    pub fn subscribe(&self, hall_id: &str) -> broadcast::Receiver<DeviceEvent> {
        self.sender(hall_id).subscribe()
    }

    /// Tells the hall's open streams; nobody listening is fine.
    pub fn send(&self, hall_id: &str, event: DeviceEvent) {
        let halls = self.halls.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = halls.get(hall_id) {
            let _ = tx.send(event);
        }
    }

    /// A place for one more stream of this device, or None when it has
    /// [`MAX_STREAMS_PER_DEVICE`] open already.
    pub fn open_stream(&self, device_id: &str) -> Option<StreamSlot> {
        let mut streams = self.streams.lock().unwrap_or_else(|p| p.into_inner());
        let n = streams.entry(device_id.to_owned()).or_default();
        if *n >= MAX_STREAMS_PER_DEVICE {
            return None;
        }
        *n += 1;
        Some(StreamSlot { device_id: device_id.to_owned(), streams: self.streams.clone() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_gets_two_streams_and_its_places_back() {
        let hub = DeviceHub::default();
        let a = hub.open_stream("d1").unwrap();
        let b = hub.open_stream("d1").unwrap();
        assert!(hub.open_stream("d1").is_none(), "a third is refused");
        assert!(hub.open_stream("d2").is_some(), "another device is counted apart");
        drop(a);
        let c = hub.open_stream("d1").expect("a closed stream gives its place back");
        drop((b, c));
        assert!(hub.streams.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn events_reach_the_halls_subscribers_only() {
        let hub = DeviceHub::default();
        hub.send("h1", DeviceEvent::Call { seq: 1 }); // before anyone listens: dropped
        let mut h1 = hub.subscribe("h1");
        let mut h2 = hub.subscribe("h2");
        hub.send("h1", DeviceEvent::Call { seq: 2 });
        assert_eq!(h1.recv().await.unwrap(), DeviceEvent::Call { seq: 2 });
        assert!(h2.try_recv().is_err());
        let json =
            serde_json::to_value(DeviceEvent::RateNow { window_id: "w".into(), ticket_id: "t".into() })
                .unwrap();
        assert_eq!(json, serde_json::json!({ "type": "rate_now", "windowId": "w", "ticketId": "t" }));
    }
}
