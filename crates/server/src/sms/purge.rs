//! The retention of phone numbers: sealed numbers and lookup hashes older than
//! `SmsSettings::retention` are nulled (the masked form stays), hourly.

use crate::storage::sms::Purged;
use crate::storage::StorageResult;
use crate::AppState;
use chrono::{DateTime, Utc};

/// Purges what is older than the retention at `now`.
pub async fn run_once(state: &AppState, now: DateTime<Utc>) -> StorageResult<Purged> {
    let Some(sms) = state.sms.as_deref() else { return Ok(Purged::default()) };
    let purged = state.storage.sms().purge_phones(now - sms.settings.retention, now).await?;
    if purged != Purged::default() {
        tracing::info!(
            tickets = purged.ticket_phones,
            outbox = purged.outbox_rows,
            appointments = purged.appointments,
            "phone numbers past their retention purged"
        );
    }
    Ok(purged)
}
