-- Proxy registration and consent (issue 18 items 4 and 8): the staff member
-- who filed a visitor's application on their behalf (someone who cannot use
-- a phone), and when consent to the ID number was given, apart from the
-- face photo's (PIPL: sensitive personal information, consent of its own).
ALTER TABLE applications ADD COLUMN filed_by_staff_id TEXT;
ALTER TABLE entrants ADD COLUMN doc_consent_at BIGINT;
