//! [`SmsStorage`] on PostgreSQL (a child module of `postgres/`, so it shares its pool). The
//! claim takes its row with `FOR UPDATE SKIP LOCKED`, so servers sharing the database never
//! claim one row twice; an enqueue takes a per-hall advisory lock so that the cap's count and
//! the insert cannot interleave with another server's.

use super::{backend, col, ts, PostgresStorage};
use crate::storage::sms::{
    fold_counts, AttemptOutcome, ClaimedRow, Enqueued, NewOutboxRow, NewTicketPhone, OutboxFilter, Purged,
    SmsStorage, TicketPhone, CAP_STATUSES,
};
use crate::storage::StorageResult;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use hallkeeper_proto::{SmsDayCount, SmsDeliveryStatus, SmsOutboxEntry};
use tokio_postgres::types::Json;
use tokio_postgres::Row;

/// First key of the transaction-scoped advisory lock that serialises a hall's enqueues
/// ("SMSQ"); the second is the hash of the hall id.
const SMS_LOCK_CLASS: i32 = 0x534D_5351;

const ENTRY_COLUMNS: &str = "id, hall_id, ticket_id, appointment_id, rule_id, trigger_kind, \
     to_char(day, 'YYYY-MM-DD'), phone_masked, text, status, attempts, next_attempt_at, provider, \
     provider_message_id, last_error_code, last_error, created_at, updated_at, sent_at";

fn status_of(s: &str) -> StorageResult<SmsDeliveryStatus> {
    SmsDeliveryStatus::parse(s)
        .ok_or_else(|| crate::storage::StorageError::Backend(format!("sms status {s:?}")))
}

fn opt_ts(r: &Row, i: usize) -> StorageResult<Option<String>> {
    Ok(r.try_get::<_, Option<DateTime<Utc>>>(i).map_err(backend)?.map(ts))
}

fn entry_from_row(r: &Row) -> StorageResult<SmsOutboxEntry> {
    let g = |i: usize| r.try_get::<_, Option<String>>(i).map_err(backend);
    let s = |i: usize| r.try_get::<_, String>(i).map_err(backend);
    let attempts: i32 = r.try_get(10).map_err(backend)?;
    Ok(SmsOutboxEntry {
        id: s(0)?,
        hall_id: s(1)?,
        ticket_id: g(2)?,
        appointment_id: g(3)?,
        rule_id: s(4)?,
        trigger: s(5)?,
        day: s(6)?,
        phone_masked: s(7)?,
        text: s(8)?,
        status: status_of(&s(9)?)?,
        attempts: u32::try_from(attempts).unwrap_or(0),
        next_attempt_at: opt_ts(r, 11)?,
        provider: g(12)?,
        provider_message_id: g(13)?,
        last_error_code: g(14)?,
        last_error: g(15)?,
        created_at: ts(r.try_get(16).map_err(backend)?),
        updated_at: ts(r.try_get(17).map_err(backend)?),
        sent_at: opt_ts(r, 18)?,
    })
}

fn phone_from_row(r: &Row) -> StorageResult<TicketPhone> {
    let ahead: i32 = r.try_get(1).map_err(backend)?;
    Ok(from_columns!(col; r => TicketPhone {
        ticket_id,
        ahead_at_issue = u32::try_from(ahead).unwrap_or(0),
        phone_sealed, phone_hash, phone_masked,
    }))
}

const CLAIM_RETURNING: &str =
    "RETURNING id, hall_id, rule_id, attempt_id, attempts, phone_sealed, params, text";

fn claimed_from_row(r: &Row) -> StorageResult<ClaimedRow> {
    let attempts: i32 = r.try_get(4).map_err(backend)?;
    let Json(params): Json<Vec<(String, String)>> = r.try_get(6).map_err(backend)?;
    Ok(from_columns!(col; r => ClaimedRow {
        id, hall_id, rule_id, attempt_id,
        attempts = u32::try_from(attempts).unwrap_or(0),
        phone_sealed,
        params = params,
        text,
    }))
}

