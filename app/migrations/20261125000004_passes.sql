-- Passes, scans, gate devices, vehicles and parking fees.

-- One pass per entrant of an approved application, and one for its vehicle.
-- `id` is the random pass id inside the signed QR token.
CREATE TABLE passes (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications(id),
    entrant_id      TEXT REFERENCES entrants(id),
    kind            TEXT NOT NULL,
    vehicle         BIGINT NOT NULL DEFAULT 0,
    holder          TEXT NOT NULL,
    campus_id       TEXT NOT NULL REFERENCES campuses(id),
    valid_from      BIGINT NOT NULL,
    valid_until     BIGINT NOT NULL,
    single_use      BIGINT NOT NULL DEFAULT 0,
    used_at         BIGINT,
    used_gate_id    TEXT,
    cancelled_at    BIGINT,
    -- The holder's page link: its SHA-256 finds the pass, the sealed copy
    -- lets the applicant be shown the link again.
    link_hash       TEXT NOT NULL UNIQUE,
    link_sealed     TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX passes_by_application ON passes (application_id);
CREATE INDEX passes_by_campus_validity ON passes (campus_id, valid_until);
CREATE INDEX passes_by_updated ON passes (updated_at);

-- Every scan, online or synced from an offline phone or device. `event_key`
-- makes ingestion idempotent: (source, event id) is stored once.
CREATE TABLE scan_events (
    id          TEXT PRIMARY KEY,
    event_key   TEXT NOT NULL UNIQUE,
    at          BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL,
    campus_id   TEXT,
    gate_id     TEXT,
    guard       TEXT,
    device_id   TEXT,
    direction   TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    method      TEXT NOT NULL,
    pass_id     TEXT,
    plate       TEXT,
    allowed     BIGINT NOT NULL,
    reason      TEXT NOT NULL,
    offline     BIGINT NOT NULL DEFAULT 0,
    conflict    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX scan_events_by_at ON scan_events (at);
CREATE INDEX scan_events_by_pass ON scan_events (pass_id, at);
CREATE INDEX scan_events_by_gate ON scan_events (gate_id, at);

-- Plate cameras, ID-card readers, turnstiles: each bound to one gate, with
-- its own random key stored as a SHA-256 digest.
CREATE TABLE gate_devices (
    id            TEXT PRIMARY KEY,
    gate_id       TEXT NOT NULL REFERENCES gates(id),
    name          TEXT NOT NULL,
    key_hash      TEXT NOT NULL UNIQUE,
    active        BIGINT NOT NULL DEFAULT 1,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT
);

-- Which vehicle gates a private visit reason may use (JSON list of gate ids).
ALTER TABLE visit_reasons ADD COLUMN vehicle_gates TEXT NOT NULL DEFAULT '[]';
-- Parking for private visits: free minutes, then cents per hour, capped a day.
ALTER TABLE visit_reasons ADD COLUMN free_minutes BIGINT NOT NULL DEFAULT 30;
ALTER TABLE visit_reasons ADD COLUMN cents_per_hour BIGINT NOT NULL DEFAULT 0;
ALTER TABLE visit_reasons ADD COLUMN daily_cap_cents BIGINT NOT NULL DEFAULT 0;

-- The vehicle inside state gets the pass and visit it belongs to.
ALTER TABLE vehicles_inside ADD COLUMN pass_id TEXT;
ALTER TABLE vehicles_inside ADD COLUMN gate_id TEXT;

-- Parking fees computed on exit; an unpaid one blocks the plate's next booking.
CREATE TABLE parking_fees (
    id           TEXT PRIMARY KEY,
    plate        TEXT NOT NULL,
    pass_id      TEXT,
    campus_id    TEXT NOT NULL,
    entered_at   BIGINT NOT NULL,
    left_at      BIGINT NOT NULL,
    cents        BIGINT NOT NULL,
    settled_at   BIGINT,
    settled_by   TEXT
);
CREATE INDEX parking_fees_unpaid ON parking_fees (plate, settled_at);
