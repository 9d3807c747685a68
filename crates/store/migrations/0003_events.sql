-- The event log: what streaming monitors report about themselves (connected, reconnecting,
-- resubscribed, errors), kept within a retention limit by count and by age. Messages
-- themselves are not stored: they live in each monitor's bounded buffer.
CREATE TABLE event_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    ts          TEXT NOT NULL,
    monitor_id  TEXT NOT NULL,
    profile     TEXT,
    target      TEXT NOT NULL,
    severity    TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'error', 'critical')),
    category    TEXT NOT NULL,
    state       TEXT,
    message     TEXT NOT NULL
);
CREATE INDEX event_log_by_time ON event_log (ts);
