-- Appointments (预约): bookable slots per hall, matter and day, and the bookings in them; the
-- same records as the SQLite schema. Times of day are the hall's ("HH:MM", UTC+8, sorted
-- bytewise); `ends_at` is the slot's end as an instant, for finding no-shows. A booking copies
-- its slot's times: a slot that holds bookings cannot change them.

CREATE TABLE appointment_slots (
    hall_id     TEXT NOT NULL REFERENCES halls (id),
    matter_id   TEXT COLLATE "C" NOT NULL,
    day         DATE NOT NULL,
    start_time  TEXT COLLATE "C" NOT NULL,
    end_time    TEXT COLLATE "C" NOT NULL,
    capacity    INTEGER NOT NULL CHECK (capacity > 0),
    PRIMARY KEY (hall_id, matter_id, day, start_time),
    CHECK (start_time < end_time)
);

CREATE TABLE appointments (
    id             TEXT COLLATE "C" PRIMARY KEY,
    hall_id        TEXT NOT NULL REFERENCES halls (id),
    code           TEXT COLLATE "C" NOT NULL,
    matter_id      TEXT COLLATE "C" NOT NULL,
    day            DATE NOT NULL,
    start_time     TEXT COLLATE "C" NOT NULL,
    end_time       TEXT COLLATE "C" NOT NULL,
    ends_at        TIMESTAMPTZ NOT NULL,
    phone          TEXT,
    state          TEXT NOT NULL CHECK (state IN ('booked', 'cancelled', 'checked_in', 'no_show')),
    booked_at      TIMESTAMPTZ NOT NULL,
    cancelled_at   TIMESTAMPTZ,
    checked_in_at  TIMESTAMPTZ,
    ticket_id      TEXT,
    no_show_at     TIMESTAMPTZ,
    UNIQUE (hall_id, code)
);

CREATE INDEX appointments_by_slot ON appointments (hall_id, matter_id, day, start_time);
CREATE INDEX appointments_by_day ON appointments (hall_id, day);
CREATE INDEX appointments_due ON appointments (hall_id, ends_at) WHERE state = 'booked';
