-- People (issue 17): as the SQLite schema (sql/sqlite/0007_accounts.sql), with instants as
-- TIMESTAMPTZ, flags as BOOLEAN and before/after as JSONB.

CREATE TABLE accounts (
    id                    TEXT COLLATE "C" PRIMARY KEY,
    login                 TEXT COLLATE "C" NOT NULL UNIQUE,
    display_name          TEXT NOT NULL,
    staff_id              TEXT,
    password_hash         TEXT NOT NULL,
    active                BOOLEAN NOT NULL,
    must_change_password  BOOLEAN NOT NULL,
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL
);

CREATE TABLE account_grants (
    account_id  TEXT COLLATE "C" NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    hall_id     TEXT COLLATE "C" REFERENCES halls (id),
    role        TEXT NOT NULL CHECK (role IN ('system_admin', 'hall_admin', 'shift_lead', 'supervisor', 'window_staff')),
    PRIMARY KEY (account_id, position)
);

CREATE INDEX account_grants_by_hall ON account_grants (hall_id);

CREATE TABLE sessions (
    token_hash           TEXT PRIMARY KEY,
    account_id           TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    created_at           TIMESTAMPTZ NOT NULL,
    last_used_at         TIMESTAMPTZ NOT NULL,
    idle_expires_at      TIMESTAMPTZ NOT NULL,
    absolute_expires_at  TIMESTAMPTZ NOT NULL,
    revoked_at           TIMESTAMPTZ
);

CREATE INDEX sessions_by_account ON sessions (account_id) WHERE revoked_at IS NULL;

CREATE TABLE server_audit (
    seq         BIGSERIAL PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    account_id  TEXT,
    actor_name  TEXT NOT NULL,
    address     TEXT NOT NULL,
    hall_id     TEXT COLLATE "C",
    action      TEXT NOT NULL,
    target      TEXT,
    before      JSONB,
    after       JSONB
);

CREATE INDEX server_audit_by_hall ON server_audit (hall_id, seq);
