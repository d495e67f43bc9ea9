-- Statistics and reports (好差评 and queue figures): the facts they are made of, and rollups
-- kept up to date with them, so that a report over years reads a few thousand rows instead of
-- millions. See docs/reports.md.
--
-- Days are hall days (UTC+8) as whole days since 1970-01-01 (`date(hall_day * 86400,
-- 'unixepoch')` shows one); months are `year * 12 + month - 1`. Integers keep the rows and the
-- hall_day indexes small. Dimension ids carry no foreign keys: facts arrive from the server for
-- windows, staff and matters this PC may have deleted or not pulled yet, and must still count.

-- One row per ticket, as last reported. Updating a fact must first take its old contribution
-- out of the rollups, so the old value has to be kept here.
CREATE TABLE report_ticket_facts (
    ticket_id      TEXT PRIMARY KEY NOT NULL,
    hall_day       INTEGER NOT NULL,
    window_id      TEXT,
    staff_id       TEXT,
    matter_id      TEXT NOT NULL,
    department_id  TEXT,
    -- 0 served, 1 no-show, 2 cancelled, 3 open
    outcome        INTEGER NOT NULL CHECK (outcome BETWEEN 0 AND 3),
    transfers      INTEGER NOT NULL CHECK (transfers >= 0),
    wait_secs      INTEGER CHECK (wait_secs >= 0),
    service_secs   INTEGER CHECK (service_secs >= 0)
) STRICT, WITHOUT ROWID;
-- What a fair full scan of a period uses (the baseline the rollups are measured against).
CREATE INDEX report_ticket_facts_day ON report_ticket_facts (hall_day);

CREATE TABLE report_rating_facts (
    rating_id          TEXT PRIMARY KEY NOT NULL,
    ticket_id          TEXT NOT NULL,
    hall_day           INTEGER NOT NULL,
    window_id          TEXT NOT NULL,
    staff_id           TEXT,
    matter_id          TEXT NOT NULL,
    department_id      TEXT,
    -- 0 非常满意 … 4 非常不满意 (RatingLevel::ALL order)
    level              INTEGER NOT NULL CHECK (level BETWEEN 0 AND 4),
    -- An appeal (申诉) upheld: the rating counts nowhere but in `excluded`.
    excluded           INTEGER NOT NULL CHECK (excluded IN (0, 1)),
    -- The poor rating's case; NULL while none is open. on_time implies rectified.
    rectified          INTEGER CHECK (rectified IN (0, 1)),
    rectified_on_time  INTEGER CHECK (rectified_on_time IN (0, 1)),
    called_back        INTEGER CHECK (called_back IN (0, 1))
) STRICT, WITHOUT ROWID;
CREATE INDEX report_rating_facts_day ON report_rating_facts (hall_day);

-- Counters per dimension key and day or month. A report adds whole months and the days at its
-- ragged edges. Histograms are sparse blobs (reports/hist.rs): bucket gaps and counts as varints.
CREATE TABLE report_rollups (
    -- 0 hall, 1 window, 2 staff, 3 matter, 4 department
    dim                INTEGER NOT NULL,
    -- 0 day (period = hall_day), 1 month (period = year * 12 + month - 1)
    grain              INTEGER NOT NULL,
    period             INTEGER NOT NULL,
    -- the window/staff/matter/department id; '' for the hall and for "none" (no window yet)
    key                TEXT NOT NULL,
    issued             INTEGER NOT NULL,
    served             INTEGER NOT NULL,
    no_shows           INTEGER NOT NULL,
    cancelled          INTEGER NOT NULL,
    open               INTEGER NOT NULL,
    transfers          INTEGER NOT NULL,
    wait_sum           INTEGER NOT NULL,
    wait_count         INTEGER NOT NULL,
    service_sum        INTEGER NOT NULL,
    service_count      INTEGER NOT NULL,
    wait_hist          BLOB NOT NULL,
    service_hist       BLOB NOT NULL,
    very_satisfied     INTEGER NOT NULL,
    satisfied          INTEGER NOT NULL,
    neutral            INTEGER NOT NULL,
    dissatisfied       INTEGER NOT NULL,
    very_dissatisfied  INTEGER NOT NULL,
    excluded           INTEGER NOT NULL,
    rectified          INTEGER NOT NULL,
    rectified_on_time  INTEGER NOT NULL,
    called_back        INTEGER NOT NULL,
    PRIMARY KEY (dim, grain, period, key)
) STRICT, WITHOUT ROWID;
