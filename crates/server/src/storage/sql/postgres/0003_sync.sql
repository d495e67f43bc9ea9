-- Sync with the supervisors' desktops (docs/sync.md); the same records as the SQLite schema.
-- `sync_ops` holds every operation a desktop pushed, once per (device, seq): applied or rejected
-- with the reason. `sync_rows` holds each synced row as the merge keeps it (JSON). `sync_changes`
-- is the change log desktops pull, numbered per hall without gaps from the counter in
-- `sync_heads` (not a sequence, which can skip numbers when a transaction rolls back).

CREATE TABLE sync_ops (
    hall_id         TEXT NOT NULL REFERENCES halls (id),
    device_id       TEXT COLLATE "C" NOT NULL,
    seq             BIGINT NOT NULL,
    op_id           TEXT NOT NULL,
    hlc             TEXT COLLATE "C" NOT NULL,
    entity          TEXT NOT NULL,
    entity_key      TEXT COLLATE "C" NOT NULL,
    change          JSONB NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('applied', 'rejected')),
    reject_code     TEXT,
    reject_message  TEXT,
    PRIMARY KEY (hall_id, device_id, seq)
);

CREATE TABLE sync_rows (
    hall_id     TEXT NOT NULL REFERENCES halls (id),
    entity      TEXT NOT NULL,
    entity_key  TEXT COLLATE "C" NOT NULL,
    row         JSONB NOT NULL,
    PRIMARY KEY (hall_id, entity, entity_key)
);

CREATE TABLE sync_heads (
    hall_id         TEXT PRIMARY KEY REFERENCES halls (id),
    last_change_id  BIGINT NOT NULL
);

CREATE TABLE sync_changes (
    hall_id     TEXT NOT NULL REFERENCES halls (id),
    change_id   BIGINT NOT NULL,
    entity      TEXT NOT NULL,
    entity_key  TEXT COLLATE "C" NOT NULL,
    hlc         TEXT COLLATE "C" NOT NULL,
    change      JSONB NOT NULL,
    device_id   TEXT COLLATE "C" NOT NULL,
    seq         BIGINT NOT NULL,
    PRIMARY KEY (hall_id, change_id)
);
