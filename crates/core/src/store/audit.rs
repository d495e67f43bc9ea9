//! Reading the audit log, newest first, a page at a time.

use super::Store;
use crate::error::{Error, Result};
use hallkeeper_proto::{AuditEntry, AuditPage};
use rusqlite::params;

pub const MAX_PAGE: usize = 500;

fn parse_json(text: Option<String>) -> Result<Option<serde_json::Value>> {
    text.map(|t| {
        serde_json::from_str(&t).map_err(|e| Error::Corrupt(format!("audit snapshot is not JSON: {e}")))
    })
    .transpose()
}

impl Store {
    /// Up to `limit` entries older than the cursor `before` (from a previous page), newest first.
    /// A cursor that is not one this store handed out starts from the newest entry.
    pub fn list_audit(&self, limit: usize, before: Option<&str>) -> Result<AuditPage> {
        let limit = limit.clamp(1, MAX_PAGE);
        let before_seq = before.and_then(|b| b.parse::<i64>().ok()).unwrap_or(i64::MAX);
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT seq, id, at, actor, action, entity_type, entity_id, summary, before_json, after_json, actor_id
                 FROM audit_log WHERE seq < ?1 ORDER BY seq DESC LIMIT ?2",
            )?;
            let mut rows = st.query(params![before_seq, limit as i64 + 1])?;
            let mut entries = Vec::with_capacity(limit);
            let mut last_seq = None;
            let mut more = false;
            while let Some(r) = rows.next()? {
                if entries.len() == limit {
                    more = true;
                    break;
                }
                last_seq = Some(r.get::<_, i64>(0)?);
                entries.push(AuditEntry {
                    id: r.get(1)?,
                    at: r.get(2)?,
                    actor: r.get(3)?,
                    action: r.get(4)?,
                    entity_type: r.get(5)?,
                    entity_id: r.get(6)?,
                    summary: r.get(7)?,
                    before: parse_json(r.get(8)?)?,
                    after: parse_json(r.get(9)?)?,
                    actor_id: r.get(10)?,
                });
            }
            Ok(AuditPage { entries, next_before: if more { last_seq.map(|s| s.to_string()) } else { None } })
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::store::testing::store;
    use hallkeeper_proto::{WindowInput, WindowKind, WindowState};

    #[test]
    fn pages_run_newest_first_without_gaps_or_repeats() {
        let (s, clock) = store();
        for i in 0..7 {
            let input = WindowInput {
                number: format!("A{i:02}"),
                name: "综合受理".into(),
                zone: String::new(),
                kind: WindowKind::General,
                state: WindowState::Open,
            };
            s.create_window("值班长", &input).unwrap();
            clock.advance(chrono::Duration::seconds(1));
        }
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = s.list_audit(3, cursor.as_deref()).unwrap();
            seen.extend(page.entries.iter().map(|e| e.summary.clone()));
            match page.next_before {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        let want: Vec<String> = (0..7).rev().map(|i| format!("A{i:02} 综合受理")).collect();
        assert_eq!(seen, want);
        let first = s.list_audit(1, None).unwrap().entries.remove(0);
        assert_eq!(first.at, "2026-11-25T01:30:06.000Z");
        assert_eq!(first.after.unwrap()["number"], "A06");
    }
}
