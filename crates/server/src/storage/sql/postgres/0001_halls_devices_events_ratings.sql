-- The central server's PostgreSQL schema; the same records as the SQLite one. Ids that lists are
-- ordered by use the "C" collation, so they sort bytewise like SQLite's TEXT whatever the
-- database's locale. The schema version is kept by the migration code in `schema_version`.

CREATE TABLE halls (
    id    TEXT COLLATE "C" PRIMARY KEY,
    name  TEXT NOT NULL
);

-- The hall's configuration as one document, replaced and read whole.
CREATE TABLE hall_configs (
    hall_id     TEXT PRIMARY KEY REFERENCES halls (id),
    config      JSONB NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE devices (
    id          TEXT COLLATE "C" PRIMARY KEY,
    hall_id     TEXT NOT NULL REFERENCES halls (id),
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    window_id   TEXT,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ
);

CREATE INDEX devices_by_hall ON devices (hall_id);

-- The queue's event log, append-only; seq orders it.
CREATE TABLE ticket_events (
    seq        BIGSERIAL PRIMARY KEY,
    hall_id    TEXT NOT NULL REFERENCES halls (id),
    day        DATE NOT NULL,
    ticket_id  TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    event      JSONB NOT NULL
);

CREATE INDEX ticket_events_by_day ON ticket_events (hall_id, day, seq);

CREATE TABLE ratings (
    id             TEXT COLLATE "C" PRIMARY KEY,
    hall_id        TEXT NOT NULL REFERENCES halls (id),
    ticket_id      TEXT NOT NULL,
    ticket_number  TEXT NOT NULL,
    window_id      TEXT NOT NULL,
    matter_id      TEXT NOT NULL,
    level          TEXT NOT NULL,
    reasons        JSONB NOT NULL,
    comment        TEXT NOT NULL,
    at             TIMESTAMPTZ NOT NULL,
    UNIQUE (hall_id, ticket_id)
);

CREATE INDEX ratings_by_time ON ratings (hall_id, at);
