-- Named bearer tokens of the MCP HTTP endpoint (docs/safety.md, "HTTP tokens"). The
-- token itself is never stored: only SHA-256 over a random salt and the token.
CREATE TABLE mcp_tokens (
    name            TEXT PRIMARY KEY COLLATE NOCASE,
    salt            TEXT NOT NULL,
    hash            TEXT NOT NULL,
    scopes          TEXT NOT NULL,   -- comma-separated: read, write, metrics
    profiles        TEXT NOT NULL,   -- JSON array of profile names; [] = all exposed
    rate_per_sec    INTEGER NOT NULL CHECK (rate_per_sec > 0),
    max_concurrent  INTEGER NOT NULL CHECK (max_concurrent > 0),
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    last_used_at    TEXT,
    expires_at      TEXT
);
