-- Ratings go down to the desktops like ticket events (docs/sync.md): each gets a seq from one
-- counter for the whole server, handed out inside the write, so a desktop pulls them by seq
-- from its cursor. SQLite cannot add an AUTOINCREMENT key to a table, so the table is rebuilt;
-- the ratings already given are numbered in the order they were given.

CREATE TABLE ratings_new (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
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

INSERT INTO ratings_new (id, hall_id, ticket_id, ticket_number, window_id, matter_id, level, reasons, comment, at)
SELECT id, hall_id, ticket_id, ticket_number, window_id, matter_id, level, reasons, comment, at
  FROM ratings ORDER BY at, id;

DROP TABLE ratings;
ALTER TABLE ratings_new RENAME TO ratings;

CREATE INDEX ratings_by_time ON ratings (hall_id, at);
-- A desktop's pull (a range of seqs of one hall) and the stream's head (the hall's last seq).
CREATE INDEX ratings_by_hall ON ratings (hall_id, seq);
