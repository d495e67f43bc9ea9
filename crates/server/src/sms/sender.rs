//! The sender: claims due rows one at a time and sends them (the claim protocol is in the
//! module docs of `crate::sms`).

use super::SmsService;
use crate::storage::sms::{AttemptOutcome, ClaimedRow, SmsStorage};
use crate::storage::StorageResult;
use crate::AppState;
use chrono::{DateTime, Duration, Utc};
use hallkeeper_sms::{OutgoingSms, ProviderError};
use std::sync::Arc;

/// First retry delay; doubled per attempt up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::seconds(5);
const MAX_BACKOFF: Duration = Duration::minutes(5);

/// The delay before attempt `attempts + 1`.
pub fn backoff(attempts: u32) -> Duration {
    let doublings = attempts.saturating_sub(1).min(16);
    (FIRST_BACKOFF * 2i32.pow(doublings)).min(MAX_BACKOFF)
}

/// Provider answers that do not tell whether the message was accepted: the request may have
/// reached the provider (a timeout, a connection lost mid-answer, a body nobody can read).
/// Retrying them could send twice.
fn is_ambiguous(e: &ProviderError) -> bool {
    e.is_retryable() && matches!(e.code(), "network.timeout" | "network" | "unexpected_response")
}

/// What an attempt's result means for its row (and for the provider, when it says `pause`).
pub fn classify(
    result: &Result<hallkeeper_sms::ProviderReceipt, ProviderError>,
    attempts: u32,
    max_attempts: u32,
    now: DateTime<Utc>,
) -> (AttemptOutcome, bool) {
    match result {
        Ok(r) => (
            AttemptOutcome::Sent { provider: r.provider.to_owned(), message_id: r.message_id.clone() },
            false,
        ),
        Err(e) => {
            let (code, message) = (e.code().to_owned(), e.message().to_owned());
            if e.is_account_wide() {
                let at = now + super::PAUSE_AFTER_ACCOUNT_ERROR;
                (AttemptOutcome::Retry { at, code, message }, true)
            } else if is_ambiguous(e) {
                (AttemptOutcome::Unknown { code, message }, false)
            } else if !e.is_retryable() || attempts >= max_attempts {
                (AttemptOutcome::Failed { code, message }, false)
            } else {
                let wait = backoff(attempts);
                let wait =
                    e.retry_after().and_then(|d| Duration::from_std(d).ok()).map_or(wait, |d| d.max(wait));
                (AttemptOutcome::Retry { at: now + wait, code, message }, false)
            }
        }
    }
}

/// Sends one claimed row and records the outcome; returns it.
pub async fn deliver(
    sms: &SmsService,
    store: &dyn SmsStorage,
    row: ClaimedRow,
    now: impl Fn() -> DateTime<Utc>,
) -> StorageResult<AttemptOutcome> {
    let phone = row.phone_sealed.as_deref().map(|s| sms.cipher().open(s));
    let failed = |code: &str, message: String| AttemptOutcome::Failed { code: code.to_owned(), message };
    let outcome = match (phone, sms.template_id(&row.rule_id)) {
        (None, _) => failed("sms.phone_unavailable", "the number was purged".into()),
        (Some(Err(e)), _) => failed("sms.phone_unavailable", e.to_string()),
        (_, None) => failed(
            "sms.template_unmapped",
            format!("no provider template configured for rule {:?} ([sms.templates])", row.rule_id),
        ),
        (Some(Ok(phone)), Some(template_id)) => {
            let msg = OutgoingSms {
                phone,
                sign_name: sms.settings.sign_name.clone(),
                template_id,
                params: row.params.clone(),
                text: row.text.clone(),
                idempotency_key: row.id.clone(),
            };
            let result = sms.provider().send(&msg).await;
            if let Some(marker) = &sms.settings.crash_after_send {
                crash_point(marker, &row.id).await;
            }
            let at = now();
            let (outcome, pause) = classify(&result, row.attempts, sms.settings.max_attempts, at);
            match &result {
                Ok(_) => sms.note_sent(at),
                Err(e) => {
                    tracing::warn!(hall = %row.hall_id, row = %row.id, attempt = row.attempts, phone = %msg.phone, "SMS not sent: {e}");
                    sms.note_error(e.code(), e.message(), at, pause);
                }
            }
            outcome
        }
    };
    if !store.finish_attempt(&row.id, &row.attempt_id, &outcome, now()).await? {
        tracing::warn!(row = %row.id, "SMS attempt outcome not recorded: the row was taken from this attempt");
    }
    Ok(outcome)
}

