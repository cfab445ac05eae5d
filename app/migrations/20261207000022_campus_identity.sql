-- Campus identity: CAS sign-on and the directory sync.

-- A session opened through the campus CAS keeps its service ticket's
-- SHA-256: CAS's single-logout request names the ticket, and a ticket
-- already behind a session is never accepted twice.
ALTER TABLE sessions ADD COLUMN sso_ticket_hash TEXT;
CREATE UNIQUE INDEX sessions_by_sso_ticket ON sessions (sso_ticket_hash);

-- Staff the directory has matched once are kept in step with it (and
-- deactivated when it no longer has them); accounts made here and never
-- found there (break-glass administrators) are left alone.
ALTER TABLE staff ADD COLUMN directory_managed BIGINT NOT NULL DEFAULT 0;

-- Every directory sync, dry runs included. A scheduled run claims its
-- slot (the interval it belongs to), so one server of several runs it.
CREATE TABLE directory_syncs (
    id           TEXT PRIMARY KEY,
    slot         TEXT UNIQUE,
    started_at   BIGINT NOT NULL,
    finished_at  BIGINT,
    dry_run      BIGINT NOT NULL,
    actor        TEXT NOT NULL,
    outcome      TEXT NOT NULL DEFAULT 'running',
    report       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX directory_syncs_by_start ON directory_syncs (started_at);
