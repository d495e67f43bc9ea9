-- The down half of sync (docs/sync.md): the server's rows as this replica last pulled them, the
-- hall's ticket events, and the cursors. A pulled change is merged into `sync_rows`; the domain
-- tables show that merged state with the outbox's unconfirmed operations laid on top.
--
-- Two PCs can both create window A03 (or staff no. 1001) while offline. Sync keeps both rows on
-- every replica — dropping one would lose an edit — so those natural keys are no longer UNIQUE
-- in the tables: the commands still refuse a duplicate made on this PC, and the coverage audit
-- reports one that arrived by sync. Matter and department codes stay unique: their ids are made
-- from the code, so two imports of one catalog name the same rows.

CREATE TABLE sync_rows (
    entity      TEXT NOT NULL,
    entity_key  TEXT NOT NULL,
    row         TEXT NOT NULL,
    PRIMARY KEY (entity, entity_key)
) STRICT, WITHOUT ROWID;

-- Set when the server's change log has returned the operation: from then on the pulled state
-- includes it and the outbox no longer needs to lay it on top.
ALTER TABLE outbox ADD COLUMN echoed INTEGER NOT NULL DEFAULT 0 CHECK (echoed IN (0, 1));
CREATE INDEX outbox_unconfirmed ON outbox (entity, entity_key) WHERE echoed = 0 AND state <> 'rejected';

ALTER TABLE sync_state ADD COLUMN events_cursor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_state ADD COLUMN last_pull_at TEXT;
ALTER TABLE sync_state ADD COLUMN last_push_at TEXT;

-- The queue's event log as the server recorded it (seq is the server's), append-only.
CREATE TABLE ticket_events (
    seq    INTEGER PRIMARY KEY NOT NULL,
    day    TEXT NOT NULL,
    event  TEXT NOT NULL
) STRICT;

CREATE INDEX ticket_events_by_day ON ticket_events (day, seq);

-- Rebuilt without UNIQUE on the natural keys (see above). Foreign keys are off while migrating.
CREATE TABLE windows_new (
    id          TEXT PRIMARY KEY NOT NULL,
    number      TEXT NOT NULL CHECK (number <> '' AND number = upper(number)),
    name        TEXT NOT NULL CHECK (name <> ''),
    zone        TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL CHECK (kind IN ('general', 'dedicated', 'priority')),
    state       TEXT NOT NULL CHECK (state IN ('open', 'paused', 'closed')),
    position    INTEGER NOT NULL CHECK (position >= 0),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;
INSERT INTO windows_new SELECT id, number, name, zone, kind, state, position, created_at, updated_at FROM windows;
DROP TABLE windows;
ALTER TABLE windows_new RENAME TO windows;
CREATE INDEX windows_by_position ON windows (position);
CREATE INDEX windows_by_number ON windows (number);

CREATE TABLE staff_new (
    id             TEXT PRIMARY KEY NOT NULL,
    employee_no    TEXT NOT NULL,
    name           TEXT NOT NULL CHECK (name <> ''),
    department_id  TEXT REFERENCES departments (id) ON DELETE RESTRICT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;
INSERT INTO staff_new SELECT id, employee_no, name, department_id, created_at, updated_at FROM staff;
DROP TABLE staff;
ALTER TABLE staff_new RENAME TO staff;
CREATE INDEX staff_by_employee_no ON staff (employee_no);

CREATE TABLE seats_new (
    date       TEXT NOT NULL,
    window_id  TEXT NOT NULL REFERENCES windows (id) ON DELETE CASCADE,
    staff_id   TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    PRIMARY KEY (date, window_id)
) STRICT;
INSERT INTO seats_new SELECT date, window_id, staff_id FROM seats;
DROP TABLE seats;
ALTER TABLE seats_new RENAME TO seats;
CREATE INDEX seats_by_staff ON seats (date, staff_id);
