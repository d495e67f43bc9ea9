-- Feeding the reports (docs/reports.md) from the ticket events sync appends and the ratings it
-- stores. A ticket's fact is the fold of its events; the fold of a ticket still open (waiting,
-- called, served, parked) is kept here so that its next event, pulled in a later page, continues
-- it without re-reading the log. Rows leave when the ticket finishes or is a no-show.
CREATE TABLE report_ticket_state (
    ticket_id  TEXT PRIMARY KEY NOT NULL,
    state      TEXT NOT NULL CHECK (json_valid(state))
) STRICT, WITHOUT ROWID;

-- A store that already holds events or ratings from before facts were fed: the next open
-- folds them all once (Store::backfill_report_facts) and removes this mark.
INSERT INTO settings (key, value)
SELECT 'reports.backfill_pending', '1'
 WHERE EXISTS (SELECT 1 FROM ticket_events) OR EXISTS (SELECT 1 FROM ratings);
