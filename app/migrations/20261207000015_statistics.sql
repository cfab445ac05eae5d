-- Statistics: applications counted by submission time, and scans counted
-- per campus day once the day can no longer change (see
-- app/src/statistics/rollup.rs).
CREATE INDEX applications_by_created ON applications (created_at);

CREATE TABLE scan_day_counts (
    day        TEXT NOT NULL,
    hour       BIGINT NOT NULL,
    campus_id  TEXT NOT NULL,
    gate_id    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    direction  TEXT NOT NULL,
    allowed    BIGINT NOT NULL,
    reason     TEXT NOT NULL,
    n          BIGINT NOT NULL,
    PRIMARY KEY (day, hour, campus_id, gate_id, kind, direction, allowed, reason)
);

CREATE TABLE statistics_rollups (
    name       TEXT PRIMARY KEY,
    rolled_to  TEXT NOT NULL
);
