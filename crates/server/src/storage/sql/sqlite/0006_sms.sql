-- SMS reminders (docs in src/sms/mod.rs). Phone numbers are kept only sealed (AES-256-GCM,
-- `phone_sealed`) and as a keyed lookup hash (`phone_hash`, for the per-citizen daily cap), both
-- nulled after the retention; `phone_masked` (138****5678) stays for the supervisor's view.

-- The number a citizen gave at the kiosk (or with a booking), per ticket.
CREATE TABLE sms_ticket_phones (
    hall_id         TEXT NOT NULL REFERENCES halls (id),
    ticket_id       TEXT NOT NULL,
    day             TEXT NOT NULL,
    -- People ahead when the ticket was issued: a "N ahead" reminder goes only to a ticket that
    -- started further back than N.
    ahead_at_issue  INTEGER NOT NULL,
    phone_sealed    TEXT,
    phone_hash      TEXT,
    phone_masked    TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    purged_at       TEXT,
    PRIMARY KEY (hall_id, ticket_id)
) STRICT;

CREATE INDEX sms_ticket_phones_by_day ON sms_ticket_phones (hall_id, day);
CREATE INDEX sms_ticket_phones_by_age ON sms_ticket_phones (created_at) WHERE phone_sealed IS NOT NULL;

-- One row per message. UNIQUE (hall_id, subject, rule_id) is what makes a reminder go at most
-- once per ticket (or booking) and rule, whatever retries, restarts and re-evaluations do.
CREATE TABLE sms_outbox (
    id                   TEXT PRIMARY KEY NOT NULL,
    hall_id              TEXT NOT NULL REFERENCES halls (id),
    subject              TEXT NOT NULL,
    ticket_id            TEXT,
    appointment_id       TEXT,
    rule_id              TEXT NOT NULL,
    trigger_kind         TEXT NOT NULL,
    day                  TEXT NOT NULL,
    phone_sealed         TEXT,
    phone_hash           TEXT,
    phone_masked         TEXT NOT NULL,
    params               TEXT NOT NULL,
    text                 TEXT NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed',
                             'skipped_quiet_hours', 'skipped_cap', 'expired', 'unknown')),
    attempts             INTEGER NOT NULL DEFAULT 0,
    attempt_id           TEXT,
    next_attempt_at      TEXT,
    expires_at           TEXT NOT NULL,
    provider             TEXT,
    provider_message_id  TEXT,
    last_error_code      TEXT,
    last_error           TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    sent_at              TEXT,
    purged_at            TEXT,
    UNIQUE (hall_id, subject, rule_id)
) STRICT;

CREATE INDEX sms_outbox_due ON sms_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX sms_outbox_sending ON sms_outbox (id) WHERE status = 'sending';
CREATE INDEX sms_outbox_by_day ON sms_outbox (hall_id, day);
CREATE INDEX sms_outbox_cap ON sms_outbox (hall_id, phone_hash, day);
CREATE INDEX sms_outbox_by_age ON sms_outbox (created_at) WHERE phone_sealed IS NOT NULL OR phone_hash IS NOT NULL;
