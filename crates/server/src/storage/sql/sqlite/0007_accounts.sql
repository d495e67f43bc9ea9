-- People (issue 17, docs/accounts.md): accounts and their grants, sessions, the server's audit log.
-- Logins are stored normalised (trimmed, lower case), so UNIQUE is what makes them unique.

CREATE TABLE accounts (
    id                    TEXT PRIMARY KEY NOT NULL,
    login                 TEXT NOT NULL UNIQUE,
    display_name          TEXT NOT NULL,
    staff_id              TEXT,
    -- argon2id PHC string (hallkeeper_access::password); never answered by any route.
    password_hash         TEXT NOT NULL,
    active                INTEGER NOT NULL CHECK (active IN (0, 1)),
    must_change_password  INTEGER NOT NULL CHECK (must_change_password IN (0, 1)),
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
) STRICT;

-- One row per grant; hall_id NULL for 系统管理员 (server-wide). `position` keeps the order the
-- grants were given in, so both backends read them back alike.
CREATE TABLE account_grants (
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    hall_id     TEXT REFERENCES halls (id),
    role        TEXT NOT NULL CHECK (role IN ('system_admin', 'hall_admin', 'shift_lead', 'supervisor', 'window_staff')),
    PRIMARY KEY (account_id, position)
) STRICT;

CREATE INDEX account_grants_by_hall ON account_grants (hall_id);

-- Sessions: only the SHA-256 of the token is kept.
CREATE TABLE sessions (
    token_hash           TEXT PRIMARY KEY NOT NULL,
    account_id           TEXT NOT NULL REFERENCES accounts (id),
    created_at           TEXT NOT NULL,
    last_used_at         TEXT NOT NULL,
    idle_expires_at      TEXT NOT NULL,
    absolute_expires_at  TEXT NOT NULL,
    revoked_at           TEXT
) STRICT;

CREATE INDEX sessions_by_account ON sessions (account_id) WHERE revoked_at IS NULL;

-- Every sign-in (ok or refused) and every administrative action. No foreign keys: an entry
-- outlives what it names (a login that never existed, a hall id refused).
CREATE TABLE server_audit (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    account_id  TEXT,
    actor_name  TEXT NOT NULL,
    address     TEXT NOT NULL,
    hall_id     TEXT,
    action      TEXT NOT NULL,
    target      TEXT,
    before      TEXT,
    after       TEXT
) STRICT;

CREATE INDEX server_audit_by_hall ON server_audit (hall_id, seq);
