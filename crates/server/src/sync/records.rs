//! The server's checks of the fields of the rule documents and the rectification ledger
//! (docs/sync.md, "Records"): pure, run by the one push algorithm (`push.rs`) before a row is
//! touched, so both storage backends only store what passed.
//!
//! - the hall's documents (`deadline_profile`, `star_rule`, `thresholds`, `sms_rules`,
//!   `rating_reasons`): key
//!   `hall`, one field `document` that reads as its wire type (the SMS rules also pass
//!   `hallkeeper-sms`'s own checks, as in the hall configuration);
//! - `case` (key: the rating id): the opening's fields, each of its type;
//! - `case_evidence` (`{ratingId}/{sha256}`): a name, a size within [`EVIDENCE_MAX_BYTES`], when;
//! - `case_step` (`{ratingId}/{stepId}`): written once, whole — an action that reads as a
//!   `CaseAction`, who (name, and account id when known), when, a note and attachments within
//!   the state machine's limits.
//!
//! None of them is ever deleted: a case's history is the record of what was done about a
//! complaint, and a step is never rewritten (`sync.append_only`).

use hallkeeper_proto::rectification_limits::{
    ACTOR_MAX_CHARS, ASSIGNEE_MAX_CHARS, ATTACHMENTS_MAX, ATTACHMENT_NAME_MAX_CHARS, NOTE_MAX_CHARS,
};
use hallkeeper_proto::{
    CaseAction, CaseAssignee, CaseAttachment, CaseDeadline, CaseRules, DeadlineProfile, RatingReasons,
    SmsRuleSet, StarRule, ThresholdSettings, EVIDENCE_MAX_BYTES,
};
use hallkeeper_sms::RuleSetExt as _;
use hallkeeper_sync::merge::{Row, RowChange, LIVE};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

pub const FIELD_INVALID: &str = "sync.field_invalid";
pub const DELETE_REFUSED: &str = "sync.delete_refused";
pub const APPEND_ONLY: &str = "sync.append_only";

/// The key of a hall's one document of an entity.
pub const HALL_KEY: &str = "hall";

