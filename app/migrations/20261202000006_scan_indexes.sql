-- Every online scan inserts a scan event, and on SQLite every page a commit
-- touches is written to the log and synced: an index on the random pass id
-- made each scan dirty pages all over the file. Nothing reads scan events
-- by pass (a pass's state is on the pass), so it goes; the time and gate
-- indexes grow at their ends and stay.
DROP INDEX scan_events_by_pass;
