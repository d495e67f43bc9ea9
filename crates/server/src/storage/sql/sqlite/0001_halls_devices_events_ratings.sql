-- The central server's SQLite schema. Every record belongs to a hall.

CREATE TABLE halls (
    id    TEXT PRIMARY KEY NOT NULL,
    name  TEXT NOT NULL
) STRICT;

-- The hall's configuration as one document: it is replaced whole, read whole, and the queue
-- rebuilds from it.
CREATE TABLE hall_configs (
    hall_id     TEXT PRIMARY KEY NOT NULL REFERENCES halls (id),
    config      TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE devices (
    id          TEXT PRIMARY KEY NOT NULL,
    hall_id     TEXT NOT NULL REFERENCES halls (id),
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    window_id   TEXT,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
) STRICT;

CREATE INDEX devices_by_hall ON devices (hall_id);

-- The queue's event log, append-only; seq orders it.
CREATE TABLE ticket_events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    hall_id    TEXT NOT NULL REFERENCES halls (id),
    day        TEXT NOT NULL,
    ticket_id  TEXT NOT NULL,
    at         TEXT NOT NULL,
    event      TEXT NOT NULL
) STRICT;

CREATE INDEX ticket_events_by_day ON ticket_events (hall_id, day, seq);

CREATE TABLE ratings (
    id             TEXT PRIMARY KEY NOT NULL,
    hall_id        TEXT NOT NULL REFERENCES halls (id),
    ticket_id      TEXT NOT NULL,
    ticket_number  TEXT NOT NULL,
    window_id      TEXT NOT NULL,
    matter_id      TEXT NOT NULL,
    level          TEXT NOT NULL,
    reasons        TEXT NOT NULL,
    comment        TEXT NOT NULL,
    at             TEXT NOT NULL,
    UNIQUE (hall_id, ticket_id)
) STRICT;

CREATE INDEX ratings_by_time ON ratings (hall_id, at);
