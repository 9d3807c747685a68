-- Statements run from the desktop app, per profile, for its history panel (newest kept).
CREATE TABLE query_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    profile     TEXT NOT NULL,
    statement   TEXT NOT NULL,
    at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ok          INTEGER NOT NULL,
    row_count   INTEGER,
    elapsed_ms  REAL,
    error       TEXT
);
CREATE INDEX query_history_by_profile ON query_history (profile, id);
