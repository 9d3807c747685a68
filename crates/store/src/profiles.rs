//! Profiles: saved in the store's `profiles` table, secrets in the keyring under the
//! profile's id (so a rename keeps its secret), resolved with the secret for connecting.

use dbdock_core::{
    Access, ConnectionTarget, Engine, Error, ErrorCode, MAX_SSH_HOPS, Profile, ProfileSource, Result, Secret, SshAuth,
    SshHop, TlsOptions, secret_env_var, ssh_secret_account, validate_profile_name, validate_ssh_hops,
};
use serde::{Deserialize, Serialize};

use crate::{Store, env_profiles, store_error};

/// What `profile add` (and import) asks for. The target may carry a password: it goes to
/// the keyring, never into the table.
#[derive(Debug, Clone)]
pub struct NewProfile {
    pub name: String,
    pub target: ConnectionTarget,
    pub access: Access,
    pub max_rows: Option<u64>,
    pub max_bytes: Option<u64>,
    pub timeout_secs: Option<u64>,
    /// How long an AI client's write waits for approval on `ask` (None: the default).
    pub approval_wait_secs: Option<u64>,
    pub create_if_missing: bool,
    pub color: Option<String>,
    pub tags: Vec<String>,
    /// SSH jump hosts, outermost first (docs/network.md).
    pub ssh: Vec<SshHop>,
    /// Each hop's secret (a key's passphrase or a password), by position: it goes to the
    /// keyring. On an update, a hop given none keeps the one saved.
    pub ssh_secrets: Vec<Option<Secret>>,
    pub tls: TlsOptions,
}

impl NewProfile {
    pub fn new(name: impl Into<String>, target: ConnectionTarget) -> Self {
        NewProfile {
            name: name.into(),
            target,
            access: Access::default(),
            max_rows: None,
            max_bytes: None,
            timeout_secs: None,
            approval_wait_secs: None,
            create_if_missing: false,
            color: None,
            tags: Vec::new(),
            ssh: Vec::new(),
            ssh_secrets: Vec::new(),
            tls: TlsOptions::default(),
        }
    }

    /// Checks the network settings before anything is written.
    fn validate_network(&self) -> Result<()> {
        validate_ssh_hops(&self.ssh)?;
        if !self.ssh.is_empty() && self.target.engine() == Engine::Sqlite {
            return Err(Error::invalid_input("a SQLite file is opened where DB Dock runs: it takes no SSH jump host"));
        }
        if !self.ssh.is_empty() && !self.target.more_hosts().is_empty() {
            return Err(Error::invalid_input(
                "a MongoDB seed list cannot be reached through an SSH tunnel: name one member (docs/network.md)",
            ));
        }
        if self.ssh_secrets.len() > self.ssh.len() {
            return Err(Error::invalid_input("an SSH secret was given for a jump host the profile does not have"));
        }
        for (hop, secret) in self.ssh.iter().zip(&self.ssh_secrets) {
            if secret.is_some() && hop.auth == SshAuth::Agent {
                return Err(Error::invalid_input(format!(
                    "{hop} logs in with the SSH agent: it takes no passphrase or password"
                )));
            }
        }
        if self.tls.is_empty() {
            return Ok(());
        }
        if self.target.engine() == Engine::Sqlite {
            return Err(Error::invalid_input("a SQLite file takes no TLS settings"));
        }
        self.tls.validate()
    }
}

/// A profile with the target to connect to, secret attached.
#[derive(Debug, Clone)]
pub struct ResolvedProfile {
    pub profile: Profile,
    /// Carries the profile's TLS settings; the SSH jump hosts are the profile's.
    pub target: ConnectionTarget,
    /// The secret of each of the profile's SSH jump hosts, by position (docs/network.md).
    pub ssh_secrets: Vec<Option<Secret>>,
}

impl ResolvedProfile {
    /// A profile reached directly, with no jump host secrets.
    pub fn direct(profile: Profile, target: ConnectionTarget) -> ResolvedProfile {
        ResolvedProfile { profile, target, ssh_secrets: Vec::new() }
    }
}

/// One profile in an export file: no id, no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedProfile {
    pub name: String,
    pub engine: Engine,
    pub url: String,
    pub access: Access,
    #[serde(default)]
    pub max_rows: Option<u64>,
    #[serde(default)]
    pub max_bytes: Option<u64>,
    #[serde(default)]
    pub timeout_secs: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_wait_secs: Option<u64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub create_if_missing: bool,
    #[serde(default)]
    pub color: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ssh: Vec<SshHop>,
    #[serde(default, skip_serializing_if = "TlsOptions::is_empty")]
    pub tls: TlsOptions,
    /// The profile had a secret where it was exported; it must be supplied again here.
    #[serde(default)]
    pub needs_secret: bool,
}

/// The export file: `dbdock profile export` writes it, `import` reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileExport {
    pub format: String,
    pub version: u32,
    pub profiles: Vec<ExportedProfile>,
}

const EXPORT_FORMAT: &str = "dbdock-profiles";

impl ProfileExport {
    /// The file's text: pretty JSON, no secrets (there are none in it).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::internal(format!("cannot encode the export: {e}")))
    }

    /// Writes the export to `path`, replaced only once whole (a failed write never leaves a
    /// half-written export where the user's file was; `/dev/stdout` stays a device).
    pub fn write(&self, path: &std::path::Path) -> Result<()> {
        dbdock_core::WholeFile::write_text(path, &self.to_json()?)
    }

    /// Reads an export file, saying plainly when it is not one.
    pub fn read(path: &std::path::Path) -> Result<ProfileExport> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::invalid_input(format!("cannot read {}: {e}", path.display())))?;
        serde_json::from_str(&text)
            .map_err(|e| Error::invalid_input(format!("{} is not a profile export: {e}", path.display())))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub added: Vec<String>,
    pub unchanged: Vec<String>,
    /// Names that exist here with different settings: kept as they were.
    pub conflicts: Vec<String>,
    /// Added, but their secret has to be supplied again.
    pub needs_secret: Vec<String>,
}

