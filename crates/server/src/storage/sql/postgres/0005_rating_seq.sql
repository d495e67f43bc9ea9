-- Ratings go down to the desktops like ticket events (docs/sync.md): each gets a seq from one
-- sequence for the whole server, so a desktop pulls them by seq from its cursor. A seq is drawn
-- at insert, not at commit, so `add_rating` draws it under a per-hall advisory lock (see
-- RATING_LOCK_CLASS) and a hall's ratings commit in seq order. The ratings already given are
-- numbered in the order they were given.

CREATE SEQUENCE ratings_seq_seq AS BIGINT;
ALTER TABLE ratings ADD COLUMN seq BIGINT;
UPDATE ratings r SET seq = o.n
  FROM (SELECT id, row_number() OVER (ORDER BY at, id) AS n FROM ratings) o
 WHERE o.id = r.id;
SELECT setval('ratings_seq_seq', (SELECT coalesce(max(seq), 0) + 1 FROM ratings), false);
ALTER TABLE ratings
    ALTER COLUMN seq SET DEFAULT nextval('ratings_seq_seq'),
    ALTER COLUMN seq SET NOT NULL;
ALTER SEQUENCE ratings_seq_seq OWNED BY ratings.seq;

-- A desktop's pull (a range of seqs of one hall) and the stream's head (the hall's last seq).
CREATE UNIQUE INDEX ratings_by_hall ON ratings (hall_id, seq);
