//! Fixtures shared by the queue's tests.
#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use hallkeeper_proto::{
    Binding, BindingPriority, MatterState, QueueConfig, QueueMatter, QueueSettings, QueueWindow, WindowKind,
    WindowState,
};

/// 09:00 in the hall (UTC+8) on 2024-03-01.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 1, 1, 0, 0).single().expect("valid instant")
}

/// `mins` minutes after [`t0`].
pub fn at(mins: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(mins)
}

pub fn window(id: &str, kind: WindowKind, state: WindowState) -> QueueWindow {
    let position = id.bytes().map(i64::from).sum();
    QueueWindow { id: id.into(), number: id.into(), kind, state, position }
}

pub fn open(id: &str) -> QueueWindow {
    window(id, WindowKind::General, WindowState::Open)
}

pub fn matter(id: &str, prefix: &str) -> QueueMatter {
    QueueMatter { id: id.into(), ticket_prefix: prefix.into(), state: MatterState::Active }
}

pub fn retired(id: &str, prefix: &str) -> QueueMatter {
    QueueMatter { state: MatterState::Retired, ..matter(id, prefix) }
}

pub fn primary(window_id: &str, matter_id: &str) -> Binding {
    Binding { window_id: window_id.into(), matter_id: matter_id.into(), priority: BindingPriority::Primary }
}

pub fn overflow(window_id: &str, matter_id: &str) -> Binding {
    Binding { window_id: window_id.into(), matter_id: matter_id.into(), priority: BindingPriority::Overflow }
}

pub fn config(windows: Vec<QueueWindow>, matters: Vec<QueueMatter>, bindings: Vec<Binding>) -> QueueConfig {
    QueueConfig {
        windows,
        matters,
        bindings,
        settings: QueueSettings { max_recalls: 2, fallback_prefix: "Zone".into() },
    }
}

/// Two general windows sharing two matters (W1: A primary, B overflow; W2: B primary, A
/// overflow), matter C without a prefix on W1.
pub fn two_windows() -> QueueConfig {
    config(
        vec![open("W1"), open("W2")],
        vec![matter("A", "A"), matter("B", "B"), matter("C", "")],
        vec![
            primary("W1", "A"),
            overflow("W1", "B"),
            primary("W2", "B"),
            overflow("W2", "A"),
            primary("W1", "C"),
        ],
    )
}
