//! "Something new in this hall": one `tokio::sync::watch` per hall, marked after a sync push
//! commits, after a ticket event is stored and after a rating is stored, watched by the hall's sync streams
//! (`api/sync.rs`). A watch keeps no queue, only "changed since you last looked", so a burst of
//! changes wakes a slow stream once, and a stream never holds back the writer that marks it.
//! The mark carries nothing: a stream reads the hall's heads from storage when it wakes.

use std::collections::HashMap;
use std::sync::Mutex;
use tokio::sync::watch;

#[derive(Default)]
pub struct HallSignals {
    halls: Mutex<HashMap<String, watch::Sender<()>>>,
}

impl HallSignals {
    /// The hall's sender, made on first use and kept (one per hall the server has seen), so
    /// every stream and writer of the hall share it.
    pub fn sender(&self, hall_id: &str) -> watch::Sender<()> {
        let mut halls = self.halls.lock().unwrap_or_else(|p| p.into_inner());
        halls.entry(hall_id.to_owned()).or_insert_with(|| watch::channel(()).0).clone()
    }

    /// A receiver that wakes at the hall's next mark.
    pub fn subscribe(&self, hall_id: &str) -> watch::Receiver<()> {
        self.sender(hall_id).subscribe()
    }

    pub fn notify(&self, hall_id: &str) {
        let halls = self.halls.lock().unwrap_or_else(|p| p.into_inner());
        // No sender yet means nobody has subscribed: nobody to tell.
        if let Some(tx) = halls.get(hall_id) {
            tx.send_modify(|_| ());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn marks_reach_the_halls_subscribers_and_coalesce() {
        let signals = HallSignals::default();
        signals.notify("h1"); // before anyone listens: dropped, harmlessly
        let mut h1 = signals.subscribe("h1");
        let mut h2 = signals.subscribe("h2");
        assert!(!h1.has_changed().unwrap());
        for _ in 0..5 {
            signals.notify("h1");
        }
        signals.sender("h1").send_modify(|_| ());
        assert!(h1.has_changed().unwrap());
        h1.changed().await.unwrap();
        assert!(!h1.has_changed().unwrap(), "six marks, one wake-up");
        assert!(!h2.has_changed().unwrap(), "another hall's marks are not this one's");
        signals.notify("h2");
        h2.changed().await.unwrap();
    }
}
