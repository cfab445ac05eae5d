-- Manual admissions (人工放行, seed 002 §十二): a guard admits someone on the
-- security office's telephoned instruction while the system is down; each
-- is also a scan event (method 'manual'); the office reviews it afterwards.
CREATE TABLE manual_admissions (
    id              TEXT PRIMARY KEY,
    scan_event_id   TEXT NOT NULL UNIQUE,
    campus_id       TEXT NOT NULL,
    gate_id         TEXT NOT NULL,
    guard_staff_id  TEXT NOT NULL,
    at              BIGINT NOT NULL,
    direction       TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    name            TEXT NOT NULL,
    doc_masked      TEXT NOT NULL DEFAULT '',
    authorised_by   TEXT NOT NULL,
    reason          TEXT NOT NULL,
    recorded_at     BIGINT NOT NULL,
    reviewed_at     BIGINT,
    reviewed_by     TEXT,
    review_note     TEXT
);
CREATE INDEX manual_admissions_by_at ON manual_admissions (at);
