//! The poor-rating inbox and the rectification ledger (整改台账): one case per poor rating, opened
//! in the transaction that stores the rating (`apply_ratings` calls [`open_case`]), moved by the
//! pure state machine in `crate::rectification`, one `BEGIN IMMEDIATE` transaction per step with
//! its audit entry.
//!
//! Cases sync between the hall's PCs (docs/sync.md, "Cases"): a case travels keyed by its
//! rating id (its opening: assignee, rules, deadline), its steps as append-only rows, and the
//! case's state is recomputed here from its opening and every step held, in (HLC, step id)
//! order ([`crate::rectification::replay`]) — after a step made here and after one pulled.

use super::outbox;
use super::rating_rows::rating_in;
use super::report_facts;
use super::StoredRating;
use super::{snapshot, timestamp, Change, Store, Write};
use crate::access::Actor;
use crate::calendar::{Calendar, Deadline};
use crate::clock::hall_date;
use crate::error::{Code, Error, Rejection, Result};
use crate::rectification::{
    apply, opened_case, replay, ActionKindExt as _, Assignee, AssigneeKind, Attachment, Case, CaseExt as _,
    CaseRules, CaseState, CaseStateExt as _, DeadlineProfile, NewCase, ProfileExt as _, Step, SyncedStep,
    Transition,
};
use crate::reports::{self, CaseOutcome, RatingFact};
use crate::sync::{case_fields, step_fields, Entity, Snapshot};
use chrono::{DateTime, NaiveDate, Utc};
use hallkeeper_proto::RatingLevel;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Settings key of the hall's active deadline profile (JSON of a `DeadlineProfile`).
const PROFILE_KEY: &str = "rectification.profile";
/// Shared with the server, which checks synced evidence records against it.
pub use hallkeeper_proto::EVIDENCE_MAX_BYTES;
/// Folder of evidence files inside the data folder, each named by its SHA-256.
pub const EVIDENCE_DIR: &str = "evidence";
/// The assignee when neither the window's staff nor the matter's department is known here yet
/// (the catalog not pulled): the case must still open; reassigning fixes it.
const UNASSIGNED_ID: &str = "unassigned";
const UNASSIGNED_NAME: &str = "待指派";
const INBOX_MAX_PAGE: u32 = 500;

pub use hallkeeper_proto::{CaseAlerts, CaseDetail, CaseSummary, InboxFilter};

/// What a rating's case says for the statistics (reports): whether the rating is excluded
/// (appeal upheld), rectified, rectified on time (None: not rectified, or the deadline waits for
/// an unpublished notice) and called back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RatingCaseOutcome {
    pub excluded: bool,
    pub rectified: bool,
    pub rectified_on_time: Option<bool>,
    pub called_back: bool,
}

fn corrupt(what: impl std::fmt::Display) -> Error {
    Error::Corrupt(format!("rectification case: {what}"))
}

fn parse_state(s: &str) -> Result<CaseState> {
    CaseState::parse(s).ok_or_else(|| corrupt(format!("state {s:?}")))
}

fn parse_time(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt(format!("time {s:?}: {e}")))
}

fn opt_time(s: Option<String>) -> Result<Option<DateTime<Utc>>> {
    s.as_deref().map(parse_time).transpose()
}

fn from_json<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| corrupt(format!("{what}: {e}")))
}

fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| corrupt(format!("cannot encode: {e}")))
}

fn kind_str(k: AssigneeKind) -> &'static str {
    match k {
        AssigneeKind::Department => "department",
        AssigneeKind::Staff => "staff",
    }
}

const CASE_COLUMNS: &str = "c.id, c.rating_id, c.state, c.real_name, c.assignee_kind, c.assignee_id, \
     c.assignee_name, c.rules, c.opened_at, c.opened_day, c.deadline_json, c.rectified_at, \
     c.called_back_at, c.call_back, c.closed_at, c.appeal, c.excluded, c.exclusion_reason, c.read_at";

const RATING_COLUMNS: &str = "r.ticket_number, r.level, r.reasons, r.comment, r.at, \
     w.number, w.name, s.name, m.name, d.name";

const JOINS: &str = "FROM rectification_cases c JOIN ratings r ON r.id = c.rating_id
     LEFT JOIN windows w ON w.id = r.window_id
     LEFT JOIN staff s ON s.id = r.staff_id
     LEFT JOIN matters m ON m.id = r.matter_id
     LEFT JOIN departments d ON d.id = m.department_id";

/// A case row as stored, before its steps are read.
struct CaseRow {
    id: String,
    case: Case,
    opened_day: String,
    excluded: bool,
    exclusion_reason: Option<String>,
    read_at: Option<String>,
}

/// Raw values of one row (rusqlite's row cannot be kept); parsed by `CaseRow::parse`.
struct RawCase {
    text: [Option<String>; 19],
}