const COLUMNS: &str = "id, name, engine, url, has_secret, access, ai_login, max_rows, max_bytes, timeout_secs, \
                       approval_wait_secs, create_if_missing, color, tags, ssh, tls, created_at, updated_at";

/// The keyring entry of a profile's AI login: next to the profile's own (its id), never
/// the same entry, so neither can overwrite the other.
pub(crate) fn ai_account(profile_id: &str) -> String {
    format!("{profile_id}:ai")
}

/// A row of `profiles` as SQLite holds it (the columns of [`COLUMNS`]).
#[derive(sqlx::FromRow)]
struct ProfileRow {
    id: String,
    name: String,
    engine: String,
    url: String,
    has_secret: bool,
    access: String,
    ai_login: Option<String>,
    max_rows: Option<i64>,
    max_bytes: Option<i64>,
    timeout_secs: Option<i64>,
    approval_wait_secs: Option<i64>,
    create_if_missing: bool,
    color: Option<String>,
    tags: String,
    ssh: String,
    tls: String,
    created_at: Option<String>,
    updated_at: Option<String>,
}

impl TryFrom<ProfileRow> for Profile {
    type Error = Error;

    fn try_from(row: ProfileRow) -> Result<Profile> {
        let count = |n: Option<i64>| n.and_then(|n| u64::try_from(n).ok());
        let engine = serde_json::from_value(serde_json::Value::String(row.engine.clone()))
            .map_err(|_| Error::internal(format!("the store holds an unknown engine '{}'", row.engine)))?;
        Ok(Profile {
            id: row.id,
            name: row.name,
            engine,
            url: row.url,
            has_secret: row.has_secret,
            access: row.access.parse()?,
            ai_login: row.ai_login,
            max_rows: count(row.max_rows),
            max_bytes: count(row.max_bytes),
            timeout_secs: count(row.timeout_secs),
            approval_wait_secs: count(row.approval_wait_secs),
            create_if_missing: row.create_if_missing,
            color: row.color,
            tags: serde_json::from_str(&row.tags).unwrap_or_default(),
            ssh: serde_json::from_str(&row.ssh)
                .map_err(|e| Error::internal(format!("the store holds unreadable SSH settings: {e}")))?,
            tls: serde_json::from_str(&row.tls)
                .map_err(|e| Error::internal(format!("the store holds unreadable TLS settings: {e}")))?,
            source: ProfileSource::Store,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

pub(crate) fn new_id() -> String {
    format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
}

fn to_i64(n: Option<u64>) -> Option<i64> {
    n.and_then(|n| i64::try_from(n).ok())
}

fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::internal(format!("cannot encode the profile's settings: {e}")))
}

impl Store {
    /// The same store with secrets under another keyring service (tests, and tools that
    /// read a home written under `DBDOCK_KEYRING_SERVICE` without that variable set).
    pub fn with_keyring(mut self, keyring: crate::Keyring) -> Store {
        self.keyring = keyring;
        self
    }

    /// [`Store::add_profile`] without the history.
    async fn add_profile_unrecorded(&self, new: NewProfile) -> Result<Profile> {
        validate_profile_name(&new.name)?;
        new.validate_network()?;
        let id = new_id();
        let secret = new.target.password().cloned();
        let inserted = sqlx::query(
            "INSERT INTO profiles (id, name, engine, url, has_secret, access, max_rows, max_bytes, timeout_secs,
                                   create_if_missing, color, tags, approval_wait_secs, ssh, tls)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )
        .bind(&id)
        .bind(&new.name)
        .bind(new.target.engine().as_str())
        .bind(new.target.url_without_secret())
        .bind(secret.is_some())
        .bind(new.access.as_str())
        .bind(to_i64(new.max_rows))
        .bind(to_i64(new.max_bytes))
        .bind(to_i64(new.timeout_secs))
        .bind(new.create_if_missing)
        .bind(&new.color)
        .bind(serde_json::to_string(&new.tags).unwrap_or_else(|_| "[]".into()))
        .bind(to_i64(new.approval_wait_secs))
        .bind(to_json(&new.ssh)?)
        .bind(to_json(&new.tls)?)
        .execute(&self.pool)
        .await;
        if let Err(e) = inserted {
            let duplicate = e.as_database_error().is_some_and(|d| d.is_unique_violation());
            return Err(if duplicate {
                Error::invalid_input(format!(
                    "a profile named '{}' already exists: remove it first (dbdock profile rm {}) or pick another name",
                    new.name, new.name
                ))
            } else {
                store_error("save the profile", &e)
            });
        }
        if let Some(secret) = &secret
            && let Err(e) = self.keyring.set(&id, secret).await
        {
            let _ = sqlx::query("DELETE FROM profiles WHERE id = ?1").bind(&id).execute(&self.pool).await;
            return Err(keyring_hint(e, &new.name));
        }
        if let Err(e) = self.save_ssh_secrets(&id, &new, &[]).await {
            let _ = sqlx::query("DELETE FROM profiles WHERE id = ?1").bind(&id).execute(&self.pool).await;
            if secret.is_some() {
                let _ = self.keyring.delete(&id).await;
            }
            return Err(keyring_hint(e, &new.name));
        }
        self.stored_profile(&new.name).await
    }

    /// Writes the jump hosts' secrets that `new` gives, and deletes those of `old` hops
    /// that no longer take one (removed, or now logging in with the agent). A profile
    /// without jump hosts never reaches the keyring here.
    async fn save_ssh_secrets(&self, id: &str, new: &NewProfile, old: &[SshHop]) -> Result<()> {
        for hop in 0..MAX_SSH_HOPS {
            let account = ssh_secret_account(id, hop);
            let had_secret = old.get(hop).is_some_and(|h| h.auth != SshAuth::Agent);
            match (new.ssh.get(hop), new.ssh_secrets.get(hop).cloned().flatten()) {
                (Some(_), Some(secret)) => self.keyring.set(&account, &secret).await?,
                (Some(h), None) if h.auth != SshAuth::Agent => {}
                _ if had_secret => {
                    self.keyring.delete(&account).await?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The secrets of `profile`'s jump hosts, by position. A password hop whose password
    /// is missing is an error naming the hop; a key with no passphrase is fine, so a key
    /// hop works without any keyring (an encrypted key then says it needs its passphrase).
    async fn ssh_secrets(&self, profile: &Profile) -> Result<Vec<Option<Secret>>> {
        let mut secrets = Vec::with_capacity(profile.ssh.len());
        for (i, hop) in profile.ssh.iter().enumerate() {
            let account = ssh_secret_account(&profile.id, i);
            let secret = match hop.auth {
                SshAuth::Agent => None,
                SshAuth::Key { .. } => self.keyring.get(&account).await.unwrap_or_else(|e| {
                    tracing::debug!(profile = %profile.name, error = %e, "no keyring to read a key passphrase from");
                    None
                }),
                SshAuth::Password => self.keyring.get(&account).await.map_err(|e| keyring_hint(e, &profile.name))?,
            };
            if hop.auth == SshAuth::Password && secret.is_none() {
                return Err(Error::auth_failed(format!(
                    "ssh {}: the password for {} is missing from the OS keyring (service {}): give it again in \
                     the app's connection form, or add profile '{}' again with --ssh-password-stdin",
                    hop.address(),
                    hop.user,
                    self.keyring.service(),
                    profile.name
                )));
            }
            secrets.push(secret);
        }
        Ok(secrets)
    }

    /// [`Store::update_profile`] without the history.
    async fn update_profile_unrecorded(&self, name: &str, new: NewProfile, clear_secret: bool) -> Result<Profile> {
        validate_profile_name(&new.name)?;
        new.validate_network()?;
        let old = self.stored_profile(name).await?;
        let secret = new.target.password().cloned();
        // Store and keyring change together: a new secret is written first and the old one
        // put back if the row then cannot be written (a taken name, say); a secret to clear
        // is deleted only once the row no longer counts on it.
        let previous = match &secret {
            Some(_) if old.has_secret => self.keyring.get(&old.id).await.ok().flatten(),
            _ => None,
        };
        if let Some(secret) = &secret {
            self.keyring.set(&old.id, secret).await.map_err(|e| keyring_hint(e, &new.name))?;
        }
        let has_secret = secret.is_some() || (old.has_secret && !clear_secret);
        let updated = sqlx::query(
            "UPDATE profiles SET name = ?1, engine = ?2, url = ?3, has_secret = ?4, access = ?5, max_rows = ?6,
                    max_bytes = ?7, timeout_secs = ?8, create_if_missing = ?9, color = ?10, tags = ?11,
                    approval_wait_secs = ?13, ssh = ?14, tls = ?15,
                    updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
             WHERE id = ?12",
        )
        .bind(&new.name)
        .bind(new.target.engine().as_str())
        .bind(new.target.url_without_secret())
        .bind(has_secret)
        .bind(new.access.as_str())
        .bind(to_i64(new.max_rows))
        .bind(to_i64(new.max_bytes))
        .bind(to_i64(new.timeout_secs))
        .bind(new.create_if_missing)
        .bind(&new.color)
        .bind(serde_json::to_string(&new.tags).unwrap_or_else(|_| "[]".into()))
        .bind(&old.id)
        .bind(to_i64(new.approval_wait_secs))
        .bind(to_json(&new.ssh)?)
        .bind(to_json(&new.tls)?)
        .execute(&self.pool)
        .await;
        if let Err(e) = updated {
            if secret.is_some() {
                let restored = match &previous {
                    Some(before) => self.keyring.set(&old.id, before).await,
                    None => self.keyring.delete(&old.id).await.map(|_| ()),
                };
                if let Err(k) = restored {
                    tracing::warn!(profile = %old.name, error = %k, "could not put the profile's secret back");
                }
            }
            return Err(if e.as_database_error().is_some_and(|d| d.is_unique_violation()) {
                Error::invalid_input(format!("a profile named '{}' already exists: pick another name", new.name))
            } else {
                store_error("save the profile", &e)
            });
        }
        if secret.is_none() && clear_secret && old.has_secret {
            // The row says there is no secret any more; a stale entry left behind (the
            // keyring refused the delete) is never read, and is overwritten by the next one.
            if let Err(e) = self.keyring.delete(&old.id).await {
                tracing::warn!(profile = %new.name, error = %e, "could not delete the profile's old secret");
            }
        }
        // The row is written; jump host secrets follow (one that cannot be written is an
        // error to see, and the next resolve names the hop whose password is missing).
        self.save_ssh_secrets(&old.id, &new, &old.ssh).await.map_err(|e| keyring_hint(e, &new.name))?;
        self.stored_profile(&new.name).await
    }

    /// [`Store::set_profile_access`] without the history.
    async fn set_profile_access_unrecorded(&self, name: &str, access: Access) -> Result<Profile> {
        let profile = self.stored_profile(name).await?;
        sqlx::query(
            "UPDATE profiles SET access = ?1, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?2",
        )
        .bind(access.as_str())
        .bind(&profile.id)
        .execute(&self.pool)
        .await
        .map_err(|e| store_error("change the access level", &e))?;
        self.stored_profile(name).await
    }

    /// [`Store::set_ai_login`] without the history.
    async fn set_ai_login_unrecorded(&self, name: &str, login: &str, password: &Secret) -> Result<Profile> {
        let profile = self.stored_profile(name).await?;
        validate_ai_login(login)?;
        if password.is_empty() {
            return Err(Error::invalid_input("the AI login needs a password"));
        }
        let account = ai_account(&profile.id);
        let previous = if profile.ai_login.is_some() { self.keyring.get(&account).await.ok().flatten() } else { None };
        self.keyring.set(&account, password).await.map_err(|e| keyring_hint(e, &profile.name))?;
        let updated = sqlx::query(
            "UPDATE profiles SET ai_login = ?1, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?2",
        )
        .bind(login)
        .bind(&profile.id)
        .execute(&self.pool)
        .await;
        if let Err(e) = updated {
            let restored = match &previous {
                Some(old) => self.keyring.set(&account, old).await,
                None => self.keyring.delete(&account).await.map(|_| ()),
            };
            if let Err(k) = restored {
                tracing::warn!(profile = %profile.name, error = %k, "could not undo the AI login's keyring entry");
            }
            return Err(store_error("save the AI login", &e));
        }
        self.stored_profile(&profile.name).await
    }

    /// [`Store::clear_ai_login`] without the history.
    async fn clear_ai_login_unrecorded(&self, name: &str) -> Result<Profile> {
        let profile = self.stored_profile(name).await?;
        let Some(login) = profile.ai_login.clone() else { return Ok(profile) };
        let set = |value: Option<String>| {
            sqlx::query(
                "UPDATE profiles SET ai_login = ?1, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?2",
            )
            .bind(value)
            .bind(profile.id.clone())
            .execute(&self.pool)
        };
        set(None).await.map_err(|e| store_error("forget the AI login", &e))?;
        if let Err(e) = self.keyring.delete(&ai_account(&profile.id)).await {
            if let Err(back) = set(Some(login)).await {
                tracing::warn!(profile = %profile.name, error = %back, "could not restore the AI login");
            }
            return Err(e);
        }
        self.stored_profile(&profile.name).await
    }

    /// A profile resolved for an AI client: with its AI login (user and password) when it
    /// has one, else as [`Store::resolve`]. A missing AI password is an error, never a
    /// quiet fall back to the profile's own (possibly writing) login.
    pub async fn resolve_for_ai(&self, name: &str) -> Result<ResolvedProfile> {
        let env = env_profiles(|k| std::env::var(k).ok())?;
        if let Some(found) = env.into_iter().find(|r| r.profile.name.eq_ignore_ascii_case(name)) {
            return Ok(found);
        }
        let profile = self.stored_profile(name).await?;
        let Some(login) = profile.ai_login.clone() else { return self.resolve(name).await };
        let secret = match self.keyring.get(&ai_account(&profile.id)).await {
            Ok(Some(secret)) => secret,
            Ok(None) => {
                return Err(Error::auth_failed(format!(
                    "the password of the AI login '{login}' of profile '{}' is missing from the OS keyring (service \
                     {}): create the AI login again, or remove it (dbdock profile ai-login {} --remove)",
                    profile.name,
                    self.keyring.service(),
                    profile.name
                )));
            }
            Err(e) => return Err(keyring_hint(e, &profile.name)),
        };
        let target = with_user(&ConnectionTarget::parse(&profile.url)?, &login)?
            .with_password(Some(secret))
            .with_tls(profile.tls.clone());
        let ssh_secrets = self.ssh_secrets(&profile).await?;
        Ok(ResolvedProfile { target, profile, ssh_secrets })
    }

    /// Saved profiles, by name.
    pub async fn stored_profiles(&self) -> Result<Vec<Profile>> {
        // The counter first: a change landing between the two reads then makes the next
        // call read again, never keeps a list older than its counter.
        let generation: i64 = self
            .hot
            .read(|conn| {
                conn.prepare_cached("SELECT value FROM profile_generation WHERE id = 1")?
                    .query_row([], |row| row.get(0))
            })
            .map_err(|e| store_error("list profiles", &e))?;
        let cached = self.profiles_read.lock().ok().and_then(|read| read.clone());
        if let Some((read_at, profiles)) = cached
            && read_at == generation
        {
            return Ok(profiles.to_vec());
        }
        let rows = sqlx::query_as::<_, ProfileRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM profiles ORDER BY name"
        )))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| store_error("list profiles", &e))?;
        let profiles = rows.into_iter().map(Profile::try_from).collect::<Result<Vec<Profile>>>()?;
        if let Ok(mut read) = self.profiles_read.lock() {
            *read = Some((generation, profiles.clone().into()));
        }
        Ok(profiles)
    }

    /// Saved profiles and those the `MCP_*` environment variables define (which win on a
    /// name clash, as they are this process's explicit configuration).
    pub async fn profiles(&self) -> Result<Vec<Profile>> {
        let env: Vec<Profile> = env_profiles(|k| std::env::var(k).ok())?.into_iter().map(|r| r.profile).collect();
        let mut all: Vec<Profile> = self
            .stored_profiles()
            .await?
            .into_iter()
            .filter(|p| !env.iter().any(|e| e.name.eq_ignore_ascii_case(&p.name)))
            .collect();
        all.extend(env);
        all.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(all)
    }

    /// One saved profile by name (case-insensitive).
    pub async fn stored_profile(&self, name: &str) -> Result<Profile> {
        let row = sqlx::query_as::<_, ProfileRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM profiles WHERE name = ?1"
        )))
        .bind(name)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| store_error("read the profile", &e))?;
        match row {
            Some(row) => Profile::try_from(row),
            None => Err(self.unknown_profile(name).await),
        }
    }

    /// A profile by name, with its target and secret, ready to connect. The secret comes
    /// from `DBDOCK_SECRET_<NAME>` if set, else from the keyring.
    pub async fn resolve(&self, name: &str) -> Result<ResolvedProfile> {
        let env = env_profiles(|k| std::env::var(k).ok())?;
        if let Some(found) = env.into_iter().find(|r| r.profile.name.eq_ignore_ascii_case(name)) {
            return Ok(found);
        }
        let profile = self.stored_profile(name).await?;
        let target = ConnectionTarget::parse(&profile.url)?;
        let from_env = std::env::var(secret_env_var(&profile.name)).ok().filter(|s| !s.is_empty()).map(Secret::new);
        let secret = match from_env {
            Some(secret) => Some(secret),
            None if profile.has_secret => match self.keyring.get(&profile.id).await {
                Ok(Some(secret)) => Some(secret),
                Ok(None) => {
                    return Err(Error::auth_failed(format!(
                        "the password of profile '{}' is missing from the OS keyring (service {}): add the profile \
                         again with its password, or set {}",
                        profile.name,
                        self.keyring.service(),
                        secret_env_var(&profile.name)
                    )));
                }
                Err(e) => return Err(keyring_hint(e, &profile.name)),
            },
            None => None,
        };
        let ssh_secrets = self.ssh_secrets(&profile).await?;
        Ok(ResolvedProfile { target: target.with_password(secret).with_tls(profile.tls.clone()), profile, ssh_secrets })
    }

    /// [`Store::remove_profile`] without the history.
    async fn remove_profile_unrecorded(&self, name: &str) -> Result<Profile> {
        let profile = self.stored_profile(name).await?;
        sqlx::query("DELETE FROM profiles WHERE id = ?1")
            .bind(&profile.id)
            .execute(&self.pool)
            .await
            .map_err(|e| store_error("remove the profile", &e))?;
        // The profile is gone either way; a keyring that cannot be reached keeps an
        // orphaned entry, which is named in the log rather than failing the removal.
        for account in secret_accounts(&profile) {
            if let Err(e) = self.keyring.delete(&account).await {
                tracing::warn!(profile = %profile.name, error = %e, "could not delete the keyring entry");
            }
        }
        Ok(profile)
    }

    pub async fn export_profiles(&self) -> Result<ProfileExport> {
        let profiles = self
            .stored_profiles()
            .await?
            .into_iter()
            .map(|p| ExportedProfile {
                name: p.name,
                engine: p.engine,
                url: p.url,
                access: p.access,
                max_rows: p.max_rows,
                max_bytes: p.max_bytes,
                timeout_secs: p.timeout_secs,
                approval_wait_secs: p.approval_wait_secs,
                create_if_missing: p.create_if_missing,
                color: p.color,
                tags: p.tags,
                needs_secret: p.has_secret || p.ssh.iter().any(|h| h.auth == SshAuth::Password),
                ssh: p.ssh,
                tls: p.tls,
            })
            .collect();
        Ok(ProfileExport { format: EXPORT_FORMAT.into(), version: 1, profiles })
    }

    /// Merges exported profiles: new names are added, identical ones left alone, and names
    /// that exist with other settings are reported as conflicts and kept as they are.
    pub async fn import_profiles(&self, export: ProfileExport) -> Result<ImportReport> {
        if export.format != EXPORT_FORMAT || export.version != 1 {
            return Err(Error::invalid_input(format!(
                "not a DB Dock profile export (format '{}', version {}); expected format '{EXPORT_FORMAT}', version 1",
                export.format, export.version
            )));
        }
        let mut report = ImportReport::default();
        for entry in export.profiles {
            let target =
                ConnectionTarget::parse(&entry.url).map_err(|e| e.context(format!("profile '{}'", entry.name)))?;
            match self.stored_profile(&entry.name).await {
                Ok(existing) => {
                    let same = existing.engine == entry.engine
                        && existing.url == target.url_without_secret()
                        && existing.access == entry.access
                        && existing.max_rows == entry.max_rows
                        && existing.max_bytes == entry.max_bytes
                        && existing.timeout_secs == entry.timeout_secs
                        && existing.approval_wait_secs == entry.approval_wait_secs
                        && existing.ssh == entry.ssh
                        && existing.tls == entry.tls;
                    if same { &mut report.unchanged } else { &mut report.conflicts }.push(entry.name);
                }
                Err(e) if e.code == ErrorCode::NotFound => {
                    let needs_secret = entry.needs_secret && target.password().is_none();
                    let new = NewProfile {
                        name: entry.name.clone(),
                        target,
                        access: entry.access,
                        max_rows: entry.max_rows,
                        max_bytes: entry.max_bytes,
                        timeout_secs: entry.timeout_secs,
                        approval_wait_secs: entry.approval_wait_secs,
                        create_if_missing: entry.create_if_missing,
                        color: entry.color,
                        tags: entry.tags,
                        ssh: entry.ssh,
                        ssh_secrets: Vec::new(),
                        tls: entry.tls,
                    };
                    let name = entry.name.clone();
                    self.recorded("import", &name, None, |s| s.add_profile_unrecorded(new))
                        .await
                        .map_err(|e| e.context(format!("profile '{}'", entry.name)))?;
                    if needs_secret {
                        report.needs_secret.push(entry.name.clone());
                    }
                    report.added.push(entry.name);
                }
                Err(e) => return Err(e),
            }
        }
        Ok(report)
    }

    /// Saves a profile; its password (if any) goes to the keyring. A duplicate name is
    /// refused. If the keyring cannot take the secret, the profile is not saved either.
    /// Recorded in the configuration history.
    pub async fn add_profile(&self, new: NewProfile) -> Result<Profile> {
        let name = new.name.clone();
        self.recorded("add", &name, None, |s| s.add_profile_unrecorded(new)).await
    }

    /// Changes the saved profile `name` in place: the same id, so its keyring entry stays
    /// attached. A password in `new.target` replaces the saved secret; without one the saved
    /// secret is kept, unless `clear_secret`. Recorded, with the replaced secrets parked.
    pub async fn update_profile(&self, name: &str, new: NewProfile, clear_secret: bool) -> Result<Profile> {
        let before = self.stored_profile(name).await?;
        self.recorded("change", name, Some(&before), |s| s.update_profile_unrecorded(name, new, clear_secret)).await
    }

    /// Sets only the AI access level of a saved profile. Recorded.
    pub async fn set_profile_access(&self, name: &str, access: Access) -> Result<Profile> {
        let before = self.stored_profile(name).await?;
        self.recorded("set-access", name, Some(&before), |s| s.set_profile_access_unrecorded(name, access)).await
    }

    /// Gives the saved profile `name` a separate login for AI use: `login` with `password`.
    /// The keyring and the row change together: the new secret is written first, then the
    /// row; if the row cannot be written, the keyring gets back what it held before.
    pub async fn set_ai_login(&self, name: &str, login: &str, password: &Secret) -> Result<Profile> {
        let before = self.stored_profile(name).await?;
        self.recorded("set-ai-login", name, Some(&before), |s| s.set_ai_login_unrecorded(name, login, password)).await
    }

    /// Forgets the AI login of `name` (its password leaves the keyring). Recorded.
    pub async fn clear_ai_login(&self, name: &str) -> Result<Profile> {
        let before = self.stored_profile(name).await?;
        self.recorded("clear-ai-login", name, Some(&before), |s| s.clear_ai_login_unrecorded(name)).await
    }

    /// Deletes a profile and its keyring entries (parked in the history, so an undo brings
    /// them back).
    pub async fn remove_profile(&self, name: &str) -> Result<Profile> {
        let before = self.stored_profile(name).await?;
        let pending = self.begin_change("remove", &before.name, Some(&before), &every_secret_account(&before)).await?;
        match self.remove_profile_unrecorded(name).await {
            Ok(removed) => {
                self.finish_change(pending, None).await?;
                Ok(removed)
            }
            Err(e) => {
                self.abandon_change(pending).await;
                Err(e)
            }
        }
    }

    /// Runs `change` on the profile `before` (None: being added as `name`) as one recorded
    /// change: every keyring entry it could touch is parked first.
    async fn recorded<'a, F>(
        &'a self,
        action: &str,
        name: &str,
        before: Option<&Profile>,
        change: impl FnOnce(&'a Store) -> F,
    ) -> Result<Profile>
    where
        F: std::future::Future<Output = Result<Profile>> + 'a,
    {
        // Only changes that can write or delete a secret park them.
        let touches_secrets = action != "set-access";
        let accounts = before.filter(|_| touches_secrets).map(every_secret_account).unwrap_or_default();
        let pending = self.begin_change(action, name, before, &accounts).await?;
        match change(self).await {
            Ok(after) => {
                self.finish_change(pending, Some(&after)).await?;
                Ok(after)
            }
            Err(e) => {
                self.abandon_change(pending).await;
                Err(e)
            }
        }
    }

    /// The saved profile with this id, if any.
    pub(crate) async fn profile_by_id(&self, id: Option<&str>) -> Result<Option<Profile>> {
        let Some(id) = id else { return Ok(None) };
        let row = sqlx::query_as::<_, ProfileRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM profiles WHERE id = ?1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| store_error("read the profile", &e))?;
        row.map(Profile::try_from).transpose()
    }

    async fn unknown_profile(&self, name: &str) -> Error {
        let names: Vec<String> =
            self.profiles().await.map(|ps| ps.into_iter().map(|p| p.name).collect()).unwrap_or_default();
        if names.is_empty() {
            Error::not_found(format!(
                "no profile named '{name}': there are no profiles yet (add one with dbdock profile add)"
            ))
        } else {
            Error::not_found(format!("no profile named '{name}'; the profiles are: {}", names.join(", ")))
        }
    }
}

