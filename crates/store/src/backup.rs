//! Backup and restore of DB Dock's configuration: profiles (AI access, limits, tags, jump
//! hosts, TLS, AI login), the MCP HTTP tokens' records (name, scopes, limits and the
//! salted hash that checks them, never a token) and the SSH host keys accepted in DB Dock.
//!
//! Without secrets the file is plain JSON and holds none. With secrets (the profiles'
//! passwords, AI logins' and jump hosts' secrets from the keyring) the whole content is
//! sealed with XChaCha20-Poly1305 under a key derived from a passphrase with Argon2id; the
//! header (format, parameters) is authenticated too, so a changed byte anywhere is refused
//! (docs/backup.md).

use std::path::Path;

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use dbdock_core::{Error, MAX_SSH_HOPS, Profile, Result, Secret, ssh_secret_account};
use serde::{Deserialize, Serialize};

use crate::config_history::settings;
use crate::profiles::ai_account;
use crate::{Store, store_error};

const FORMAT: &str = "dbdock-backup";
const VERSION: u32 = 1;
/// Argon2id cost: 64 MiB, 3 passes (OWASP's first recommended setting); about half a
/// second here, which a person waits once and a guesser pays per guess.
const KDF_MEMORY_KIB: u32 = 64 * 1024;
const KDF_PASSES: u32 = 3;
/// The shortest passphrase accepted for a backup with secrets.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// The backup file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupFile {
    pub format: String,
    pub version: u32,
    pub created_at: String,
    /// Present when the content is sealed (a backup with secrets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<Sealing>,
    /// The sealed content, base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<String>,
    /// The content, when not sealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<BackupContent>,
}

/// How the content was sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sealing {
    pub kdf: String,
    pub memory_kib: u32,
    pub passes: u32,
    pub salt: String,
    pub cipher: String,
    pub nonce: String,
}

/// What a backup holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupContent {
    pub profiles: Vec<BackupProfile>,
    #[serde(default)]
    pub tokens: Vec<BackupToken>,
    /// DB Dock's own known_hosts file (host keys accepted in DB Dock).
    #[serde(default)]
    pub known_hosts: Option<String>,
}

/// A profile, with its secrets only in a sealed backup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupProfile {
    pub profile: Profile,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ai_secret: Option<String>,
    /// The jump hosts' secrets, by position.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ssh_secrets: Vec<Option<String>>,
}

/// An MCP HTTP token's record: what it may do and the salted hash that checks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct BackupToken {
    pub name: String,
    pub salt: String,
    pub hash: String,
    pub scopes: String,
    pub profiles: String,
    pub rate_per_sec: i64,
    pub max_concurrent: i64,
    pub created_at: String,
    pub expires_at: Option<String>,
}

/// What a restore does (or, previewed, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RestorePlan {
    /// Profiles that are not here yet.
    pub added: Vec<String>,
    /// Profiles here whose settings (or secrets) the backup replaces.
    pub changed: Vec<String>,
    /// Profiles here exactly as in the backup, and profiles the backup does not name.
    pub kept: Vec<String>,
    pub tokens_added: Vec<String>,
    /// Tokens whose name is taken here: the one here stays.
    pub tokens_kept: Vec<String>,
    /// The known_hosts file gains these lines.
    pub host_keys_added: usize,
    /// The backup held secrets and they go to the keyring.
    pub with_secrets: bool,
}

