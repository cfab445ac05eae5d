-- Households as the resident office keeps them (seed 004: 小区 / 楼栋 /
-- 门牌, a householder, members with a mobile and a document), the "holds a
-- paper pass" mark, the household day rule, and the document a pass asks
-- the guard to check.
ALTER TABLE households ADD COLUMN community TEXT NOT NULL DEFAULT '';
ALTER TABLE households ADD COLUMN building TEXT NOT NULL DEFAULT '';
ALTER TABLE households ADD COLUMN door TEXT NOT NULL DEFAULT '';
-- Whoever took a paper pass cannot apply for a QR pass (seed 004 §4).
ALTER TABLE households ADD COLUMN paper_pass BIGINT NOT NULL DEFAULT 0;
ALTER TABLE households ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
UPDATE households SET door = address WHERE door = '';
CREATE UNIQUE INDEX households_by_door ON households (campus_id, community, building, door);

ALTER TABLE residents ADD COLUMN householder BIGINT NOT NULL DEFAULT 0;
ALTER TABLE residents ADD COLUMN doc_type TEXT NOT NULL DEFAULT 'resident_id';
ALTER TABLE residents ADD COLUMN doc_sealed TEXT NOT NULL DEFAULT '';
ALTER TABLE residents ADD COLUMN doc_mac TEXT NOT NULL DEFAULT '';
ALTER TABLE residents ADD COLUMN doc_masked TEXT NOT NULL DEFAULT '';
CREATE INDEX residents_by_household ON residents (household_id);

-- One pass per household in any run of N days: a pass on day D holds the
-- days D .. D+N-1 under this primary key, so of two racing requests that
-- share a day exactly one is written. Released when the application is
-- withdrawn, rejected or cancelled; kept when it was used or expired.
CREATE TABLE household_days (
    household_id    TEXT NOT NULL REFERENCES households(id),
    day             TEXT NOT NULL,
    application_id  TEXT NOT NULL REFERENCES applications(id),
    PRIMARY KEY (household_id, day)
);
CREATE INDEX household_days_by_application ON household_days (application_id);

-- What the guard checks beside the QR: the policy's document at issue
-- (`work_card`, `residence_proof`) or the recorded document's type.
ALTER TABLE passes ADD COLUMN check_document TEXT NOT NULL DEFAULT '';
