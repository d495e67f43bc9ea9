//! The live queue monitor (总览, issue 6): figures per window, per matter and for the hall,
//! thresholds and their levels, alarm notices with hysteresis, suggestions, and the feed's decisions
//! of what to send the UI. Pure: the store
//! (`store/dashboard.rs`) feeds it the hall and today's ticket events; time is passed in.

pub mod alarms;
pub mod delta;
pub mod feed;
pub mod figures;
pub mod thresholds;

pub use alarms::AlarmTracker;
pub use delta::{apply, diff};
pub use feed::{Feed, FeedStats, Update};
pub use figures::{compute, HallView};