impl BackupFile {
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::internal(format!("cannot encode the backup: {e}")))
    }

    pub fn read(path: &Path) -> Result<BackupFile> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::invalid_input(format!("cannot read {}: {e}", path.display())))?;
        let file: BackupFile = serde_json::from_str(&text)
            .map_err(|e| Error::invalid_input(format!("{} is not a DB Dock backup: {e}", path.display())))?;
        if file.format != FORMAT || file.version != VERSION {
            return Err(Error::invalid_input(format!(
                "{} is a '{}' file of version {}: this DB Dock reads {FORMAT} version {VERSION}",
                path.display(),
                file.format,
                file.version
            )));
        }
        Ok(file)
    }

    /// Writes the backup to `path`, replaced only once whole.
    pub fn write(&self, path: &Path) -> Result<()> {
        dbdock_core::WholeFile::write_text(path, &self.to_json()?)
    }

    pub fn is_sealed(&self) -> bool {
        self.encryption.is_some()
    }

    /// Plain JSON, no secrets.
    fn plain(content: BackupContent) -> BackupFile {
        BackupFile {
            format: FORMAT.into(),
            version: VERSION,
            created_at: now(),
            encryption: None,
            sealed: None,
            content: Some(content),
        }
    }

    /// Seals `content` under `passphrase`.
    fn seal(content: &BackupContent, passphrase: &Secret) -> Result<BackupFile> {
        let salt = random::<16>()?;
        let nonce = random::<24>()?;
        let encryption = Sealing {
            kdf: "argon2id".into(),
            memory_kib: KDF_MEMORY_KIB,
            passes: KDF_PASSES,
            salt: B64.encode(salt),
            cipher: "xchacha20poly1305".into(),
            nonce: B64.encode(nonce),
        };
        let mut file = BackupFile {
            format: FORMAT.into(),
            version: VERSION,
            created_at: now(),
            encryption: Some(encryption.clone()),
            sealed: None,
            content: None,
        };
        let cipher = cipher(passphrase, &encryption)?;
        let plaintext = serde_json::to_vec(content).map_err(|e| Error::internal(format!("cannot encode: {e}")))?;
        let sealed = cipher
            .encrypt(&XNonce::from(nonce), Payload { msg: &plaintext, aad: &file.header()? })
            .map_err(|_| Error::internal("cannot seal the backup"))?;
        file.sealed = Some(B64.encode(sealed));
        Ok(file)
    }

    /// The content: as it is, or unsealed with `passphrase` (required then).
    pub fn open(&self, passphrase: Option<&Secret>) -> Result<BackupContent> {
        let (Some(encryption), Some(sealed)) = (&self.encryption, &self.sealed) else {
            return self.content.clone().ok_or_else(|| Error::invalid_input("the backup holds no content"));
        };
        let passphrase = passphrase.ok_or_else(|| {
            Error::invalid_input("this backup holds secrets and is sealed: give its passphrase (--passphrase-stdin)")
        })?;
        let refused = || {
            Error::new(
                dbdock_core::ErrorCode::AuthFailed,
                "the backup cannot be opened: the passphrase is wrong or the file was changed",
            )
        };
        let nonce = B64.decode(&encryption.nonce).map_err(|_| refused())?;
        let sealed = B64.decode(sealed).map_err(|_| refused())?;
        let nonce = XNonce::try_from(nonce.as_slice()).map_err(|_| refused())?;
        let plaintext = cipher(passphrase, encryption)?
            .decrypt(&nonce, Payload { msg: &sealed, aad: &self.header()? })
            .map_err(|_| refused())?;
        serde_json::from_slice(&plaintext).map_err(|_| refused())
    }

    /// The authenticated header: everything but the sealed bytes.
    fn header(&self) -> Result<Vec<u8>> {
        let header = (&self.format, self.version, &self.created_at, &self.encryption);
        serde_json::to_vec(&header).map_err(|e| Error::internal(format!("cannot encode the header: {e}")))
    }
}

fn cipher(passphrase: &Secret, sealing: &Sealing) -> Result<XChaCha20Poly1305> {
    if sealing.kdf != "argon2id" || sealing.cipher != "xchacha20poly1305" {
        return Err(Error::unsupported(format!("a backup sealed with {} and {}", sealing.kdf, sealing.cipher)));
    }
    // A changed header is caught by the tag; these bounds only stop a file from asking for
    // gigabytes of memory before that.
    if sealing.memory_kib > 1024 * 1024 || sealing.passes > 64 {
        return Err(Error::invalid_input("the backup asks for an unreasonable key derivation"));
    }
    let salt = B64.decode(&sealing.salt).map_err(|_| Error::invalid_input("the backup's salt is not base64"))?;
    let params = Params::new(sealing.memory_kib, sealing.passes, 1, Some(32))
        .map_err(|e| Error::invalid_input(format!("the backup's key derivation is invalid: {e}")))?;
    let mut key = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.expose().as_bytes(), &salt, &mut key)
        .map_err(|e| Error::invalid_input(format!("cannot derive the key: {e}")))?;
    let cipher = XChaCha20Poly1305::new_from_slice(&key).map_err(|_| Error::internal("bad key length"));
    key.fill(0);
    cipher
}