fn raw_case(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawCase> {
    let mut text: [Option<String>; 19] = Default::default();
    for (i, slot) in text.iter_mut().enumerate() {
        *slot = match r.get_ref(i)? {
            rusqlite::types::ValueRef::Null => None,
            rusqlite::types::ValueRef::Integer(n) => Some(n.to_string()),
            rusqlite::types::ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
            _ => None,
        };
    }
    Ok(RawCase { text })
}

impl RawCase {
    fn take(&mut self, i: usize) -> Result<String> {
        self.text[i].take().ok_or_else(|| corrupt(format!("column {i} is empty")))
    }

    fn parse(mut self) -> Result<CaseRow> {
        let id = self.take(0)?;
        let kind: AssigneeKind = from_json("assignee kind", &format!("\"{}\"", self.take(4)?))?;
        let case = Case {
            rating_id: self.take(1)?,
            state: parse_state(&self.take(2)?)?,
            real_name: self.take(3)? == "1",
            assignee: Assignee { kind, id: self.take(5)?, name: self.take(6)? },
            rules: from_json::<CaseRules>("rules", &self.take(7)?)?,
            opened_at: parse_time(&self.take(8)?)?,
            deadline: from_json::<Deadline>("deadline", &self.take(10)?)?,
            rectified_at: opt_time(self.text[11].take())?,
            called_back_at: opt_time(self.text[12].take())?,
            call_back: self.text[13].take().map(|j| from_json("call back", &j)).transpose()?,
            closed_at: opt_time(self.text[14].take())?,
            appeal: self.text[15].take().map(|j| from_json("appeal", &j)).transpose()?,
            history: Vec::new(),
        };
        Ok(CaseRow {
            id,
            case,
            opened_day: self.take(9)?,
            excluded: self.take(16)? == "1",
            exclusion_reason: self.text[17].take(),
            read_at: self.text[18].take(),
        })
    }
}

/// The rating's side of a summary, as read with the case.
struct RatingSide {
    ticket_number: String,
    level: String,
    reasons: String,
    comment: String,
    at: String,
    window_number: Option<String>,
    window_name: Option<String>,
    staff_name: Option<String>,
    matter_name: Option<String>,
    department_name: Option<String>,
}

fn rating_side(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<RatingSide> {
    Ok(RatingSide {
        ticket_number: r.get(at)?,
        level: r.get(at + 1)?,
        reasons: r.get(at + 2)?,
        // Shown on screens and in notifications: numbers a citizen typed are masked on the way out.
        comment: crate::privacy::mask_number_runs(&r.get::<_, String>(at + 3)?),
        at: r.get(at + 4)?,
        window_number: r.get(at + 5)?,
        window_name: r.get(at + 6)?,
        staff_name: r.get(at + 7)?,
        matter_name: r.get(at + 8)?,
        department_name: r.get(at + 9)?,
    })
}

fn summary(row: &CaseRow, side: RatingSide, today: NaiveDate, calendar: &Calendar) -> Result<CaseSummary> {
    let c = &row.case;
    Ok(CaseSummary {
        id: row.id.clone(),
        rating_id: c.rating_id.clone(),
        state: c.state,
        assignee: c.assignee.clone(),
        opened_at: c.opened_at,
        opened_day: row.opened_day.clone(),
        deadline: c.deadline.clone(),
        overdue: c.overdue(today),
        due_soon: c.due_soon(today, calendar),
        working_days_left: c
            .state
            .awaits_rectification()
            .then(|| c.working_days_left(today, calendar))
            .flatten(),
        unread: row.read_at.is_none(),
        excluded: row.excluded,
        exclusion_reason: row.exclusion_reason.clone(),
        ticket_number: side.ticket_number,
        window_number: side.window_number,
        window_name: side.window_name,
        staff_name: side.staff_name,
        matter_name: side.matter_name,
        department_name: side.department_name,
        level: RatingLevel::parse(&side.level)
            .ok_or_else(|| corrupt(format!("rating level {:?}", side.level)))?,
        reasons: from_json("rating reasons", &side.reasons)?,
        comment: side.comment,
        rated_at: side.at,
    })
}

/// Reads summaries matching `where_sql` (over `c.` and `r.` columns), newest first.
fn summaries(
    c: &Connection,
    where_sql: &str,
    args: &[&dyn rusqlite::ToSql],
    today: NaiveDate,
) -> Result<Vec<CaseSummary>> {
    let sql = format!(
        "SELECT {CASE_COLUMNS}, {RATING_COLUMNS} {JOINS} WHERE {where_sql} ORDER BY c.opened_at DESC, c.id DESC"
    );
    let mut st = c.prepare_cached(&sql)?;
    let rows = st.query_map(args, |r| Ok((raw_case(r)?, rating_side(r, 19)?)))?;
    let calendar = Calendar::builtin();
    let mut out = Vec::new();
    for row in rows {
        let (raw, side) = row?;
        out.push(summary(&raw.parse()?, side, today, calendar)?);
    }
    Ok(out)
}

fn read_case(c: &Connection, id: &str) -> Result<Option<CaseRow>> {
    let raw = c
        .prepare_cached(&format!("SELECT {CASE_COLUMNS} FROM rectification_cases c WHERE c.id = ?1"))?
        .query_row([id], raw_case)
        .optional()?;
    let Some(raw) = raw else { return Ok(None) };
    let mut row = raw.parse()?;
    row.case.history = read_steps(c, id)?;
    Ok(Some(row))
}

fn read_steps(c: &Connection, case_id: &str) -> Result<Vec<Transition>> {
    let mut st = c.prepare_cached(
        "SELECT from_state, to_state, action, actor, at, note, attachments
           FROM rectification_steps WHERE case_id = ?1 AND effective = 1 ORDER BY n",
    )?;
    let rows = st.query_map([case_id], step_columns)?;
    let mut out = Vec::new();
    for row in rows {
        let (from, to, action, actor, at, note, attachments) = row?;
        out.push(Transition {
            from: parse_state(&from)?,
            to: parse_state(&to)?,
            step: step_of(&action, actor, &at, note, &attachments)?,
        });
    }
    Ok(out)
}

/// A step row as both readers select it: two columns of their own (the states, or sync's id and
/// clock), then action, actor, at, note and attachments.
type StepColumns = (String, String, String, String, String, Option<String>, String);

fn step_columns(r: &rusqlite::Row<'_>) -> rusqlite::Result<StepColumns> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
}

/// The step of a [`StepColumns`] row, from its last five columns.
fn step_of(action: &str, actor: String, at: &str, note: Option<String>, attachments: &str) -> Result<Step> {
    Ok(Step {
        action: from_json("step action", action)?,
        actor,
        at: parse_time(at)?,
        note,
        attachments: from_json("step attachments", attachments)?,
    })
}

fn not_found(id: &str) -> Error {
    Rejection::new(Code::CaseNotFound).arg("id", id).into()
}

fn read_profile(c: &Connection) -> Result<Option<DeadlineProfile>> {
    let text: Option<String> =
        c.query_row("SELECT value FROM settings WHERE key = ?1", [PROFILE_KEY], |r| r.get(0)).optional()?;
    Ok(text.and_then(|t| serde_json::from_str::<DeadlineProfile>(&t).ok()).filter(|p| p.validate().is_ok()))
}

/// Who answers for a case when it opens: who sat at the window, else the matter's department.
fn default_assignee(c: &Connection, rating: &StoredRating) -> Result<Assignee> {
    if let Some(staff_id) = &rating.staff_id {
        let name: Option<String> =
            c.query_row("SELECT name FROM staff WHERE id = ?1", [staff_id], |r| r.get(0)).optional()?;
        if let Some(name) = name {
            return Ok(Assignee { kind: AssigneeKind::Staff, id: staff_id.clone(), name });
        }
    }
    let dept: Option<(String, String)> = c
        .query_row(
            "SELECT d.id, d.name FROM matters m JOIN departments d ON d.id = m.department_id WHERE m.id = ?1",
            [&rating.matter_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(match dept {
        Some((id, name)) => Assignee { kind: AssigneeKind::Department, id, name },
        None => Assignee {
            kind: AssigneeKind::Department,
            id: UNASSIGNED_ID.into(),
            name: UNASSIGNED_NAME.into(),
        },
    })
}

/// Opens the case of a poor rating just stored, inside the transaction that stored it; returns
/// the case id. Nothing here may refuse a rating: the profile is the hall's (a damaged setting
/// falls back to the built-in default) and the calendar answers `Unpublished` rather than fail.
pub(crate) fn open_case(w: &Write<'_>, rating: &StoredRating) -> Result<String> {
    // Another PC opened it first and its case came down before the rating: show that one.
    if w.synced_row_waiting(Entity::Case, &rating.id)? {
        w.project_all([(Entity::Case, rating.id.clone())])?;
        let id: Option<String> = w
            .tx
            .query_row("SELECT id FROM rectification_cases WHERE rating_id = ?1", [&rating.id], |r| r.get(0))
            .optional()?;
        if let Some(id) = id {
            return Ok(id);
        }
    }
    let profile = read_profile(&w.tx)?.unwrap_or_else(DeadlineProfile::national_default);
    let opened_at = parse_time(&rating.at)?;
    let new = NewCase {
        rating_id: rating.id.clone(),
        // The pads take no name or number with a rating: nobody can be called back yet.
        real_name: false,
        assignee: default_assignee(&w.tx, rating)?,
        opened_at,
    };
    let case = Case::open(new, &profile, Calendar::builtin())?;
    let id = w.new_id();
    let (deadline, unpublished) = match &case.deadline {
        Deadline::Known { date } => (Some(date.to_string()), None),
        Deadline::Unpublished { year, .. } => (None, Some(*year)),
    };
    w.record_ops([(
        Entity::Case,
        case.rating_id.clone(),
        outbox::create(opening_fields(&case, &rating.hall_day)?),
    )])?;
    w.tx.execute(
        "INSERT INTO rectification_cases (id, rating_id, state, real_name, assignee_kind, assignee_id,
             assignee_name, rules, opened_at, opened_day, deadline, deadline_unpublished_year, deadline_json,
             updated_at, opening_assignee_kind, opening_assignee_id, opening_assignee_name)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?5, ?6, ?7)",
        params![
            id,
            case.rating_id,
            case.state.as_str(),
            case.real_name,
            kind_str(case.assignee.kind),
            case.assignee.id,
            case.assignee.name,
            to_json(&case.rules)?,
            timestamp(case.opened_at),
            rating.hall_day,
            deadline,
            unpublished,
            to_json(&case.deadline)?,
            w.now_text(),
        ],
    )?;
    w.audit(Change {
        action: "case.open",
        entity_type: "rectification_case",
        entity_id: Some(&id),
        summary: format!("差评 {} 立案，{} 办理", rating.ticket_number, case.assignee.name),
        before: None,
        after: Some(snapshot(&case)?),
    })?;
    Ok(id)
}

/// Cases still to handle: not closed and not appeal-upheld (the dashboard's open poor ratings).
pub(crate) fn open_case_count(c: &Connection) -> Result<u32> {
    Ok(c.prepare_cached(
        "SELECT count(*) FROM rectification_cases WHERE state NOT IN ('closed', 'appeal_upheld')",
    )?
    .query_row([], |r| r.get(0))?)
}

/// Copies `path` into `dir/<sha256>` (written under a temporary name, then renamed, so a file
/// named by a hash always has that content) and returns its size and hash.
fn store_evidence(path: &Path, dir: &Path) -> Result<(u64, String)> {
    let file_name =
        path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let unreadable = |e: std::io::Error| -> Error {
        Rejection::new(Code::EvidenceUnreadable).field("path").arg("file", &file_name).arg("reason", e).into()
    };
    let too_large = |size: u64| -> Error {
        Rejection::new(Code::EvidenceTooLarge)
            .field("path")
            .arg("file", &file_name)
            .arg("mb", format!("{:.1}", size as f64 / 1_048_576.0))
            .arg("max_mb", EVIDENCE_MAX_BYTES / 1_048_576)
            .into()
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(unreadable(std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file")));
    }
    if meta.len() > EVIDENCE_MAX_BYTES {
        return Err(too_large(meta.len()));
    }
    std::fs::create_dir_all(dir).map_err(|source| Error::DataDir { path: dir.to_owned(), source })?;
    // Unique per copy: two attachments may be copied at once on the blocking pool.
    static COPIES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COPIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".incoming-{}-{n}", std::process::id()));
    let copied = (|| -> std::io::Result<(u64, String)> {
        let mut src = std::fs::File::open(path)?;
        let mut out = std::fs::File::create(&tmp)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        let mut size = 0u64;
        loop {
            let n = src.read(&mut buf)?;
            if n == 0 {
                break;
            }
            size += n as u64;
            // The file may grow between the size check and the copy.
            if size > EVIDENCE_MAX_BYTES {
                return Ok((size, String::new()));
            }
            hasher.update(&buf[..n]);
            std::io::Write::write_all(&mut out, &buf[..n])?;
        }
        out.sync_all()?;
        Ok((size, hex::encode(hasher.finalize())))
    })();
    let (size, sha) = match copied {
        Ok(v) => v,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(unreadable(e));
        }
    };
    if sha.is_empty() {
        let _ = std::fs::remove_file(&tmp);
        return Err(too_large(size));
    }
    let target = dir.join(&sha);
    if target.exists() {
        let _ = std::fs::remove_file(&tmp);
    } else {
        std::fs::rename(&tmp, &target).map_err(|source| Error::DataDir { path: target.clone(), source })?;
    }
    Ok((size, sha))
}

impl Store {
    /// The hall's deadline profile for new cases (the built-in default until one is set).
    pub fn deadline_profile(&self) -> Result<DeadlineProfile> {
        Ok(self.read(read_profile)?.unwrap_or_else(DeadlineProfile::national_default))
    }

    /// Sets the profile new cases open under; running cases keep theirs. A refusal names the
    /// profile's field (`rectifyWorkingDays` …).
    pub fn set_deadline_profile(
        &self,
        actor: &(impl Actor + ?Sized),
        profile: &DeadlineProfile,
    ) -> Result<DeadlineProfile> {
        profile.validate()?;
        let profile = DeadlineProfile { name: profile.name.trim().to_owned(), ..profile.clone() };
        let before = self.read(read_profile)?;
        self.write(actor, |w| {
            w.tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![PROFILE_KEY, to_json(&profile)?],
            )?;
            w.record_ops([(
                Entity::DeadlineProfile,
                crate::sync::HALL_KEY.to_owned(),
                outbox::document(&profile)?,
            )])?;
            w.audit(Change {
                action: "settings.rectification_profile",
                entity_type: "settings",
                entity_id: Some(PROFILE_KEY),
                summary: format!(
                    "整改时限规则：{}（{} 个工作日）",
                    profile.name, profile.rectify_working_days
                ),
                before: before.as_ref().map(snapshot).transpose()?,
                after: Some(snapshot(&profile)?),
            })?;
            Ok(())
        })?;
        Ok(profile)
    }

    /// Runs one step on a case through the state machine and records it with the new state, in
    /// one transaction with its audit entry. A refused step writes nothing.
    pub fn case_action(&self, actor: &(impl Actor + ?Sized), case_id: &str, step: Step) -> Result<Case> {
        // The account travels with the step to every PC, beside the name the step shows.
        let actor_id = actor.account_id();
        self.write(actor, |w| {
            let row = read_case(&w.tx, case_id)?.ok_or_else(|| not_found(case_id))?;
            let next = apply(&row.case, &step)?;
            for a in &step.attachments {
                let known: bool = w.tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM rectification_evidence WHERE case_id = ?1 AND sha256 = ?2)",
                    params![case_id, a.sha256],
                    |r| r.get(0),
                )?;
                if !known {
                    return Err(Rejection::new(Code::EvidenceUnknown)
                        .field("attachments")
                        .arg("name", &a.name)
                        .into());
                }
            }
            let Some(t) = next.history.last() else {
                return Err(corrupt("an accepted step left no history"));
            };
            let step_id = w.new_id();
            let at = timestamp(t.step.at);
            let mut fields = Map::new();
            fields.insert("action".into(), snapshot(&t.step.action)?);
            fields.insert("actorId".into(), actor_id.map_or(Value::Null, Value::from));
            fields.insert("actorName".into(), t.step.actor.trim().into());
            fields.insert("at".into(), at.clone().into());
            fields.insert("note".into(), t.step.note.clone().map_or(Value::Null, Value::from));
            fields.insert("attachments".into(), snapshot(&t.step.attachments)?);
            w.record_ops([(
                Entity::CaseStep,
                format!("{}/{step_id}", row.case.rating_id),
                outbox::create(fields),
            )])?;
            let hlc: String =
                w.tx.query_row("SELECT hlc FROM outbox ORDER BY seq DESC LIMIT 1", [], |r| r.get(0))?;
            insert_step(
                w,
                case_id,
                &StepRow {
                    step_id: &step_id,
                    hlc: &hlc,
                    action: &to_json(&t.step.action)?,
                    actor: t.step.actor.trim(),
                    actor_id,
                    at: &at,
                    note: t.step.note.as_deref(),
                    attachments: &to_json(&t.step.attachments)?,
                },
            )?;
            let next = recompute_case(w, case_id)?;
            let kind = t.step.action.kind();
            w.audit(Change {
                action: "case.step",
                entity_type: "rectification_case",
                entity_id: Some(case_id),
                summary: format!("{}：{} → {}", kind.label_zh(), t.from.label_zh(), t.to.label_zh()),
                before: Some(snapshot(&CaseState::as_str(row.case.state))?),
                after: Some(snapshot(t)?),
            })?;
            Ok(next)
        })
    }

    /// The inbox, newest first, filtered and paged.
    pub fn poor_rating_inbox(&self, filter: &InboxFilter) -> Result<Vec<CaseSummary>> {
        let today = hall_date(self.now());
        let state = filter.state.map(CaseState::as_str);
        // An absent flag is false.
        let flag = |f: Option<bool>| f.unwrap_or(false);
        let all = self.read(|c| {
            summaries(
                c,
                "(?1 IS NULL OR c.state = ?1) AND (?2 = 0 OR c.read_at IS NULL)
                 AND (?3 = 0 OR c.state NOT IN ('closed', 'appeal_upheld'))",
                &[&state, &flag(filter.unread), &flag(filter.open_only)],
                today,
            )
        })?;
        let limit = match filter.limit.unwrap_or(0) {
            0 => 100,
            n => n.min(INBOX_MAX_PAGE),
        } as usize;
        Ok(all
            .into_iter()
            .filter(|s| !flag(filter.overdue) || s.overdue == Some(true))
            .filter(|s| !flag(filter.due_soon) || s.due_soon == Some(true))
            .skip(filter.offset.unwrap_or(0) as usize)
            .take(limit)
            .collect())
    }

    /// One case with its rating and steps.
    pub fn case(&self, id: &str) -> Result<CaseDetail> {
        let today = hall_date(self.now());
        self.read(|c| {
            let row = read_case(c, id)?.ok_or_else(|| not_found(id))?;
            let summary = summaries(c, "c.id = ?1", &[&id], today)?.pop().ok_or_else(|| not_found(id))?;
            let rating = rating_in(c, &row.case.rating_id)?
                .ok_or_else(|| corrupt(format!("rating {} of case {id} is gone", row.case.rating_id)))?;
            let mut st = c.prepare_cached(
                "SELECT name, sha256, size FROM rectification_evidence WHERE case_id = ?1 ORDER BY attached_at, sha256",
            )?;
            let evidence = st
                .query_map([id], |r| Ok(Attachment { name: r.get(0)?, sha256: r.get(1)?, size: r.get::<_, i64>(2)?.max(0) as u64 }))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(CaseDetail { summary, rating, allowed_actions: row.case.allowed_actions(), case: row.case, evidence })
        })
    }

    /// The summary of a rating's case (None: the rating opened none, or is not held).
    pub fn case_for_rating(&self, rating_id: &str) -> Result<Option<CaseSummary>> {
        let today = hall_date(self.now());
        self.read(|c| Ok(summaries(c, "c.rating_id = ?1", &[&rating_id], today)?.pop()))
    }

    /// Cases nobody has opened in the inbox yet.
    pub fn unread_cases(&self) -> Result<u32> {
        self.read(|c| {
            Ok(c.query_row("SELECT count(*) FROM rectification_cases WHERE read_at IS NULL", [], |r| {
                r.get(0)
            })?)
        })
    }

    /// Marks a case read (opened in the inbox). Reading is not a change to the ledger: not audited.
    pub fn mark_case_read(&self, id: &str) -> Result<()> {
        self.write_quietly("", |w| {
            let n = w.tx.execute(
                "UPDATE rectification_cases SET read_at = coalesce(read_at, ?2) WHERE id = ?1",
                params![id, w.now_text()],
            )?;
            if n == 0 {
                return Err(not_found(id));
            }
            Ok(())
        })
    }

    /// Cases overdue or due soon on `today` (hall date).
    pub fn case_alerts(&self, today: NaiveDate) -> Result<CaseAlerts> {
        self.read(|c| alerts(c, today, false))
    }

    /// Like [`Store::case_alerts`], but only cases not alerted yet on `today`, and marks them:
    /// a notification once per hall day per case, across restarts.
    pub fn take_case_alerts(&self, today: NaiveDate) -> Result<CaseAlerts> {
        self.write_quietly("", |w| {
            let found = alerts(&w.tx, today, true)?;
            let day = today.to_string();
            for s in found.overdue.iter().chain(&found.due_soon) {
                w.tx.execute(
                    "UPDATE rectification_cases SET alerted_on = ?2 WHERE id = ?1",
                    params![s.id, day],
                )?;
            }
            Ok(found)
        })
    }

    /// What the rating's case means for the statistics; None when the rating has no case.
    pub fn rating_case_outcome(&self, rating_id: &str) -> Result<Option<RatingCaseOutcome>> {
        self.read(|c| case_outcome_in(c, rating_id))
    }

    /// Where evidence files are kept: `evidence/` beside the store file (None in memory).
    pub fn evidence_dir(&self) -> Option<PathBuf> {
        self.path().and_then(Path::parent).map(|d| d.join(EVIDENCE_DIR))
    }

    /// Copies a file into the evidence folder by content hash and records it on the case; the
    /// returned attachment is what a step cites. Over [`EVIDENCE_MAX_BYTES`] is refused, naming
    /// the file.
    pub fn attach_evidence(
        &self,
        actor: &(impl Actor + ?Sized),
        case_id: &str,
        path: &Path,
    ) -> Result<Attachment> {
        let dir = self
            .evidence_dir()
            .ok_or_else(|| Error::Corrupt("an in-memory store keeps no evidence files".into()))?;
        let exists = self.read(|c| {
            Ok(c.query_row(
                "SELECT EXISTS (SELECT 1 FROM rectification_cases WHERE id = ?1)",
                [case_id],
                |r| r.get::<_, bool>(0),
            )?)
        })?;
        if !exists {
            return Err(not_found(case_id));
        }
        // The file is copied before the row is written: a failed write leaves at most an unused
        // file named by its hash, never a row without its file.
        let (size, sha256) = store_evidence(path, &dir)?;
        let name: String = path
            .file_name()
            .map_or_else(|| sha256.clone(), |n| n.to_string_lossy().into_owned())
            .chars()
            .take(crate::rectification::ATTACHMENT_NAME_MAX_CHARS)
            .collect();
        let attachment = Attachment { name, sha256, size };
        self.write(actor, |w| {
            w.tx.execute(
                "INSERT INTO rectification_evidence (case_id, sha256, name, size, attached_at)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (case_id, sha256) DO UPDATE SET name = excluded.name",
                params![case_id, attachment.sha256, attachment.name, attachment.size as i64, w.now_text()],
            )?;
            let rating_id: String =
                w.tx.query_row("SELECT rating_id FROM rectification_cases WHERE id = ?1", [case_id], |r| r.get(0))?;
            let attached_at: String = w.tx.query_row(
                "SELECT attached_at FROM rectification_evidence WHERE case_id = ?1 AND sha256 = ?2",
                params![case_id, attachment.sha256],
                |r| r.get(0),
            )?;
            let mut fields = Map::new();
            fields.insert("name".into(), attachment.name.clone().into());
            fields.insert("size".into(), attachment.size.into());
            fields.insert("attachedAt".into(), attached_at.into());
            w.record_ops([(
                Entity::CaseEvidence,
                format!("{rating_id}/{}", attachment.sha256),
                outbox::create(fields),
            )])?;
            w.audit(Change {
                action: "case.evidence",
                entity_type: "rectification_case",
                entity_id: Some(case_id),
                summary: format!("上传佐证材料 {}", attachment.name),
                before: None,
                after: Some(snapshot(&attachment)?),
            })?;
            Ok(())
        })?;
        Ok(attachment)
    }
}

