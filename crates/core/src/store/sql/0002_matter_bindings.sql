-- The catalog side of 一网打尽: departments, matters and matter ↔ window bindings. Editing them
-- comes with the catalog import; the tables exist now so that a window that handles matters
-- cannot be deleted out from under them (ON DELETE RESTRICT, and a clear refusal in core).

CREATE TABLE departments (
    id    TEXT PRIMARY KEY NOT NULL,
    code  TEXT NOT NULL UNIQUE,
    name  TEXT NOT NULL CHECK (name <> '')
) STRICT;

CREATE TABLE matters (
    id                 TEXT PRIMARY KEY NOT NULL,
    catalog_code       TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL CHECK (name <> ''),
    department_id      TEXT NOT NULL REFERENCES departments (id) ON DELETE RESTRICT,
    matter_type        TEXT NOT NULL,
    required           INTEGER NOT NULL DEFAULT 1 CHECK (required IN (0, 1)),
    time_limit_days    INTEGER CHECK (time_limit_days IS NULL OR time_limit_days >= 0),
    ticket_prefix      TEXT NOT NULL DEFAULT '',
    state              TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'retired'))
) STRICT;

CREATE TABLE window_bindings (
    window_id  TEXT NOT NULL REFERENCES windows (id) ON DELETE RESTRICT,
    matter_id  TEXT NOT NULL REFERENCES matters (id) ON DELETE RESTRICT,
    priority   TEXT NOT NULL CHECK (priority IN ('primary', 'overflow')),
    PRIMARY KEY (window_id, matter_id)
) STRICT;

CREATE INDEX window_bindings_by_matter ON window_bindings (matter_id);
