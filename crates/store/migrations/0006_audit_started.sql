-- A call's audit row is written before the call runs (outcome 'running') and completed
-- after it ('ok' or 'error'); a row whose process stopped before completing it says
-- 'interrupted' (or stays 'running' when the process died): docs/safety.md.
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt.
CREATE TABLE audit_log_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    at              TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    client          TEXT,
    client_version  TEXT,
    transport       TEXT NOT NULL,
    tool            TEXT NOT NULL,
    profile         TEXT,
    statement       TEXT,
    params          TEXT,
    rows            INTEGER,
    bytes           INTEGER,
    duration_ms     REAL NOT NULL,
    outcome         TEXT NOT NULL CHECK (outcome IN ('running', 'ok', 'error', 'interrupted')),
    error_code      TEXT,
    error_message   TEXT
);
INSERT INTO audit_log_new SELECT * FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;
CREATE INDEX audit_log_by_time ON audit_log (at);
CREATE INDEX audit_log_running ON audit_log (outcome) WHERE outcome = 'running';
