//! What every MCP session of one `dbdock mcp` process shares: the store, which profiles
//! are exposed, and the open connections (one live connection per profile).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use dbdock_core::{Access, ConnectionTarget, Error, Profile, ProfileSource, ReconnectPolicy, Result, Secret};
use dbdock_engines::OpenOptions;
use dbdock_engines::live::LiveConnection;
use dbdock_store::{ResolvedProfile, Store};
use tokio::sync::Mutex;

use crate::audit::{AuditLog, SHUTDOWN_GRACE};

/// Rows per result when the profile sets no cap.
pub const DEFAULT_MAX_ROWS: u64 = 200;
/// Bytes of row data per result when the profile sets no cap.
pub const DEFAULT_MAX_BYTES: u64 = 256 * 1024;
/// Statement timeout when the profile sets none.
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;

#[derive(Debug, Clone, Default)]
pub struct EndpointConfig {
    /// Expose only these profiles (all with AI access other than `none` when empty).
    pub profiles: Vec<String>,
    /// Let `connect-database` open a URL that is not a saved profile.
    pub allow_adhoc: bool,
}

/// A profile opened for AI use.
pub struct OpenProfile {
    pub profile: Profile,
    pub live: LiveConnection,
    /// Scrubbed from everything the audit log stores.
    pub secret: Option<Secret>,
}

impl OpenProfile {
    pub fn max_rows(&self) -> u64 {
        self.profile.max_rows.unwrap_or(DEFAULT_MAX_ROWS)
    }
    pub fn max_bytes(&self) -> u64 {
        self.profile.max_bytes.unwrap_or(DEFAULT_MAX_BYTES)
    }
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.profile.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS))
    }
}

/// Text with `secret` masked, for the audit log.
pub fn scrub(secret: Option<&Secret>, text: &str) -> String {
    secret.map_or_else(|| text.to_owned(), |s| s.mask_in(text))
}

/// JSON with `secret` masked in every string, however JSON would escape it.
pub fn scrub_json(secret: Option<&Secret>, value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(text) => Value::String(scrub(secret, text)),
        Value::Array(items) => Value::Array(items.iter().map(|v| scrub_json(secret, v)).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (scrub(secret, k), scrub_json(secret, v))).collect())
        }
        other => other.clone(),
    }
}

pub struct Endpoint {
    store: Store,
    config: EndpointConfig,
    open: Mutex<HashMap<String, Arc<OpenProfile>>>,
    audit: AuditLog,
}

/// A connection about to be used: open already, or resolved (secret included) and not
/// opened yet. Getting one reaches no database, so the call can be audited first.
pub enum Opening {
    Open(Arc<OpenProfile>),
    Resolved(Box<ResolvedProfile>),
}

impl Opening {
    /// The profile's secret, to scrub from what the audit log stores.
    pub fn secret(&self) -> Option<&Secret> {
        match self {
            Opening::Open(open) => open.secret.as_ref(),
            Opening::Resolved(resolved) => resolved.target.password(),
        }
    }
}

impl Endpoint {
    pub fn new(store: Store, config: EndpointConfig) -> Arc<Endpoint> {
        let audit = AuditLog::new(store.clone());
        Arc::new(Endpoint { store, config, open: Mutex::new(HashMap::new()), audit })
    }

    pub fn audit(&self) -> &AuditLog {
        &self.audit
    }

    /// The profiles this endpoint exposes: AI access other than `none`, and in the
    /// `--profile` list when one was given.
    pub async fn exposed_profiles(&self) -> Result<Vec<Profile>> {
        let mut profiles: Vec<Profile> = self
            .store
            .profiles()
            .await?
            .into_iter()
            .filter(|p| p.access != Access::None)
            .filter(|p| {
                self.config.profiles.is_empty() || self.config.profiles.iter().any(|n| n.eq_ignore_ascii_case(&p.name))
            })
            .collect();
        // Ad-hoc connections opened this session are exposed too.
        for open in self.open.lock().await.values() {
            if open.profile.source == ProfileSource::Environment
                && !profiles.iter().any(|p| p.name == open.profile.name)
            {
                profiles.push(open.profile.clone());
            }
        }
        Ok(profiles)
    }

    async fn unknown(&self, name: &str) -> Error {
        let names: Vec<String> =
            self.exposed_profiles().await.map(|ps| ps.into_iter().map(|p| p.name).collect()).unwrap_or_default();
        Error::not_found(if names.is_empty() {
            format!("no connection '{name}': this endpoint exposes no connections; the user adds them in DB Dock")
        } else {
            format!("no connection '{name}'; call list-connections. Available: {}", names.join(", "))
        })
    }

