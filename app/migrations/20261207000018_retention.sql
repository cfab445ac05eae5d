-- Retention: when an application's personal data was anonymised, and each
-- day's run of the retention job (app/src/privacy/retention.rs).
ALTER TABLE applications ADD COLUMN anonymised_at BIGINT;
CREATE TABLE retention_runs (
    day          TEXT PRIMARY KEY,
    started_at   BIGINT NOT NULL,
    finished_at  BIGINT,
    cutoff_date  TEXT NOT NULL,
    counts       TEXT NOT NULL DEFAULT '{}',
    ran_by       TEXT NOT NULL
);
