-- People on campus now: a pass's holder entered and has not left. Written
-- by every allowed scan (online, or synced from an offline phone or device);
-- a late offline event never replaces a newer state.
CREATE TABLE people_inside (
    pass_id     TEXT PRIMARY KEY REFERENCES passes(id),
    campus_id   TEXT NOT NULL REFERENCES campuses(id),
    entered_at  BIGINT NOT NULL,
    gate_id     TEXT
);
CREATE INDEX people_inside_by_campus ON people_inside (campus_id, entered_at);
