-- Every change to a profile (who made it, the profile before and after, never a secret),
-- so a person can see what changed and undo it. A change that replaced or removed a
-- secret parks the old one in the keyring under `history:<id>:<account suffix>` (the
-- accounts are listed in `parked`), and undoing puts it back.
CREATE TABLE config_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    profile_id  TEXT NOT NULL,
    profile     TEXT NOT NULL,
    before      TEXT,
    after       TEXT,
    parked      TEXT NOT NULL DEFAULT '[]',
    undoes      INTEGER,
    undone_by   INTEGER
);
CREATE INDEX config_history_by_profile ON config_history (profile_id);
