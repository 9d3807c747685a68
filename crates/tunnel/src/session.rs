//! One SSH session through a chain of jump hosts: the first reached over TCP, the second
//! through a channel of the first. Every failure names the hop it happened at.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use dbdock_core::{Error, Result, Secret, SshAuth, SshHop};
use russh::client::{self, Handle};
use russh::keys::agent::client::AgentClient;
use russh::keys::{PrivateKeyWithHashAlg, PublicKey, PublicKeyOrCertificate};

use crate::host_keys::{self, KnownHosts, Verdict};

/// Keepalives every 15 s; three unanswered close the session, and the next connection
/// through the tunnel opens a new one (docs/network.md, "Reconnecting").
fn config() -> Arc<client::Config> {
    Arc::new(client::Config {
        keepalive_interval: Some(Duration::from_secs(15)),
        keepalive_max: 3,
        nodelay: true,
        ..client::Config::default()
    })
}

/// Checks the server's key against the known-hosts files, and remembers what it saw so a
/// refusal can say why.
pub(crate) struct Checker {
    hop: SshHop,
    known: KnownHosts,
    /// A fingerprint the user confirmed: a key that is unknown and has it is learned.
    accept: Option<String>,
    seen: Arc<Mutex<Option<(PublicKey, Verdict)>>>,
}

impl client::Handler for Checker {
    type Error = russh::Error;

    async fn check_server_key(&mut self, offered: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        let key = match offered {
            PublicKeyOrCertificate::PublicKey { key, .. } => key.clone(),
            PublicKeyOrCertificate::Certificate(cert) => PublicKey::new(cert.public_key().clone(), ""),
        };
        let mut verdict = self.known.check(&self.hop, &key);
        if verdict == Verdict::Unknown && self.accept.as_deref() == Some(host_keys::fingerprint(&key).as_str()) {
            match self.known.learn(&self.hop, &key) {
                Ok(()) => verdict = Verdict::Known,
                Err(e) => tracing::warn!(error = %e, "cannot record the accepted host key"),
            }
        }
        let trusted = verdict == Verdict::Known;
        *self.seen.lock().unwrap_or_else(PoisonError::into_inner) = Some((key, verdict));
        Ok(trusted)
    }
}

/// A live session through every hop; the last handle reaches the destination.
pub(crate) struct Session {
    handles: Vec<Handle<Checker>>,
    /// The TCP connection to the first hop, beside russh's own handle on it.
    first_hop: Option<std::net::TcpStream>,
}

impl Session {
    pub(crate) fn is_closed(&self) -> bool {
        self.handles.iter().any(Handle::is_closed)
    }

    pub(crate) fn last(&self) -> &Handle<Checker> {
        // A session is only built with at least one hop.
        &self.handles[self.handles.len() - 1]
    }

    /// Acknowledges at once what arrived from the first hop (see `forward::quick_ack`).
    pub(crate) fn quick_ack(&self) {
        #[cfg(target_os = "linux")]
        if let Some(socket) = &self.first_hop {
            let _ = socket2::SockRef::from(socket).set_tcp_quickack(true);
        }
    }

    pub(crate) async fn close(&self) {
        for handle in self.handles.iter().rev() {
            let _ = handle.disconnect(russh::Disconnect::ByApplication, "", "en").await;
        }
    }
}

/// What a chain needs to log in: each hop with its secret (a key's passphrase or a
/// password), where host keys are trusted, and how to accept one.
pub(crate) struct Login<'a> {
    pub hops: &'a [SshHop],
    pub secrets: &'a [Option<Secret>],
    pub known: &'a KnownHosts,
    pub accept: Option<&'a str>,
    pub accept_hint: &'a str,
}

