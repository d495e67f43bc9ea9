//! Sync's rules on the desktop side (docs/sync.md): which rows sync, and how a merged sync row
//! becomes a row of the desktop's tables. The merge itself (HLC, per-field last writer wins) is
//! the shared `hallkeeper-sync` crate, re-exported here.
//!
//! The projection is a pure function of the merged rows, the same on every replica and for the
//! server's rows, so "every replica equals the server" can be checked row by row: a replica's
//! tables ([`crate::Store::replica_snapshot`]) against [`server_snapshot`] of the server's rows.

pub use hallkeeper_sync::{hlc, merge, Hlc};

use crate::rectification::{opened_case, Assignee, Case, SyncedStep};
use hallkeeper_proto::CaseStep as Step;
use merge::Row;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// entity → key → the row's fields, named as on the wire.
pub type Snapshot = BTreeMap<String, BTreeMap<String, Map<String, Value>>>;

/// The synced tables, as operations name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Entity {
    Department,
    Matter,
    Window,
    Staff,
    Binding,
    Seat,
    /// The hall's documents of rules (key [`HALL_KEY`], one field `document`): the deadline
    /// profile of new cases, the service-star rule, the dashboard's thresholds, the SMS rules.
    DeadlineProfile,
    StarRule,
    Thresholds,
    SmsRules,
    /// The reason tags the rating pad offers for 不满意 / 非常不满意 (key [`HALL_KEY`], one field
    /// `document`: a `RatingReasons`), edited on the desktop.
    RatingReasons,
    /// A rectification case (key: its rating id), its evidence (`{ratingId}/{sha256}`) and its
    /// steps (`{ratingId}/{stepId}`, append-only).
    Case,
    CaseEvidence,
    CaseStep,
    /// A month's service stars (key `YYYY-MM`, one field `document`: a `StarMonth`), ranked
    /// here and published for the server's hall display and rating pads. Derived, so never
    /// shown in this PC's tables: every desktop ranks the month from its own synced figures.
    StarMonth,
}

/// The key of a hall's one document of an entity such as [`Entity::StarRule`].
pub const HALL_KEY: &str = "hall";

impl Entity {
    /// Parents before the rows that reference them: projecting in this order sees every
    /// reference already settled.
    pub const ORDER: [Entity; 15] = [
        Entity::Department,
        Entity::Matter,
        Entity::Window,
        Entity::Staff,
        Entity::Binding,
        Entity::Seat,
        Entity::DeadlineProfile,
        Entity::StarRule,
        Entity::Thresholds,
        Entity::SmsRules,
        Entity::RatingReasons,
        Entity::Case,
        Entity::CaseEvidence,
        Entity::CaseStep,
        Entity::StarMonth,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Window => "window",
            Entity::Department => "department",
            Entity::Matter => "matter",
            Entity::Binding => "binding",
            Entity::Staff => "staff",
            Entity::Seat => "seat",
            Entity::DeadlineProfile => "deadline_profile",
            Entity::StarRule => "star_rule",
            Entity::Thresholds => "thresholds",
            Entity::SmsRules => "sms_rules",
            Entity::RatingReasons => "rating_reasons",
            Entity::Case => "case",
            Entity::CaseEvidence => "case_evidence",
            Entity::CaseStep => "case_step",
            Entity::StarMonth => "star_month",
        }
    }

    pub fn parse(s: &str) -> Option<Entity> {
        Entity::ORDER.into_iter().find(|e| e.as_str() == s)
    }

    /// The settings key a hall document is kept under on the desktop.
    pub fn settings_key(self) -> Option<&'static str> {
        match self {
            Entity::DeadlineProfile => Some("rectification.profile"),
            Entity::StarRule => Some("stars.rule"),
            Entity::Thresholds => Some("dashboard.thresholds"),
            Entity::SmsRules => Some("sms.rules"),
            Entity::RatingReasons => Some("ratings.reasons"),
            _ => None,
        }
    }
}

