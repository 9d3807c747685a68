//! DB Dock's application layer: the one place that joins the engines and the store and
//! owns every operation the faces offer. The CLI, the MCP server and the desktop app are
//! thin faces over a [`Workspace`]: they parse, render and transport; they do not open
//! connections, choose engines, check access or write the event log themselves
//! (docs/architecture.md).
//!
//! Nothing here knows a protocol or a window.

mod access;
mod ai_logins;
mod approvals;
mod bulk;
mod connections;
mod discovery;
mod event_export;
mod key_browser;
mod network;
mod schema_search;
mod statements;
mod streaming;
mod table_data;

use std::sync::Arc;
use std::time::Duration;

use dbdock_core::{Database, Result, WatchTarget};
use dbdock_engines::{Monitor, MonitorOptions, OpenOptions, Probe};
use dbdock_store::{ResolvedProfile, Store};
use tokio::task::JoinHandle;

pub use access::{WriteAccess, ai_write_access, no_approver};
pub use approvals::{Verdict, WriteRequest, approval_wait};
pub use bulk::{BULK_PARALLEL, BulkAction, BulkItem, Selection};
pub use connections::{
    Audience, ConnectionEntry, DEFAULT_TIMEOUT, OpenConnection, Opener, Opening, connection_entries,
};
pub use discovery::{DiscoveryRequest, Finding, MAX_SCAN_PORTS, Origin, Probed, parse_ports};
pub use event_export::{ExportFormat, parse_time_bound, time_bound, write_monitor_events};
pub use key_browser::key_space;
pub use network::known_hosts;
pub use schema_search::{Detail, ObjectKind, SchemaMatch, SchemaSearch, SchemaSearchResult, glob_match};
pub use statements::{StatementKind, statement_kind};
pub use table_data::{AppliedChanges, MAX_PAGE_ROWS, TablePage};

use crate::connections::Connections;

/// What a running face holds: the store and the open connections, and every operation
/// on them. Cheap to share (`Arc`).
pub struct Workspace {
    store: Store,
    connections: Connections,
    /// The tasks writing monitors' lifecycles to the event log; `close` lets them finish.
    event_writers: std::sync::Mutex<Vec<JoinHandle<()>>>,
}

/// How long closing waits for monitors' last lifecycle events to reach the event log.
const EVENT_WRITE_GRACE: Duration = Duration::from_secs(2);

impl Workspace {
    pub fn new(store: Store) -> Arc<Workspace> {
        Workspace::with_opener(store, Arc::new(dbdock_engines::adapter))
    }

    /// A workspace whose connections are opened by `opener` (tests hand in a fake engine).
    pub fn with_opener(store: Store, opener: Opener) -> Arc<Workspace> {
        Arc::new(Workspace { connections: Connections::new(opener), store, event_writers: Default::default() })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The profile `name` as `audience` may use it, with its secret: the user's own login,
    /// or for AI clients the profile's AI login (and only while AI access is not `none`).
    pub async fn resolve(&self, audience: Audience, name: &str) -> Result<ResolvedProfile> {
        match audience {
            Audience::User => self.store.resolve(name).await,
            Audience::Ai => self.store.resolve_for_ai(name).await,
        }
    }

    /// Connects afresh with the profile's settings, asks the server its version, and lets
    /// go: whether the saved settings work now. Every engine, databases and streaming
    /// servers alike.
    pub async fn probe(&self, audience: Audience, name: &str) -> Result<Probe> {
        let resolved = self.resolve(audience, name).await?;
        self.probe_resolved(resolved).await
    }

    /// [`Workspace::probe`] on a profile already resolved (an environment or ad-hoc one),
    /// through its tunnel when it has one.
    pub async fn probe_resolved(&self, resolved: ResolvedProfile) -> Result<Probe> {
        let options = OpenOptions::for_profile(&resolved.profile, Some(DEFAULT_TIMEOUT));
        let route = network::route(&self.store, &resolved, options.connect_timeout).await?;
        let probed = dbdock_engines::probe(route.target, options).await;
        match (probed, route.tunnel) {
            (Err(e), Some(tunnel)) if e.code == dbdock_core::ErrorCode::ConnectionFailed => {
                Err(tunnel.take_error().unwrap_or(e))
            }
            (probed, _) => probed,
        }
    }

    /// A connection of its own (not the registry's shared one) to `resolved`, through its
    /// tunnel when it has one, with `options` as given: for a face that runs one command
    /// and exits (`dbdock query`, `dbdock schema`).
    pub async fn open_once(&self, resolved: &ResolvedProfile, options: OpenOptions) -> Result<Box<dyn Database>> {
        let route = network::route(&self.store, resolved, options.connect_timeout).await?;
        let db = dbdock_engines::adapter(route.target, options)?;
        let db: Box<dyn Database> = match route.tunnel {
            Some(tunnel) => Box::new(network::Tunneled { inner: db, tunnel }),
            None => db,
        };
        db.connect().await?;
        Ok(db)
    }

    /// Accepts the unknown host key with `fingerprint` of one of the jump hosts of profile
    /// `name` (as a person confirmed it): it is written to DB Dock's own known-hosts file.
    /// A key that is not offered, or that differs from one on record, is not written.
    pub async fn trust_host_key(&self, name: &str, fingerprint: &str) -> Result<()> {
        let resolved = self.store.resolve(name).await?;
        if resolved.profile.ssh.is_empty() {
            return Err(dbdock_core::Error::invalid_input(format!("profile '{name}' has no SSH jump host")));
        }
        let options = OpenOptions::for_profile(&resolved.profile, Some(DEFAULT_TIMEOUT));
        let spec = network::tunnel_spec(&self.store, &resolved, options.connect_timeout)?;
        dbdock_tunnel::trust_host_key(&spec, fingerprint.trim()).await
    }

    /// Starts a monitor on a resolved profile. Its lifecycle (connected, reconnecting,
    /// error, stopped) is written to the event log from the moment it starts, whichever
    /// face started it and whether or not anyone reads it.
    pub async fn watch(
        &self,
        resolved: ResolvedProfile,
        what: WatchTarget,
        options: MonitorOptions,
    ) -> Result<Monitor> {
        let (monitor, writer) = streaming::watch(&self.store, resolved, what, options).await?;
        let mut writers = self.event_writers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        writers.retain(|w| !w.is_finished());
        writers.push(writer);
        Ok(monitor)
    }

    /// Closes every connection and then the store.
    pub async fn close(&self) {
        let writers =
            std::mem::take(&mut *self.event_writers.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        let _ = tokio::time::timeout(EVENT_WRITE_GRACE, async {
            for writer in writers {
                let _ = writer.await;
            }
        })
        .await;
        self.connections.close_all().await;
        self.store.close().await;
    }
}
