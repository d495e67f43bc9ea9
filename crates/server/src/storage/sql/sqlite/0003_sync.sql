-- Sync with the supervisors' desktops (docs/sync.md). `sync_ops` holds every operation a desktop
-- pushed, once per (device, seq): applied or rejected with the reason, so a replayed push gets
-- the same answer. `sync_rows` holds each synced row as the merge keeps it (every field with the
-- HLC that set it, and the delete tombstone), as JSON. `sync_changes` is the change log desktops
-- pull, numbered per hall without gaps from the counter in `sync_heads`.

CREATE TABLE sync_ops (
    hall_id         TEXT NOT NULL REFERENCES halls (id),
    device_id       TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    op_id           TEXT NOT NULL,
    hlc             TEXT NOT NULL,
    entity          TEXT NOT NULL,
    entity_key      TEXT NOT NULL,
    change          TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('applied', 'rejected')),
    reject_code     TEXT,
    reject_message  TEXT,
    PRIMARY KEY (hall_id, device_id, seq)
) STRICT;

CREATE TABLE sync_rows (
    hall_id     TEXT NOT NULL REFERENCES halls (id),
    entity      TEXT NOT NULL,
    entity_key  TEXT NOT NULL,
    row         TEXT NOT NULL,
    PRIMARY KEY (hall_id, entity, entity_key)
) STRICT;

CREATE TABLE sync_heads (
    hall_id         TEXT PRIMARY KEY NOT NULL REFERENCES halls (id),
    last_change_id  INTEGER NOT NULL
) STRICT;

CREATE TABLE sync_changes (
    hall_id     TEXT NOT NULL REFERENCES halls (id),
    change_id   INTEGER NOT NULL,
    entity      TEXT NOT NULL,
    entity_key  TEXT NOT NULL,
    hlc         TEXT NOT NULL,
    change      TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    PRIMARY KEY (hall_id, change_id)
) STRICT;
