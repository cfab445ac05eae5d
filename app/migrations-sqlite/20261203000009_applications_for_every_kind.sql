-- Applications of every pass kind (SQLite's form; PostgreSQL's is beside
-- it in migrations-postgres): a resident's day pass has no host, no host
-- department and no configured visit reason; a staff member files as
-- themselves (`applicant_staff_id`), on their own behalf or a contractor's.
-- SQLite cannot drop a NOT NULL, so the table is rebuilt. Migrations run in
-- a transaction, where foreign keys cannot be switched off; they are
-- deferred instead: dropping the table counts its children as orphans,
-- and inserting the same rows again into the new table counts them back,
-- so the commit finds none.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE applications_before AS SELECT * FROM applications;
DROP TABLE applications;
CREATE TABLE applications (
    id                     TEXT PRIMARY KEY,
    kind                   TEXT NOT NULL,
    status                 TEXT NOT NULL,
    version                BIGINT NOT NULL DEFAULT 0,
    applicant_phone        TEXT NOT NULL,
    host_staff_id          TEXT REFERENCES staff(id),
    department_id          TEXT REFERENCES departments(id),
    campus_id              TEXT NOT NULL REFERENCES campuses(id),
    reason_id              TEXT REFERENCES visit_reasons(id),
    note                   TEXT NOT NULL DEFAULT '',
    start_date             TEXT NOT NULL,
    end_date               TEXT NOT NULL,
    plate                  TEXT,
    chain                  TEXT NOT NULL,
    waiting_staff_id       TEXT,
    waiting_department_id  TEXT,
    invited_by             TEXT REFERENCES staff(id),
    decision_note          TEXT,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL,
    idem_key               TEXT,
    applicant_staff_id     TEXT NOT NULL DEFAULT '',
    household_id           TEXT REFERENCES households(id),
    filed_by               TEXT REFERENCES staff(id)
);
INSERT INTO applications (id, kind, status, version, applicant_phone, host_staff_id, department_id, campus_id, reason_id, note,
    start_date, end_date, plate, chain, waiting_staff_id, waiting_department_id, invited_by, decision_note, created_at, updated_at, idem_key)
SELECT id, kind, status, version, applicant_phone, host_staff_id, department_id, campus_id, reason_id, note,
    start_date, end_date, plate, chain, waiting_staff_id, waiting_department_id, invited_by, decision_note, created_at, updated_at, idem_key
FROM applications_before;
DROP TABLE applications_before;
CREATE INDEX applications_by_applicant ON applications (applicant_phone, created_at);
CREATE INDEX applications_by_applicant_staff ON applications (applicant_staff_id, created_at);
CREATE INDEX applications_by_department ON applications (department_id, created_at);
CREATE INDEX applications_by_waiting_staff ON applications (waiting_staff_id);
CREATE INDEX applications_by_waiting_department ON applications (waiting_department_id);
CREATE INDEX applications_by_end ON applications (end_date, status);
CREATE INDEX applications_by_household ON applications (household_id, start_date);
CREATE UNIQUE INDEX applications_by_idem_key ON applications (applicant_phone, applicant_staff_id, idem_key) WHERE idem_key IS NOT NULL;
