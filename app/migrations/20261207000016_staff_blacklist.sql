-- The staff blacklist HR keeps: an entry of a staff member's work card,
-- marked with the staff member (app/src/rules/staff_blacklist.rs).
ALTER TABLE blacklist ADD COLUMN staff_id TEXT REFERENCES staff(id);
