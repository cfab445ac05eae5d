-- An approver's inbox is read in the order it shows (visit date, then
-- arrival), 200 at a time: indexes in that order let both backends stop
-- at the 200th instead of sorting everything waiting (a host held 30,000
-- after the bench harness's rush).
DROP INDEX applications_by_waiting_staff;
DROP INDEX applications_by_waiting_department;
CREATE INDEX applications_by_waiting_staff ON applications (waiting_staff_id, start_date, created_at);
CREATE INDEX applications_by_waiting_department ON applications (waiting_department_id, start_date, created_at);

-- The daily retention job takes the applications still to anonymise, the
-- oldest first: without this index each of its chunks walked past every
-- application it had already anonymised (a first run over a year of
-- history read the index quadratically).
CREATE INDEX applications_to_anonymise ON applications (end_date) WHERE anonymised_at IS NULL;
-- A chunk anonymises its applications' invitations.
CREATE INDEX invitations_by_application ON invitations (application_id);