impl Store {
    /// The bytes of an evidence file held here (None in memory, or when the file is not here).
    pub fn evidence_file(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        let Some(dir) = self.evidence_dir() else { return Ok(None) };
        if !is_sha256(sha256) {
            return Ok(None);
        }
        match std::fs::read(dir.join(sha256)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(Error::DataDir { path: dir.join(sha256), source }),
        }
    }

    /// The evidence files the cases here cite by record (pulled from another PC) whose bytes are
    /// not in the evidence folder yet.
    pub fn missing_evidence_files(&self) -> Result<Vec<String>> {
        let Some(dir) = self.evidence_dir() else { return Ok(Vec::new()) };
        let all: Vec<String> = self.read(|c| {
            Ok(c.prepare_cached("SELECT DISTINCT sha256 FROM rectification_evidence ORDER BY sha256")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?)
        })?;
        Ok(all.into_iter().filter(|sha| is_sha256(sha) && !dir.join(sha).exists()).collect())
    }

    /// Keeps an evidence file fetched from the server, under its hash — only if the bytes are
    /// that file (a damaged download is refused, never stored under a name it does not match).
    pub fn save_evidence_file(&self, sha256: &str, bytes: &[u8]) -> Result<()> {
        let dir = self
            .evidence_dir()
            .ok_or_else(|| Error::Corrupt("an in-memory store keeps no evidence files".into()))?;
        let actual = hex::encode(Sha256::digest(bytes));
        if !is_sha256(sha256) || actual != sha256 || bytes.len() as u64 > EVIDENCE_MAX_BYTES {
            return Err(corrupt(format!("the evidence file {sha256} fetched has other content ({actual})")));
        }
        std::fs::create_dir_all(&dir).map_err(|source| Error::DataDir { path: dir.clone(), source })?;
        let target = dir.join(sha256);
        let tmp = dir.join(format!(".fetched-{}-{sha256}", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut out = std::fs::File::create(&tmp)?;
            std::io::Write::write_all(&mut out, bytes)?;
            out.sync_all()?;
            std::fs::rename(&tmp, &target)
        };
        write().map_err(|source| {
            let _ = std::fs::remove_file(&tmp);
            Error::DataDir { path: target.clone(), source }
        })
    }
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn alerts(c: &Connection, today: NaiveDate, only_new: bool) -> Result<CaseAlerts> {
    let day = today.to_string();
    let open = summaries(
        c,
        "c.state IN ('new', 'verifying', 'rectifying', 'appealed') AND (?1 = 0 OR c.alerted_on IS NOT ?2)",
        &[&only_new, &day],
        today,
    )?;
    let mut out = CaseAlerts::default();
    for s in open {
        if s.overdue == Some(true) {
            out.overdue.push(s);
        } else if s.due_soon == Some(true) {
            out.due_soon.push(s);
        }
    }
    Ok(out)
}

/// What a rating's case means for the statistics, on a connection (the reports' feed reads it
/// inside the write that moved the case); None when the rating has no case.
pub(crate) fn case_outcome_in(c: &Connection, rating_id: &str) -> Result<Option<RatingCaseOutcome>> {
    let id: Option<String> = c
        .query_row("SELECT id FROM rectification_cases WHERE rating_id = ?1", [rating_id], |r| r.get(0))
        .optional()?;
    let Some(id) = id else { return Ok(None) };
    let Some(row) = read_case(c, &id)? else { return Ok(None) };
    Ok(Some(RatingCaseOutcome {
        excluded: row.excluded,
        rectified: row.case.rectified_at.is_some(),
        rectified_on_time: row.case.on_time(),
        called_back: row.case.called_back_at.is_some(),
    }))
}

/// A rating's report fact with what its case means for the statistics, on a connection (inside
/// the write that stored the rating or moved its case).
pub(crate) fn rating_fact_in(c: &Connection, rating: &StoredRating) -> Result<RatingFact> {
    let outcome = case_outcome_in(c, &rating.id)?;
    report_facts::rating_fact(
        c,
        rating,
        outcome.is_some_and(|o| o.excluded),
        outcome.map(|o| CaseOutcome {
            rectified: o.rectified,
            rectified_on_time: o.rectified && o.rectified_on_time == Some(true),
            called_back: o.called_back,
        }),
    )
}

/// Re-upserts a rating's fact after its case moved (in the case step's transaction).
fn refresh_rating_fact(c: &Connection, rating_id: &str) -> Result<()> {
    if let Some(rating) = rating_in(c, rating_id)? {
        let fact = rating_fact_in(c, &rating)?;
        reports::upsert_facts(c, &[], &[fact])?;
    }
    Ok(())
}

/// The synced form of a case's opening (its wire fields, the same on every PC).
fn opening_fields(case: &Case, opened_day: &str) -> Result<Map<String, Value>> {
    let mut f = Map::new();
    f.insert("realName".into(), case.real_name.into());
    f.insert("assignee".into(), snapshot(&case.assignee)?);
    f.insert("rules".into(), snapshot(&case.rules)?);
    f.insert("openedAt".into(), timestamp(case.opened_at).into());
    f.insert("openedDay".into(), opened_day.into());
    f.insert("deadline".into(), snapshot(&case.deadline)?);
    Ok(f)
}

fn case_id_of(c: &Connection, rating_id: &str) -> Result<Option<String>> {
    Ok(c.prepare_cached("SELECT id FROM rectification_cases WHERE rating_id = ?1")?
        .query_row([rating_id], |r| r.get(0))
        .optional()?)
}

/// Shows a synced case (key: its rating id) once its rating is held here: its opening as the
/// server's order has it, and its state recomputed. False while the rating is not held.
pub(crate) fn show_synced_case(w: &Write<'_>, rating_id: &str, f: &Map<String, Value>) -> Result<bool> {
    let Some(case) = crate::sync::case_opening(rating_id, f) else { return Ok(false) };
    let held = w.tx.prepare_cached("SELECT 1 FROM ratings WHERE id = ?1")?.exists([rating_id])?;
    if !held {
        return Ok(false);
    }
    let (deadline, unpublished) = match &case.deadline {
        Deadline::Known { date } => (Some(date.to_string()), None),
        Deadline::Unpublished { year, .. } => (None, Some(*year)),
    };
    let opened_day = f.get("openedDay").and_then(Value::as_str).unwrap_or_default();
    let opened_at = f.get("openedAt").and_then(Value::as_str).unwrap_or_default();
    let id = match case_id_of(&w.tx, rating_id)? {
        Some(id) => id,
        None => w.new_id(),
    };
    w.tx.execute(
        "INSERT INTO rectification_cases (id, rating_id, state, real_name, assignee_kind, assignee_id,
             assignee_name, rules, opened_at, opened_day, deadline, deadline_unpublished_year, deadline_json,
             updated_at, opening_assignee_kind, opening_assignee_id, opening_assignee_name)
         VALUES (?1, ?2, 'new', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET real_name = excluded.real_name, rules = excluded.rules,
             opened_at = excluded.opened_at, opened_day = excluded.opened_day, deadline = excluded.deadline,
             deadline_unpublished_year = excluded.deadline_unpublished_year, deadline_json = excluded.deadline_json,
             opening_assignee_kind = excluded.opening_assignee_kind,
             opening_assignee_id = excluded.opening_assignee_id,
             opening_assignee_name = excluded.opening_assignee_name",
        params![
            id,
            rating_id,
            case.real_name,
            kind_str(case.assignee.kind),
            case.assignee.id,
            case.assignee.name,
            to_json(&case.rules)?,
            opened_at,
            opened_day,
            deadline,
            unpublished,
            to_json(&case.deadline)?,
            w.now_text(),
        ],
    )?;
    recompute_case(w, &id)?;
    Ok(true)
}

/// Shows a synced evidence record (`{ratingId}/{sha256}`) on its case. The file itself is not
/// part of the row (docs/sync.md, "Evidence").
pub(crate) fn show_synced_evidence(w: &Write<'_>, key: &str, f: &Map<String, Value>) -> Result<bool> {
    let Some((rating_id, sha)) = key.split_once('/') else { return Ok(false) };
    let Some(case_id) = case_id_of(&w.tx, rating_id)? else { return Ok(false) };
    let s = |k: &str| f.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    w.tx.execute(
        "INSERT INTO rectification_evidence (case_id, sha256, name, size, attached_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (case_id, sha256) DO UPDATE SET name = excluded.name, size = excluded.size,
             attached_at = excluded.attached_at",
        params![case_id, sha, s("name"), f.get("size").and_then(Value::as_i64), s("attachedAt")],
    )?;
    Ok(true)
}

/// Adds a synced step (`{ratingId}/{stepId}`) to its case, once, and recomputes the case.
pub(crate) fn show_synced_step(w: &Write<'_>, key: &str, f: &Map<String, Value>) -> Result<bool> {
    let Some((rating_id, step_id)) = key.split_once('/') else { return Ok(false) };
    let Some(case_id) = case_id_of(&w.tx, rating_id)? else { return Ok(false) };
    let known =
        w.tx.prepare_cached("SELECT 1 FROM rectification_steps WHERE case_id = ?1 AND step_id = ?2")?
            .exists(params![case_id, step_id])?;
    if known {
        return Ok(true);
    }
    let s = |k: &str| f.get(k).and_then(Value::as_str);
    insert_step(
        w,
        &case_id,
        &StepRow {
            step_id,
            hlc: s("hlc").unwrap_or_default(),
            action: &f.get("action").map(Value::to_string).unwrap_or_default(),
            actor: s("actorName").unwrap_or_default(),
            actor_id: s("actorId"),
            at: s("at").unwrap_or_default(),
            note: s("note"),
            attachments: &f.get("attachments").map(Value::to_string).unwrap_or_else(|| "[]".into()),
        },
    )?;
    recompute_case(w, &case_id)?;
    Ok(true)
}

struct StepRow<'a> {
    step_id: &'a str,
    hlc: &'a str,
    action: &'a str,
    actor: &'a str,
    actor_id: Option<&'a str>,
    at: &'a str,
    note: Option<&'a str>,
    attachments: &'a str,
}

/// Appends a step at the end (its place and states are set by [`recompute_case`], in the same
/// transaction).
fn insert_step(w: &Write<'_>, case_id: &str, s: &StepRow<'_>) -> Result<()> {
    w.tx.execute(
        "INSERT INTO rectification_steps (case_id, n, from_state, to_state, action, actor, at, note, attachments,
             step_id, hlc, actor_id, effective)
         VALUES (?1, (SELECT coalesce(max(n), 0) + 1 FROM rectification_steps WHERE case_id = ?1), 'new', 'new',
             ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1)",
        params![case_id, s.action, s.actor, s.at, s.note, s.attachments, s.step_id, s.hlc, s.actor_id],
    )?;
    Ok(())
}

