//! [`SmsStorage`] on SQLite (a child module of `sqlite/`, so it shares its one connection).
//! Every write is one transaction; the claim is an immediate transaction, so two servers on one
//! file cannot claim the same row.

use super::{backend, bad_column, ts, SqliteStorage};
use crate::storage::sms::{
    fold_counts, AttemptOutcome, ClaimedRow, Enqueued, NewOutboxRow, NewTicketPhone, OutboxFilter, Purged,
    SmsStorage, TicketPhone, CAP_STATUSES,
};
use crate::storage::StorageResult;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use hallkeeper_proto::{SmsDayCount, SmsDeliveryStatus, SmsOutboxEntry};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

const ENTRY_COLUMNS: &str = "id, hall_id, ticket_id, appointment_id, rule_id, trigger_kind, day, \
     phone_masked, text, status, attempts, next_attempt_at, provider, provider_message_id, \
     last_error_code, last_error, created_at, updated_at, sent_at";

fn status_at(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<SmsDeliveryStatus> {
    let s: String = r.get(i)?;
    SmsDeliveryStatus::parse(&s).ok_or_else(|| bad_column(i, format!("sms status {s:?}")))
}

fn entry_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SmsOutboxEntry> {
    Ok(from_columns!(rusqlite::Row::get; r => SmsOutboxEntry {
        id, hall_id, ticket_id, appointment_id, rule_id, trigger, day, phone_masked, text,
        status = status_at(r, 9)?,
        attempts, next_attempt_at, provider, provider_message_id, last_error_code, last_error,
        created_at, updated_at, sent_at,
    }))
}

fn phone_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TicketPhone> {
    Ok(from_columns!(rusqlite::Row::get; r => TicketPhone {
        ticket_id, ahead_at_issue, phone_sealed, phone_hash, phone_masked,
    }))
}

const CLAIM_COLUMNS: &str = "id, hall_id, rule_id, attempt_id, attempts, phone_sealed, params, text";

fn claimed_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ClaimedRow> {
    let params: String = r.get(6)?;
    Ok(from_columns!(rusqlite::Row::get; r => ClaimedRow {
        id, hall_id, rule_id, attempt_id, attempts, phone_sealed,
        params = serde_json::from_str(&params).map_err(|e| bad_column(6, format!("sms params: {e}")))?,
        text,
    }))
}

/// Claims `id` inside `tx` if it is still pending.
fn claim_in(
    tx: &rusqlite::Transaction<'_>,
    id: &str,
    now: &str,
    attempt_id: &str,
) -> StorageResult<Option<ClaimedRow>> {
    let n = tx
        .execute(
            "UPDATE sms_outbox SET status = 'sending', attempt_id = ?2, attempts = attempts + 1,
                    updated_at = ?3
              WHERE id = ?1 AND status = 'pending'",
            params![id, attempt_id, now],
        )
        .map_err(backend)?;
    if n == 0 {
        return Ok(None);
    }
    tx.query_row(&format!("SELECT {CLAIM_COLUMNS} FROM sms_outbox WHERE id = ?1"), [id], claimed_from_row)
        .optional()
        .map_err(backend)
}

#[async_trait]
impl SmsStorage for SqliteStorage {
    async fn put_ticket_phone(&self, p: &NewTicketPhone) -> StorageResult<()> {
        let p = p.clone();
        self.with(move |c| {
            c.execute(
                "INSERT INTO sms_ticket_phones (hall_id, ticket_id, day, ahead_at_issue, phone_sealed,
                        phone_hash, phone_masked, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (hall_id, ticket_id) DO NOTHING",
                params![
                    p.hall_id,
                    p.ticket_id,
                    p.day.to_string(),
                    p.ahead_at_issue,
                    p.phone_sealed,
                    p.phone_hash,
                    p.phone_masked,
                    ts(p.created_at)
                ],
            )
            .map_err(backend)?;
            Ok(())
        })
        .await
    }

    async fn ticket_phone(&self, hall_id: &str, ticket_id: &str) -> StorageResult<Option<TicketPhone>> {
        let (hall_id, ticket_id) = (hall_id.to_owned(), ticket_id.to_owned());
        self.with(move |c| {
            c.query_row(
                "SELECT ticket_id, ahead_at_issue, phone_sealed, phone_hash, phone_masked
                   FROM sms_ticket_phones WHERE hall_id = ?1 AND ticket_id = ?2",
                params![hall_id, ticket_id],
                phone_from_row,
            )
            .optional()
            .map_err(backend)
        })
        .await
    }

    async fn ticket_phones(&self, hall_id: &str, day: NaiveDate) -> StorageResult<Vec<TicketPhone>> {
        let hall_id = hall_id.to_owned();
        self.with(move |c| {
            let mut st = c
                .prepare_cached(
                    "SELECT ticket_id, ahead_at_issue, phone_sealed, phone_hash, phone_masked
                       FROM sms_ticket_phones
                      WHERE hall_id = ?1 AND day = ?2 AND phone_sealed IS NOT NULL
                      ORDER BY ticket_id",
                )
                .map_err(backend)?;
            let rows = st
                .query_map(params![hall_id, day.to_string()], phone_from_row)
                .map_err(backend)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(backend)?;
            Ok(rows)
        })
        .await
    }

    async fn outbox_keys(&self, hall_id: &str, day: NaiveDate) -> StorageResult<Vec<(String, String)>> {
        let hall_id = hall_id.to_owned();
        self.with(move |c| {
            let mut st = c
                .prepare_cached("SELECT subject, rule_id FROM sms_outbox WHERE hall_id = ?1 AND day = ?2")
                .map_err(backend)?;
            let rows = st
                .query_map(params![hall_id, day.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(backend)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(backend)?;
            Ok(rows)
        })
        .await
    }

    async fn enqueue(&self, row: &NewOutboxRow) -> StorageResult<Enqueued> {
        let row = row.clone();
        let params_json = serde_json::to_string(&row.params).map_err(backend)?;
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
            let day = row.day.to_string();
            let exists: bool = tx
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM sms_outbox WHERE hall_id = ?1 AND subject = ?2 AND rule_id = ?3)",
                    params![row.hall_id, row.subject, row.rule_id],
                    |r| r.get(0),
                )
                .map_err(backend)?;
            if exists {
                return Ok(Enqueued::Exists);
            }
            let had = match row.cap_hash() {
                Some(hash) => Some(
                    tx.query_row(
                        &format!(
                            "SELECT count(*) FROM sms_outbox WHERE hall_id = ?1 AND phone_hash = ?2 AND day = ?3
                                AND status IN {CAP_STATUSES}"
                        ),
                        params![row.hall_id, hash, day],
                        |r| r.get::<_, u32>(0).map(u64::from),
                    )
                    .map_err(backend)?,
                ),
                None => None,
            };
            let stored = row.to_insert(had);
            let now = ts(row.created_at);
            tx.execute(
                "INSERT INTO sms_outbox (id, hall_id, subject, ticket_id, appointment_id, rule_id, trigger_kind,
                        day, phone_sealed, phone_hash, phone_masked, params, text, status, next_attempt_at,
                        expires_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17)",
                params![
                    row.id,
                    row.hall_id,
                    row.subject,
                    row.ticket_id,
                    row.appointment_id,
                    row.rule_id,
                    row.trigger,
                    day,
                    stored.phone_sealed,
                    row.phone_hash,
                    row.phone_masked,
                    params_json,
                    row.text,
                    stored.status.as_str(),
                    stored.next_attempt_at.map(ts),
                    ts(row.expires_at),
                    now
                ],
            )
            .map_err(backend)?;
            tx.commit().map_err(backend)?;
            Ok(Enqueued::Inserted(stored.status))
        })
        .await
    }

    async fn claim_next(&self, now: DateTime<Utc>, attempt_id: &str) -> StorageResult<Option<ClaimedRow>> {
        let attempt_id = attempt_id.to_owned();
        self.with(move |c| {
            let now = ts(now);
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
            tx.execute(
                "UPDATE sms_outbox SET status = 'expired', phone_sealed = NULL, updated_at = ?1,
                        next_attempt_at = NULL
                  WHERE status = 'pending' AND next_attempt_at <= ?1 AND expires_at <= ?1",
                [&now],
            )
            .map_err(backend)?;
            let id: Option<String> = tx
                .query_row(
                    "SELECT id FROM sms_outbox WHERE status = 'pending' AND next_attempt_at <= ?1
                      ORDER BY next_attempt_at, created_at, id LIMIT 1",
                    [&now],
                    |r| r.get(0),
                )
                .optional()
                .map_err(backend)?;
            let claimed = match id {
                Some(id) => claim_in(&tx, &id, &now, &attempt_id)?,
                None => None,
            };
            tx.commit().map_err(backend)?;
            Ok(claimed)
        })
        .await
    }

    async fn claim_row(
        &self,
        id: &str,
        now: DateTime<Utc>,
        attempt_id: &str,
    ) -> StorageResult<Option<ClaimedRow>> {
        let (id, attempt_id) = (id.to_owned(), attempt_id.to_owned());
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
            let claimed = claim_in(&tx, &id, &ts(now), &attempt_id)?;
            tx.commit().map_err(backend)?;
            Ok(claimed)
        })
        .await
    }

    async fn finish_attempt(
        &self,
        id: &str,
        attempt_id: &str,
        outcome: &AttemptOutcome,
        now: DateTime<Utc>,
    ) -> StorageResult<bool> {
        let (id, attempt_id, outcome) = (id.to_owned(), attempt_id.to_owned(), outcome.clone());
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
            let now = ts(now);
            let held = "WHERE id = ?1 AND attempt_id = ?2 AND status IN ('sending', 'unknown')";
            let n = match &outcome {
                AttemptOutcome::Sent { provider, message_id } => tx.execute(
                    &format!(
                        "UPDATE sms_outbox SET status = 'sent', provider = ?3, provider_message_id = ?4,
                                sent_at = ?5, updated_at = ?5, next_attempt_at = NULL, phone_sealed = NULL {held}"
                    ),
                    params![id, attempt_id, provider, message_id, now],
                ),
                AttemptOutcome::Retry { at, code, message } => tx.execute(
                    &format!(
                        "UPDATE sms_outbox SET status = 'pending', next_attempt_at = ?3, last_error_code = ?4,
                                last_error = ?5, updated_at = ?6 {held}"
                    ),
                    params![id, attempt_id, ts(*at), code, message, now],
                ),
                AttemptOutcome::Failed { code, message } => tx.execute(
                    &format!(
                        "UPDATE sms_outbox SET status = 'failed', last_error_code = ?3, last_error = ?4,
                                updated_at = ?5, next_attempt_at = NULL, phone_sealed = NULL {held}"
                    ),
                    params![id, attempt_id, code, message, now],
                ),
                AttemptOutcome::Unknown { code, message } => tx.execute(
                    &format!(
                        "UPDATE sms_outbox SET status = 'unknown', last_error_code = ?3, last_error = ?4,
                                updated_at = ?5, next_attempt_at = NULL, phone_sealed = NULL {held}"
                    ),
                    params![id, attempt_id, code, message, now],
                ),
            }
            .map_err(backend)?;
            tx.commit().map_err(backend)?;
            Ok(n == 1)
        })
        .await
    }

    async fn recover_interrupted(&self, now: DateTime<Utc>) -> StorageResult<u64> {
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
            let n = tx
                .execute(
                    "UPDATE sms_outbox SET status = 'unknown', last_error_code = 'sms.interrupted',
                            last_error = 'the server stopped while this message was being sent; the provider may or may not have sent it',
                            updated_at = ?1, next_attempt_at = NULL, phone_sealed = NULL
                      WHERE status = 'sending'",
                    [ts(now)],
                )
                .map_err(backend)?;
            tx.commit().map_err(backend)?;
            Ok(n as u64)
        })
        .await
    }

    async fn outbox(&self, hall_id: &str, filter: &OutboxFilter) -> StorageResult<Vec<SmsOutboxEntry>> {
        let (hall_id, f) = (hall_id.to_owned(), filter.clone());
        self.with(move |c| {
            let mut st = c
                .prepare_cached(&format!(
                    "SELECT {ENTRY_COLUMNS} FROM sms_outbox
                      WHERE hall_id = ?1 AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR rule_id = ?3)
                        AND (?4 IS NULL OR day = ?4)
                      ORDER BY created_at DESC, id DESC LIMIT ?5"
                ))
                .map_err(backend)?;
            let rows = st
                .query_map(
                    params![
                        hall_id,
                        f.status.map(|s| s.as_str()),
                        f.rule_id,
                        f.day.map(|d| d.to_string()),
                        f.limit
                    ],
                    entry_from_row,
                )
                .map_err(backend)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(backend)?;
            Ok(rows)
        })
        .await
    }

    async fn outbox_entry(&self, id: &str) -> StorageResult<Option<SmsOutboxEntry>> {
        let id = id.to_owned();
        self.with(move |c| {
            c.query_row(
                &format!("SELECT {ENTRY_COLUMNS} FROM sms_outbox WHERE id = ?1"),
                [id],
                entry_from_row,
            )
            .optional()
            .map_err(backend)
        })
        .await
    }

    async fn counts(&self, hall_id: &str, from: NaiveDate) -> StorageResult<Vec<SmsDayCount>> {
        let hall_id = hall_id.to_owned();
        self.with(move |c| {
            let mut st = c
                .prepare_cached(
                    "SELECT day, rule_id, status, count(*) FROM sms_outbox
                      WHERE hall_id = ?1 AND day >= ?2 GROUP BY day, rule_id, status",
                )
                .map_err(backend)?;
            let rows = st
                .query_map(params![hall_id, from.to_string()], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        status_at(r, 2)?,
                        r.get::<_, u32>(3)?,
                    ))
                })
                .map_err(backend)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(backend)?;
            Ok(fold_counts(rows))
        })
        .await
    }

    async fn status_count(&self, hall_id: &str, status: SmsDeliveryStatus) -> StorageResult<u32> {
        let hall_id = hall_id.to_owned();
        self.with(move |c| {
            c.query_row(
                "SELECT count(*) FROM sms_outbox WHERE hall_id = ?1 AND status = ?2",
                params![hall_id, status.as_str()],
                |r| r.get(0),
            )
            .map_err(backend)
        })
        .await
    }

    async fn purge_phones(&self, before: DateTime<Utc>, now: DateTime<Utc>) -> StorageResult<Purged> {
        self.with(move |c: &mut Connection| {
            let (before, now) = (ts(before), ts(now));
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
            let ticket_phones = tx
                .execute(
                    "UPDATE sms_ticket_phones SET phone_sealed = NULL, phone_hash = NULL, purged_at = ?2
                      WHERE created_at < ?1 AND (phone_sealed IS NOT NULL OR phone_hash IS NOT NULL)",
                    params![before, now],
                )
                .map_err(backend)? as u64;
            let outbox_rows = tx
                .execute(
                    "UPDATE sms_outbox SET phone_sealed = NULL, phone_hash = NULL, purged_at = ?2
                      WHERE created_at < ?1 AND (phone_sealed IS NOT NULL OR phone_hash IS NOT NULL)",
                    params![before, now],
                )
                .map_err(backend)? as u64;
            let appointments = tx
                .execute(
                    "UPDATE appointments SET phone = NULL
                      WHERE phone IS NOT NULL AND booked_at < ?1 AND state <> 'booked'",
                    [before],
                )
                .map_err(backend)? as u64;
            tx.commit().map_err(backend)?;
            Ok(Purged { ticket_phones, outbox_rows, appointments })
        })
        .await
    }
}