/// A row as the desktop's tables hold it, with the rows it needs to exist.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainRow {
    pub fields: Map<String, Value>,
    /// Rows that must be shown for this one to be shown (a binding's window and matter).
    pub requires: Vec<(Entity, String)>,
    /// A reference that is dropped (set to null) when its row is not shown (a staff member's
    /// department).
    pub optional: Option<(Entity, String)>,
}

fn text<'a>(v: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

fn non_empty(v: &Map<String, Value>, k: &str) -> Option<String> {
    text(v, k).filter(|s| !s.is_empty()).map(str::to_owned)
}

fn one_of(v: &Map<String, Value>, k: &str, allowed: &[&str]) -> Option<String> {
    text(v, k).filter(|s| allowed.contains(s)).map(str::to_owned)
}

fn split_key(key: &str) -> Option<(&str, &str)> {
    key.split_once('/').filter(|(a, b)| !a.is_empty() && !b.is_empty())
}

/// What the desktop's tables show for a merged row's values, or None when it cannot be shown
/// (a field missing or out of range — the tables' CHECKs would refuse it). Rows are shown as
/// complete records or not at all.
pub fn domain_row(entity: Entity, key: &str, v: &Map<String, Value>) -> Option<DomainRow> {
    let mut f = Map::new();
    let mut requires = Vec::new();
    let mut optional = None;
    match entity {
        Entity::Window => {
            let number = non_empty(v, "number").filter(|n| *n == n.to_uppercase())?;
            f.insert("number".into(), number.into());
            f.insert("name".into(), non_empty(v, "name")?.into());
            f.insert("zone".into(), text(v, "zone").unwrap_or("").into());
            f.insert("kind".into(), one_of(v, "kind", &["general", "dedicated", "priority"])?.into());
            f.insert("state".into(), one_of(v, "state", &["open", "paused", "closed"])?.into());
            f.insert(
                "position".into(),
                v.get("position").and_then(Value::as_i64).filter(|p| *p >= 0)?.into(),
            );
        }
        Entity::Department => {
            f.insert("code".into(), non_empty(v, "code")?.into());
            f.insert("name".into(), non_empty(v, "name")?.into());
        }
        Entity::Matter => {
            f.insert("catalogCode".into(), non_empty(v, "catalogCode")?.into());
            f.insert("name".into(), non_empty(v, "name")?.into());
            let dept = non_empty(v, "departmentId")?;
            requires.push((Entity::Department, dept.clone()));
            f.insert("departmentId".into(), dept.into());
            f.insert("matterType".into(), text(v, "matterType")?.into());
            f.insert("required".into(), v.get("required").and_then(Value::as_bool)?.into());
            let limit = match v.get("timeLimitDays") {
                None | Some(Value::Null) => Value::Null,
                Some(n) => n.as_i64().filter(|d| *d >= 0)?.into(),
            };
            f.insert("timeLimitDays".into(), limit);
            f.insert("ticketPrefix".into(), text(v, "ticketPrefix").unwrap_or("").into());
            f.insert("state".into(), one_of(v, "state", &["active", "retired"])?.into());
        }
        Entity::Binding => {
            let (window, matter) = split_key(key)?;
            requires.push((Entity::Window, window.to_owned()));
            requires.push((Entity::Matter, matter.to_owned()));
            f.insert("windowId".into(), window.into());
            f.insert("matterId".into(), matter.into());
            f.insert("priority".into(), one_of(v, "priority", &["primary", "overflow"])?.into());
            // Set on a binding made for one hall day from the dashboard.
            f.insert("expiresOn".into(), non_empty(v, "expiresOn").map_or(Value::Null, Value::from));
        }
        Entity::Staff => {
            f.insert("employeeNo".into(), non_empty(v, "employeeNo")?.into());
            f.insert("name".into(), non_empty(v, "name")?.into());
            let dept = non_empty(v, "departmentId");
            optional = dept.clone().map(|d| (Entity::Department, d));
            f.insert("departmentId".into(), dept.map_or(Value::Null, Value::from));
        }
        Entity::Seat => {
            let (date, window) = split_key(key)?;
            let staff = non_empty(v, "staffId")?;
            requires.push((Entity::Window, window.to_owned()));
            requires.push((Entity::Staff, staff.clone()));
            f.insert("date".into(), date.into());
            f.insert("windowId".into(), window.into());
            f.insert("staffId".into(), staff.into());
        }
        Entity::DeadlineProfile
        | Entity::StarRule
        | Entity::Thresholds
        | Entity::SmsRules
        | Entity::RatingReasons => {
            if key != HALL_KEY {
                return None;
            }
            f.insert("document".into(), Value::Object(v.get("document")?.as_object()?.clone()));
        }
        Entity::Case => {
            case_opening(key, v)?;
            for k in ["realName", "assignee", "rules", "openedAt", "openedDay", "deadline"] {
                f.insert(k.into(), v.get(k)?.clone());
            }
        }
        Entity::CaseEvidence => {
            let (case, sha) = split_key(key)?;
            requires.push((Entity::Case, case.to_owned()));
            f.insert("sha256".into(), sha.into());
            f.insert("name".into(), non_empty(v, "name")?.into());
            f.insert("size".into(), v.get("size").and_then(Value::as_u64)?.into());
            f.insert("attachedAt".into(), non_empty(v, "attachedAt")?.into());
        }
        Entity::CaseStep => {
            let (case, _) = split_key(key)?;
            synced_step(key, v)?;
            requires.push((Entity::Case, case.to_owned()));
            for k in ["action", "actorName", "at", "attachments", "hlc"] {
                f.insert(k.into(), v.get(k)?.clone());
            }
            for k in ["actorId", "note"] {
                f.insert(k.into(), v.get(k).cloned().unwrap_or(Value::Null));
            }
        }
        // Not a row of the desktop's tables (the desktop ranks its own stars).
        Entity::StarMonth => return None,
    }
    Some(DomainRow { fields: f, requires, optional })
}