/// Why an operation's content is refused: its code and message (zh-CN, shown to the supervisor).
pub type Refusal = (&'static str, String);

fn invalid(entity: &str, field: &str, why: &str) -> Refusal {
    (FIELD_INVALID, format!("{entity} 的字段 {field} 无效：{why}"))
}

fn is_record(entity: &str) -> bool {
    matches!(
        entity,
        "deadline_profile"
            | "star_rule"
            | "thresholds"
            | "sms_rules"
            | "rating_reasons"
            | "case"
            | "case_evidence"
            | "case_step"
            | "star_month"
    )
}

/// Whether `key` is right for a record entity (other entities: true).
pub fn key_ok(entity: &str, key: &str) -> bool {
    fn two(k: &str) -> Option<(&str, &str)> {
        k.split_once('/').filter(|(a, b)| !a.is_empty() && !b.is_empty() && !b.contains('/'))
    }
    match entity {
        "deadline_profile" | "star_rule" | "thresholds" | "sms_rules" | "rating_reasons" => key == HALL_KEY,
        "star_month" => is_month(key),
        "case" => !key.contains('/'),
        "case_evidence" => two(key).is_some_and(|(_, sha)| is_sha256(sha)),
        "case_step" => two(key).is_some(),
        _ => true,
    }
}

fn is_day(s: &str) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// `YYYY-MM`, a real month.
fn is_month(s: &str) -> bool {
    s.len() == 7 && chrono::NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").is_ok()
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn read<T: DeserializeOwned>(entity: &str, field: &str, v: &Value) -> Result<T, Refusal> {
    serde_json::from_value(v.clone()).map_err(|e| invalid(entity, field, &e.to_string()))
}

fn line(entity: &str, field: &str, v: &Value, max: usize, required: bool) -> Result<(), Refusal> {
    let s = match v {
        Value::Null if !required => return Ok(()),
        Value::String(s) => s,
        _ => return Err(invalid(entity, field, "须为文字")),
    };
    let n = s.trim().chars().count();
    if required && n == 0 {
        return Err(invalid(entity, field, "不能为空"));
    }
    if n > max {
        return Err(invalid(entity, field, &format!("超过 {max} 个字")));
    }
    if s.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(invalid(entity, field, "含控制字符"));
    }
    Ok(())
}

fn time(entity: &str, field: &str, v: &Value) -> Result<(), Refusal> {
    v.as_str()
        .filter(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok())
        .map(|_| ())
        .ok_or_else(|| invalid(entity, field, "须为 RFC 3339 时间"))
}

fn only(entity: &str, fields: &Map<String, Value>, allowed: &[&str]) -> Result<(), Refusal> {
    match fields.keys().find(|k| k.as_str() != LIVE && !allowed.contains(&k.as_str())) {
        Some(k) => Err(invalid(entity, k, "未知字段")),
        None => Ok(()),
    }
}

/// Checks the content of an operation on a record entity; other entities pass (their checks
/// are `super::check`'s and `super::references`').
pub fn check_change(entity: &str, change: &RowChange) -> Result<(), Refusal> {
    if !is_record(entity) {
        return Ok(());
    }
    let fields = match change {
        RowChange::Delete => {
            return Err((DELETE_REFUSED, format!("{entity} 不能删除：整改台账与规则只增改、不删除")))
        }
        RowChange::Upsert(f) => f,
    };
    if let Some(live) = fields.get(LIVE) {
        if live != &Value::Bool(true) {
            return Err(invalid(entity, LIVE, "须为 true"));
        }
    }
    match entity {
        "deadline_profile" | "star_rule" | "thresholds" | "sms_rules" | "rating_reasons" => {
            only(entity, fields, &["document"])?;
            let doc = fields.get("document").ok_or_else(|| invalid(entity, "document", "缺少"))?;
            match entity {
                "deadline_profile" => read::<DeadlineProfile>(entity, "document", doc).map(drop),
                "star_rule" => read::<StarRule>(entity, "document", doc).map(drop),
                "thresholds" => read::<ThresholdSettings>(entity, "document", doc).map(drop),
                // The same rules core applied before the save (proto's one check), so a list the
                // pads are given is one the desktop could have saved.
                "rating_reasons" => {
                    let reasons: RatingReasons = read(entity, "document", doc)?;
                    match reasons.problem() {
                        Some(p) => Err(invalid(entity, "document", &format!("{p:?}"))),
                        None => Ok(()),
                    }
                }
                _ => {
                    let rules: SmsRuleSet = read(entity, "document", doc)?;
                    match rules.problems().into_iter().next() {
                        Some(p) => Err(invalid(entity, "document", &format!("{p:?}"))),
                        None => Ok(()),
                    }
                }
            }
        }
        // The month's stars, as core ranked them on a desktop: the server shows them on the
        // devices and never ranks; it only checks they read as the wire type.
        "star_month" => {
            only(entity, fields, &["document"])?;
            let doc = fields.get("document").ok_or_else(|| invalid(entity, "document", "缺少"))?;
            let month: hallkeeper_proto::StarMonth = read(entity, "document", doc)?;
            if month.stars.len() > 100 {
                return Err(invalid(entity, "document", "服务之星超过 100 名"));
            }
            Ok(())
        }
        "case" => {
            only(entity, fields, &["realName", "assignee", "rules", "openedAt", "openedDay", "deadline"])?;
            for (k, v) in fields {
                match k.as_str() {
                    "realName" if !v.is_boolean() => return Err(invalid(entity, k, "须为 true 或 false")),
                    "assignee" => {
                        let a: CaseAssignee = read(entity, k, v)?;
                        line(entity, "assignee.id", &Value::String(a.id), ASSIGNEE_MAX_CHARS, true)?;
                        line(entity, "assignee.name", &Value::String(a.name), ASSIGNEE_MAX_CHARS, true)?;
                    }
                    "rules" => {
                        read::<CaseRules>(entity, k, v)?;
                    }
                    "deadline" => {
                        read::<CaseDeadline>(entity, k, v)?;
                    }
                    "openedAt" => time(entity, k, v)?,
                    "openedDay" if v.as_str().is_none_or(|d| !is_day(d)) => {
                        return Err(invalid(entity, k, "须为 YYYY-MM-DD"));
                    }
                    _ => {}
                }
            }
            Ok(())
        }
        "case_evidence" => {
            only(entity, fields, &["name", "size", "attachedAt"])?;
            if let Some(v) = fields.get("name") {
                line(entity, "name", v, ATTACHMENT_NAME_MAX_CHARS, true)?;
            }
            if let Some(v) = fields.get("size") {
                if v.as_u64().is_none_or(|n| n > EVIDENCE_MAX_BYTES) {
                    return Err(invalid(
                        entity,
                        "size",
                        &format!("须为不超过 {} MB 的字节数", EVIDENCE_MAX_BYTES / 1_048_576),
                    ));
                }
            }
            if let Some(v) = fields.get("attachedAt") {
                time(entity, "attachedAt", v)?;
            }
            Ok(())
        }
        "case_step" => {
            only(entity, fields, &["action", "actorId", "actorName", "at", "note", "attachments"])?;
            // Written once and whole: the step is the record, so every part of it must be there.
            for k in [LIVE, "action", "actorName", "at", "attachments"] {
                if !fields.contains_key(k) {
                    return Err(invalid(entity, k, "缺少（步骤须一次完整写入）"));
                }
            }
            read::<CaseAction>(entity, "action", &fields["action"])?;
            line(entity, "actorName", &fields["actorName"], ACTOR_MAX_CHARS, true)?;
            line(entity, "actorId", fields.get("actorId").unwrap_or(&Value::Null), ACTOR_MAX_CHARS, false)?;
            time(entity, "at", &fields["at"])?;
            line(entity, "note", fields.get("note").unwrap_or(&Value::Null), NOTE_MAX_CHARS, false)?;
            let list: Vec<CaseAttachment> = read(entity, "attachments", &fields["attachments"])?;
            if list.len() > ATTACHMENTS_MAX {
                return Err(invalid(entity, "attachments", &format!("最多 {ATTACHMENTS_MAX} 个")));
            }
            for a in &list {
                line(
                    entity,
                    "attachments.name",
                    &Value::String(a.name.clone()),
                    ATTACHMENT_NAME_MAX_CHARS,
                    true,
                )?;
                if !is_sha256(&a.sha256) || a.size > EVIDENCE_MAX_BYTES {
                    return Err(invalid(entity, "attachments", "佐证材料须为 SHA-256 与不超过上限的大小"));
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

pub const EVIDENCE_HASH_MISMATCH: &str = "evidence.hash_mismatch";
pub const EVIDENCE_KEY_INVALID: &str = "evidence.sha256_invalid";

/// Whether uploaded bytes are the evidence file named by `sha256` (lower-case hex): the route
/// stores only a file whose content is its name, so a file fetched by its hash is always that
/// file. (The size limit is the body limit of the route, [`EVIDENCE_MAX_BYTES`].)
pub fn check_evidence_file(sha256: &str, bytes: &[u8]) -> Result<(), Refusal> {
    use sha2::{Digest, Sha256};
    if !is_sha256(sha256) {
        return Err((EVIDENCE_KEY_INVALID, format!("{sha256:?} 不是小写十六进制的 SHA-256")));
    }
    let actual = hex::encode(Sha256::digest(bytes));
    if actual != sha256 {
        return Err((
            EVIDENCE_HASH_MISMATCH,
            format!("文件内容的 SHA-256 为 {actual}，与地址中的 {sha256} 不符"),
        ));
    }
    Ok(())
}

/// A step already written is never written again (append-only): the refusal of a second write
/// of its key. A replayed push never gets here (its (device, seq) answers first).
pub fn append_only(entity: &str, key: &str, current: &Row) -> Option<Refusal> {
    (entity == "case_step" && !current.fields.is_empty())
        .then(|| (APPEND_ONLY, format!("整改步骤 {key} 已记录，不能改写")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn up(v: Value) -> RowChange {
        RowChange::Upsert(v.as_object().cloned().unwrap_or_default())
    }

    fn code(entity: &str, v: Value) -> Option<&'static str> {
        check_change(entity, &up(v)).err().map(|(c, _)| c)
    }

    fn step() -> Value {
        json!({ "_live": true, "action": { "type": "verify" }, "actorId": "acc-1", "actorName": "王芳",
                "at": "2026-12-07T10:00:00.000Z", "note": null, "attachments": [] })
    }

    #[test]
    fn a_whole_step_passes_and_each_broken_part_is_named() {
        assert_eq!(code("case_step", step()), None);
        let mut s = step();
        s["action"] = json!({ "type": "fly" });
        assert_eq!(code("case_step", s), Some(FIELD_INVALID));
        let mut s = step();
        s["actorName"] = json!("  ");
        assert_eq!(code("case_step", s), Some(FIELD_INVALID));
        let mut s = step();
        s.as_object_mut().unwrap().remove("at");
        assert_eq!(code("case_step", s), Some(FIELD_INVALID), "a step is written whole");
        let mut s = step();
        s["note"] = json!("x".repeat(NOTE_MAX_CHARS + 1));
        assert_eq!(code("case_step", s), Some(FIELD_INVALID));
        let mut s = step();
        s["attachments"] = json!([{ "name": "a.jpg", "sha256": "xyz", "size": 1 }]);
        assert_eq!(code("case_step", s), Some(FIELD_INVALID));
        let mut s = step();
        s["extra"] = json!(1);
        assert_eq!(code("case_step", s), Some(FIELD_INVALID));
        assert_eq!(check_change("case_step", &RowChange::Delete).err().map(|r| r.0), Some(DELETE_REFUSED));
    }

    #[test]
    fn documents_read_as_their_types() {
        let profile = json!({ "name": "国家", "rectifyWorkingDays": 5, "callBackTargetPct": 100, "dueSoonWorkingDays": 1 });
        assert_eq!(code("deadline_profile", json!({ "document": profile })), None);
        assert_eq!(code("deadline_profile", json!({ "document": { "name": 1 } })), Some(FIELD_INVALID));
        assert_eq!(code("star_rule", json!({ "document": [] })), Some(FIELD_INVALID));
        assert_eq!(code("thresholds", json!({ "other": {} })), Some(FIELD_INVALID));
        assert!(!key_ok("star_rule", "x") && key_ok("star_rule", HALL_KEY));
    }

    #[test]
    fn reason_tags_pass_core_s_rules_or_are_refused() {
        let doc = |tags: Value| json!({ "document": { "tags": tags } });
        assert_eq!(code("rating_reasons", doc(json!(["等候时间长", "态度差"]))), None);
        for bad in [json!([]), json!(["等候", "等候"]), json!([" "]), json!(["一二三四五六七八九十一"])]
        {
            assert_eq!(code("rating_reasons", doc(bad.clone())), Some(FIELD_INVALID), "{bad}");
        }
        assert!(!key_ok("rating_reasons", "x") && key_ok("rating_reasons", HALL_KEY));
        assert_eq!(
            check_change("rating_reasons", &RowChange::Delete).err().map(|r| r.0),
            Some(DELETE_REFUSED)
        );
    }

    #[test]
    fn cases_and_evidence_are_checked_field_by_field() {
        let case = json!({ "_live": true, "realName": false,
            "assignee": { "kind": "department", "id": "d1", "name": "税务" },
            "rules": { "profile": "国家", "rectifyWorkingDays": 5, "dueSoonWorkingDays": 1, "closeRequiresCallBack": true },
            "openedAt": "2026-12-07T10:00:00.000Z", "openedDay": "2026-12-07",
            "deadline": { "status": "known", "date": "2026-12-14" } });
        assert_eq!(code("case", case.clone()), None);
        let mut c = case.clone();
        c["openedDay"] = json!("7 Dec");
        assert_eq!(code("case", c), Some(FIELD_INVALID));
        let mut c = case;
        c["assignee"]["name"] = json!("");
        assert_eq!(code("case", c), Some(FIELD_INVALID));
        let sha = "a".repeat(64);
        assert!(key_ok("case_evidence", &format!("r1/{sha}")) && !key_ok("case_evidence", "r1/abc"));
        let ev = json!({ "_live": true, "name": "整改照片.jpg", "size": 1024, "attachedAt": "2026-12-07T10:00:00.000Z" });
        assert_eq!(code("case_evidence", ev.clone()), None);
        let mut e = ev;
        e["size"] = json!(EVIDENCE_MAX_BYTES + 1);
        assert_eq!(code("case_evidence", e), Some(FIELD_INVALID));
    }

    #[test]
    fn an_evidence_file_is_stored_only_under_its_own_hash() {
        let sha = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"; // "hello\n"
        assert_eq!(check_evidence_file(sha, b"hello\n"), Ok(()));
        assert_eq!(check_evidence_file(sha, b"hello").err().map(|r| r.0), Some(EVIDENCE_HASH_MISMATCH));
        assert_eq!(check_evidence_file("ABC", b"").err().map(|r| r.0), Some(EVIDENCE_KEY_INVALID));
    }

    #[test]
    fn a_step_is_written_once() {
        let mut row = Row::default();
        assert!(append_only("case_step", "r/s", &row).is_none());
        row.apply(&hallkeeper_sync::Hlc::parse("000000000000000010-00000-pc1").unwrap(), &up(step()));
        assert_eq!(append_only("case_step", "r/s", &row).map(|r| r.0), Some(APPEND_ONLY));
        assert!(append_only("case", "r", &row).is_none(), "a case's opening may be written by each PC");
    }
}
