-- Rectification cases (整改台账): one per poor rating, opened in the same transaction that stores
-- the rating, so none is lost and none is opened twice (rating_id is UNIQUE). Cases are local to
-- the PC that pulled the rating: they are not synced between supervisor PCs (yet).
--
-- The columns answer the inbox and the reports without replaying steps; the steps are the
-- history. `rules` is the deadline profile as it was at opening (editing the profile later must
-- not move a running deadline). `deadline` is the due date, or NULL while counting reaches a year
-- whose holiday notice is not out (`deadline_unpublished_year`); `deadline_json` keeps the
-- calendar's whole answer (its proven earliest date). `read_at` NULL: unread in the inbox.
-- `alerted_on`: the hall day a due-soon/overdue notification was last raised, so it is raised
-- once per day per case, across restarts.

CREATE TABLE rectification_cases (
    id                         TEXT PRIMARY KEY NOT NULL,
    rating_id                  TEXT NOT NULL UNIQUE REFERENCES ratings (id) ON DELETE RESTRICT,
    state                      TEXT NOT NULL CHECK (state IN ('new', 'verifying', 'rectifying', 'rectified',
                                   'called_back', 'closed', 'appealed', 'appeal_upheld')),
    real_name                  INTEGER NOT NULL CHECK (real_name IN (0, 1)),
    assignee_kind              TEXT NOT NULL CHECK (assignee_kind IN ('department', 'staff')),
    assignee_id                TEXT NOT NULL,
    assignee_name              TEXT NOT NULL,
    rules                      TEXT NOT NULL CHECK (json_valid(rules)),
    opened_at                  TEXT NOT NULL,
    opened_day                 TEXT NOT NULL,
    deadline                   TEXT,
    deadline_unpublished_year  INTEGER,
    deadline_json              TEXT NOT NULL CHECK (json_valid(deadline_json)),
    rectified_at               TEXT,
    called_back_at             TEXT,
    call_back                  TEXT CHECK (call_back IS NULL OR json_valid(call_back)),
    closed_at                  TEXT,
    appeal                     TEXT CHECK (appeal IS NULL OR json_valid(appeal)),
    excluded                   INTEGER NOT NULL DEFAULT 0 CHECK (excluded IN (0, 1)),
    exclusion_reason           TEXT,
    read_at                    TEXT,
    alerted_on                 TEXT,
    updated_at                 TEXT NOT NULL,
    CHECK ((deadline IS NULL) <> (deadline_unpublished_year IS NULL))
) STRICT;

CREATE INDEX rectification_cases_by_state ON rectification_cases (state, opened_at);
CREATE INDEX rectification_cases_unread ON rectification_cases (opened_at) WHERE read_at IS NULL;

CREATE TABLE rectification_steps (
    case_id      TEXT NOT NULL REFERENCES rectification_cases (id) ON DELETE CASCADE,
    n            INTEGER NOT NULL CHECK (n >= 1),
    from_state   TEXT NOT NULL,
    to_state     TEXT NOT NULL,
    action       TEXT NOT NULL CHECK (json_valid(action)),
    actor        TEXT NOT NULL,
    at           TEXT NOT NULL,
    note         TEXT,
    attachments  TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(attachments) AND json_type(attachments) = 'array'),
    PRIMARY KEY (case_id, n)
) STRICT;

-- Evidence files attached to a case, by content hash (the file is `evidence/<sha256>` in the
-- data folder). A step may only cite evidence attached to its own case.
CREATE TABLE rectification_evidence (
    case_id      TEXT NOT NULL REFERENCES rectification_cases (id) ON DELETE CASCADE,
    sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
    name         TEXT NOT NULL,
    size         INTEGER NOT NULL CHECK (size >= 0),
    attached_at  TEXT NOT NULL,
    PRIMARY KEY (case_id, sha256)
) STRICT;
