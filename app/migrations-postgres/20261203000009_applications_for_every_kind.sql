-- Applications of every pass kind (PostgreSQL's form; SQLite's is beside
-- it in migrations-sqlite): a resident's day pass has no host, no host
-- department and no configured visit reason; a staff member files as
-- themselves (`applicant_staff_id`), on their own behalf or a contractor's.
ALTER TABLE applications ALTER COLUMN host_staff_id DROP NOT NULL;
ALTER TABLE applications ALTER COLUMN department_id DROP NOT NULL;
ALTER TABLE applications ALTER COLUMN reason_id DROP NOT NULL;
ALTER TABLE applications ADD COLUMN applicant_staff_id TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN household_id TEXT REFERENCES households(id);
ALTER TABLE applications ADD COLUMN filed_by TEXT REFERENCES staff(id);
CREATE INDEX applications_by_applicant_staff ON applications (applicant_staff_id, created_at);
CREATE INDEX applications_by_household ON applications (household_id, start_date);
DROP INDEX applications_by_idem_key;
CREATE UNIQUE INDEX applications_by_idem_key ON applications (applicant_phone, applicant_staff_id, idem_key) WHERE idem_key IS NOT NULL;
