-- Issue 17: the person as actor. An audit entry names the account (id) besides its name; an
-- outbox operation carries its author's account id, which the server re-checks when it applies
-- the operation. Rows from before sign-in keep NULL (the OS user's name in `actor`).
ALTER TABLE audit_log ADD COLUMN actor_id TEXT;
ALTER TABLE outbox ADD COLUMN author TEXT;

-- The offline sign-in (hallkeeper_access::offline): per person who signed in on this PC through
-- the server, an argon2id verifier made here (never the password, never the server's hash), the
-- account as the server last gave it (grants included) and when that was.
CREATE TABLE offline_verifiers (
    account_id      TEXT PRIMARY KEY NOT NULL,
    login           TEXT NOT NULL UNIQUE,
    account_json    TEXT NOT NULL,
    verifier        TEXT NOT NULL,
    last_online_at  TEXT NOT NULL
) STRICT;