    /// An exposed profile's target with its secret, for the stream tools, which open a
    /// connection per subscription rather than sharing the profile's live connection.
    pub async fn stream_profile(&self, name: &str) -> Result<ResolvedProfile> {
        let exposed = self.exposed_profiles().await?;
        match exposed.into_iter().find(|p| p.name.eq_ignore_ascii_case(name)) {
            Some(profile) if !profile.id.starts_with("adhoc:") => self.store.resolve(&profile.name).await,
            _ => Err(self.unknown(name).await),
        }
    }

    /// The open connection for `name`, opening it on first use. The profile is looked up
    /// on every call, so a change the user makes while the endpoint runs (access lowered,
    /// caps changed, the profile removed or set to `none`) applies to the next call.
    pub async fn connection(&self, name: &str) -> Result<Arc<OpenProfile>> {
        let opening = self.prepare(name).await?;
        self.open(opening).await
    }

    /// [`Endpoint::connection`] up to the point where it would connect.
    pub async fn prepare(&self, name: &str) -> Result<Opening> {
        let exposed = self.exposed_profiles().await?;
        let Some(profile) = exposed.into_iter().find(|p| p.name.eq_ignore_ascii_case(name)) else {
            if let Some(stale) = self.open.lock().await.remove(name) {
                stale.live.database().disconnect().await;
            }
            return Err(self.unknown(name).await);
        };
        let current = self.open.lock().await.get(&profile.name).cloned();
        match current {
            Some(open) if open.profile == profile => return Ok(Opening::Open(open)),
            Some(changed) => {
                self.open.lock().await.remove(&profile.name);
                changed.live.database().disconnect().await;
            }
            None => {}
        }
        if profile.id.starts_with("adhoc:") {
            return Err(self.unknown(name).await);
        }
        Ok(Opening::Resolved(Box::new(self.store.resolve(&profile.name).await?)))
    }

    /// Connects what [`Endpoint::prepare`] resolved.
    pub async fn open(&self, opening: Opening) -> Result<Arc<OpenProfile>> {
        match opening {
            Opening::Open(open) => Ok(open),
            Opening::Resolved(resolved) => self.open_resolved(*resolved).await,
        }
    }

    /// Opens a URL that is not a saved profile (only with `--allow-adhoc`), read-only.
    pub async fn connect_adhoc(&self, name: &str, url: &str) -> Result<Arc<OpenProfile>> {
        if !self.config.allow_adhoc {
            return Err(Error::new(
                dbdock_core::ErrorCode::PermissionDenied,
                "this endpoint only opens the user's saved connections (call list-connections); ad-hoc URLs need \
                 `dbdock mcp --allow-adhoc`",
            ));
        }
        dbdock_core::validate_profile_name(name)?;
        if self.store.profiles().await?.iter().any(|p| p.name.eq_ignore_ascii_case(name)) {
            return Err(Error::invalid_input(format!(
                "'{name}' is the name of one of the user's connections; pick another name for an ad-hoc connection"
            )));
        }
        let target = ConnectionTarget::parse(url)?;
        let profile = Profile::transient(format!("adhoc:{name}"), name, &target, false, "adhoc");
        self.open_resolved(ResolvedProfile { profile, target }).await
    }

    async fn open_resolved(&self, resolved: ResolvedProfile) -> Result<Arc<OpenProfile>> {
        let ResolvedProfile { profile, target } = resolved;
        let secret = target.password().cloned();
        let options = OpenOptions::for_profile(&profile, Some(Duration::from_secs(DEFAULT_TIMEOUT_SECS)));
        let db = dbdock_engines::adapter(target, options)?;
        let live = LiveConnection::open(db, ReconnectPolicy::default()).await?;
        let open = Arc::new(OpenProfile { profile, live, secret });
        let mut map = self.open.lock().await;
        // Another session may have opened it meanwhile: keep the first.
        Ok(Arc::clone(map.entry(open.profile.name.clone()).or_insert(open)))
    }

    /// Closes one connection; `false` if it was not open.
    pub async fn disconnect(&self, name: &str) -> bool {
        let removed = self.open.lock().await.remove(name);
        match removed {
            Some(open) => {
                open.live.database().disconnect().await;
                true
            }
            None => false,
        }
    }

    /// The state of an open connection, if it is open.
    pub async fn status(&self, name: &str) -> Option<dbdock_core::ConnectionStatus> {
        self.open.lock().await.get(name).map(|o| o.live.status())
    }

    /// Waits for the calls still running to complete their audit rows (the transports
    /// cancel them as they stop), then closes the connections and the store.
    pub async fn close(&self) {
        self.audit.close(SHUTDOWN_GRACE).await;
        let open: Vec<Arc<OpenProfile>> = self.open.lock().await.drain().map(|(_, o)| o).collect();
        for o in open {
            o.live.database().disconnect().await;
        }
        self.store.close().await;
    }
}