/// The case as opened (state new, the opening assignee, no steps).
fn read_opening(c: &Connection, case_id: &str) -> Result<Option<Case>> {
    let Some(mut row) = c
        .prepare_cached(&format!("SELECT {CASE_COLUMNS} FROM rectification_cases c WHERE c.id = ?1"))?
        .query_row([case_id], raw_case)
        .optional()?
        .map(RawCase::parse)
        .transpose()?
    else {
        return Ok(None);
    };
    let opening: Option<(String, String, String)> = c
        .query_row(
            "SELECT opening_assignee_kind, opening_assignee_id, opening_assignee_name FROM rectification_cases
              WHERE id = ?1 AND opening_assignee_kind IS NOT NULL AND opening_assignee_id IS NOT NULL
                AND opening_assignee_name IS NOT NULL",
            [case_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    if let Some((kind, id, name)) = opening {
        row.case.assignee = Assignee { kind: from_json("assignee kind", &format!("\"{kind}\""))?, id, name };
    }
    let c = row.case;
    Ok(Some(opened_case(c.rating_id, c.real_name, c.assignee, c.opened_at, c.rules, c.deadline)))
}

/// Every step of a case as sync orders them.
fn read_synced_steps(c: &Connection, case_id: &str) -> Result<Vec<SyncedStep>> {
    let mut st = c.prepare_cached(
        "SELECT step_id, hlc, action, actor, at, note, attachments FROM rectification_steps WHERE case_id = ?1",
    )?;
    let rows = st.query_map([case_id], step_columns)?;
    let mut out = Vec::new();
    for row in rows {
        let (id, hlc, action, actor, at, note, attachments) = row?;
        out.push(SyncedStep { hlc, id, step: step_of(&action, actor, &at, note, &attachments)? });
    }
    Ok(out)
}

/// The case's state again from its opening and every step held (`rectification::replay`): each
/// step's place, effect and states, the case's columns, and the rating's report fact.
pub(crate) fn recompute_case(w: &Write<'_>, case_id: &str) -> Result<Case> {
    let opening = read_opening(&w.tx, case_id)?.ok_or_else(|| not_found(case_id))?;
    let replayed = replay(&opening, read_synced_steps(&w.tx, case_id)?);
    let was_effective: std::collections::HashMap<String, bool> =
        w.tx.prepare_cached("SELECT step_id, effective FROM rectification_steps WHERE case_id = ?1")?
            .query_map([case_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
    // Out of the way first: (case_id, n) is the key, and places only ever shift.
    w.tx.execute("UPDATE rectification_steps SET n = n + 1000000 WHERE case_id = ?1", [case_id])?;
    let mut st = w.tx.prepare_cached(
        "UPDATE rectification_steps SET n = ?3, effective = ?4, from_state = ?5, to_state = ?6
          WHERE case_id = ?1 AND step_id = ?2",
    )?;
    for s in &replayed.steps {
        st.execute(params![case_id, s.step.id, s.n as i64, s.effective, s.from.as_str(), s.to.as_str()])?;
    }
    // A step made here that another PC's earlier step has just displaced: kept, and said so in
    // this PC's audit log (as a superseded edit is), so its maker learns why it did not count.
    for s in replayed.steps.iter().filter(|s| !s.effective && was_effective.get(&s.step.id) == Some(&true)) {
        let key = format!("{}/{}", opening.rating_id, s.step.id);
        let mine =
            w.tx.prepare_cached("SELECT 1 FROM outbox WHERE entity = 'case_step' AND entity_key = ?1")?
                .exists([&key])?;
        if mine {
            w.audit(Change {
                action: "sync.superseded",
                entity_type: "rectification_case",
                entity_id: Some(case_id),
                summary: format!(
                    "本机的整改步骤（{}，{}）与其他电脑上同时进行的步骤冲突，按同步顺序未生效；该步骤已保留在案件中",
                    s.step.step.action.kind().label_zh(),
                    s.step.step.actor
                ),
                before: Some(snapshot(&s.step.step)?),
                after: Some(snapshot(&s.to.as_str())?),
            })?;
        }
    }
    let next = &replayed.case;
    let excluded = next.excluded_from_statistics();
    let reason = next
        .appeal
        .as_ref()
        .and_then(|a| a.decision.as_ref())
        .filter(|d| d.upheld && excluded)
        .map(|d| d.reason.clone());
    w.tx.execute(
        "UPDATE rectification_cases SET state = ?2, assignee_kind = ?3, assignee_id = ?4, assignee_name = ?5,
             rectified_at = ?6, called_back_at = ?7, call_back = ?8, closed_at = ?9, appeal = ?10,
             excluded = ?11, exclusion_reason = ?12, updated_at = ?13
         WHERE id = ?1",
        params![
            case_id,
            next.state.as_str(),
            kind_str(next.assignee.kind),
            next.assignee.id.trim(),
            next.assignee.name.trim(),
            next.rectified_at.map(timestamp),
            next.called_back_at.map(timestamp),
            next.call_back.as_ref().map(to_json).transpose()?,
            next.closed_at.map(timestamp),
            next.appeal.as_ref().map(to_json).transpose()?,
            excluded,
            reason,
            w.now_text(),
        ],
    )?;
    // The rating's report fact follows its case, in this transaction.
    refresh_rating_fact(&w.tx, &next.rating_id)?;
    Ok(replayed.case)
}

/// The cases, their evidence and their steps as this replica shows them, in the form
/// [`crate::sync::server_snapshot`] gives for the server's rows.
pub(crate) fn snapshot_cases(c: &Connection, out: &mut Snapshot) -> Result<()> {
    let ids: Vec<(String, String, String)> = c
        .prepare("SELECT id, rating_id, opened_day FROM rectification_cases")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, rating_id, day) in ids {
        let (Some(opening), Some(row)) = (read_opening(c, &id)?, read_case(c, &id)?) else { continue };
        let fields = case_fields(&opening_fields(&opening, &day)?, &row.case);
        out.entry(Entity::Case.as_str().into()).or_default().insert(rating_id.clone(), fields);
        let mut st = c.prepare_cached(
            "SELECT step_id, hlc, action, actor, actor_id, at, note, attachments, n, effective
               FROM rectification_steps WHERE case_id = ?1",
        )?;
        let steps = st.query_map([&id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, i64>(8)?,
                r.get::<_, bool>(9)?,
            ))
        })?;
        for step in steps {
            let (step_id, hlc, action, actor, actor_id, at, note, attachments, n, effective) = step?;
            let mut f = Map::new();
            f.insert("action".into(), from_json("step action", &action)?);
            f.insert("actorName".into(), actor.into());
            f.insert("at".into(), at.into());
            f.insert("attachments".into(), from_json("step attachments", &attachments)?);
            f.insert("hlc".into(), hlc.into());
            f.insert("actorId".into(), actor_id.map_or(Value::Null, Value::from));
            f.insert("note".into(), note.map_or(Value::Null, Value::from));
            out.entry(Entity::CaseStep.as_str().into())
                .or_default()
                .insert(format!("{rating_id}/{step_id}"), step_fields(&f, n.max(0) as usize, effective));
        }
        let mut st = c.prepare_cached(
            "SELECT sha256, name, size, attached_at FROM rectification_evidence WHERE case_id = ?1",
        )?;
        let evidence = st.query_map([&id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, String>(3)?))
        })?;
        for e in evidence {
            let (sha, name, size, attached_at) = e?;
            let mut f = Map::new();
            f.insert("sha256".into(), sha.clone().into());
            f.insert("name".into(), name.into());
            f.insert("size".into(), size.into());
            f.insert("attachedAt".into(), attached_at.into());
            out.entry(Entity::CaseEvidence.as_str().into())
                .or_default()
                .insert(format!("{rating_id}/{sha}"), f);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::calendar::{CalendarError, EntryProblem};
    use crate::error::Rejection;
    use crate::rectification::{ActionKind, CaseState, FieldProblem, ProfileError, TransitionError};
    use chrono::NaiveDate;

    #[test]
    fn every_module_code_reaches_the_core_unchanged() {
        let date = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let at = chrono::DateTime::UNIX_EPOCH;
        let profile = [
            ProfileError::NameEmpty,
            ProfileError::NameTooLong { max: 1, len: 2 },
            ProfileError::NameInvalid,
            ProfileError::NameDuplicate { name: "x".into() },
            ProfileError::OutOfRange { field: "rectifyWorkingDays", value: 0, min: 1, max: 60 },
        ];
        let calendar = [
            CalendarError::YearUnpublished { year: 2027 },
            CalendarError::DateOutOfRange { date },
            CalendarError::FileInvalid { line: 1, column: 1, detail: "x".into() },
            CalendarError::VersionUnsupported { found: 2, supported: 1 },
            CalendarError::DuplicateYear { year: 2026 },
            CalendarError::EntryInvalid { year: 2026, entry: "e".into(), problem: EntryProblem::NameEmpty },
        ];
        let mut transition = vec![
            TransitionError::Illegal { state: CaseState::New, action: ActionKind::Close },
            TransitionError::FieldRequired { action: None, field: "note".into() },
            TransitionError::FieldInvalid { field: "note".into(), problem: FieldProblem::ControlChars },
            TransitionError::CallBackRequired,
            TransitionError::ReopenNotAllowed,
            TransitionError::TimeWentBackwards { at, last: at },
            TransitionError::AssigneeUnchanged { assignee: "x".into() },
            TransitionError::AppealSelfDecided { actor: "x".into() },
        ];
        transition.extend(profile.iter().cloned().map(TransitionError::Profile));
        transition.extend(calendar.iter().cloned().map(TransitionError::Calendar));
        for e in transition {
            let r = Rejection::from(e.clone());
            assert_eq!(r.code.as_str(), e.code());
            assert_eq!(r.field.clone().map(|f| f.into_owned()), e.field());
            assert_eq!(
                crate::messages::rejection(&r, hallkeeper_proto::Locale::ZhCn),
                e.message(hallkeeper_proto::Locale::ZhCn)
            );
        }
        for e in profile {
            assert_eq!(Rejection::from(e.clone()).code.as_str(), e.code());
        }
        for e in calendar {
            assert_eq!(Rejection::from(e.clone()).code.as_str(), e.code());
        }
    }
}
