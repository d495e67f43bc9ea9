-- SMS reminders: as the SQLite schema (sql/sqlite/0006_sms.sql), with instants as TIMESTAMPTZ.

CREATE TABLE sms_ticket_phones (
    hall_id         TEXT NOT NULL REFERENCES halls (id),
    ticket_id       TEXT NOT NULL,
    day             DATE NOT NULL,
    ahead_at_issue  INTEGER NOT NULL,
    phone_sealed    TEXT,
    phone_hash      TEXT,
    phone_masked    TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    purged_at       TIMESTAMPTZ,
    PRIMARY KEY (hall_id, ticket_id)
);

CREATE INDEX sms_ticket_phones_by_day ON sms_ticket_phones (hall_id, day);
CREATE INDEX sms_ticket_phones_by_age ON sms_ticket_phones (created_at) WHERE phone_sealed IS NOT NULL;

CREATE TABLE sms_outbox (
    id                   TEXT PRIMARY KEY,
    hall_id              TEXT NOT NULL REFERENCES halls (id),
    subject              TEXT NOT NULL,
    ticket_id            TEXT,
    appointment_id       TEXT,
    rule_id              TEXT NOT NULL,
    trigger_kind         TEXT NOT NULL,
    day                  DATE NOT NULL,
    phone_sealed         TEXT,
    phone_hash           TEXT,
    phone_masked         TEXT NOT NULL,
    params               JSONB NOT NULL,
    text                 TEXT NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed',
                             'skipped_quiet_hours', 'skipped_cap', 'expired', 'unknown')),
    attempts             INTEGER NOT NULL DEFAULT 0,
    attempt_id           TEXT,
    next_attempt_at      TIMESTAMPTZ,
    expires_at           TIMESTAMPTZ NOT NULL,
    provider             TEXT,
    provider_message_id  TEXT,
    last_error_code      TEXT,
    last_error           TEXT,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    sent_at              TIMESTAMPTZ,
    purged_at            TIMESTAMPTZ,
    UNIQUE (hall_id, subject, rule_id)
);

CREATE INDEX sms_outbox_due ON sms_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX sms_outbox_sending ON sms_outbox (id) WHERE status = 'sending';
CREATE INDEX sms_outbox_by_day ON sms_outbox (hall_id, day);
CREATE INDEX sms_outbox_cap ON sms_outbox (hall_id, phone_hash, day);
CREATE INDEX sms_outbox_by_age ON sms_outbox (created_at) WHERE phone_sealed IS NOT NULL OR phone_hash IS NOT NULL;
