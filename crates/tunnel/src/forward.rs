//! The local forward: a listener on 127.0.0.1 at an ephemeral port whose every connection
//! is carried through the SSH session to the destination. The session is opened when the
//! tunnel is, and again on demand after it dies, so the driver's own reconnect policy
//! (which reconnects to the local port) re-establishes the tunnel too.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use dbdock_core::{Error, Result, Secret, SshHop};
use russh::Channel;
use russh::ChannelMsg;
use russh::client::Msg;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
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
        // An error here is the connection's (either side closing), not the tunnel's.
        let _ = pump(&mut local, channel, &session).await;
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

/// Carries bytes both ways until either side closes, acknowledging each side's bytes at
/// once ([`quick_ack`]).
async fn pump(local: &mut TcpStream, mut channel: Channel<Msg>, session: &Session) -> std::io::Result<()> {
    let (mut from_client, mut to_client) = local.split();
    let mut buf = vec![0_u8; 32 * 1024];
    let mut client_open = true;
    loop {
        tokio::select! {
            read = from_client.read(&mut buf), if client_open => match read {
                Ok(0) | Err(_) => {
                    client_open = false;
                    let _ = channel.eof().await;
                }
                Ok(n) => {
                    quick_ack(from_client.as_ref());
                    channel.data(&buf[..n]).await.map_err(std::io::Error::other)?;
                }
            },
            message = channel.wait() => match message {
                Some(ChannelMsg::Data { data }) => {
                    session.quick_ack();
                    to_client.write_all(&data).await?;
                }
                Some(ChannelMsg::Eof | ChannelMsg::Close) | None => break,
                Some(_) => {}
            },
        }
    }
    to_client.shutdown().await
}

/// Acknowledges what was read on `socket` at once rather than after the kernel's
/// delayed-ACK wait (up to 40 ms). Each side of the tunnel sends a request or an answer
/// in pieces at times (sqlx writes a statement's messages apart; sshd writes each answer
/// to its own SSH packet), and the sender's Nagle algorithm holds a piece back until the
/// previous one is acknowledged: ~30 ms a statement through the tunnel without this,
/// 0.2 ms with it (`cargo bench -p dbdock-app --bench tunnel`). Linux only; the flag is not
/// sticky, so it is set again after every read.
pub(crate) fn quick_ack(socket: &TcpStream) {
    #[cfg(target_os = "linux")]
    {
        let _ = socket2::SockRef::from(socket).set_tcp_quickack(true);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = socket;
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