/// A merged row's values as [`domain_row`] reads them: a case step's also carry the HLC of the
/// operation that made it (its `_live` field's), which orders the case's steps.
pub fn row_values(entity: Entity, row: &Row) -> Option<Map<String, Value>> {
    let mut values = row.values()?;
    if entity == Entity::CaseStep {
        let (_, hlc) = row.fields.get(merge::LIVE)?;
        values.insert("hlc".into(), hlc.to_string().into());
    }
    Some(values)
}

/// The case as opened, from its synced row (key: the rating id); None when a field is missing
/// or unreadable.
pub fn case_opening(key: &str, v: &Map<String, Value>) -> Option<Case> {
    let time = |k: &str| {
        chrono::DateTime::parse_from_rfc3339(text(v, k)?).ok().map(|t| t.with_timezone(&chrono::Utc))
    };
    fn parse<T: serde::de::DeserializeOwned>(v: &Map<String, Value>, k: &str) -> Option<T> {
        serde_json::from_value(v.get(k)?.clone()).ok()
    }
    text(v, "openedDay").filter(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok())?;
    let assignee: Assignee = parse(v, "assignee")?;
    if assignee.id.trim().is_empty() || assignee.name.trim().is_empty() {
        return None;
    }
    Some(opened_case(
        key.to_owned(),
        v.get("realName")?.as_bool()?,
        assignee,
        time("openedAt")?,
        parse(v, "rules")?,
        parse(v, "deadline")?,
    ))
}

