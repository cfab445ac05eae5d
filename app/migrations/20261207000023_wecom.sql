-- Enterprise WeChat: a staff member's notice goes through WeCom to this
-- userid (their staff number) where the campus configured it; each WeCom
-- sign-in code is accepted once (its SHA-256 kept a day).
ALTER TABLE sms_outbox ADD COLUMN wecom_user TEXT;
CREATE TABLE wecom_codes (
    code_hash  TEXT PRIMARY KEY,
    used_at    BIGINT NOT NULL
);