pub(crate) async fn connect(login: &Login<'_>) -> Result<Session> {
    let mut handles: Vec<Handle<Checker>> = Vec::with_capacity(login.hops.len());
    let mut first_hop = None;
    for (i, hop) in login.hops.iter().enumerate() {
        let seen = Arc::new(Mutex::new(None));
        let checker = Checker {
            hop: hop.clone(),
            known: login.known.clone(),
            accept: login.accept.map(str::to_owned),
            seen: Arc::clone(&seen),
        };
        let connected = match handles.last() {
            None => {
                let tcp = tokio::net::TcpStream::connect((hop.host.as_str(), hop.port))
                    .await
                    .map_err(|e| Error::connection_failed(format!("ssh {}: {}", hop.address(), io_text(&e))))?;
                // The config's `nodelay` is for sockets russh opens; this one is ours.
                let _ = tcp.set_nodelay(true);
                // A second handle on the socket, to acknowledge what russh reads at once.
                let tcp = tcp.into_std().and_then(|std| {
                    first_hop = Some(std.try_clone()?);
                    tokio::net::TcpStream::from_std(std)
                });
                let tcp = tcp.map_err(|e| Error::connection_failed(format!("ssh {}: {e}", hop.address())))?;
                client::connect_stream(config(), tcp, checker).await
            }
            Some(outer) => {
                let channel = outer
                    .channel_open_direct_tcpip(hop.host.clone(), u32::from(hop.port), "127.0.0.1", 0)
                    .await
                    .map_err(|e| {
                        let via = &login.hops[i - 1];
                        Error::connection_failed(format!(
                            "ssh {}: cannot reach {} from there: {e}",
                            via.address(),
                            hop.address()
                        ))
                    })?;
                client::connect_stream(config(), channel.into_stream(), checker).await
            }
        };
        let mut handle = match connected {
            Ok(handle) => handle,
            Err(e) => {
                let seen = seen.lock().unwrap_or_else(PoisonError::into_inner).take();
                return Err(match seen {
                    Some((key, Verdict::Changed { file, line })) => {
                        host_keys::changed_key_error(hop, &key, &file, line)
                    }
                    Some((key, Verdict::Unknown)) => host_keys::unknown_key_error(hop, &key, login.accept_hint),
                    _ => ssh_error(hop, &e),
                });
            }
        };
        authenticate(&mut handle, hop, login.secrets.get(i).and_then(Option::as_ref)).await?;
        handles.push(handle);
    }
    if handles.is_empty() {
        return Err(Error::invalid_input("an SSH tunnel needs at least one jump host"));
    }
    Ok(Session { handles, first_hop })
}

async fn authenticate(handle: &mut Handle<Checker>, hop: &SshHop, secret: Option<&Secret>) -> Result<()> {
    let rejected =
        |what: &str| Error::auth_failed(format!("ssh {}: {what} rejected for user {}", hop.address(), hop.user));
    let ssh = |e: russh::Error| ssh_error(hop, &e);
    match &hop.auth {
        SshAuth::Password => {
            let password = secret.ok_or_else(|| {
                Error::auth_failed(format!("ssh {}: no password for user {} was given", hop.address(), hop.user))
            })?;
            let result = handle.authenticate_password(hop.user.clone(), password.expose()).await.map_err(ssh)?;
            if !result.success() {
                return Err(rejected("password"));
            }
        }
        SshAuth::Key { path } => {
            let key =
                russh::keys::load_secret_key(path, secret.map(Secret::expose)).map_err(|e| key_error(hop, path, &e))?;
            let hash = handle.best_supported_rsa_hash().await.map_err(ssh)?.flatten();
            let result = handle
                .authenticate_publickey(hop.user.clone(), PrivateKeyWithHashAlg::new(Arc::new(key), hash))
                .await
                .map_err(ssh)?;
            if !result.success() {
                return Err(rejected("key"));
            }
        }
        SshAuth::Agent => {
            let mut agent = AgentClient::connect_env().await.map_err(|e| {
                Error::auth_failed(format!("ssh {}: no SSH agent to log in with (SSH_AUTH_SOCK): {e}", hop.address()))
            })?;
            let identities = agent.request_identities().await.map_err(|e| {
                Error::auth_failed(format!("ssh {}: the SSH agent did not list its keys: {e}", hop.address()))
            })?;
            let hash = handle.best_supported_rsa_hash().await.map_err(ssh)?.flatten();
            for identity in &identities {
                let key = identity.public_key().into_owned();
                let result = handle.authenticate_publickey_with(hop.user.clone(), key, hash, &mut agent).await;
                if result.is_ok_and(|r| r.success()) {
                    return Ok(());
                }
            }
            return Err(rejected(if identities.is_empty() {
                "the SSH agent holds no key; login"
            } else {
                "every SSH agent key was"
            }));
        }
    }
    Ok(())
}

fn key_error(hop: &SshHop, path: &str, e: &russh::keys::Error) -> Error {
    use russh::keys::Error as K;
    match e {
        K::KeyIsEncrypted => Error::auth_failed(format!(
            "ssh {}: the key {path} has a passphrase: give it (--ssh-passphrase-stdin, or in the app's form)",
            hop.address()
        )),
        K::IO(io) => {
            Error::invalid_input(format!("ssh {}: cannot read the key {path}: {}", hop.address(), io_text(io)))
        }
        other => Error::auth_failed(format!(
            "ssh {}: cannot use the key {path} (a wrong passphrase?): {other}",
            hop.address()
        )),
    }
}

fn ssh_error(hop: &SshHop, e: &russh::Error) -> Error {
    match e {
        russh::Error::IO(io) => Error::connection_failed(format!("ssh {}: {}", hop.address(), io_text(io))),
        other => Error::connection_failed(format!("ssh {}: {other}", hop.address())),
    }
}

/// An I/O error as people say it: "connection refused", not "Connection refused (os error 111)".
pub(crate) fn io_text(e: &std::io::Error) -> String {
    let text = e.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text);
    let mut chars = text.chars();
    chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default()
}
