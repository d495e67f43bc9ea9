//! The rating pad's reason tags (评价原因标签): the list the pad offers for 不满意 / 非常不满意,
//! edited here and synced to the server (entity `rating_reasons`, key `hall`, one field
//! `document`), which serves it to every pad of the hall and refuses a rating whose reason is not
//! in it. A change to the hall — it decides what citizens may say — so a save is audited.

use super::{snapshot, Change, Store};
use crate::access::Actor;
use crate::error::{Code, Error, Rejection, Result};
use hallkeeper_proto::{
    RatingReasons, RatingReasonsProblem, RATING_REASONS_MAX, RATING_REASONS_MIN, RATING_REASON_MAX_CHARS,
};
use rusqlite::{params, OptionalExtension};

/// The settings key of the list (`sync::Entity::RatingReasons.settings_key()`).
pub const RATING_REASONS_KEY: &str = "ratings.reasons";

/// The audit log's action for a save.
pub const RATING_REASONS_ACTION: &str = "rating_reasons.update";

/// What the pad offers until the hall edits its list: the same six the server falls back to
/// (server api/pad.rs `DEFAULT_REASON_TAGS`), so a hall sees on the desktop what its pads show.
pub const DEFAULT_RATING_REASONS: [&str; 6] =
    ["等候时间长", "办理效率低", "服务态度差", "解释不清楚", "材料要求不明确", "环境设施不便"];

/// The list's first problem as a refusal at its field (`tags`, `tags[2]`).
pub fn rating_reasons_problem(reasons: &RatingReasons) -> Option<Rejection> {
    let tag = |i: usize| reasons.tags[i].trim().to_owned();
    Some(match reasons.problem()? {
        RatingReasonsProblem::Count(n) => Rejection::new(Code::RatingReasonsCount)
            .field("tags")
            .arg("min", RATING_REASONS_MIN)
            .arg("max", RATING_REASONS_MAX)
            .arg("count", n),
        RatingReasonsProblem::Empty(i) => Rejection::new(Code::RatingReasonEmpty).field(format!("tags[{i}]")),
        RatingReasonsProblem::TooLong(i) => Rejection::new(Code::RatingReasonTooLong)
            .field(format!("tags[{i}]"))
            .arg("tag", tag(i))
            .arg("max", RATING_REASON_MAX_CHARS),
        RatingReasonsProblem::Duplicate(i) => {
            Rejection::new(Code::RatingReasonDuplicate).field(format!("tags[{i}]")).arg("tag", tag(i))
        }
    })
}

fn read_reasons(c: &rusqlite::Connection) -> Result<Option<RatingReasons>> {
    let text: Option<String> = c
        .query_row("SELECT value FROM settings WHERE key = ?1", [RATING_REASONS_KEY], |r| r.get(0))
        .optional()?;
    text.map(|t| {
        serde_json::from_str(&t).map_err(|e| {
            Error::Corrupt(format!("the saved rating reason tags ({RATING_REASONS_KEY}) are unreadable: {e}"))
        })
    })
    .transpose()
}

fn defaults() -> RatingReasons {
    RatingReasons { tags: DEFAULT_RATING_REASONS.iter().map(|t| (*t).to_owned()).collect() }
}

impl Store {
    /// The hall's list as saved here or pulled from another PC; the defaults until one is.
    pub fn rating_reasons(&self) -> Result<RatingReasons> {
        Ok(self.read(read_reasons)?.unwrap_or_else(defaults))
    }

    /// Trims, validates and saves the list, audited, with one outbox operation for the server.
    /// Refused at the first problem's field; saving the list as it stands changes nothing.
    pub fn set_rating_reasons(
        &self,
        actor: &(impl Actor + ?Sized),
        reasons: &RatingReasons,
    ) -> Result<RatingReasons> {
        let reasons = reasons.trimmed();
        if let Some(problem) = rating_reasons_problem(&reasons) {
            return Err(problem.into());
        }
        self.write(actor, |w| {
            let before = read_reasons(&w.tx)?;
            if before.as_ref().unwrap_or(&defaults()) == &reasons && before.is_some() {
                return Ok(());
            }
            let json = serde_json::to_string(&reasons)
                .map_err(|e| Error::Corrupt(format!("cannot write the rating reason tags: {e}")))?;
            w.tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![RATING_REASONS_KEY, json],
            )?;
            w.record_ops([(
                super::outbox::Entity::RatingReasons,
                crate::sync::HALL_KEY.to_owned(),
                super::outbox::document(&reasons)?,
            )])?;
            w.audit(Change {
                action: RATING_REASONS_ACTION,
                entity_type: "rating_reasons",
                entity_id: None,
                summary: format!("评价原因标签：{}", reasons.tags.join("、")),
                before: Some(snapshot(&before.unwrap_or_else(defaults))?),
                after: Some(snapshot(&reasons)?),
            })
        })?;
        Ok(reasons)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Person;
    use crate::store::testing::store;
    use hallkeeper_proto::Locale;

