//! What every MCP session of one `dbdock mcp` process shares: the workspace (store and
//! open connections, shared with nothing else in this process), which profiles are
//! exposed, and the audit log.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use dbdock_app::{Audience, OpenConnection, Opening, Workspace};
use dbdock_core::{Access, ConnectionTarget, Error, Profile, Result, Secret};
use dbdock_store::{ResolvedProfile, Store};

use crate::audit::{AuditLog, SHUTDOWN_GRACE};
use crate::caller::Caller;
use crate::login::{LoginReport, login_report};
use crate::metrics::Metrics;

/// Rows per result when the profile sets no cap.
pub const DEFAULT_MAX_ROWS: u64 = 200;
/// Bytes of row data per result when the profile sets no cap.
pub const DEFAULT_MAX_BYTES: u64 = 256 * 1024;

#[derive(Debug, Clone, Default)]
pub struct EndpointConfig {
    /// Expose only these profiles (all with AI access other than `none` when empty).
    pub profiles: Vec<String>,
    /// Let `connect-database` open a URL that is not a saved profile.
    pub allow_adhoc: bool,
    /// Put each call's statement text (scrubbed as in the audit log) on its tracing span
    /// as `db.statement`, for an OTLP collector (`dbdock mcp --otlp-statements`).
    pub trace_statements: bool,
}

/// How long `list-connections` waits for one connection to say what its login may do.
const LOGIN_ACCESS_WAIT: Duration = Duration::from_secs(5);

/// A profile's caps on what one AI call returns.
pub trait AiCaps {
    fn row_cap(&self) -> u64;
    fn byte_cap(&self) -> u64;
}

impl AiCaps for Profile {
    fn row_cap(&self) -> u64 {
        self.max_rows.unwrap_or(DEFAULT_MAX_ROWS)
    }
    fn byte_cap(&self) -> u64 {
        self.max_bytes.unwrap_or(DEFAULT_MAX_BYTES)
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
    workspace: Arc<Workspace>,
    config: EndpointConfig,
    audit: AuditLog,
    metrics: Metrics,
}

impl Endpoint {
    pub fn new(store: Store, config: EndpointConfig) -> Arc<Endpoint> {
        let audit = AuditLog::new(store.clone());
        Arc::new(Endpoint { workspace: Workspace::new(store), config, audit, metrics: Metrics::default() })
    }

    pub fn audit(&self) -> &AuditLog {
        &self.audit
    }

    /// What this endpoint has served since it started (`GET /metrics`).
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    /// Whether a call's span carries its statement text (see [`EndpointConfig`]).
    pub fn trace_statements(&self) -> bool {
        self.config.trace_statements
    }

    /// Whether the profile `name` is in the `--profile` list (or there is none) and the
    /// current caller's token may see it.
    fn listed(&self, name: &str) -> bool {
        let in_list =
            self.config.profiles.is_empty() || self.config.profiles.iter().any(|n| n.eq_ignore_ascii_case(name));
        in_list && Caller::current().sees(name)
    }

    /// The profiles this endpoint exposes to the current caller: AI access other than
    /// `none`, in the `--profile` list when one was given, and visible to the caller's
    /// token (a profile it may not see does not exist for it); then the ad-hoc connections
    /// of this process.
    pub async fn exposed_profiles(&self) -> Result<Vec<Profile>> {
        let mut profiles: Vec<Profile> = self
            .workspace
            .store()
            .profiles()
            .await?
            .into_iter()
            .filter(|p| p.access != Access::None && self.listed(&p.name))
            .collect();
        let caller = Caller::current();
        profiles.extend(self.workspace.adhoc_profiles().await.into_iter().filter(|p| caller.sees(&p.name)));
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

    /// The exposed profile `name`, as it is now.
    async fn exposed(&self, name: &str) -> Result<Profile> {
        let found = self.exposed_profiles().await?.into_iter().find(|p| p.name.eq_ignore_ascii_case(name));
        match found {
            Some(profile) => Ok(profile),
            None => {
                self.workspace.disconnect(Audience::Ai, name).await;
                Err(self.unknown(name).await)
            }
        }
    }

    /// An exposed profile's target with its secret, for the stream tools, which open a
    /// connection per subscription rather than sharing the profile's live connection.
    pub async fn stream_profile(&self, name: &str) -> Result<ResolvedProfile> {
        let profile = self.exposed(name).await?;
        if profile.source == dbdock_core::ProfileSource::Adhoc {
            return Err(self.unknown(name).await);
        }
        self.workspace.resolve(Audience::Ai, &profile.name).await
    }

    /// The open connection for `name`, opening it on first use (see [`Workspace::connection`]).
    pub async fn connection(&self, name: &str) -> Result<Arc<OpenConnection>> {
        let opening = self.prepare(name).await?;
        self.workspace.open(opening).await
    }

    /// [`Endpoint::connection`] up to the point where it would connect.
    pub async fn prepare(&self, name: &str) -> Result<Opening> {
        let profile = self.exposed(name).await?;
        let exact = profile.name.clone();
        match self.workspace.prepare_current(Audience::Ai, &exact, Some(profile)).await {
            Err(e) if e.code == dbdock_core::ErrorCode::NotFound => Err(self.unknown(name).await),
            other => other,
        }
    }

    /// Connects what [`Endpoint::prepare`] resolved.
    pub async fn open(&self, opening: Opening) -> Result<Arc<OpenConnection>> {
        self.workspace.open(opening).await
    }

    /// A URL that is not a saved profile (only with `--allow-adhoc`), read-only, ready to
    /// open: connected by [`Endpoint::open`] (or probed, for a streaming server).
    pub async fn adhoc(&self, name: &str, url: &str) -> Result<Opening> {
        if !self.config.allow_adhoc || !Caller::current().sees(name) {
            return Err(Error::new(
                dbdock_core::ErrorCode::PermissionDenied,
                "this endpoint only opens the user's saved connections (call list-connections); ad-hoc URLs need \
                 `dbdock mcp --allow-adhoc`",
            ));
        }
        self.workspace.prepare_adhoc(name, ConnectionTarget::parse(url)?).await
    }

    /// For `list-connections`: whether each profile's login can write (`loginCanWrite`:
    /// true, false or "unknown" when the server cannot tell or does not answer in time),
    /// and where read-only access rests on DB Dock's filter alone, a `warning` that says so.
    pub async fn login_reports(self: &Arc<Self>, profiles: &[Profile]) -> HashMap<String, LoginReport> {
        let mut tasks = tokio::task::JoinSet::new();
        // Only databases have a login to ask about; streaming sources report "unknown".
        for profile in profiles.iter().filter(|p| p.engine.capabilities().query.is_some()) {
            let (endpoint, profile) = (Arc::clone(self), profile.clone());
            tasks.spawn(async move {
                let ask = async || endpoint.connection(&profile.name).await?.login_access().await;
                let access = tokio::time::timeout(LOGIN_ACCESS_WAIT, ask()).await;
                let report = login_report(&profile, access.ok().and_then(Result::ok).as_ref());
                (profile.name, report)
            });
        }
        let mut reports: HashMap<String, LoginReport> =
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
        self.workspace.disconnect(Audience::Ai, name).await
    }

    /// The state of an open connection, if it is open.
    pub async fn status(&self, name: &str) -> Option<dbdock_core::ConnectionStatus> {
        self.workspace.status(Audience::Ai, name).await
    }

    /// Waits for the calls still running to complete their audit rows (the transports
    /// cancel them as they stop), then closes the connections and the store.
    pub async fn close(&self) {
        self.audit.close(SHUTDOWN_GRACE).await;
        self.workspace.close().await;
    }
}
