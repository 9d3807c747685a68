-- How a profile reaches its server (docs/network.md): its SSH jump hosts, outermost
-- first, and its TLS settings, both as JSON. Paths and names only; the secrets (key
-- passphrases, SSH passwords) are in the keyring beside the profile's own.
ALTER TABLE profiles ADD COLUMN ssh TEXT NOT NULL DEFAULT '[]';
ALTER TABLE profiles ADD COLUMN tls TEXT NOT NULL DEFAULT '{}';
