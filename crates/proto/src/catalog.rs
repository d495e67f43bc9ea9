use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A department (部门) that handles matters in the hall, as the provincial catalog names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Department {
    pub id: String,
    /// The department's code in the catalog (often its unified social credit code).
    pub code: String,
    pub name: String,
}

/// Whether a matter is still in the catalog. A retired matter is kept (its history and
/// statistics refer to it) but can no longer be bound to a window or ticketed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MatterState {
    Active,
    Retired,
}

impl MatterState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Retired => "retired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Active, Self::Retired].into_iter().find(|k| k.as_str() == s)
    }
}

/// A government service matter (事项) of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Matter {
    pub id: String,
    /// 事项编码: the catalog's code, unique, the key an import matches on.
    pub catalog_code: String,
    pub name: String,
    pub department_id: String,
    /// 事项类型 as the catalog words it, e.g. 行政许可, 公共服务.
    pub matter_type: String,
    /// 必进事项: the hall must handle it at a window.
    pub required: bool,
    /// Promised time limit in working days; 0 for on-the-spot (即办件); None when unknown.
    pub time_limit_days: Option<i64>,
    /// The letter its tickets start with (A001…); empty when the hall has not set one.
    pub ticket_prefix: String,
    pub state: MatterState,
}

/// How a window takes a matter: as one of its own (primary) or to help when others are busy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BindingPriority {
    Primary,
    Overflow,
}

impl BindingPriority {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Primary => "primary",
            Self::Overflow => "overflow",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Primary, Self::Overflow].into_iter().find(|k| k.as_str() == s)
    }
}

/// One matter ↔ window binding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Binding {
    pub window_id: String,
    pub matter_id: String,
    pub priority: BindingPriority,
}

/// The catalog as the bindings board loads it: every department and matter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Catalog {
    pub departments: Vec<Department>,
    pub matters: Vec<Matter>,
}

/// Binds matters to one window (a drop of one or many matters on a window card).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BindInput {
    pub window_id: String,
    pub matter_ids: Vec<String>,
    pub priority: BindingPriority,
}

/// Removes bindings of one window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnbindInput {
    pub window_id: String,
    pub matter_ids: Vec<String>,
}

/// What a bind or unbind did, and every binding of the hall afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BindingsChange {
    /// Bindings created, removed, or whose priority changed.
    pub changed: u32,
    /// Matters asked for that were already bound that way (or not bound, for a removal).
    pub unchanged: u32,
    pub bindings: Vec<Binding>,
}
