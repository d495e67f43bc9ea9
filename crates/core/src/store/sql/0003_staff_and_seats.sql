-- Staff of the hall and who sits at which window on a day. A seat row is per hall-local date
-- (YYYY-MM-DD), so yesterday's seating stays as it was; one person sits at one window a day.

CREATE TABLE staff (
    id             TEXT PRIMARY KEY NOT NULL,
    employee_no    TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL CHECK (name <> ''),
    department_id  TEXT REFERENCES departments (id) ON DELETE RESTRICT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;

CREATE TABLE seats (
    date       TEXT NOT NULL,
    window_id  TEXT NOT NULL REFERENCES windows (id) ON DELETE CASCADE,
    staff_id   TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    PRIMARY KEY (date, window_id),
    UNIQUE (date, staff_id)
) STRICT;

CREATE INDEX departments_by_name ON departments (name);
CREATE INDEX matters_by_department ON matters (department_id);
