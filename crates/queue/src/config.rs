//! The hall as the queue reads it: a checked, indexed [`QueueConfig`], and the kiosk's refusal.
//!
//! The configuration is not part of the event log: window states and bindings change during the
//! day, and the queue always orders by the current ones. Only what a replay must reproduce
//! (the prefix a ticket got) is written into events.

use crate::error::ConfigProblem;
use hallkeeper_proto::{
    BindingPriority, MatterState, QueueConfig, QueueMatter, QueueWindow, TicketRefusal, WindowState,
};
use rustc_hash::FxHashMap as HashMap;

/// A checked configuration with lookups by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hall {
    config: QueueConfig,
    window_index: HashMap<String, usize>,
    matter_index: HashMap<String, usize>,
    /// window → matter → tier.
    tiers: HashMap<String, HashMap<String, BindingPriority>>,
    /// matter → indexes of its windows, in binding order.
    windows_of_matter: HashMap<String, Vec<usize>>,
    /// Upper-cased prefix of each matter, the fallback applied.
    prefixes: HashMap<String, String>,
}

impl Hall {
    /// Refuses an empty window id (the log's [`crate::NO_SENDER`]), duplicate ids, duplicate
    /// bindings, bindings to unknown windows or matters, and prefixes that are not one letter A–Z
    /// (the rule core applies when a prefix is set).
    pub fn new(config: QueueConfig) -> Result<Self, ConfigProblem> {
        let fallback = fallback_prefix(&config.settings.fallback_prefix)
            .ok_or_else(|| ConfigProblem::InvalidFallbackPrefix(config.settings.fallback_prefix.clone()))?;
        let mut window_index = HashMap::default();
        for (i, w) in config.windows.iter().enumerate() {
            if w.id.is_empty() {
                return Err(ConfigProblem::EmptyWindowId);
            }
            if window_index.insert(w.id.clone(), i).is_some() {
                return Err(ConfigProblem::DuplicateWindow(w.id.clone()));
            }
        }
        let mut matter_index = HashMap::default();
        let mut prefixes = HashMap::default();
        for (i, m) in config.matters.iter().enumerate() {
            if matter_index.insert(m.id.clone(), i).is_some() {
                return Err(ConfigProblem::DuplicateMatter(m.id.clone()));
            }
            let prefix = matter_prefix(&m.ticket_prefix).ok_or_else(|| ConfigProblem::InvalidPrefix {
                matter_id: m.id.clone(),
                prefix: m.ticket_prefix.clone(),
            })?;
            prefixes.insert(m.id.clone(), prefix.unwrap_or_else(|| fallback.clone()));
        }
        let mut tiers: HashMap<String, HashMap<String, BindingPriority>> = HashMap::default();
        let mut windows_of_matter: HashMap<String, Vec<usize>> = HashMap::default();
        for b in &config.bindings {
            let Some(&w) = window_index.get(&b.window_id) else {
                return Err(ConfigProblem::BindingUnknownWindow(b.window_id.clone()));
            };
            if !matter_index.contains_key(&b.matter_id) {
                return Err(ConfigProblem::BindingUnknownMatter(b.matter_id.clone()));
            }
            let of_window = tiers.entry(b.window_id.clone()).or_default();
            if of_window.insert(b.matter_id.clone(), b.priority).is_some() {
                return Err(ConfigProblem::DuplicateBinding {
                    window_id: b.window_id.clone(),
                    matter_id: b.matter_id.clone(),
                });
            }
            windows_of_matter.entry(b.matter_id.clone()).or_default().push(w);
        }
        Ok(Self { config, window_index, matter_index, tiers, windows_of_matter, prefixes })
    }

    pub fn config(&self) -> &QueueConfig {
        &self.config
    }

    pub fn windows(&self) -> &[QueueWindow] {
        &self.config.windows
    }

    pub fn window(&self, id: &str) -> Option<&QueueWindow> {
        self.window_index.get(id).map(|&i| &self.config.windows[i])
    }

    /// A window's place in [`windows`](Self::windows): the engine's small-integer name for it.
    pub fn window_position(&self, id: &str) -> Option<usize> {
        self.window_index.get(id).copied()
    }

    pub fn matter(&self, id: &str) -> Option<&QueueMatter> {
        self.matter_index.get(id).map(|&i| &self.config.matters[i])
    }

    pub fn max_recalls(&self) -> u32 {
        self.config.settings.max_recalls
    }

    /// The tier a window takes a matter in, if it is bound to it.
    pub fn tier(&self, window_id: &str, matter_id: &str) -> Option<BindingPriority> {
        self.tiers.get(window_id)?.get(matter_id).copied()
    }

    /// The windows bound to a matter (any tier), in binding order.
    pub fn windows_of_matter(&self, matter_id: &str) -> impl Iterator<Item = &QueueWindow> {
        self.positions_of_matter(matter_id).iter().map(|&i| &self.config.windows[i])
    }

    /// The positions of the windows bound to a matter, in binding order.
    pub fn positions_of_matter(&self, matter_id: &str) -> &[usize] {
        self.windows_of_matter.get(matter_id).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The prefix of a matter's tickets (None for an unknown matter).
    pub fn prefix(&self, matter_id: &str) -> Option<&str> {
        self.prefixes.get(matter_id).map(String::as_str)
    }

    pub fn set_window_state(&mut self, window_id: &str, state: WindowState) -> bool {
        let Some(&i) = self.window_index.get(window_id) else { return false };
        self.config.windows[i].state = state;
        true
    }

    /// Whether a ticket may wait for this matter, and why not. The same four reasons, in the
    /// same order, as `hallkeeper_core::coverage::refusal`: unknown matter, retired, no window
    /// bound, only windows that are not open (listed in floor order, ties in binding order).
    pub fn refusal(&self, matter_id: &str) -> Option<TicketRefusal> {
        let Some(m) = self.matter(matter_id) else { return Some(TicketRefusal::UnknownMatter) };
        if m.state == MatterState::Retired {
            return Some(TicketRefusal::Retired);
        }
        let bound = self.windows_of_matter.get(matter_id).map(Vec::as_slice).unwrap_or(&[]);
        if bound.is_empty() {
            return Some(TicketRefusal::NoWindow);
        }
        let mut windows: Vec<&QueueWindow> = bound.iter().map(|&i| &self.config.windows[i]).collect();
        if windows.iter().any(|w| w.state == WindowState::Open) {
            return None;
        }
        windows.sort_by_key(|w| w.position);
        Some(TicketRefusal::NoOpenWindow { window_ids: windows.into_iter().map(|w| w.id.clone()).collect() })
    }
}

/// A matter's own prefix: Some(None) when empty (use the fallback), None when invalid.
fn matter_prefix(raw: &str) -> Option<Option<String>> {
    let t = raw.trim();
    match t.as_bytes() {
        [] => Some(None),
        [c] if c.is_ascii_alphabetic() => Some(Some(t.to_ascii_uppercase())),
        _ => None,
    }
}

/// The fallback's first character, upper-cased, if it is a letter A–Z.
fn fallback_prefix(raw: &str) -> Option<String> {
    let c = raw.trim().chars().next()?;
    c.is_ascii_alphabetic().then(|| c.to_ascii_uppercase().to_string())
}