fn random<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| Error::internal(format!("no secure random source: {e}")))?;
    Ok(bytes)
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Store {
    /// The backup of this home: plain, or with the secrets sealed under `passphrase`.
    pub async fn backup(&self, passphrase: Option<&Secret>) -> Result<BackupFile> {
        if let Some(p) = passphrase
            && p.expose().chars().count() < MIN_PASSPHRASE_CHARS
        {
            return Err(Error::invalid_input(format!(
                "the passphrase is too short: use at least {MIN_PASSPHRASE_CHARS} characters"
            )));
        }
        let mut profiles = Vec::new();
        for profile in self.stored_profiles().await? {
            let mut entry = BackupProfile { profile, secret: None, ai_secret: None, ssh_secrets: Vec::new() };
            if passphrase.is_some() {
                let id = entry.profile.id.clone();
                if entry.profile.has_secret {
                    entry.secret = self.keyring.get(&id).await?.map(|s| s.expose().to_owned());
                }
                if entry.profile.ai_login.is_some() {
                    entry.ai_secret = self.keyring.get(&ai_account(&id)).await?.map(|s| s.expose().to_owned());
                }
                for hop in 0..entry.profile.ssh.len() {
                    let secret = self.keyring.get(&ssh_secret_account(&id, hop)).await?;
                    entry.ssh_secrets.push(secret.map(|s| s.expose().to_owned()));
                }
            }
            profiles.push(entry);
        }
        let tokens = sqlx::query_as::<_, BackupToken>(
            "SELECT name, salt, hash, scopes, profiles, rate_per_sec, max_concurrent, created_at, expires_at
             FROM mcp_tokens ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| store_error("read the tokens", &e))?;
        let known_hosts = std::fs::read_to_string(self.home.root().join("known_hosts")).ok();
        let content = BackupContent { profiles, tokens, known_hosts };
        match passphrase {
            Some(p) => BackupFile::seal(&content, p),
            None => Ok(BackupFile::plain(content)),
        }
    }

    /// What restoring `content` would do here.
    pub async fn restore_plan(&self, content: &BackupContent) -> Result<RestorePlan> {
        let here = self.stored_profiles().await?;
        let mut plan = RestorePlan {
            with_secrets: content.profiles.iter().any(|p| p.secret.is_some() || p.ai_secret.is_some()),
            ..RestorePlan::default()
        };
        for entry in &content.profiles {
            let name = &entry.profile.name;
            match here.iter().find(|p| p.name.eq_ignore_ascii_case(name)) {
                None => plan.added.push(name.clone()),
                Some(p) if settings(p) == settings(&entry.profile) && self.holds_secrets(p, entry).await? => {
                    plan.kept.push(p.name.clone());
                }
                Some(p) => plan.changed.push(p.name.clone()),
            }
        }
        for p in &here {
            if !content.profiles.iter().any(|e| e.profile.name.eq_ignore_ascii_case(&p.name)) {
                plan.kept.push(p.name.clone());
            }
        }
        let tokens: Vec<String> = sqlx::query_scalar("SELECT name FROM mcp_tokens")
            .fetch_all(&self.pool)
            .await
            .map_err(|e| store_error("read the tokens", &e))?;
        for token in &content.tokens {
            if tokens.iter().any(|t| t.eq_ignore_ascii_case(&token.name)) {
                plan.tokens_kept.push(token.name.clone());
            } else {
                plan.tokens_added.push(token.name.clone());
            }
        }
        let known = std::fs::read_to_string(self.home.root().join("known_hosts")).unwrap_or_default();
        plan.host_keys_added = new_host_lines(&known, content.known_hosts.as_deref()).len();
        Ok(plan)
    }

    /// Whether the keyring already holds every secret `entry` brings for `p`.
    async fn holds_secrets(&self, p: &Profile, entry: &BackupProfile) -> Result<bool> {
        let mut wanted = vec![(p.id.clone(), &entry.secret), (ai_account(&p.id), &entry.ai_secret)];
        for (hop, secret) in entry.ssh_secrets.iter().enumerate() {
            wanted.push((ssh_secret_account(&p.id, hop), secret));
        }
        for (account, secret) in wanted {
            if let Some(secret) = secret
                && self.keyring.get(&account).await?.as_ref().map(Secret::expose) != Some(secret.as_str())
            {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Restores `content`: profiles and tokens in one transaction, secrets to the keyring
    /// first and put back as they were if the transaction fails, then the host keys.
    pub async fn restore(&self, content: &BackupContent) -> Result<RestorePlan> {
        let plan = self.restore_plan(content).await?;
        let here = self.stored_profiles().await?;
        // Each restored profile keeps the id of the one here with its name, or its own.
        let mut rows = Vec::new();
        for entry in &content.profiles {
            let name = &entry.profile.name;
            if plan.kept.iter().any(|k| k.eq_ignore_ascii_case(name)) {
                continue;
            }
            let id = here.iter().find(|p| p.name.eq_ignore_ascii_case(name)).map(|p| p.id.clone());
            let id = match id {
                Some(id) => id,
                None if here.iter().any(|p| p.id == entry.profile.id) => crate::profiles::new_id(),
                None => entry.profile.id.clone(),
            };
            rows.push((id, entry));
        }
        // Each restored profile is a change of the history (action `restore`), its old
        // secrets parked, so `profile undo` takes a restore back too.
        let mut changes = Vec::new();
        for (id, entry) in &rows {
            let before = self.profile_by_id(Some(id)).await?;
            let accounts = match &before {
                Some(profile) => crate::profiles::every_secret_account(profile),
                // A new profile: nothing of it is in the keyring yet.
                None => crate::profiles::every_secret_account(&entry.profile)
                    .into_iter()
                    .map(|(account, _)| (account.replacen(&entry.profile.id, id, 1), false))
                    .collect(),
            };
            match self.begin_change("restore", &entry.profile.name, before.as_ref(), &accounts).await {
                Ok(pending) => changes.push((id.clone(), pending)),
                Err(e) => {
                    for (_, pending) in changes {
                        self.abandon_change(pending).await;
                    }
                    return Err(e);
                }
            }
        }
        let mut undo: Vec<(String, Option<Secret>)> = Vec::new();
        let written = self.write_secrets(&rows, &mut undo).await;
        let committed = match written {
            Ok(()) => self.write_rows(&rows, content).await,
            Err(e) => Err(e),
        };
        if let Err(e) = committed {
            for (account, before) in undo.into_iter().rev() {
                let _ = match before {
                    Some(secret) => self.keyring.set(&account, &secret).await,
                    None => self.keyring.delete(&account).await.map(|_| ()),
                };
            }
            for (_, pending) in changes {
                self.abandon_change(pending).await;
            }
            return Err(e);
        }
        for (id, pending) in changes {
            let after = self.profile_by_id(Some(&id)).await?;
            self.finish_change(pending, after.as_ref()).await?;
        }
        let known_path = self.home.root().join("known_hosts");
        let known = std::fs::read_to_string(&known_path).unwrap_or_default();
        let added = new_host_lines(&known, content.known_hosts.as_deref());
        if !added.is_empty() {
            let mut text = known;
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            for line in added {
                text.push_str(line);
                text.push('\n');
            }
            std::fs::write(&known_path, text)
                .map_err(|e| Error::internal(format!("cannot write {}: {e}", known_path.display())))?;
        }
        Ok(plan)
    }

    /// Writes the backup's secrets of `rows`, noting in `undo` what each entry held before.
    async fn write_secrets(
        &self,
        rows: &[(String, &BackupProfile)],
        undo: &mut Vec<(String, Option<Secret>)>,
    ) -> Result<()> {
        for (id, entry) in rows {
            let mut wanted: Vec<(String, &Option<String>)> =
                vec![(id.clone(), &entry.secret), (ai_account(id), &entry.ai_secret)];
            for hop in 0..MAX_SSH_HOPS.min(entry.ssh_secrets.len()) {
                wanted.push((ssh_secret_account(id, hop), &entry.ssh_secrets[hop]));
            }
            for (account, secret) in wanted {
                let Some(secret) = secret else { continue };
                undo.push((account.clone(), self.keyring.get(&account).await?));
                self.keyring.set(&account, &Secret::new(secret.clone())).await?;
            }
        }
        Ok(())
    }

    /// The profiles and tokens, in one transaction.
    async fn write_rows(&self, rows: &[(String, &BackupProfile)], content: &BackupContent) -> Result<()> {
        let failed = |e: sqlx::Error| store_error("restore the backup", &e);
        let mut tx = self.pool.begin().await.map_err(failed)?;
        for (id, entry) in rows {
            let p = &entry.profile;
            // A profile whose secret is in neither the backup nor the keyring says so.
            let has_secret = entry.secret.is_some() || (p.has_secret && self.keyring.get(id).await?.is_some());
            crate::profiles::upsert_profile(&mut *tx, id, p, has_secret).await?;
        }
        for t in &content.tokens {
            sqlx::query(
                "INSERT INTO mcp_tokens (name, salt, hash, scopes, profiles, rate_per_sec, max_concurrent, created_at,
                                         expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (name) DO NOTHING",
            )
            .bind(&t.name)
            .bind(&t.salt)
            .bind(&t.hash)
            .bind(&t.scopes)
            .bind(&t.profiles)
            .bind(t.rate_per_sec)
            .bind(t.max_concurrent)
            .bind(&t.created_at)
            .bind(&t.expires_at)
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
        }
        tx.commit().await.map_err(failed)
    }
}

/// The lines of the backup's known_hosts that `known` lacks.
fn new_host_lines<'a>(known: &str, backup: Option<&'a str>) -> Vec<&'a str> {
    let have: std::collections::HashSet<&str> = known.lines().map(str::trim).collect();
    backup
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !have.contains(l))
        .collect()
}