/// Writes profile `p` under `id`: inserted, or replacing the row with that id.
pub(crate) async fn upsert_profile<'e>(
    db: impl sqlx::SqliteExecutor<'e>,
    id: &str,
    p: &Profile,
    has_secret: bool,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO profiles (id, name, engine, url, has_secret, access, ai_login, max_rows, max_bytes,
                               timeout_secs, approval_wait_secs, create_if_missing, color, tags, ssh, tls)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
         ON CONFLICT (id) DO UPDATE SET name = ?2, engine = ?3, url = ?4, has_secret = ?5, access = ?6,
             ai_login = ?7, max_rows = ?8, max_bytes = ?9, timeout_secs = ?10, approval_wait_secs = ?11,
             create_if_missing = ?12, color = ?13, tags = ?14, ssh = ?15, tls = ?16,
             updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
    )
    .bind(id)
    .bind(&p.name)
    .bind(p.engine.as_str())
    .bind(&p.url)
    .bind(has_secret)
    .bind(p.access.as_str())
    .bind(&p.ai_login)
    .bind(p.max_rows.and_then(|n| i64::try_from(n).ok()))
    .bind(p.max_bytes.and_then(|n| i64::try_from(n).ok()))
    .bind(p.timeout_secs.and_then(|n| i64::try_from(n).ok()))
    .bind(p.approval_wait_secs.and_then(|n| i64::try_from(n).ok()))
    .bind(p.create_if_missing)
    .bind(&p.color)
    .bind(to_json(&p.tags)?)
    .bind(to_json(&p.ssh)?)
    .bind(to_json(&p.tls)?)
    .execute(db)
    .await
    .map_err(|e| {
        if e.as_database_error().is_some_and(|d| d.is_unique_violation()) {
            Error::invalid_input(format!("a profile named '{}' exists: rename or remove it first", p.name))
        } else {
            store_error("write the profile", &e)
        }
    })?;
    Ok(())
}

