-- Every MCP tool call, as the user sees it in the app's AI view and `dbdock audit`.
-- Statements and parameters are stored with the profile's secret scrubbed out.
CREATE TABLE audit_log (
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
    outcome         TEXT NOT NULL CHECK (outcome IN ('ok', 'error')),
    error_code      TEXT,
    error_message   TEXT
);
CREATE INDEX audit_log_by_time ON audit_log (at);
