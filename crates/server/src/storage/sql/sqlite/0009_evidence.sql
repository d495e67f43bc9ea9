-- Evidence files of rectification cases (issue 17, docs/sync.md "Records"): the bytes, by hall
-- and SHA-256. The case's evidence record (name, size, hash) travels in the change log; the
-- bytes come through their own route, checked against the hash, so an upload is idempotent.
CREATE TABLE evidence_files (
    hall_id    TEXT NOT NULL REFERENCES halls (id),
    sha256     TEXT NOT NULL CHECK (length(sha256) = 64),
    size       INTEGER NOT NULL CHECK (size >= 0),
    bytes      BLOB NOT NULL,
    stored_at  TEXT NOT NULL,
    PRIMARY KEY (hall_id, sha256)
) STRICT;
