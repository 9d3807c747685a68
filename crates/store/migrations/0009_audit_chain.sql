-- A tamper-evident audit log (docs/safety.md, "Tamper-evident audit log").
-- chain_hash: SHA-256 over the row's content as written when the call started and the
--   chain hash of the row before it, so changing, removing or inserting a row breaks the
--   chain at that row or the next.
-- seal_hash: SHA-256 over the row's chain hash and its completion (rows, bytes, duration,
--   outcome, error), written when the row leaves 'running'.
ALTER TABLE audit_log ADD COLUMN chain_hash TEXT;
ALTER TABLE audit_log ADD COLUMN seal_hash TEXT;

-- Where verification starts (exactly one row). The chain begins after `last_id`, at
-- `chain_hash`. Rows up to `legacy_last_id` were written before chaining and are counted,
-- not verified; retention deletes rows from the old end and moves `last_id` and
-- `chain_hash` to the last row it deleted, so the rows it keeps still verify.
CREATE TABLE audit_anchor (
    singleton       INTEGER PRIMARY KEY CHECK (singleton = 1),
    last_id         INTEGER NOT NULL,
    chain_hash      TEXT NOT NULL,
    legacy_last_id  INTEGER NOT NULL,
    pruned          INTEGER NOT NULL DEFAULT 0
);

-- The chain begins after every id used so far: AUTOINCREMENT's counter as well as the
-- rows, since the newest rows may have been deleted. The genesis hash is 64 zeros.
INSERT INTO audit_anchor (singleton, last_id, chain_hash, legacy_last_id)
SELECT 1, used, '0000000000000000000000000000000000000000000000000000000000000000', used
FROM (SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0),
                 coalesce((SELECT max(id) FROM audit_log), 0)) AS used);
