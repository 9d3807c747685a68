-- Connection profiles. The secret (password, token) is never here: it lives in the OS
-- keyring under the profile's id; `has_secret` only says whether to look for one.
CREATE TABLE profiles (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    engine        TEXT NOT NULL,
    url           TEXT NOT NULL,
    has_secret    INTEGER NOT NULL DEFAULT 0,
    access        TEXT NOT NULL DEFAULT 'read-only'
                  CHECK (access IN ('none', 'read-only', 'read-write', 'ask')),
    max_rows      INTEGER CHECK (max_rows IS NULL OR max_rows > 0),
    max_bytes     INTEGER CHECK (max_bytes IS NULL OR max_bytes > 0),
    timeout_secs  INTEGER CHECK (timeout_secs IS NULL OR timeout_secs > 0),
    create_if_missing INTEGER NOT NULL DEFAULT 0,
    color         TEXT,
    tags          TEXT NOT NULL DEFAULT '[]',
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
