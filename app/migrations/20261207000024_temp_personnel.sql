-- Temporary personnel (seed 003): temporary staff numbers, the requests a
-- department's temporary-personnel admin files and its leaders decide,
-- the person's face photo and its review.

-- The categories (身份类别): a list the security office keeps.
CREATE TABLE temp_categories (
    code      TEXT PRIMARY KEY,
    name      TEXT NOT NULL UNIQUE,
    name_en   TEXT NOT NULL DEFAULT '',
    position  BIGINT NOT NULL,
    active    BIGINT NOT NULL DEFAULT 1
);
INSERT INTO temp_categories (code, name, name_en, position) VALUES
    ('external_teacher', '外聘教师', 'External teacher', 1),
    ('research_assistant', '科研助理', 'Research assistant', 2),
    ('outsourced_service', '外包服务人员', 'Outsourced service staff', 3),
    ('dispatched', '派遣人员', 'Dispatched worker', 4),
    ('onsite_operations', '项目驻场运维', 'On-site operations staff', 5),
    ('other', '其他', 'Other', 6);

-- A person with a temporary staff number, from the approval of the first
-- request on. Never removed: a deletion is `deleted_at` (the record is
-- kept for the audit period). A mobile or document belongs to one person
-- not deleted.
CREATE TABLE temp_people (
    id               TEXT PRIMARY KEY,
    temp_no          TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    phone            TEXT NOT NULL,
    doc_type         TEXT NOT NULL,
    doc_sealed       TEXT NOT NULL,
    doc_mac          TEXT NOT NULL,
    doc_masked       TEXT NOT NULL,
    category         TEXT NOT NULL,
    department_id    TEXT NOT NULL,
    start_date       TEXT NOT NULL,
    leave_date       TEXT NOT NULL,
    deleted_at       BIGINT,
    face_status      TEXT NOT NULL DEFAULT 'missing',
    face_reason      TEXT NOT NULL DEFAULT '',
    face_mime        TEXT,
    face_data        TEXT,
    face_consent_at  BIGINT,
    face_reviewed_by TEXT,
    face_reviewed_at BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX temp_people_phone ON temp_people (phone) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX temp_people_doc ON temp_people (doc_mac) WHERE deleted_at IS NULL;
CREATE INDEX temp_people_by_department ON temp_people (department_id, temp_no);
CREATE INDEX temp_people_by_face ON temp_people (face_status);

-- A request: a first number (the person's details are here until the
-- number is issued), or a renewal, transfer or deletion of a person.
-- `needed`: the departments whose leaders must each approve (JSON).
CREATE TABLE temp_requests (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending',
    person_id        TEXT,
    department_id    TEXT NOT NULL,
    to_department_id TEXT,
    new_leave_date   TEXT,
    name             TEXT NOT NULL DEFAULT '',
    phone            TEXT,
    doc_type         TEXT,
    doc_sealed       TEXT,
    doc_mac          TEXT,
    doc_masked       TEXT NOT NULL DEFAULT '',
    category         TEXT,
    start_date       TEXT,
    leave_date       TEXT,
    needed           TEXT NOT NULL,
    filed_by         TEXT NOT NULL,
    filed_by_label   TEXT NOT NULL,
    committed_at     BIGINT NOT NULL,
    decided_at       BIGINT,
    reject_reason    TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL
);
CREATE INDEX temp_requests_by_status ON temp_requests (status, created_at);
CREATE INDEX temp_requests_by_person ON temp_requests (person_id);

-- One row per department leader's approval: a department approves a
-- request once (the primary key), whoever of its leaders acts first.
CREATE TABLE temp_request_approvals (
    request_id     TEXT NOT NULL,
    department_id  TEXT NOT NULL,
    staff_id       TEXT NOT NULL,
    staff_label    TEXT NOT NULL,
    at             BIGINT NOT NULL,
    PRIMARY KEY (request_id, department_id)
);

-- At most one open request per person (and per mobile and document for
-- first requests): a claim row under a primary key, released on the
-- decision.
CREATE TABLE temp_request_claims (
    claim       TEXT PRIMARY KEY,
    request_id  TEXT NOT NULL
);

-- The sequence of temporary staff numbers: it only goes up, so a number
-- is never issued twice (deleted people keep theirs).
CREATE TABLE temp_number_counter (
    name  TEXT PRIMARY KEY,
    next  BIGINT NOT NULL
);
INSERT INTO temp_number_counter (name, next) VALUES ('temp_no', 1);

-- A return-to-campus application names its person; its passes carry the
-- line a guard reads beside the holder (category · department · number).
ALTER TABLE applications ADD COLUMN temp_person_id TEXT;
CREATE INDEX applications_by_temp_person ON applications (temp_person_id);
ALTER TABLE passes ADD COLUMN holder_note TEXT NOT NULL DEFAULT '';
