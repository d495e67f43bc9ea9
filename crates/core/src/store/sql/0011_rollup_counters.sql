-- A report reads one rollup row per key (264 matters for a day): reading 19 integer columns per
-- row cost SQLite more than everything else in the report. The counters are now one BLOB of 19
-- big-endian i64 in `Counters::fields` order (reports/mod.rs), read with one column fetch.
CREATE TABLE report_rollups_packed (
    dim           INTEGER NOT NULL,
    grain         INTEGER NOT NULL,
    period        INTEGER NOT NULL,
    key           TEXT NOT NULL,
    -- issued, served, no_shows, cancelled, open, transfers, wait_sum, wait_count, service_sum,
    -- service_count, very_satisfied, satisfied, neutral, dissatisfied, very_dissatisfied,
    -- excluded, rectified, rectified_on_time, called_back
    counters      BLOB NOT NULL CHECK (length(counters) = 152),
    wait_hist     BLOB NOT NULL,
    service_hist  BLOB NOT NULL,
    PRIMARY KEY (dim, grain, period, key)
) STRICT, WITHOUT ROWID;

INSERT INTO report_rollups_packed (dim, grain, period, key, counters, wait_hist, service_hist)
SELECT dim, grain, period, key,
       unhex(printf('%016x%016x%016x%016x%016x%016x%016x%016x%016x%016x%016x%016x%016x%016x%016x%016x%016x%016x%016x',
                    issued, served, no_shows, cancelled, open, transfers, wait_sum, wait_count,
                    service_sum, service_count, very_satisfied, satisfied, neutral, dissatisfied,
                    very_dissatisfied, excluded, rectified, rectified_on_time, called_back)),
       wait_hist, service_hist
FROM report_rollups;

DROP TABLE report_rollups;
ALTER TABLE report_rollups_packed RENAME TO report_rollups;