/// The keyring entries `profile` holds secrets in: its own, its AI login's, and those of
/// its jump hosts that log in with a key or a password.
pub(crate) fn secret_accounts(profile: &Profile) -> Vec<String> {
    let own =
        [profile.has_secret.then(|| profile.id.clone()), profile.ai_login.is_some().then(|| ai_account(&profile.id))];
    let hops = profile.ssh.iter().enumerate().filter(|(_, h)| h.auth != SshAuth::Agent);
    own.into_iter().flatten().chain(hops.map(|(i, _)| ssh_secret_account(&profile.id, i))).collect()
}

/// Every keyring entry a change to `profile` could write or delete, whether it holds a
/// secret now or not (a change may add one): what the history parks.
/// Each with whether the profile says it holds a secret now.
pub(crate) fn every_secret_account(profile: &Profile) -> Vec<(String, bool)> {
    let id = &profile.id;
    let mut accounts = vec![(id.clone(), profile.has_secret), (ai_account(id), profile.ai_login.is_some())];
    accounts.extend((0..MAX_SSH_HOPS).map(|hop| {
        let holds = profile.ssh.get(hop).is_some_and(|h| h.auth != SshAuth::Agent);
        (ssh_secret_account(id, hop), holds)
    }));
    accounts
}

/// An AI login's user name: it goes into the profile's URL (percent-encoded there), so
/// anything printable is taken, but not control characters or absurd lengths.
fn validate_ai_login(login: &str) -> Result<()> {
    if login.is_empty() || login.len() > 128 || login.chars().any(char::is_control) {
        return Err(Error::invalid_input(format!(
            "'{}' is not a login name: give 1-128 printable characters",
            login.escape_debug()
        )));
    }
    Ok(())
}

