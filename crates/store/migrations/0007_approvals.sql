-- Writes an AI client asked for on a connection whose AI access is 'ask' (docs/safety.md,
-- "Approval"). The MCP process that asks inserts the row and waits; the desktop app or
-- `dbdock approvals` decides; only the asking process runs the statement, once.
-- Times the processes compare are Unix milliseconds; `created_at` is for people.
CREATE TABLE approvals (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    expires_ms    INTEGER NOT NULL,
    -- The asking process refreshes this while it waits; a pending row whose process
    -- stopped refreshing it is abandoned.
    heartbeat_ms  INTEGER NOT NULL,
    audit_id      INTEGER,
    client        TEXT,
    profile       TEXT NOT NULL,
    tool          TEXT NOT NULL,
    statement     TEXT NOT NULL,
    params        TEXT NOT NULL,
    -- SHA-256 over profile, tool, statement and parameters: what the approval is bound to.
    binding       TEXT NOT NULL,
    -- The SHA-256 of the secret an answer through the AI client must carry, if asked there.
    answer_hash   TEXT,
    preview       TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'running', 'executed', 'failed', 'denied',
                                                 'expired', 'abandoned')),
    route         TEXT CHECK (route IN ('app', 'terminal', 'client')),
    reason        TEXT,
    decided_at    TEXT,
    rows          INTEGER,
    result        TEXT
);
CREATE INDEX approvals_pending ON approvals (state) WHERE state = 'pending';

-- Who can approve right now: the desktop app and `dbdock approvals watch` note the time
-- here every few seconds; an asking process waits for them only when one is recent.
CREATE TABLE approvers (
    kind     TEXT PRIMARY KEY CHECK (kind IN ('app', 'terminal')),
    seen_ms  INTEGER NOT NULL
);
