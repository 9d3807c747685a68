-- A counter that every change to the profiles table moves, whoever makes it (this process,
-- the app, the CLI, an import). A long-running reader (the MCP endpoint checks a profile on
-- every call) keeps the list it read and reads it again only when the counter moved: one
-- tiny read per call instead of the whole list.
CREATE TABLE profile_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO profile_generation (id, value) VALUES (1, 0);
CREATE TRIGGER profiles_generation_after_insert AFTER INSERT ON profiles
BEGIN
    UPDATE profile_generation SET value = value + 1 WHERE id = 1;
END;
CREATE TRIGGER profiles_generation_after_update AFTER UPDATE ON profiles
BEGIN
    UPDATE profile_generation SET value = value + 1 WHERE id = 1;
END;
CREATE TRIGGER profiles_generation_after_delete AFTER DELETE ON profiles
BEGIN
    UPDATE profile_generation SET value = value + 1 WHERE id = 1;
END;
