//! The local forward: a listener on 127.0.0.1 at an ephemeral port whose every connection
//! is carried through the SSH session to the destination. The session is opened when the
//! tunnel is, and again on demand after it dies, so the driver's own reconnect policy
//! (which reconnects to the local port) re-establishes the tunnel too.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use dbdock_core::{Error, Result, Secret, SshHop};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{AbortHandle, JoinSet};

use crate::host_keys::KnownHosts;
use crate::session::{self, Login, Session};

/// What a tunnel connects through and to.
#[derive(Debug, Clone)]
pub struct TunnelSpec {
    /// Outermost first; one or two.
    pub hops: Vec<SshHop>,
    /// Each hop's passphrase or password, by position.
    pub secrets: Vec<Option<Secret>>,
    pub known_hosts: KnownHosts,
    /// The server, as the last hop resolves it.
    pub destination: (String, u16),
    pub connect_timeout: Duration,
    /// The command that accepts an unknown host key, without its `--fingerprint`.
    pub accept_hint: String,
}

struct Shared {
    spec: TunnelSpec,
    session: tokio::sync::Mutex<Option<Arc<Session>>>,
    /// Why the last connection through the tunnel could not be carried, if it could not.
    last_error: Mutex<Option<Error>>,
}

impl Shared {
    /// The live session, or a new one if it died (a restarted sshd, a dropped network).
    async fn session(&self) -> Result<Arc<Session>> {
        let mut slot = self.session.lock().await;
        if let Some(live) = slot.as_ref().filter(|s| !s.is_closed()) {
            return Ok(Arc::clone(live));
        }
        let spec = &self.spec;
        let login = Login {
            hops: &spec.hops,
            secrets: &spec.secrets,
            known: &spec.known_hosts,
            accept: None,
            accept_hint: &spec.accept_hint,
        };
        let first = spec.hops.first().map(SshHop::address).unwrap_or_default();
        let fresh = tokio::time::timeout(spec.connect_timeout, session::connect(&login)).await.map_err(|_| {
            Error::connection_failed(format!("ssh {first}: no answer within {} s", spec.connect_timeout.as_secs_f64()))
        })??;
        let fresh = Arc::new(fresh);
        *slot = Some(Arc::clone(&fresh));
        Ok(fresh)
    }

    async fn carry(&self, mut local: TcpStream) -> Result<()> {
        let session = self.session().await?;
        let (host, port) = &self.spec.destination;
        let channel =
            session.last().channel_open_direct_tcpip(host.clone(), u32::from(*port), "127.0.0.1", 0).await.map_err(
                |e| {
                    let last = self.spec.hops.last().map(SshHop::address).unwrap_or_default();
                    Error::connection_failed(format!("ssh {last}: cannot reach {host}:{port} from there: {e}"))
                },
            )?;
        let mut remote = channel.into_stream();
        // Either side closing ends the copy; an error here is the connection's, not ours.
        let _ = tokio::io::copy_bidirectional(&mut local, &mut remote).await;
        Ok(())
    }
}

/// A running local forward. Dropping it stops the listener, every forwarded connection
/// and the SSH session.
pub struct Tunnel {
    local_port: u16,
    shared: Arc<Shared>,
    accepting: AbortHandle,
}

impl Tunnel {
    /// Logs in through every hop now (so a wrong key or host key is an error here, named
    /// by hop), then listens on 127.0.0.1 at an ephemeral port.
    pub async fn open(spec: TunnelSpec) -> Result<Tunnel> {
        if spec.hops.is_empty() {
            return Err(Error::invalid_input("an SSH tunnel needs at least one jump host"));
        }
        let shared = Arc::new(Shared { spec, session: Default::default(), last_error: Mutex::new(None) });
        shared.session().await?;
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| Error::internal(format!("cannot listen on 127.0.0.1 for the SSH tunnel: {e}")))?;
        let local_port = listener.local_addr().map_err(|e| Error::internal(e.to_string()))?.port();
        let accepting = tokio::spawn(accept(listener, Arc::clone(&shared))).abort_handle();
        Ok(Tunnel { local_port, shared, accepting })
    }

    /// Where the driver connects: 127.0.0.1 at this port.
    pub fn local_port(&self) -> u16 {
        self.local_port
    }

    /// The session is live, or is opened again now: what a reconnect calls first, so a
    /// tunnel that cannot come back says why (by hop) rather than "connection reset".
    pub async fn ensure(&self) -> Result<()> {
        self.shared.session().await.map(|_| ())
    }

    /// Why the last connection through the tunnel failed, if it did (taken).
    pub fn take_error(&self) -> Option<Error> {
        self.shared.last_error.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

impl Drop for Tunnel {
    fn drop(&mut self) {
        self.accepting.abort();
        let shared = Arc::clone(&self.shared);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Some(session) = shared.session.lock().await.take() {
                    session.close().await;
                }
            });
        }
    }
}

async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    // Owned here, so aborting the accept loop ends every forwarded connection too.
    let mut carried = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((local, _)) = accepted else {
                    // Out of descriptors, say: wait rather than spin on the same error.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                };
                let _ = local.set_nodelay(true);
                let shared = Arc::clone(&shared);
                carried.spawn(async move {
                    if let Err(e) = shared.carry(local).await {
                        tracing::warn!(error = %e, "the SSH tunnel could not carry a connection");
                        *shared.last_error.lock().unwrap_or_else(PoisonError::into_inner) = Some(e);
                    }
                });
            }
            Some(_) = carried.join_next(), if !carried.is_empty() => {}
        }
    }
}

/// Logs in through the hops with `fingerprint` confirmed: an unknown host key that has
/// it is added to DB Dock's own known-hosts file. Errors if no hop offered such a key.
pub async fn trust_host_key(spec: &TunnelSpec, fingerprint: &str) -> Result<()> {
    let login = Login {
        hops: &spec.hops,
        secrets: &spec.secrets,
        known: &spec.known_hosts,
        accept: Some(fingerprint),
        accept_hint: &spec.accept_hint,
    };
    let outcome = tokio::time::timeout(spec.connect_timeout, session::connect(&login)).await;
    match outcome {
        Ok(Ok(session)) => {
            session.close().await;
            Ok(())
        }
        // Logging in may fail after the key was accepted (a wrong password): the key is
        // learned all the same; only a key that was not offered is an error here.
        Ok(Err(e))
            if e.code != dbdock_core::ErrorCode::HostKeyUnknown
                && e.code != dbdock_core::ErrorCode::HostKeyMismatch =>
        {
            Err(e)
        }
        Ok(Err(e)) => Err(Error::new(
            e.code,
            format!("no jump host offered a key with fingerprint {fingerprint}, so none was accepted: {}", e.message),
        )),
        Err(_) => Err(Error::connection_failed("ssh: no answer in time while fetching the host key")),
    }
}