/// Needs an OS keyring: run under `bash -c '. scripts/services.sh; with_keyring cargo test -p dbdock-store'`.
#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use dbdock_core::{Access, ConnectionTarget, ErrorCode, NewToken};

    use super::*;
    use crate::{Home, Keyring, NewProfile};

    const PASSWORD: &str = "pg-Secret-4e1d";
    const AI_PASSWORD: &str = "ai-Secret-77aa";

    async fn open(dir: &Path, service: &str) -> Store {
        Store::open(Home::at(dir)).await.unwrap().with_keyring(Keyring::with_service(service))
    }

    /// A home with a profile (password, AI login, tags, ask), a token and a host key.
    async fn filled(dir: &Path, service: &str) -> Store {
        let store = open(dir, service).await;
        let url = format!("postgres://app:{PASSWORD}@127.0.0.1:5432/shop");
        let new = NewProfile {
            access: Access::Ask,
            max_rows: Some(50),
            tags: vec!["prod".into()],
            ..NewProfile::new("shop", ConnectionTarget::parse(&url).unwrap())
        };
        store.add_profile(new).await.unwrap();
        store.set_ai_login("shop", "shop_ai", &Secret::new(AI_PASSWORD)).await.unwrap();
        let token = NewToken {
            name: "ci".into(),
            scopes: vec![],
            profiles: vec!["shop".into()],
            expires_days: None,
            rate_per_sec: None,
            max_concurrent: None,
        };
        store.add_token(&token).await.unwrap();
        std::fs::write(dir.join("known_hosts"), "[bastion]:22 ssh-ed25519 AAAAC3Nza\n").unwrap();
        store
    }

    #[tokio::test]
    async fn a_sealed_backup_brings_every_secret_to_a_wiped_machine() {
        let service = format!("dbdock-test-backup-{}", std::process::id());
        let (old, new) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let store = filled(old.path(), &service).await;
        let passphrase = Secret::new("correct horse battery");
        let text = store.backup(Some(&passphrase)).await.unwrap().to_json().unwrap();
        for secret in [PASSWORD, AI_PASSWORD, "app:", "shop_ai"] {
            assert!(!text.contains(secret), "the sealed file shows {secret}");
        }
        // Wipe: the profile and its keyring entries go, the home too.
        store.remove_profile("shop").await.unwrap();
        store.close().await;
        drop(old);

        let fresh = open(new.path(), &service).await;
        let file: BackupFile = serde_json::from_str(&text).unwrap();
        let refused = file.open(Some(&Secret::new("wrong horse battery"))).unwrap_err();
        assert_eq!(refused.code, ErrorCode::AuthFailed);
        assert!(file.open(None).is_err(), "no passphrase, nothing restored");
        let content = file.open(Some(&passphrase)).unwrap();
        let plan = fresh.restore(&content).await.unwrap();
        assert_eq!(
            (plan.added.as_slice(), plan.tokens_added.as_slice(), plan.host_keys_added),
            (&["shop".to_owned()][..], &["ci".to_owned()][..], 1)
        );
        let user = fresh.resolve("shop").await.unwrap();
        assert_eq!(user.target.password().map(Secret::expose), Some(PASSWORD));
        assert_eq!(
            (user.profile.access, user.profile.max_rows, user.profile.tags.clone()),
            (Access::Ask, Some(50), vec!["prod".to_owned()])
        );
        let ai = fresh.resolve_for_ai("shop").await.unwrap();
        assert_eq!(ai.target.password().map(Secret::expose), Some(AI_PASSWORD));
        assert_eq!(fresh.tokens().await.unwrap().len(), 1);
        assert!(std::fs::read_to_string(new.path().join("known_hosts")).unwrap().contains("[bastion]:22"));
        // Again: nothing to do.
        let again = fresh.restore(&content).await.unwrap();
        assert_eq!((again.added.len(), again.changed.len(), again.kept.as_slice()), (0, 0, &["shop".to_owned()][..]));
        // The restore is in the history, and undoing it takes the profile and its secrets away.
        let history = fresh.config_history(None, 10).await.unwrap();
        assert_eq!(history.iter().map(|c| c.action.as_str()).collect::<Vec<_>>(), ["restore"]);
        fresh.undo_change(None).await.unwrap();
        assert!(fresh.stored_profiles().await.unwrap().is_empty());
        assert_eq!(fresh.keyring.get(&content.profiles[0].profile.id).await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_changed_byte_is_refused_and_a_plain_backup_holds_no_secret() {
        let service = format!("dbdock-test-backup-plain-{}", std::process::id());
        let dir = tempfile::tempdir().unwrap();
        let store = filled(dir.path(), &service).await;
        let passphrase = Secret::new("correct horse battery");
        let sealed = store.backup(Some(&passphrase)).await.unwrap();
        let mut header_changed = sealed.clone();
        header_changed.created_at.push('0');
        let mut body_changed = sealed.clone();
        let mut bytes = B64.decode(body_changed.sealed.as_ref().unwrap()).unwrap();
        bytes[10] ^= 1;
        body_changed.sealed = Some(B64.encode(bytes));
        for tampered in [header_changed, body_changed] {
            assert_eq!(tampered.open(Some(&passphrase)).unwrap_err().code, ErrorCode::AuthFailed);
        }
        assert!(store.backup(Some(&Secret::new("short"))).await.is_err(), "a short passphrase is refused");

        let plain = store.backup(None).await.unwrap().to_json().unwrap();
        for secret in [PASSWORD, AI_PASSWORD] {
            assert!(!plain.contains(secret), "the plain backup holds a secret");
        }
        let content: BackupFile = serde_json::from_str(&plain).unwrap();
        assert_eq!(content.open(None).unwrap().profiles[0].profile.name, "shop");
        store.remove_profile("shop").await.unwrap();
    }
}
