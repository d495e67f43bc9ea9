-- Ratings (一事一评) as the hall's pads gave them, pulled from the server by seq like ticket
-- events (docs/sync.md), with the cursor in `sync_state`. A rating is history: its window,
-- matter and staff member may be deleted here later (or not pulled yet), and the rating must
-- still count, so those ids carry no foreign keys.
--
-- `hall_day` is the hall's date (UTC+8) of `at`; `staff_id` is who sat at the window that day,
-- as this PC's seating said when the rating arrived (NULL: nobody was seated).

CREATE TABLE ratings (
    id             TEXT PRIMARY KEY NOT NULL,
    seq            INTEGER NOT NULL UNIQUE,
    hall_day       TEXT NOT NULL,
    ticket_id      TEXT NOT NULL UNIQUE,
    ticket_number  TEXT NOT NULL,
    window_id      TEXT NOT NULL,
    matter_id      TEXT NOT NULL,
    staff_id       TEXT,
    level          TEXT NOT NULL CHECK (level IN ('very_satisfied', 'satisfied', 'neutral', 'dissatisfied', 'very_dissatisfied')),
    reasons        TEXT NOT NULL CHECK (json_valid(reasons) AND json_type(reasons) = 'array'),
    comment        TEXT NOT NULL,
    at             TEXT NOT NULL
) STRICT;

-- The dashboard's "today" (count by level for one day) and a day's list.
CREATE INDEX ratings_by_day ON ratings (hall_day, level);

ALTER TABLE sync_state ADD COLUMN ratings_cursor INTEGER NOT NULL DEFAULT 0;
