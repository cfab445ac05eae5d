-- Applications and their approval workflow, the duplicate rule's claims,
-- blacklists, pass-kind policies and visit reasons, invitations, and the
-- SMS outbox's retry bookkeeping.

-- The configured list of visit reasons. `category` decides vehicle gates and
-- parking fees: official reasons any vehicle gate and free; private reasons
-- listed gates only and charged.
CREATE TABLE visit_reasons (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    name_en     TEXT NOT NULL DEFAULT '',
    category    TEXT NOT NULL CHECK (category IN ('official', 'private')),
    active      BIGINT NOT NULL DEFAULT 1,
    sort        BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);

-- One policy per pass kind, a JSON document of `domain::policy::PassPolicy`.
CREATE TABLE pass_policies (
    kind        TEXT PRIMARY KEY,
    policy      TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT NOT NULL
);

CREATE TABLE applications (
    id                     TEXT PRIMARY KEY,
    kind                   TEXT NOT NULL,
    status                 TEXT NOT NULL,
    -- Bumped by every action: a decision on a stale view is refused.
    version                BIGINT NOT NULL DEFAULT 0,
    applicant_phone        TEXT NOT NULL,
    host_staff_id          TEXT NOT NULL REFERENCES staff(id),
    department_id          TEXT NOT NULL REFERENCES departments(id),
    campus_id              TEXT NOT NULL REFERENCES campuses(id),
    reason_id              TEXT NOT NULL REFERENCES visit_reasons(id),
    note                   TEXT NOT NULL DEFAULT '',
    start_date             TEXT NOT NULL,
    end_date               TEXT NOT NULL,
    plate                  TEXT,
    -- JSON: the approval steps resolved at submission (who may act on each).
    chain                  TEXT NOT NULL,
    -- Who may act on the step it waits at (for the approvers' inbox).
    waiting_staff_id       TEXT,
    waiting_department_id  TEXT,
    invited_by             TEXT REFERENCES staff(id),
    decision_note          TEXT,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL
);
CREATE INDEX applications_by_applicant ON applications (applicant_phone, created_at);
CREATE INDEX applications_by_department ON applications (department_id, created_at);
CREATE INDEX applications_by_waiting_staff ON applications (waiting_staff_id);
CREATE INDEX applications_by_waiting_department ON applications (waiting_department_id);
CREATE INDEX applications_by_end ON applications (end_date, status);

CREATE TABLE entrants (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications(id),
    position        BIGINT NOT NULL,
    name            TEXT NOT NULL,
    -- The entrant's own mobile; NULL travels on the applicant's.
    phone           TEXT,
    doc_type        TEXT NOT NULL CHECK (doc_type IN ('resident_id', 'passport', 'other')),
    doc_sealed      TEXT NOT NULL,
    doc_mac         TEXT NOT NULL,
    doc_masked      TEXT NOT NULL,
    in_vehicle      BIGINT NOT NULL DEFAULT 0,
    face_consent_at BIGINT,
    UNIQUE (application_id, position)
);
CREATE INDEX entrants_by_doc ON entrants (doc_mac);
CREATE INDEX entrants_by_phone ON entrants (phone);

-- Face photos, kept apart so lists never load them.
CREATE TABLE entrant_photos (
    entrant_id  TEXT PRIMARY KEY REFERENCES entrants(id),
    mime        TEXT NOT NULL,
    data        TEXT NOT NULL
);

-- The duplicate rule: one row per document / mobile / plate held by an open
-- application. The primary key makes a second holder impossible, even for
-- two submissions racing each other.
CREATE TABLE application_claims (
    kind            TEXT NOT NULL,
    claim_key       TEXT NOT NULL,
    application_id  TEXT NOT NULL REFERENCES applications(id),
    PRIMARY KEY (kind, claim_key)
);
CREATE INDEX application_claims_by_application ON application_claims (application_id);

-- The history of an application: every action, by whom, with what changed.
CREATE TABLE application_events (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications(id),
    at              BIGINT NOT NULL,
    actor           TEXT NOT NULL,
    action          TEXT NOT NULL,
    from_status     TEXT NOT NULL,
    to_status       TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    changes         TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX application_events_by_application ON application_events (application_id, at);

-- A double-tapped submit makes one application: the form's key, per caller.
CREATE TABLE idempotency_keys (
    owner           TEXT NOT NULL,
    idem_key        TEXT NOT NULL,
    application_id  TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (owner, idem_key)
);

-- Staff invites a visitor: what staff filled in, for the visitor to complete.
CREATE TABLE invitations (
    id              TEXT PRIMARY KEY,
    link_hash       TEXT NOT NULL UNIQUE,
    staff_id        TEXT NOT NULL REFERENCES staff(id),
    phone           TEXT NOT NULL,
    prefill         TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    application_id  TEXT REFERENCES applications(id)
);

-- People (by document number or mobile) and vehicles (by plate) refused
-- entry. `entry_key` is the document's keyed hash, the mobile, or the plate.
CREATE TABLE blacklist (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('document', 'mobile', 'plate')),
    entry_key    TEXT NOT NULL,
    masked       TEXT NOT NULL,
    reason       TEXT NOT NULL,
    added_by     TEXT NOT NULL,
    added_at     BIGINT NOT NULL,
    lifted_by    TEXT,
    lifted_at    BIGINT,
    lift_reason  TEXT
);
CREATE UNIQUE INDEX blacklist_active ON blacklist (kind, entry_key) WHERE lifted_at IS NULL;

-- Vehicles recorded inside a campus (entered, not yet left). Written by the
-- gate; read here so a plate still inside cannot be booked again.
CREATE TABLE vehicles_inside (
    plate       TEXT PRIMARY KEY,
    campus_id   TEXT NOT NULL REFERENCES campuses(id),
    entered_at  BIGINT NOT NULL
);

-- Retries: a failed message is tried again from `next_attempt_at`; a server
-- takes a row by moving that time forward with a conditional update, so two
-- servers never send one message twice at once.
ALTER TABLE sms_outbox ADD COLUMN next_attempt_at BIGINT;
CREATE INDEX sms_outbox_retry ON sms_outbox (status, next_attempt_at);
-- Template parameters of the message, for providers that send templates.
ALTER TABLE sms_outbox ADD COLUMN params TEXT NOT NULL DEFAULT '[]';