/// A case step from its synced row (key `{ratingId}/{stepId}`, values with `hlc`).
pub fn synced_step(key: &str, v: &Map<String, Value>) -> Option<SyncedStep> {
    let (_, id) = split_key(key)?;
    let at = chrono::DateTime::parse_from_rfc3339(text(v, "at")?).ok()?.with_timezone(&chrono::Utc);
    Some(SyncedStep {
        hlc: non_empty(v, "hlc")?,
        id: id.to_owned(),
        step: Step {
            action: serde_json::from_value(v.get("action")?.clone()).ok()?,
            actor: non_empty(v, "actorName")?,
            at,
            note: match v.get("note") {
                None | Some(Value::Null) => None,
                Some(n) => Some(n.as_str()?.to_owned()),
            },
            attachments: serde_json::from_value(v.get("attachments")?.clone()).ok()?,
        },
    })
}

/// What a replica shows of a case: its opening as synced and what its steps made of it (the
/// state machine's answer, the same on every replica for the same steps).
pub fn case_fields(opening: &Map<String, Value>, case: &Case) -> Map<String, Value> {
    let mut f = opening.clone();
    let t = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map_or(Value::Null, |t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true).into())
    };
    f.insert("state".into(), case.state.as_str().into());
    f.insert("currentAssignee".into(), serde_json::to_value(&case.assignee).unwrap_or(Value::Null));
    f.insert("rectifiedAt".into(), t(case.rectified_at));
    f.insert("calledBackAt".into(), t(case.called_back_at));
    f.insert("closedAt".into(), t(case.closed_at));
    f.insert("steps".into(), case.history.len().into());
    f
}

/// What a replica shows of a step: its synced fields, its place and whether it took effect.
pub fn step_fields(synced: &Map<String, Value>, n: usize, effective: bool) -> Map<String, Value> {
    let mut f = synced.clone();
    f.insert("n".into(), n.into());
    f.insert("effective".into(), effective.into());
    f
}

/// What a replica's tables must show for the server's rows (all operations confirmed): each
/// visible row that can be shown and whose references are shown; a case with what its steps
/// made of it.
pub fn server_snapshot(rows: impl IntoIterator<Item = (String, String, Row)>) -> Snapshot {
    type Rows = Vec<(String, Map<String, Value>)>;
    let mut by_entity: BTreeMap<Entity, Rows> = BTreeMap::new();
    for (entity, key, row) in rows {
        if let Some(e) = Entity::parse(&entity) {
            if let Some(values) = row_values(e, &row) {
                by_entity.entry(e).or_default().push((key, values));
            }
        }
    }
    let mut shown: BTreeSet<(Entity, String)> = BTreeSet::new();
    let mut out = Snapshot::new();
    for entity in Entity::ORDER {
        for (key, values) in by_entity.remove(&entity).unwrap_or_default() {
            let Some(mut row) = domain_row(entity, &key, &values) else { continue };
            if !row.requires.iter().all(|r| shown.contains(r)) {
                continue;
            }
            if let Some(opt) = &row.optional {
                if !shown.contains(opt) {
                    row.fields.insert("departmentId".into(), Value::Null);
                }
            }
            shown.insert((entity, key.clone()));
            out.entry(entity.as_str().to_owned()).or_default().insert(key, row.fields);
        }
    }
    replay_cases(&mut out);
    out
}

