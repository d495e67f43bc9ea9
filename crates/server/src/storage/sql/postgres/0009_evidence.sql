-- Evidence files: as the SQLite schema (sql/sqlite/0009_evidence.sql), bytes as BYTEA.
CREATE TABLE evidence_files (
    hall_id    TEXT NOT NULL REFERENCES halls (id),
    sha256     TEXT NOT NULL CHECK (length(sha256) = 64),
    size       BIGINT NOT NULL CHECK (size >= 0),
    bytes      BYTEA NOT NULL,
    stored_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (hall_id, sha256)
);
