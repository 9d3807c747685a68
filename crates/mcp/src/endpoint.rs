//! What every MCP session of one `dbdock mcp` process shares: the store, which profiles
//! are exposed, and the open connections (one live connection per profile).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use dbdock_core::{
    Access, ConnectionTarget, Engine, Error, LoginAccess, Profile, ProfileSource, ReconnectPolicy, Result, Secret,
};
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

/// How long `list-connections` waits for one connection to say what its login may do.
const LOGIN_ACCESS_WAIT: Duration = Duration::from_secs(5);

/// A profile opened for AI use (with the profile's AI login when it has one).
pub struct OpenProfile {
    pub profile: Profile,
    pub live: LiveConnection,
    /// Scrubbed from everything the audit log stores.
    pub secret: Option<Secret>,
    /// What the login may do, once asked (docs/safety.md, "least privilege").
    login_access: tokio::sync::OnceCell<LoginAccess>,
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

/// One connection's login report (see [`Endpoint::login_reports`]).
pub fn login_report(profile: &Profile, access: Option<&LoginAccess>) -> serde_json::Value {
    let mut report = serde_json::Map::new();
    report.insert("loginCanWrite".into(), access.map_or_else(|| "unknown".into(), |a| a.can_write.into()));
    if let Some(access) = access.filter(|a| a.can_write) {
        report.insert("loginEvidence".into(), access.evidence.clone().into());
    }
    // SQL Server and MongoDB have no read-only transaction: with a login that can write,
    // nothing but DB Dock's statement filter stands between a read-only AI and a write.
    let filter_only = matches!(profile.engine, Engine::Mssql | Engine::Mongodb)
        && matches!(profile.access, Access::ReadOnly | Access::Ask)
        && access.is_some_and(|a| a.can_write);
    if filter_only {
        report.insert(
            "warning".into(),
            format!(
                "this connection's login can write and {} has no read-only transaction: read-only access here rests \
                 on DB Dock's statement filter alone (the user can give it a read-only login in DB Dock)",
                profile.engine
            )
            .into(),
        );
    }
    serde_json::Value::Object(report)
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
            Some(profile) if !profile.id.starts_with("adhoc:") => self.store.resolve_for_ai(&profile.name).await,
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
        // Every AI path uses the profile's AI login when it has one.
        Ok(Opening::Resolved(Box::new(self.store.resolve_for_ai(&profile.name).await?)))
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
        let open = Arc::new(OpenProfile { profile, live, secret, login_access: tokio::sync::OnceCell::new() });
        let mut map = self.open.lock().await;
        // Another session may have opened it meanwhile: keep the first.
        Ok(Arc::clone(map.entry(open.profile.name.clone()).or_insert(open)))
    }

    /// What the login of connection `name` may do, as its server reports it (opening the
    /// connection if needed). Remembered while the connection stays open.
    pub async fn login_access(&self, name: &str) -> Result<LoginAccess> {
        let open = self.connection(name).await?;
        if let Some(known) = open.login_access.get() {
            return Ok(known.clone());
        }
        let access = open.live.database().login_access().await?;
        Ok(open.login_access.get_or_init(async || access).await.clone())
    }

    /// For `list-connections`: whether each profile's login can write (`loginCanWrite`:
    /// true, false or "unknown" when the server cannot tell or does not answer in time),
    /// and where read-only access rests on DB Dock's filter alone, a `warning` that says so.
    pub async fn login_reports(self: &Arc<Self>, profiles: &[Profile]) -> HashMap<String, serde_json::Value> {
        let mut tasks = tokio::task::JoinSet::new();
        // Only databases have a login to ask about; streaming sources report "unknown".
        for profile in profiles.iter().filter(|p| p.engine.is_sql() || p.engine == Engine::Mongodb) {
            let (endpoint, profile) = (Arc::clone(self), profile.clone());
            tasks.spawn(async move {
                let access = tokio::time::timeout(LOGIN_ACCESS_WAIT, endpoint.login_access(&profile.name)).await;
                let report = login_report(&profile, access.ok().and_then(Result::ok).as_ref());
                (profile.name, report)
            });
        }
        let mut reports: HashMap<String, serde_json::Value> =
            profiles.iter().map(|p| (p.name.clone(), login_report(p, None))).collect();
        while let Some(done) = tasks.join_next().await {
            if let Ok((name, report)) = done {
                reports.insert(name, report);
            }
        }
        reports
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

#[cfg(test)]
mod login_report_tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    fn profile(url: &str, access: Access) -> Profile {
        let target = ConnectionTarget::parse(url).unwrap();
        Profile { access, ..Profile::transient("x".into(), "x", &target, false, "t") }
    }

    #[test]
    fn warns_where_read_only_rests_on_the_filter_alone() {
        let writer = LoginAccess { login: "sa".into(), can_write: true, evidence: vec!["sysadmin".into()] };
        let reader = LoginAccess { login: "r".into(), can_write: false, evidence: vec![] };
        let mssql = profile("sqlserver://sa@h:1433/db", Access::ReadOnly);
        let report = login_report(&mssql, Some(&writer));
        assert_eq!(report["loginCanWrite"], json!(true));
        assert_eq!(report["loginEvidence"], json!(["sysadmin"]));
        assert!(report["warning"].as_str().unwrap().contains("statement filter alone"));
        assert!(login_report(&profile("mongodb://u@h/db", Access::Ask), Some(&writer)).get("warning").is_some());
        assert!(login_report(&mssql, Some(&reader)).get("warning").is_none());
        assert!(
            login_report(&profile("sqlserver://sa@h/db", Access::ReadWrite), Some(&writer)).get("warning").is_none()
        );
        // PostgreSQL's read-only transaction stands behind the filter: no warning.
        let pg = profile("postgres://u@h/db", Access::ReadOnly);
        assert!(login_report(&pg, Some(&writer)).get("warning").is_none());
        assert_eq!(login_report(&pg, None), json!({"loginCanWrite": "unknown"}));
    }
}