fn n32(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

#[async_trait]
impl SmsStorage for PostgresStorage {
    async fn put_ticket_phone(&self, p: &NewTicketPhone) -> StorageResult<()> {
        let c = self.client().await?;
        c.execute(
            "INSERT INTO sms_ticket_phones (hall_id, ticket_id, day, ahead_at_issue, phone_sealed, phone_hash,
                    phone_masked, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (hall_id, ticket_id) DO NOTHING",
            &[
                &p.hall_id,
                &p.ticket_id,
                &p.day,
                &n32(p.ahead_at_issue),
                &p.phone_sealed,
                &p.phone_hash,
                &p.phone_masked,
                &p.created_at,
            ],
        )
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn ticket_phone(&self, hall_id: &str, ticket_id: &str) -> StorageResult<Option<TicketPhone>> {
        let c = self.client().await?;
        let row = c
            .query_opt(
                "SELECT ticket_id, ahead_at_issue, phone_sealed, phone_hash, phone_masked
                   FROM sms_ticket_phones WHERE hall_id = $1 AND ticket_id = $2",
                &[&hall_id, &ticket_id],
            )
            .await
            .map_err(backend)?;
        row.as_ref().map(phone_from_row).transpose()
    }

    async fn ticket_phones(&self, hall_id: &str, day: NaiveDate) -> StorageResult<Vec<TicketPhone>> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT ticket_id, ahead_at_issue, phone_sealed, phone_hash, phone_masked
                   FROM sms_ticket_phones
                  WHERE hall_id = $1 AND day = $2 AND phone_sealed IS NOT NULL
                  ORDER BY ticket_id COLLATE \"C\"",
                &[&hall_id, &day],
            )
            .await
            .map_err(backend)?;
        rows.iter().map(phone_from_row).collect()
    }

    async fn outbox_keys(&self, hall_id: &str, day: NaiveDate) -> StorageResult<Vec<(String, String)>> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT subject, rule_id FROM sms_outbox WHERE hall_id = $1 AND day = $2",
                &[&hall_id, &day],
            )
            .await
            .map_err(backend)?;
        rows.iter().map(|r| Ok((r.try_get(0).map_err(backend)?, r.try_get(1).map_err(backend)?))).collect()
    }

    async fn enqueue(&self, row: &NewOutboxRow) -> StorageResult<Enqueued> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(backend)?;
        tx.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", &[&SMS_LOCK_CLASS, &row.hall_id])
            .await
            .map_err(backend)?;
        let exists: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM sms_outbox WHERE hall_id = $1 AND subject = $2 AND rule_id = $3)",
                &[&row.hall_id, &row.subject, &row.rule_id],
            )
            .await
            .map_err(backend)?
            .get(0);
        if exists {
            return Ok(Enqueued::Exists);
        }
        let had = match row.cap_hash() {
            Some(hash) => {
                let n: i64 = tx
                    .query_one(
                        &format!(
                            "SELECT count(*) FROM sms_outbox WHERE hall_id = $1 AND phone_hash = $2 AND day = $3
                                AND status IN {CAP_STATUSES}"
                        ),
                        &[&row.hall_id, &hash, &row.day],
                    )
                    .await
                    .map_err(backend)?
                    .get(0);
                Some(u64::try_from(n).unwrap_or(0))
            }
            None => None,
        };
        let stored = row.to_insert(had);
        tx.execute(
            "INSERT INTO sms_outbox (id, hall_id, subject, ticket_id, appointment_id, rule_id, trigger_kind, day,
                    phone_sealed, phone_hash, phone_masked, params, text, status, next_attempt_at, expires_at,
                    created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)",
            &[
                &row.id,
                &row.hall_id,
                &row.subject,
                &row.ticket_id,
                &row.appointment_id,
                &row.rule_id,
                &row.trigger,
                &row.day,
                &stored.phone_sealed,
                &row.phone_hash,
                &row.phone_masked,
                &Json(&row.params),
                &row.text,
                &stored.status.as_str(),
                &stored.next_attempt_at,
                &row.expires_at,
                &row.created_at,
            ],
        )
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(Enqueued::Inserted(stored.status))
    }

    async fn claim_next(&self, now: DateTime<Utc>, attempt_id: &str) -> StorageResult<Option<ClaimedRow>> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(backend)?;
        tx.execute(
            "UPDATE sms_outbox SET status = 'expired', phone_sealed = NULL, updated_at = $1, next_attempt_at = NULL
              WHERE status = 'pending' AND next_attempt_at <= $1 AND expires_at <= $1",
            &[&now],
        )
        .await
        .map_err(backend)?;
        let row = tx
            .query_opt(
                &format!(
                    "UPDATE sms_outbox SET status = 'sending', attempt_id = $2, attempts = attempts + 1,
                            updated_at = $1
                      WHERE id = (SELECT id FROM sms_outbox WHERE status = 'pending' AND next_attempt_at <= $1
                                   ORDER BY next_attempt_at, created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
                     {CLAIM_RETURNING}"
                ),
                &[&now, &attempt_id],
            )
            .await
            .map_err(backend)?;
        let claimed = row.as_ref().map(claimed_from_row).transpose()?;
        tx.commit().await.map_err(backend)?;
        Ok(claimed)
    }

    async fn claim_row(
        &self,
        id: &str,
        now: DateTime<Utc>,
        attempt_id: &str,
    ) -> StorageResult<Option<ClaimedRow>> {
        let c = self.client().await?;
        let row = c
            .query_opt(
                &format!(
                    "UPDATE sms_outbox SET status = 'sending', attempt_id = $3, attempts = attempts + 1,
                            updated_at = $2
                      WHERE id = $1 AND status = 'pending' {CLAIM_RETURNING}"
                ),
                &[&id, &now, &attempt_id],
            )
            .await
            .map_err(backend)?;
        row.as_ref().map(claimed_from_row).transpose()
    }

    async fn finish_attempt(
        &self,
        id: &str,
        attempt_id: &str,
        outcome: &AttemptOutcome,
        now: DateTime<Utc>,
    ) -> StorageResult<bool> {
        let c = self.client().await?;
        let held = "WHERE id = $1 AND attempt_id = $2 AND status IN ('sending', 'unknown')";
        let n = match outcome {
            AttemptOutcome::Sent { provider, message_id } => {
                c.execute(
                    &format!(
                        "UPDATE sms_outbox SET status = 'sent', provider = $3, provider_message_id = $4, sent_at = $5,
                                updated_at = $5, next_attempt_at = NULL, phone_sealed = NULL {held}"
                    ),
                    &[&id, &attempt_id, provider, message_id, &now],
                )
                .await
            }
            AttemptOutcome::Retry { at, code, message } => {
                c.execute(
                    &format!(
                        "UPDATE sms_outbox SET status = 'pending', next_attempt_at = $3, last_error_code = $4,
                                last_error = $5, updated_at = $6 {held}"
                    ),
                    &[&id, &attempt_id, at, code, message, &now],
                )
                .await
            }
            AttemptOutcome::Failed { code, message } | AttemptOutcome::Unknown { code, message } => {
                let status = if matches!(outcome, AttemptOutcome::Failed { .. }) { "failed" } else { "unknown" };
                c.execute(
                    &format!(
                        "UPDATE sms_outbox SET status = $3, last_error_code = $4, last_error = $5, updated_at = $6,
                                next_attempt_at = NULL, phone_sealed = NULL {held}"
                    ),
                    &[&id, &attempt_id, &status, code, message, &now],
                )
                .await
            }
        }
        .map_err(backend)?;
        Ok(n == 1)
    }

    async fn recover_interrupted(&self, now: DateTime<Utc>) -> StorageResult<u64> {
        let c = self.client().await?;
        c.execute(
            "UPDATE sms_outbox SET status = 'unknown', last_error_code = 'sms.interrupted',
                    last_error = 'the server stopped while this message was being sent; the provider may or may not have sent it',
                    updated_at = $1, next_attempt_at = NULL, phone_sealed = NULL
              WHERE status = 'sending'",
            &[&now],
        )
        .await
        .map_err(backend)
    }

    async fn outbox(&self, hall_id: &str, f: &OutboxFilter) -> StorageResult<Vec<SmsOutboxEntry>> {
        let c = self.client().await?;
        let status = f.status.map(|s| s.as_str());
        let rows = c
            .query(
                &format!(
                    "SELECT {ENTRY_COLUMNS} FROM sms_outbox
                      WHERE hall_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR rule_id = $3)
                        AND ($4::date IS NULL OR day = $4)
                      ORDER BY created_at DESC, id COLLATE \"C\" DESC LIMIT $5"
                ),
                &[&hall_id, &status, &f.rule_id, &f.day, &i64::from(f.limit)],
            )
            .await
            .map_err(backend)?;
        rows.iter().map(entry_from_row).collect()
    }

    async fn outbox_entry(&self, id: &str) -> StorageResult<Option<SmsOutboxEntry>> {
        let c = self.client().await?;
        let row = c
            .query_opt(&format!("SELECT {ENTRY_COLUMNS} FROM sms_outbox WHERE id = $1"), &[&id])
            .await
            .map_err(backend)?;
        row.as_ref().map(entry_from_row).transpose()
    }

    async fn counts(&self, hall_id: &str, from: NaiveDate) -> StorageResult<Vec<SmsDayCount>> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT to_char(day, 'YYYY-MM-DD'), rule_id, status, count(*) FROM sms_outbox
                  WHERE hall_id = $1 AND day >= $2 GROUP BY day, rule_id, status",
                &[&hall_id, &from],
            )
            .await
            .map_err(backend)?;
        let rows = rows
            .iter()
            .map(|r| {
                let n: i64 = r.try_get(3).map_err(backend)?;
                Ok((
                    r.try_get::<_, String>(0).map_err(backend)?,
                    r.try_get::<_, String>(1).map_err(backend)?,
                    status_of(&r.try_get::<_, String>(2).map_err(backend)?)?,
                    u32::try_from(n).unwrap_or(u32::MAX),
                ))
            })
            .collect::<StorageResult<Vec<_>>>()?;
        Ok(fold_counts(rows))
    }

    async fn status_count(&self, hall_id: &str, status: SmsDeliveryStatus) -> StorageResult<u32> {
        let c = self.client().await?;
        let n: i64 = c
            .query_one(
                "SELECT count(*) FROM sms_outbox WHERE hall_id = $1 AND status = $2",
                &[&hall_id, &status.as_str()],
            )
            .await
            .map_err(backend)?
            .get(0);
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    async fn purge_phones(&self, before: DateTime<Utc>, now: DateTime<Utc>) -> StorageResult<Purged> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(backend)?;
        let ticket_phones = tx
            .execute(
                "UPDATE sms_ticket_phones SET phone_sealed = NULL, phone_hash = NULL, purged_at = $2
                  WHERE created_at < $1 AND (phone_sealed IS NOT NULL OR phone_hash IS NOT NULL)",
                &[&before, &now],
            )
            .await
            .map_err(backend)?;
        let outbox_rows = tx
            .execute(
                "UPDATE sms_outbox SET phone_sealed = NULL, phone_hash = NULL, purged_at = $2
                  WHERE created_at < $1 AND (phone_sealed IS NOT NULL OR phone_hash IS NOT NULL)",
                &[&before, &now],
            )
            .await
            .map_err(backend)?;
        let appointments = tx
            .execute(
                "UPDATE appointments SET phone = NULL
                  WHERE phone IS NOT NULL AND booked_at < $1 AND state <> 'booked'",
                &[&before],
            )
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(Purged { ticket_phones, outbox_rows, appointments })
    }
}
