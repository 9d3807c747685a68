//! How a resolved profile's server is reached: straight, or through an SSH tunnel whose
//! local port the driver connects to instead (docs/network.md). Every path that connects
//! (the profile's pool, a connection test, a monitor, a publish) comes through here, so a
//! profile with a jump host is tunneled from every face alike.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use dbdock_core::{
    ChangeOutcome, ConnectionTarget, Database, Engine, ErrorCode, ExecOutcome, GuardedStatement, LoginAccess,
    QueryOptions, QueryResult, Result, SchemaInfo, TableInfo, TableRef, WritePreview,
};
use dbdock_store::{ResolvedProfile, Store};
use dbdock_tunnel::{KnownHosts, Tunnel, TunnelSpec};

/// Where a driver connects, and the tunnel that must live as long as it does.
pub(crate) struct Route {
    pub target: ConnectionTarget,
    pub tunnel: Option<Arc<Tunnel>>,
}

/// DB Dock's own known-hosts file: where host keys accepted in DB Dock are written.
pub fn known_hosts(store: &Store) -> KnownHosts {
    KnownHosts::standard(store.home().root().join("known_hosts"))
}

/// What a tunnel for `resolved` connects through and to (its jump hosts must not be empty).
pub(crate) fn tunnel_spec(store: &Store, resolved: &ResolvedProfile, connect_timeout: Duration) -> Result<TunnelSpec> {
    let destination = resolved.target.server_address().ok_or_else(|| {
        dbdock_core::Error::invalid_input(format!(
            "profile '{}' names no server host to tunnel to",
            resolved.profile.name
        ))
    })?;
    Ok(TunnelSpec {
        hops: resolved.profile.ssh.clone(),
        secrets: resolved.ssh_secrets.clone(),
        known_hosts: known_hosts(store),
        destination,
        connect_timeout,
        accept_hint: format!("dbdock profile trust-host {}", resolved.profile.name),
    })
}

/// Opens the profile's tunnel if it has jump hosts, and returns the target to connect to.
pub(crate) async fn route(store: &Store, resolved: &ResolvedProfile, connect_timeout: Duration) -> Result<Route> {
    if resolved.profile.ssh.is_empty() || resolved.target.engine() == Engine::Sqlite {
        return Ok(Route { target: resolved.target.clone(), tunnel: None });
    }
    let tunnel = Tunnel::open(tunnel_spec(store, resolved, connect_timeout)?).await?;
    let target = resolved.target.through_tunnel(tunnel.local_port())?;
    Ok(Route { target, tunnel: Some(Arc::new(tunnel)) })
}

/// A database reached through a tunnel: connecting (and reconnecting, under the
/// connection's own reconnect policy) first makes sure the tunnel's session is up, so a
/// failure names the SSH hop rather than reading "connection reset".
pub(crate) struct Tunneled {
    pub inner: Box<dyn Database>,
    pub tunnel: Arc<Tunnel>,
}

impl Tunneled {
    /// A driver's connection error that the tunnel explains better.
    fn name_the_hop(&self, e: dbdock_core::Error) -> dbdock_core::Error {
        match self.tunnel.take_error() {
            Some(why) if matches!(e.code, ErrorCode::ConnectionFailed | ErrorCode::Timeout) => why,
            _ => e,
        }
    }
}

#[async_trait]
impl Database for Tunneled {
    fn engine(&self) -> Engine {
        self.inner.engine()
    }
    fn target(&self) -> &ConnectionTarget {
        self.inner.target()
    }
    async fn connect(&self) -> Result<()> {
        self.tunnel.ensure().await?;
        self.inner.connect().await.map_err(|e| self.name_the_hop(e))
    }
    async fn disconnect(&self) {
        self.inner.disconnect().await;
    }
    async fn query(&self, sql: &str, params: &[serde_json::Value], limits: &QueryOptions) -> Result<QueryResult> {
        self.inner.query(sql, params, limits).await.map_err(|e| self.name_the_hop(e))
    }
    async fn execute(&self, sql: &str, params: &[serde_json::Value], limits: &QueryOptions) -> Result<ExecOutcome> {
        self.inner.execute(sql, params, limits).await.map_err(|e| self.name_the_hop(e))
    }
    async fn list_tables(&self) -> Result<Vec<TableRef>> {
        self.inner.list_tables().await
    }
    async fn table_schema(&self, name: &str) -> Result<TableInfo> {
        self.inner.table_schema(name).await
    }
    async fn schema(&self) -> Result<SchemaInfo> {
        self.inner.schema().await
    }
    async fn server_version(&self) -> Result<String> {
        self.inner.server_version().await.map_err(|e| self.name_the_hop(e))
    }
    async fn login_access(&self) -> Result<LoginAccess> {
        self.inner.login_access().await
    }
    async fn explain(&self, sql: &str, params: &[serde_json::Value], limits: &QueryOptions) -> Result<QueryResult> {
        self.inner.explain(sql, params, limits).await
    }
    async fn preview(&self, sql: &str, params: &[serde_json::Value]) -> WritePreview {
        self.inner.preview(sql, params).await
    }
    async fn apply_changes(&self, statements: &[GuardedStatement]) -> Result<ChangeOutcome> {
        self.inner.apply_changes(statements).await.map_err(|e| self.name_the_hop(e))
    }
    async fn ping(&self) -> Result<()> {
        self.tunnel.ensure().await?;
        self.inner.ping().await.map_err(|e| self.name_the_hop(e))
    }
}
