//! What every MCP session of one `dbdock mcp` process shares: the workspace (store and
//! open connections, shared with nothing else in this process), which profiles are
//! exposed, and the audit log.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use dbdock_app::{Audience, OpenConnection, Opening, Workspace};
use dbdock_core::{Access, ConnectionTarget, Error, LoginAccess, Profile, Result, Secret};
use dbdock_store::{ResolvedProfile, Store};

use crate::audit::{AuditLog, SHUTDOWN_GRACE};
use crate::server::{LoginCanWrite, LoginReport};

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

/// One connection's login report (see [`Endpoint::login_reports`]).
pub fn login_report(profile: &Profile, access: Option<&LoginAccess>) -> LoginReport {
    // Without a read-only transaction (SQL Server, MongoDB) and with a login that can
    // write, nothing but DB Dock's statement filter stands between a read-only AI and a write.
    let filter_only = !profile.engine.capabilities().read_only_transaction
        && matches!(profile.access, Access::ReadOnly | Access::Ask)
        && access.is_some_and(|a| a.can_write);
    LoginReport {
        login_can_write: access.map_or(LoginCanWrite::Unknown("unknown"), |a| LoginCanWrite::Known(a.can_write)),
        login_evidence: access.filter(|a| a.can_write).map(|a| a.evidence.clone()),
        warning: filter_only.then(|| {
            format!(
                "this connection's login can write and {} has no read-only transaction: read-only access here rests \
                 on DB Dock's statement filter alone (the user can give it a read-only login in DB Dock)",
                profile.engine.spec().label
            )
        }),
    }
}

pub struct Endpoint {
    workspace: Arc<Workspace>,
    config: EndpointConfig,
    audit: AuditLog,
}

impl Endpoint {
    pub fn new(store: Store, config: EndpointConfig) -> Arc<Endpoint> {
        let audit = AuditLog::new(store.clone());
        Arc::new(Endpoint { workspace: Workspace::new(store), config, audit })
    }

    pub fn audit(&self) -> &AuditLog {
        &self.audit
    }

    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    fn listed(&self, name: &str) -> bool {
        self.config.profiles.is_empty() || self.config.profiles.iter().any(|n| n.eq_ignore_ascii_case(name))
    }

    /// The profiles this endpoint exposes: AI access other than `none`, and in the
    /// `--profile` list when one was given; then the ad-hoc connections of this process.
    pub async fn exposed_profiles(&self) -> Result<Vec<Profile>> {
        let mut profiles: Vec<Profile> = self
            .workspace
            .store()
            .profiles()
            .await?
            .into_iter()
            .filter(|p| p.access != Access::None && self.listed(&p.name))
            .collect();
        profiles.extend(self.workspace.adhoc_profiles().await);
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
        match self.workspace.prepare(Audience::Ai, &profile.name).await {
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
        if !self.config.allow_adhoc {
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

#[cfg(test)]
mod login_report_tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    fn profile(url: &str, access: Access) -> Profile {
        let target = ConnectionTarget::parse(url).unwrap();
        Profile { access, ..Profile::transient(dbdock_core::ProfileSource::Environment, "x", &target, false, "t") }
    }

    #[test]
    fn warns_where_read_only_rests_on_the_filter_alone() {
        let writer = LoginAccess { login: "sa".into(), can_write: true, evidence: vec!["sysadmin".into()] };
        let reader = LoginAccess { login: "r".into(), can_write: false, evidence: vec![] };
        let mssql = profile("sqlserver://sa@h:1433/db", Access::ReadOnly);
        let report = serde_json::to_value(login_report(&mssql, Some(&writer))).unwrap();
        assert_eq!(report["loginCanWrite"], json!(true));
        assert_eq!(report["loginEvidence"], json!(["sysadmin"]));
        assert!(report["warning"].as_str().unwrap().contains("statement filter alone"));
        assert!(login_report(&profile("mongodb://u@h/db", Access::Ask), Some(&writer)).warning.is_some());
        assert!(login_report(&mssql, Some(&reader)).warning.is_none());
        assert!(login_report(&profile("sqlserver://sa@h/db", Access::ReadWrite), Some(&writer)).warning.is_none());
        // PostgreSQL's read-only transaction stands behind the filter: no warning.
        let pg = profile("postgres://u@h/db", Access::ReadOnly);
        assert!(login_report(&pg, Some(&writer)).warning.is_none());
        assert_eq!(serde_json::to_value(login_report(&pg, None)).unwrap(), json!({"loginCanWrite": "unknown"}));
    }
}
