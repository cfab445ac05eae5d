-- Foundation: directory, accounts, grants, sessions, SMS, rate limits, keys, audit.
-- Portable SQL: runs unchanged on SQLite and PostgreSQL.
-- Instants are BIGINT milliseconds since the epoch; flags are BIGINT 0/1.

CREATE TABLE campuses (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    name_en     TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);

CREATE TABLE gates (
    id          TEXT PRIMARY KEY,
    campus_id   TEXT NOT NULL REFERENCES campuses(id),
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL CHECK (kind IN ('pedestrian', 'vehicle', 'both')),
    direction   TEXT NOT NULL CHECK (direction IN ('both', 'entry', 'exit')),
    active      BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    UNIQUE (campus_id, name)
);

CREATE TABLE departments (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL UNIQUE,
    name_en     TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);

CREATE TABLE staff (
    id                    TEXT PRIMARY KEY,
    staff_no              TEXT NOT NULL UNIQUE,
    name                  TEXT NOT NULL,
    department_id         TEXT NOT NULL REFERENCES departments(id),
    phone                 TEXT,
    password_hash         TEXT,
    must_change_password  BIGINT NOT NULL DEFAULT 1,
    active                BIGINT NOT NULL DEFAULT 1,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL
);
CREATE INDEX staff_by_name ON staff (name);
CREATE INDEX staff_by_department ON staff (department_id);

-- A role held by a staff member. scope_id is the department of an approver,
-- the gate of a guard, '' for campus-wide roles.
CREATE TABLE grants (
    id          TEXT PRIMARY KEY,
    staff_id    TEXT NOT NULL REFERENCES staff(id),
    role        TEXT NOT NULL,
    scope_id    TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('active', 'frozen', 'revoked')),
    granted_by  TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (staff_id, role, scope_id)
);

CREATE TABLE households (
    id          TEXT PRIMARY KEY,
    campus_id   TEXT NOT NULL REFERENCES campuses(id),
    address     TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (campus_id, address)
);

CREATE TABLE residents (
    id            TEXT PRIMARY KEY,
    household_id  TEXT NOT NULL REFERENCES households(id),
    name          TEXT NOT NULL,
    phone         TEXT NOT NULL UNIQUE,
    paper_pass    BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);

-- Server-side sessions; the cookie holds a random id, the table its SHA-256.
CREATE TABLE sessions (
    id_hash       TEXT PRIMARY KEY,
    staff_id      TEXT REFERENCES staff(id),
    phone         TEXT,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    ended_at      BIGINT
);
CREATE INDEX sessions_by_staff ON sessions (staff_id);

-- One-time SMS codes, stored as an HMAC under a server key.
CREATE TABLE sms_codes (
    id               TEXT PRIMARY KEY,
    phone            TEXT NOT NULL,
    code_mac         TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    failed_attempts  BIGINT NOT NULL DEFAULT 0,
    used_at          BIGINT
);
CREATE INDEX sms_codes_by_phone ON sms_codes (phone, created_at);

-- Every text message the system sends, whatever the provider.
CREATE TABLE sms_outbox (
    id          TEXT PRIMARY KEY,
    phone       TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    body        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    provider    TEXT NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  BIGINT NOT NULL,
    sent_at     BIGINT
);
CREATE INDEX sms_outbox_by_created ON sms_outbox (created_at);
CREATE INDEX sms_outbox_by_phone ON sms_outbox (phone, created_at);

-- Sliding-window rate limits shared by every server on the database.
CREATE TABLE rate_events (
    id      TEXT PRIMARY KEY,
    bucket  TEXT NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX rate_events_by_bucket ON rate_events (bucket, at);

-- Keys, each sealed under the master secret (XChaCha20-Poly1305).
CREATE TABLE secret_keys (
    purpose     TEXT PRIMARY KEY,
    sealed      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- Who did what. Personal data in `changes` is masked before it is written.
CREATE TABLE audit_log (
    id           TEXT PRIMARY KEY,
    at           BIGINT NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    record_kind  TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    changes      TEXT NOT NULL,
    ip           TEXT
);
CREATE INDEX audit_log_by_at ON audit_log (at);
CREATE INDEX audit_log_by_record ON audit_log (record_kind, record_id);
