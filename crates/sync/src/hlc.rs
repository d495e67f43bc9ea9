//! A hybrid logical clock (HLC): wall-clock milliseconds plus a counter, with the device id as
//! the last tie-break. It orders edits made on different PCs by when they were made, never runs
//! backwards when a PC's clock does, and moves past every timestamp it has seen, so an edit made
//! after seeing another always orders after it. Sync resolves conflicts per field by it
//! (docs/sync.md).

use std::cmp::Ordering;
use std::fmt;

/// One HLC timestamp. Orders by (millis, counter, device).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Hlc {
    pub millis: i64,
    pub counter: u32,
    pub device: String,
}

impl Ord for Hlc {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.millis, self.counter, &self.device).cmp(&(other.millis, other.counter, &other.device))
    }
}

impl PartialOrd for Hlc {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Hlc {
    /// Fixed-width, so the text sorts as the timestamp does: `000001764034200000-00000-<device>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:018}-{:05}-{}", self.millis, self.counter, self.device)
    }
}

impl Hlc {
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.splitn(3, '-');
        let millis = parts.next()?.parse().ok()?;
        let counter = parts.next()?.parse().ok()?;
        let device = parts.next()?.to_owned();
        (!device.is_empty()).then_some(Self { millis, counter, device })
    }

    /// The next timestamp for a local event at wall-clock `now_millis`, after `last`.
    pub fn tick(last: Option<&Hlc>, now_millis: i64, device: &str) -> Hlc {
        match last {
            Some(l) if l.millis >= now_millis => {
                Hlc { millis: l.millis, counter: l.counter.saturating_add(1), device: device.to_owned() }
            }
            _ => Hlc { millis: now_millis, counter: 0, device: device.to_owned() },
        }
    }

    /// The clock after receiving `remote` at wall-clock `now_millis`: past both.
    pub fn receive(last: Option<&Hlc>, remote: &Hlc, now_millis: i64, device: &str) -> Hlc {
        let last_millis = last.map_or(i64::MIN, |l| l.millis);
        let millis = now_millis.max(last_millis).max(remote.millis);
        let counter = if millis == last_millis && millis == remote.millis {
            last.map_or(0, |l| l.counter).max(remote.counter).saturating_add(1)
        } else if millis == last_millis {
            last.map_or(0, |l| l.counter).saturating_add(1)
        } else if millis == remote.millis {
            remote.counter.saturating_add(1)
        } else {
            0
        };
        Hlc { millis, counter, device: device.to_owned() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn text_sorts_as_the_timestamp_and_round_trips() {
        let a = Hlc { millis: 5, counter: 10, device: "pc-1".into() };
        let b = Hlc { millis: 40, counter: 0, device: "pc-0".into() };
        assert!(a < b && a.to_string() < b.to_string());
        assert_eq!(Hlc::parse(&a.to_string()), Some(a));
        assert_eq!(Hlc::parse("nonsense"), None);
    }

    #[test]
    fn a_clock_that_runs_backwards_does_not_move_the_hlc_back() {
        let t1 = Hlc::tick(None, 1_000, "pc");
        let t2 = Hlc::tick(Some(&t1), 400, "pc"); // the PC's clock jumped back
        assert!(t2 > t1);
        assert_eq!((t2.millis, t2.counter), (1_000, 1));
    }

    proptest! {
        #[test]
        fn every_event_orders_after_the_last_and_after_what_it_received(
            steps in proptest::collection::vec((any::<bool>(), 0i64..2_000, 0i64..2_000, 0u32..5), 1..60)
        ) {
            let mut last: Option<Hlc> = None;
            for (remote_event, now, remote_millis, remote_counter) in steps {
                let next = if remote_event {
                    let remote = Hlc { millis: remote_millis, counter: remote_counter, device: "other".into() };
                    let n = Hlc::receive(last.as_ref(), &remote, now, "me");
                    prop_assert!((n.millis, n.counter) > (remote.millis, remote.counter));
                    n
                } else {
                    Hlc::tick(last.as_ref(), now, "me")
                };
                if let Some(l) = &last {
                    prop_assert!(next > *l);
                }
                prop_assert!(next.millis >= now);
                last = Some(next);
            }
        }
    }
}