/// The test hook: says "sent, not recorded" in `marker`, then waits forever for the kill.
async fn crash_point(marker: &std::path::Path, row_id: &str) {
    if let Err(e) = std::fs::write(marker, row_id) {
        tracing::error!("crash marker {}: {e}", marker.display());
    }
    std::future::pending::<()>().await;
}

/// Claims and sends the next due row; false when there was none (or the provider is paused).
pub async fn send_next(state: &AppState, sms: &SmsService) -> StorageResult<bool> {
    let now = (state.now)();
    if sms.paused_until(now).is_some() {
        return Ok(false);
    }
    let attempt = crate::ids::id_at(now);
    let store = state.storage.sms();
    let Some(row) = store.claim_next(now, &attempt).await? else { return Ok(false) };
    deliver(sms, store, row, || (state.now)()).await?;
    Ok(true)
}

/// Sends until nothing is due; returns how many attempts were made.
pub async fn drain(state: &AppState, sms: &SmsService) -> StorageResult<usize> {
    let mut n = 0;
    while send_next(state, sms).await? {
        n += 1;
    }
    Ok(n)
}

/// The sender loop: runs until the server stops, waking on enqueues and every `tick`.
pub(crate) async fn run(state: Arc<AppState>, sms: Arc<SmsService>) {
    let mut stopping = state.stopping.subscribe();
    loop {
        if *stopping.borrow() {
            return;
        }
        match send_next(&state, &sms).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::error!("SMS sender: {e}"),
        }
        tokio::select! {
            _ = tokio::time::sleep(sms.settings.tick) => {}
            _ = sms.wake.notified() => {}
            _ = stopping.changed() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration as StdDuration;

    fn now() -> DateTime<Utc> {
        "2026-11-25T02:00:00Z".parse().unwrap()
    }

    fn retryable(code: &str, after: Option<u64>) -> ProviderError {
        ProviderError::Retryable {
            provider: "tencent",
            code: code.into(),
            message: "m".into(),
            retry_after: after.map(StdDuration::from_secs),
        }
    }

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(1), Duration::seconds(5));
        assert_eq!(backoff(2), Duration::seconds(10));
        assert_eq!(backoff(4), Duration::seconds(40));
        assert_eq!(backoff(30), Duration::minutes(5));
    }

    #[test]
    fn outcomes_by_error() {
        let (o, pause) = classify(&Err(retryable("http.502", None)), 1, 6, now());
        assert_eq!(
            o,
            AttemptOutcome::Retry {
                at: now() + Duration::seconds(5),
                code: "http.502".into(),
                message: "m".into()
            }
        );
        assert!(!pause);
        let (o, _) =
            classify(&Err(retryable("LimitExceeded.PhoneNumberThirtySecondLimit", Some(30))), 1, 6, now());
        assert!(matches!(o, AttemptOutcome::Retry { at, .. } if at == now() + Duration::seconds(30)));
        let (o, _) = classify(&Err(retryable("http.502", None)), 6, 6, now());
        assert!(matches!(o, AttemptOutcome::Failed { .. }));
        let (o, _) = classify(&Err(retryable("network.timeout", None)), 1, 6, now());
        assert!(matches!(o, AttemptOutcome::Unknown { .. }));
        let (o, _) = classify(&Err(retryable("network.connect", None)), 1, 6, now());
        assert!(matches!(o, AttemptOutcome::Retry { .. }));
        let wide = ProviderError::Permanent {
            provider: "alibaba",
            code: "isv.AMOUNT_NOT_ENOUGH".into(),
            message: "m".into(),
            account_wide: true,
        };
        let (o, pause) = classify(&Err(wide), 1, 6, now());
        assert!(pause && matches!(o, AttemptOutcome::Retry { .. }));
        let one = ProviderError::Permanent {
            provider: "alibaba",
            code: "isv.MOBILE_NUMBER_ILLEGAL".into(),
            message: "m".into(),
            account_wide: false,
        };
        assert!(matches!(classify(&Err(one), 1, 6, now()).0, AttemptOutcome::Failed { .. }));
    }
}
