-- Windows (service counters) in the supervisor's floor order, and the audit log of every change.

CREATE TABLE windows (
    id          TEXT PRIMARY KEY NOT NULL,
    number      TEXT NOT NULL UNIQUE CHECK (number <> '' AND number = upper(number)),
    name        TEXT NOT NULL CHECK (name <> ''),
    zone        TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL CHECK (kind IN ('general', 'dedicated', 'priority')),
    state       TEXT NOT NULL CHECK (state IN ('open', 'paused', 'closed')),
    position    INTEGER NOT NULL CHECK (position >= 0),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

CREATE INDEX windows_by_position ON windows (position);

-- seq orders the log (ids made in one millisecond by two processes need not sort);
-- before/after are JSON snapshots of the record.
CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    entity_type  TEXT NOT NULL,
    entity_id    TEXT,
    summary      TEXT NOT NULL,
    before_json  TEXT,
    after_json   TEXT
) STRICT;

CREATE TABLE settings (
    key    TEXT PRIMARY KEY NOT NULL,
    value  TEXT NOT NULL
) STRICT;
