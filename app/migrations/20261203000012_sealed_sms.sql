-- A real provider's outbox copy of a message carrying a key (a pass link,
-- an invitation) shows it blanked; the whole text, for retries, is kept
-- here sealed with the master key's PII key.
ALTER TABLE sms_outbox ADD COLUMN sealed TEXT;