/// `target` with `user` as its user name (the password left to the caller). A MongoDB seed
/// list keeps its other hosts.
fn with_user(target: &ConnectionTarget, user: &str) -> Result<ConnectionTarget> {
    let mut url = target
        .url()
        .cloned()
        .ok_or_else(|| Error::invalid_input(format!("{} connections have no login", target.engine())))?;
    url.set_username(user).map_err(|()| Error::invalid_input("this URL cannot carry a user name"))?;
    let text = if target.more_hosts().is_empty() {
        url.to_string()
    } else {
        let after_port = url::Position::AfterPort;
        format!("{},{}{}", &url[..after_port], target.more_hosts().join(","), &url[after_port..])
    };
    ConnectionTarget::parse(&text)
}

fn keyring_hint(e: Error, profile: &str) -> Error {
    if e.code == ErrorCode::KeyringUnavailable {
        Error::new(
            e.code,
            format!(
                "{}. The secret was not saved anywhere; supply it in the environment variable {} instead",
                e.message,
                secret_env_var(profile)
            ),
        )
    } else {
        e
    }
}

#[cfg(test)]
mod update_tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::Home;

    #[tokio::test]
    async fn update_keeps_the_id_and_renames_access_and_url() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Home::at(dir.path())).await.unwrap();
        let first = store.add_profile(NewProfile::new("shop", ConnectionTarget::sqlite_file("a.db"))).await.unwrap();
        store.add_profile(NewProfile::new("other", ConnectionTarget::sqlite_file("b.db"))).await.unwrap();
        let mut changed = NewProfile::new("shop2", ConnectionTarget::sqlite_file("c.db"));
        changed.access = Access::ReadWrite;
        changed.color = Some("#ff8800".into());
        let updated = store.update_profile("shop", changed, false).await.unwrap();
        assert_eq!(
            (updated.id.as_str(), updated.name.as_str(), updated.url.as_str()),
            (first.id.as_str(), "shop2", "sqlite:c.db")
        );
        assert_eq!(updated.access, Access::ReadWrite);
        let clash =
            store.update_profile("shop2", NewProfile::new("other", ConnectionTarget::sqlite_file("c.db")), false).await;
        assert_eq!(clash.err().map(|e| e.code), Some(ErrorCode::InvalidInput));
        let access = store.set_profile_access("shop2", Access::None).await.unwrap();
        assert_eq!(access.access, Access::None);
        assert!(
            store
                .update_profile("nobody", NewProfile::new("x", ConnectionTarget::sqlite_file("x.db")), false)
                .await
                .is_err()
        );
        store.close().await;
    }
}

