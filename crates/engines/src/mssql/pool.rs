//! A small pool of tiberius connections (tiberius has none): at most `max_connections`
//! leases at a time (a semaphore), idle connections kept for reuse, new ones opened lazily.
//!
//! The rule that matters: a connection goes back only when it is known to be clean. A lease
//! dropped in the middle of a request (the caller's future was dropped: an MCP client's
//! cancel, a timeout) sends the server an attention — SQL Server's cancel — and is closed;
//! one that hit an I/O or protocol error is closed; an isolated one is closed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dbdock_core::{Error, Result, Secret};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::compat::{Compat, TokioAsyncWriteCompatExt};

use super::config::Settings;
use super::error::{Fate, fate, map};

pub(crate) type Client = tiberius::Client<Compat<TcpStream>>;

/// How long a dropped call's cancel may take before its connection is simply closed.
pub(crate) const CANCEL_WAIT: Duration = Duration::from_secs(5);

struct Idle {
    clients: Mutex<Vec<Client>>,
    /// Bumped by `close`: leases taken before it are closed instead of coming back.
    generation: AtomicU64,
}

pub(crate) struct Pool {
    settings: Settings,
    /// `host:port`, for messages.
    address: String,
    password: Option<Secret>,
    connect_timeout: Duration,
    permits: Arc<Semaphore>,
    idle: Arc<Idle>,
}

impl Pool {
    pub fn new(
        settings: Settings,
        address: String,
        password: Option<Secret>,
        connect_timeout: Duration,
        size: u32,
    ) -> Pool {
        let connect_timeout = settings.connect_timeout.unwrap_or(connect_timeout);
        Pool {
            settings,
            address,
            password,
            connect_timeout,
            permits: Arc::new(Semaphore::new(usize::try_from(size.max(1)).unwrap_or(1))),
            idle: Arc::new(Idle { clients: Mutex::new(Vec::new()), generation: AtomicU64::new(0) }),
        }
    }

    pub fn address(&self) -> &str {
        &self.address
    }

    pub fn map_err(&self, e: tiberius::error::Error) -> Error {
        map(e, &self.address, self.password.as_ref())
    }

    /// A connection for one call: an idle one, or a new one. `isolated` ones are closed
    /// when the lease ends.
    pub async fn acquire(&self, isolated: bool) -> Result<Lease> {
        self.lease(isolated, false).await
    }

    /// A new connection, closed when the lease ends: no session state of an earlier call
    /// reaches this one, and none of this one's reaches a later call.
    pub async fn acquire_fresh(&self) -> Result<Lease> {
        self.lease(true, true).await
    }

    async fn lease(&self, isolated: bool, fresh: bool) -> Result<Lease> {
        let permit = tokio::time::timeout(self.connect_timeout, Arc::clone(&self.permits).acquire_owned())
            .await
            .map_err(|_| {
                Error::timeout(format!(
                    "no connection to {} became free in time: other statements are still running",
                    self.address()
                ))
            })?
            .map_err(|_| Error::internal("the connection pool was shut down"))?;
        let generation = self.idle.generation.load(Ordering::SeqCst);
        let pooled = if fresh { None } else { self.idle.clients.lock().ok().and_then(|mut idle| idle.pop()) };
        let client = match pooled {
            Some(client) => client,
            None => self.open().await?,
        };
        Ok(Lease {
            client: Some(client),
            permit: Some(permit),
            idle: Arc::clone(&self.idle),
            generation,
            busy: false,
            keep: !isolated,
        })
    }

    /// Closes the idle connections; leases in use are closed when they end.
    pub async fn close(&self) {
        self.idle.generation.fetch_add(1, Ordering::SeqCst);
        let idle = self.idle.clients.lock().map(|mut idle| std::mem::take(&mut *idle)).unwrap_or_default();
        for client in idle {
            let _ = tokio::time::timeout(Duration::from_secs(1), client.close()).await;
        }
    }

    async fn open(&self) -> Result<Client> {
        let addr = &self.address;
        tokio::time::timeout(self.connect_timeout, self.connect())
            .await
            .map_err(|_| Error::timeout(format!("no answer from {addr} within {} s", self.connect_timeout.as_secs())))?
    }

    /// TCP, pre-login (TLS), login. Azure SQL's gateway may answer the login with a
    /// redirect to the node that holds the database: followed once.
    async fn connect(&self) -> Result<Client> {
        let password = self.password.as_ref().map(Secret::expose).unwrap_or_default();
        let mut config = self.settings.tiberius(password);
        let (mut host, mut port, mut addr) = (self.settings.host.clone(), self.settings.port, self.address.clone());
        for attempt in 0..2 {
            // A (host, port) pair, not tiberius's `host:port` text, which breaks on IPv6.
            let tcp = TcpStream::connect((host.as_str(), port))
                .await
                .map_err(|e| map(e.into(), &addr, self.password.as_ref()))?;
            let _ = tcp.set_nodelay(true);
            match tiberius::Client::connect(config.clone(), tcp.compat_write()).await {
                Err(tiberius::error::Error::Routing { host: to, port: to_port }) if attempt == 0 => {
                    addr = format!("{to}:{to_port}");
                    config.host(&to);
                    config.port(to_port);
                    (host, port) = (to, to_port);
                }
                outcome => return outcome.map_err(|e| map(e, &addr, self.password.as_ref())),
            }
        }
        Err(Error::connection_failed(format!("{} redirected the connection more than once", self.address())))
    }
}

/// One connection, held for one call.
pub(crate) struct Lease {
    client: Option<Client>,
    permit: Option<OwnedSemaphorePermit>,
    idle: Arc<Idle>,
    generation: u64,
    /// A request is on the wire and its answer not fully read.
    busy: bool,
    /// Whether the connection may serve later calls.
    keep: bool,
}

impl Lease {
    /// The connection, marked busy until [`Lease::settle`]: if the call is dropped before
    /// then, the request is cancelled on the server and the connection closed.
    pub fn start(&mut self) -> Result<&mut Client> {
        self.busy = true;
        self.client.as_mut().ok_or_else(|| Error::internal("the connection was already given back"))
    }

    /// The request's answer was read to its end (or failed). An I/O or protocol failure
    /// leaves the connection in an unknown state: it will be closed.
    pub fn settle<T>(&mut self, outcome: &tiberius::Result<T>) {
        self.busy = false;
        if outcome.as_ref().is_err_and(|e| fate(e) == Fate::Broken) {
            self.keep = false;
        }
    }

    /// Closes the connection at the end of the lease instead of pooling it (the server
    /// rolls back whatever transaction it still holds).
    pub fn discard(&mut self) {
        self.keep = false;
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        let Some(mut client) = self.client.take() else { return };
        let permit = self.permit.take();
        if self.busy {
            // Dropping the future only stops the waiting: tell the server to stop too. The
            // permit stays taken until then, so the pool never exceeds its size.
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    if let Err(e) =
                        tokio::time::timeout(CANCEL_WAIT, client.cancel_query()).await.unwrap_or_else(|_| {
                            Err(tiberius::error::Error::Protocol("no answer to the cancel in time".into()))
                        })
                    {
                        tracing::warn!(error = %e, "cancelling a dropped SQL Server statement failed");
                    }
                    drop(client);
                    drop(permit);
                });
            }
            return;
        }
        if self.keep
            && self.generation == self.idle.generation.load(Ordering::SeqCst)
            && let Ok(mut idle) = self.idle.clients.lock()
        {
            idle.push(client);
        }
        drop(permit);
    }
}