    fn list(tags: &[&str]) -> RatingReasons {
        RatingReasons { tags: tags.iter().map(|t| (*t).to_owned()).collect() }
    }

    fn lead() -> Person {
        Person { account_id: "acc-lead".into(), name: "王值班".into(), grants: vec![] }
    }

    #[test]
    fn the_defaults_until_edited_then_the_saved_list_trimmed() {
        let (s, _) = store();
        assert_eq!(s.rating_reasons().unwrap().tags, DEFAULT_RATING_REASONS);
        let saved = s.set_rating_reasons(&lead(), &list(&[" 排队太久 ", "态度差"])).unwrap();
        assert_eq!(saved.tags, ["排队太久", "态度差"]);
        assert_eq!(s.rating_reasons().unwrap(), saved);
    }

    #[test]
    fn each_rule_is_refused_at_its_field_and_nothing_is_saved() {
        let (s, _) = store();
        let twelve: Vec<String> = (0..13).map(|i| format!("原因{i}")).collect();
        let cases: [(RatingReasons, &str, &str); 5] = [
            (list(&[]), "rating_reasons.count", "tags"),
            (RatingReasons { tags: twelve }, "rating_reasons.count", "tags"),
            (list(&["等候", "  "]), "rating_reasons.empty", "tags[1]"),
            (list(&["一二三四五六七八九十一"]), "rating_reasons.too_long", "tags[0]"),
            (list(&["等候", "态度", " 等候"]), "rating_reasons.duplicate", "tags[2]"),
        ];
        for (bad, code, field) in cases {
            let e = s.set_rating_reasons(&lead(), &bad).unwrap_err();
            let body = e.to_body(Locale::ZhCn);
            assert_eq!((body.code.as_str(), body.field.as_deref()), (code, Some(field)), "{bad:?}");
            assert!(!e.message(Locale::EnUs).is_empty());
        }
        // Exactly at the limits is fine: 12 tags, 10 characters.
        let ok: Vec<String> =
            "甲乙丙丁戊己庚辛壬癸子丑".chars().map(|c| format!("{c}二三四五六七八九十")).collect();
        s.set_rating_reasons(&lead(), &RatingReasons { tags: ok.clone() }).unwrap();
        assert_eq!(s.rating_reasons().unwrap().tags, ok);
        assert_eq!(s.pending_ops(100).unwrap().len(), 1, "refused lists wrote no operation");
    }

    #[test]
    fn a_save_is_audited_for_the_person_and_queued_as_one_hall_document() {
        let (s, _) = store();
        s.set_rating_reasons(&lead(), &list(&["等候时间长", "态度差"])).unwrap();
        let audit = s.list_audit(10, None).unwrap();
        let entry = &audit.entries[0];
        assert_eq!(entry.action, RATING_REASONS_ACTION);
        assert_eq!((entry.actor.as_str(), entry.actor_id.as_deref()), ("王值班", Some("acc-lead")));
        assert!(entry.summary.contains("态度差"), "{}", entry.summary);

        let ops = s.pending_ops(100).unwrap();
        let op = ops.iter().find(|o| o.entity == "rating_reasons").expect("an outbox operation");
        assert_eq!((op.key.as_str(), op.author.as_deref()), ("hall", Some("acc-lead")));
        assert_eq!(op.change["fields"]["document"]["tags"], serde_json::json!(["等候时间长", "态度差"]));

        // The same list again: no new record, no new operation.
        s.set_rating_reasons(&lead(), &list(&["等候时间长", " 态度差"])).unwrap();
        assert_eq!(s.pending_ops(100).unwrap().len(), ops.len());
        assert_eq!(s.list_audit(10, None).unwrap().entries.len(), audit.entries.len());
    }

    #[test]
    fn another_pcs_list_arrives_with_a_pull_and_is_the_halls() {
        let (s, _) = store();
        let change = hallkeeper_proto::SyncChange {
            change_id: 1,
            entity: "rating_reasons".into(),
            key: "hall".into(),
            hlc: "000000000000001000-00000-pc2".into(),
            change: serde_json::json!({ "kind": "upsert", "fields": { "document": { "tags": ["排队太久"] } } }),
            device_id: "pc2".into(),
            seq: 1,
        };
        let page = hallkeeper_proto::PullResponse { changes: vec![change], next_cursor: 1, has_more: false };
        s.apply_pull(0, &page).unwrap();
        assert_eq!(s.rating_reasons().unwrap().tags, ["排队太久"]);
        let snap = s.replica_snapshot().unwrap();
        assert_eq!(snap["rating_reasons"]["hall"]["document"]["tags"], serde_json::json!(["排队太久"]));
    }
}