/// Needs an OS keyring: run under `bash -c '. scripts/services.sh; with_keyring cargo test -p dbdock-store'`.
#[cfg(test)]
mod ai_login_tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::{Home, Keyring};

    async fn store(dir: &std::path::Path) -> Store {
        let mut store = Store::open(Home::at(dir)).await.unwrap();
        store.keyring = Keyring::with_service(format!("dbdock-test-ai-{}", std::process::id()));
        store
    }

    fn user_and_password(resolved: &ResolvedProfile) -> (String, Option<String>) {
        let url = resolved.target.url().unwrap();
        (url.username().to_owned(), resolved.target.password().map(|p| p.expose().to_owned()))
    }

    #[tokio::test]
    async fn jump_host_secrets_live_in_the_keyring_by_hop_and_never_in_exports() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path()).await;
        let hops = vec![
            SshHop::parse("ssh://ops@bastion:2222", SshAuth::Password).unwrap(),
            SshHop::parse("deploy@inner", SshAuth::Key { path: "/keys/id".into() }).unwrap(),
        ];
        let new = NewProfile {
            ssh: hops.clone(),
            ssh_secrets: vec![Some(Secret::new("bastion-pw")), Some(Secret::new("key-phrase"))],
            tls: TlsOptions { mode: Some(dbdock_core::TlsMode::Require), ..TlsOptions::default() },
            ..NewProfile::new("prod", ConnectionTarget::parse("postgres://app@db.internal/shop").unwrap())
        };
        let added =
            store.add_profile(new).await.unwrap_or_else(|e| panic!("no OS keyring (run under with_keyring): {e}"));
        assert_eq!(added.ssh, hops);
        let resolved = store.resolve("prod").await.unwrap();
        let secrets: Vec<_> = resolved.ssh_secrets.iter().map(|s| s.as_ref().map(|s| s.expose().to_owned())).collect();
        assert_eq!(secrets, [Some("bastion-pw".to_owned()), Some("key-phrase".to_owned())]);
        assert_eq!(resolved.target.tls().mode, Some(dbdock_core::TlsMode::Require));
        let export = store.export_profiles().await.unwrap().to_json().unwrap();
        assert!(export.contains(r#""host": "bastion""#) && !export.contains("bastion-pw"), "{export}");
        assert!(!export.contains("key-phrase"));

        // An update that gives no secret keeps the saved ones; dropping a hop drops its secret.
        let keep = NewProfile {
            ssh: hops[..1].to_vec(),
            ..NewProfile::new("prod", ConnectionTarget::parse("postgres://app@db.internal/shop").unwrap())
        };
        store.update_profile("prod", keep, false).await.unwrap();
        let resolved = store.resolve("prod").await.unwrap();
        assert_eq!(resolved.ssh_secrets.len(), 1);
        assert_eq!(resolved.ssh_secrets[0].as_ref().map(Secret::expose), Some("bastion-pw"));
        assert_eq!(store.keyring.get(&ssh_secret_account(&added.id, 1)).await.unwrap(), None);

        // A password hop whose password is gone is an error naming the hop.
        store.keyring.delete(&ssh_secret_account(&added.id, 0)).await.unwrap();
        let e = store.resolve("prod").await.expect_err("the password is missing");
        assert!(e.message.starts_with("ssh bastion:2222: the password for ops"), "{}", e.message);
        store.remove_profile("prod").await.unwrap();

        // Nonsense is refused before anything is written.
        let sqlite =
            NewProfile { ssh: hops[..1].to_vec(), ..NewProfile::new("file", ConnectionTarget::sqlite_file("a.db")) };
        assert_eq!(store.add_profile(sqlite).await.unwrap_err().code, ErrorCode::InvalidInput);
        let agent = NewProfile {
            ssh: vec![SshHop::parse("u@h", SshAuth::Agent).unwrap()],
            ssh_secrets: vec![Some(Secret::new("x"))],
            ..NewProfile::new("agent", ConnectionTarget::parse("redis://h").unwrap())
        };
        assert_eq!(store.add_profile(agent).await.unwrap_err().code, ErrorCode::InvalidInput);
        assert!(store.stored_profiles().await.unwrap().is_empty());
        store.close().await;
    }

    #[tokio::test]
    async fn a_failed_update_leaves_the_secret_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path()).await;
        let shop = ConnectionTarget::parse("postgres://owner:old-pw@db.example:5432/shop").unwrap();
        let added = store.add_profile(NewProfile::new("shop", shop)).await;
        added.unwrap_or_else(|e| panic!("no OS keyring (run under with_keyring): {e}"));
        let other = ConnectionTarget::parse("postgres://x@db.example:5432/other").unwrap();
        store.add_profile(NewProfile::new("other", other)).await.unwrap();
        // A rename onto a taken name fails: neither the row nor the secret may change.
        let renamed = ConnectionTarget::parse("postgres://owner:new-pw@db.example:5432/shop").unwrap();
        let e = store.update_profile("shop", NewProfile::new("other", renamed), false).await.err();
        assert_eq!(e.map(|e| e.code), Some(dbdock_core::ErrorCode::InvalidInput));
        let own = store.resolve("shop").await.unwrap();
        assert_eq!(user_and_password(&own), ("owner".into(), Some("old-pw".into())));
        // Clearing the secret on a failed update keeps it too.
        let cleared = ConnectionTarget::parse("postgres://owner@db.example:5432/shop").unwrap();
        assert!(store.update_profile("shop", NewProfile::new("other", cleared), true).await.is_err());
        let own = store.resolve("shop").await.unwrap();
        assert_eq!(user_and_password(&own), ("owner".into(), Some("old-pw".into())));
        store.remove_profile("shop").await.unwrap();
        store.remove_profile("other").await.unwrap();
    }

    #[tokio::test]
    async fn the_ai_login_and_its_secret_change_together() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path()).await;
        let target = ConnectionTarget::parse("postgres://owner:main-pw@db.example:5432/shop").unwrap();
        let added = store.add_profile(NewProfile::new("shop", target)).await;
        let added = added.unwrap_or_else(|e| panic!("no OS keyring (run under with_keyring): {e}"));
        assert_eq!(added.ai_login, None);
        // Without an AI login, AI clients get the profile's own login.
        let ai = store.resolve_for_ai("shop").await.unwrap();
        assert_eq!(user_and_password(&ai), ("owner".into(), Some("main-pw".into())));

        let profile = store.set_ai_login("shop", "reader", &Secret::new("ai-pw")).await.unwrap();
        assert_eq!(profile.ai_login.as_deref(), Some("reader"));
        let ai = store.resolve_for_ai("SHOP").await.unwrap();
        assert_eq!(user_and_password(&ai), ("reader".into(), Some("ai-pw".into())));
        assert_eq!(ai.target.url_without_secret(), "postgres://reader@db.example:5432/shop");
        let own = store.resolve("shop").await.unwrap();
        assert_eq!(user_and_password(&own), ("owner".into(), Some("main-pw".into())));
        // Nothing of the AI login's password reaches the store's file.
        store.close().await;
        let file = std::fs::read(store.home().database_path()).unwrap();
        assert!(!file.windows(5).any(|w| w == b"ai-pw"));
        let store = self::store(dir.path()).await;

        // The row cannot be written: the keyring gets its old secret back.
        sqlx::query(
            "CREATE TRIGGER no_ai BEFORE UPDATE OF ai_login ON profiles BEGIN SELECT RAISE(ABORT, 'refused'); END",
        )
        .execute(&store.pool)
        .await
        .unwrap();
        assert!(store.set_ai_login("shop", "other", &Secret::new("new-pw")).await.is_err());
        let ai = store.resolve_for_ai("shop").await.unwrap();
        assert_eq!(user_and_password(&ai), ("reader".into(), Some("ai-pw".into())));
        sqlx::query("DROP TRIGGER no_ai").execute(&store.pool).await.unwrap();

        // A missing AI password is an error, not the profile's own login.
        store.keyring.delete(&ai_account(&profile.id)).await.unwrap();
        let missing = store.resolve_for_ai("shop").await.err().unwrap();
        assert_eq!(missing.code, ErrorCode::AuthFailed);
        assert!(missing.message.contains("--remove"), "{}", missing.message);

        store.set_ai_login("shop", "reader", &Secret::new("ai-pw")).await.unwrap();
        let cleared = store.clear_ai_login("shop").await.unwrap();
        assert_eq!(cleared.ai_login, None);
        assert_eq!(store.keyring.get(&ai_account(&profile.id)).await.unwrap(), None);
        assert_eq!(user_and_password(&store.resolve_for_ai("shop").await.unwrap()).0, "owner");

        // Removing the profile removes both keyring entries.
        store.set_ai_login("shop", "reader", &Secret::new("ai-pw")).await.unwrap();
        store.remove_profile("shop").await.unwrap();
        assert_eq!(store.keyring.get(&ai_account(&profile.id)).await.unwrap(), None);
        assert_eq!(store.keyring.get(&profile.id).await.unwrap(), None);
        store.close().await;
    }

    #[test]
    fn a_seed_list_keeps_its_hosts() {
        let target = ConnectionTarget::parse("mongodb://root@a:1,b:2/shop?replicaSet=rs0").unwrap();
        let reader = with_user(&target, "reader").unwrap();
        assert_eq!(reader.url_without_secret(), "mongodb://reader@a:1,b:2/shop?replicaSet=rs0");
        assert!(with_user(&ConnectionTarget::sqlite_file("x.db"), "reader").is_err());
        assert!(validate_ai_login("bad\nname").is_err());
    }
}
