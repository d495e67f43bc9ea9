use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The UI language. Simplified Chinese first; English is the switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
pub enum Locale {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en-US")]
    EnUs,
}

impl Locale {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ZhCn => "zh-CN",
            Self::EnUs => "en-US",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "zh-CN" => Some(Self::ZhCn),
            "en-US" => Some(Self::EnUs),
            _ => None,
        }
    }
}

/// Desktop settings the UI reads at start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub locale: Locale,
    /// Who is recorded in the audit log for changes made on this desktop.
    pub operator: String,
}

/// The fewest and most reason tags a hall's list may hold, and a tag's longest length in
/// characters (after trimming): the pad shows them as one screen of large chips, so a long list
/// or a sentence-long tag would not fit.
pub const RATING_REASONS_MIN: usize = 1;
pub const RATING_REASONS_MAX: usize = 12;
pub const RATING_REASON_MAX_CHARS: usize = 10;

/// The reason tags the rating pad offers for 不满意 / 非常不满意: the hall's own list, edited on
/// the desktop and synced (entity `rating_reasons`, key `hall`, one field `document`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RatingReasons {
    pub tags: Vec<String>,
}

/// What is wrong with a list of reason tags, checked the same on the desktop (core, before a
/// save) and on the server (a pushed row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RatingReasonsProblem {
    /// Fewer than [`RATING_REASONS_MIN`] or more than [`RATING_REASONS_MAX`] tags.
    Count(usize),
    /// Tag `index` is empty after trimming.
    Empty(usize),
    /// Tag `index` is longer than [`RATING_REASON_MAX_CHARS`].
    TooLong(usize),
    /// Tag `index` repeats an earlier one.
    Duplicate(usize),
}

impl RatingReasons {
    /// The tags trimmed (the form a list is saved and compared in).
    pub fn trimmed(&self) -> RatingReasons {
        RatingReasons { tags: self.tags.iter().map(|t| t.trim().to_owned()).collect() }
    }

    /// The first problem of the list as given (call on [`Self::trimmed`] for the saved form).
    pub fn problem(&self) -> Option<RatingReasonsProblem> {
        let n = self.tags.len();
        if !(RATING_REASONS_MIN..=RATING_REASONS_MAX).contains(&n) {
            return Some(RatingReasonsProblem::Count(n));
        }
        for (i, tag) in self.tags.iter().enumerate() {
            let tag = tag.trim();
            if tag.is_empty() {
                return Some(RatingReasonsProblem::Empty(i));
            }
            if tag.chars().count() > RATING_REASON_MAX_CHARS {
                return Some(RatingReasonsProblem::TooLong(i));
            }
            if self.tags[..i].iter().any(|t| t.trim() == tag) {
                return Some(RatingReasonsProblem::Duplicate(i));
            }
        }
        None
    }
}
