-- The local half of sync (docs/sync.md): this device's identity and counters, and the outbox of
-- operations waiting to be pushed. An operation is written in the same transaction as the change
-- it describes.

CREATE TABLE sync_state (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    device_id    TEXT NOT NULL,
    next_seq     INTEGER NOT NULL CHECK (next_seq >= 1),
    last_hlc     TEXT,
    pull_cursor  INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE outbox (
    seq          INTEGER PRIMARY KEY NOT NULL,
    op_id        TEXT NOT NULL UNIQUE,
    hlc          TEXT NOT NULL,
    entity       TEXT NOT NULL,
    entity_key   TEXT NOT NULL,
    change       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'acked', 'rejected')),
    reason       TEXT
) STRICT;

CREATE INDEX outbox_pending ON outbox (state, seq);
