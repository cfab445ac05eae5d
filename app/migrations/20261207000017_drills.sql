-- Evacuation drills: who was inside when a drill began, each marked
-- accounted for by the office (app/src/passes/roll_call.rs). One open
-- drill per campus.
CREATE TABLE drills (
    id          TEXT PRIMARY KEY,
    campus_id   TEXT NOT NULL REFERENCES campuses(id),
    name        TEXT NOT NULL,
    started_at  BIGINT NOT NULL,
    started_by  TEXT NOT NULL,
    ended_at    BIGINT,
    ended_by    TEXT
);
CREATE UNIQUE INDEX drills_open ON drills (campus_id) WHERE ended_at IS NULL;

CREATE TABLE drill_people (
    drill_id      TEXT NOT NULL REFERENCES drills(id),
    pass_id       TEXT NOT NULL,
    holder        TEXT NOT NULL,
    phone         TEXT NOT NULL DEFAULT '',
    kind          TEXT NOT NULL,
    host          TEXT NOT NULL DEFAULT '',
    entered_at    BIGINT NOT NULL,
    accounted_at  BIGINT,
    accounted_by  TEXT,
    PRIMARY KEY (drill_id, pass_id)
);
