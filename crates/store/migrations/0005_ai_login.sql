-- A profile's separate login for AI use (docs/safety.md, "least privilege"): its user
-- name. Its password is never here: it lives in the OS keyring under "<profile id>:ai".
ALTER TABLE profiles ADD COLUMN ai_login TEXT;