/// Replaces each case's and step's synced fields in `snap` by what a replica shows of them.
fn replay_cases(snap: &mut Snapshot) {
    let steps = snap.remove(Entity::CaseStep.as_str()).unwrap_or_default();
    type Steps = Vec<(String, Map<String, Value>)>;
    let mut by_case: BTreeMap<String, Steps> = BTreeMap::new();
    for (key, fields) in steps {
        if let Some((case, _)) = split_key(&key) {
            by_case.entry(case.to_owned()).or_default().push((key.clone(), fields));
        }
    }
    let Some(cases) = snap.get_mut(Entity::Case.as_str()) else { return };
    let mut shown_steps = BTreeMap::new();
    for (key, opening) in cases.iter_mut() {
        let Some(case) = case_opening(key, opening) else { continue };
        let rows = by_case.remove(key).unwrap_or_default();
        let synced: Vec<SyncedStep> = rows.iter().filter_map(|(k, f)| synced_step(k, f)).collect();
        let replayed = crate::rectification::replay(&case, synced);
        *opening = case_fields(opening, &replayed.case);
        for s in replayed.steps {
            let step_key = format!("{key}/{}", s.step.id);
            if let Some((_, f)) = rows.iter().find(|(k, _)| *k == step_key) {
                shown_steps.insert(step_key, step_fields(f, s.n, s.effective));
            }
        }
    }
    if !shown_steps.is_empty() {
        snap.insert(Entity::CaseStep.as_str().to_owned(), shown_steps);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use merge::RowChange;
    use serde_json::json;

    fn row(hlc_ms: i64, fields: Value) -> Row {
        let mut r = Row::default();
        let h = Hlc { millis: hlc_ms, counter: 0, device: "pc1".into() };
        r.apply(&h, &RowChange::Upsert(fields.as_object().cloned().unwrap_or_default()));
        r
    }

    fn window(number: &str) -> Value {
        json!({ "number": number, "name": "综合受理", "zone": "", "kind": "general", "state": "open", "position": 0 })
    }

    #[test]
    fn a_binding_is_shown_only_with_its_window_and_matter() {
        let dept = row(1, json!({ "code": "D1", "name": "税务" }));
        let matter = row(
            1,
            json!({ "catalogCode": "C1", "name": "开票", "departmentId": "d1",
            "matterType": "行政许可", "required": true, "timeLimitDays": 5, "ticketPrefix": "S", "state": "active" }),
        );
        let mut deleted_window = row(1, window("A02"));
        deleted_window.apply(&Hlc { millis: 2, counter: 0, device: "pc2".into() }, &RowChange::Delete);
        let rows = vec![
            ("department".into(), "d1".into(), dept),
            ("matter".into(), "m1".into(), matter),
            ("window".into(), "w1".into(), row(1, window("A01"))),
            ("window".into(), "w2".into(), deleted_window),
            ("binding".into(), "w1/m1".into(), row(1, json!({ "priority": "primary" }))),
            ("binding".into(), "w2/m1".into(), row(1, json!({ "priority": "primary" }))),
            ("binding".into(), "w1/m9".into(), row(1, json!({ "priority": "primary" }))),
        ];
        let snap = server_snapshot(rows);
        assert_eq!(snap["binding"].keys().collect::<Vec<_>>(), ["w1/m1"]);
        assert_eq!(snap["binding"]["w1/m1"]["windowId"], "w1");
        assert_eq!(snap["window"].len(), 1);
    }

    #[test]
    fn incomplete_or_out_of_range_rows_are_not_shown() {
        let m = |v: Value| v.as_object().cloned().unwrap_or_default();
        assert!(domain_row(Entity::Window, "w", &m(window("A01"))).is_some());
        assert!(domain_row(Entity::Window, "w", &m(window("a01"))).is_none(), "numbers are upper case");
        assert!(domain_row(Entity::Window, "w", &m(json!({ "state": "open" }))).is_none());
        assert!(domain_row(Entity::Binding, "w1", &m(json!({ "priority": "primary" }))).is_none());
        assert!(domain_row(Entity::Binding, "w/m", &m(json!({ "priority": "first" }))).is_none());
        let staff =
            domain_row(Entity::Staff, "s", &m(json!({ "employeeNo": "1001", "name": "张三" }))).unwrap();
        assert_eq!(staff.fields["departmentId"], Value::Null);
    }

    #[test]
    fn a_staff_member_of_an_unknown_department_is_shown_without_it() {
        let rows = vec![(
            "staff".to_owned(),
            "s1".to_owned(),
            row(1, json!({ "employeeNo": "1001", "name": "张三", "departmentId": "gone" })),
        )];
        assert_eq!(server_snapshot(rows)["staff"]["s1"]["departmentId"], Value::Null);
    }
}
