-- Device enrolment from the desktop (issue 17): a device's one-time pairing codes, and when it
-- last called. (Version 7 is the accounts migration of the same issue.)

-- A code is a credential: only its SHA-256 is kept. A code is deleted when it is used, when its
-- device gets a newer one or is revoked, and once expired (by the next code made).
CREATE TABLE device_pairings (
    code_hash   TEXT PRIMARY KEY,
    hall_id     TEXT NOT NULL REFERENCES halls (id),
    device_id   TEXT NOT NULL REFERENCES devices (id),
    expires_at  TIMESTAMPTZ NOT NULL
);

CREATE INDEX device_pairings_by_device ON device_pairings (device_id);

ALTER TABLE devices ADD COLUMN last_seen_at TIMESTAMPTZ;
