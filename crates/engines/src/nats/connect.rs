//! From a [`ConnectionTarget`] to an async-nats [`Client`].
//!
//! The URL is `nats://[user@]host[:4222][?options]` or `tls://…`. The password never sits
//! in the URL (it comes from the keyring through [`ConnectionTarget::password`]) and is
//! handed to async-nats through its auth options, never in the server address, so no
//! address the driver prints can carry it. Credentials follow the NATS conventions:
//! - user and password: user/password authentication;
//! - a password with no user: it is a token (`nats://host` with the token in the keyring);
//! - a user with no password: that user *is* the token (`nats://TOKEN@host`, as nats.go
//!   and the `nats` CLI read it). Prefer the keyring form: a URL is shown in the app.
//!
//! Options in the query: `tls=true` (require TLS on a `nats://` URL), `tls_first=true`,
//! `tls_ca=PATH`, `tls_cert=PATH` with `tls_key=PATH`. NATS credentials files
//! (`creds=PATH`) need async-nats' `nkeys` feature, which this build leaves out.

use std::sync::Arc;
use std::time::Duration;

use async_nats::{Client, ConnectError, ConnectErrorKind, ConnectOptions};
use dbdock_core::{ConnectionTarget, Error, Result, percent_decode};

use super::events::Bridge;
use crate::rows::{host_port, one_line};

/// How long the first connection (TCP, TLS, INFO, CONNECT, PONG) may take.
pub(super) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What the server shows as the client's name (`nats server report connections`).
const CLIENT_NAME: &str = "DB Dock";

/// Messages async-nats holds for one subscription before it drops new ones and reports a
/// slow consumer. The monitor's forwarding task empties this channel into the monitor's
/// own ring buffer without ever waiting, so it only fills when the task is starved of CPU;
/// the room is there so that a burst survives such a stall (tokio allocates the channel
/// in small blocks as it fills, so the room costs nothing while unused).
pub(super) const SUBSCRIPTION_CAPACITY: usize = 64 * 1024;

/// Reconnects allowed to a one-shot connection (publish, request, listings): enough to ride
/// out a blip, few enough that a connection whose caller has gone does not keep trying.
const ONE_SHOT_RECONNECTS: usize = 3;

/// A connection for one call (publish, request, a listing). Dropping the client closes it.
pub(super) async fn connect(target: &ConnectionTarget) -> Result<Client> {
    let options = base_options(target)?.max_reconnects(ONE_SHOT_RECONNECTS);
    open(target, options).await
}

/// A connection for a monitor: async-nats reconnects it (and resubscribes every live
/// subscription), on the schedule of the bridge's policy (docs/reconnect-policy.md), and
/// `bridge` tells the monitor about it. The monitor's task keeps the returned handle for
/// as long as it runs: the bridge only holds it weakly.
pub(super) async fn connect_monitored(target: &ConnectionTarget, bridge: &Arc<Bridge>) -> Result<Arc<Client>> {
    // async-nats asks the bridge before every attempt, which waits the attempt's turn
    // (`Bridge::pace`, in a task of its own since async-nats wants a Sync future), so its
    // own delays are zero; it gives up when the bridge says the attempts ran out, as
    // `max_reconnects` is the policy's. (async-nats reads 0 as "no limit": a policy of no
    // attempts still gets one.)
    let attempts = usize::try_from(bridge.policy().max_attempts.max(1)).unwrap_or(usize::MAX);
    let pacing = bridge.clone();
    let options = base_options(target)?
        .max_reconnects(attempts)
        .reconnect_delay_callback(|_| Duration::ZERO)
        .reconnect_to_server_callback(move |servers, _info| {
            let paced = tokio::spawn(pacing.clone().pace(servers));
            async move { paced.await.ok().flatten() }
        })
        .event_callback(Bridge::callback(bridge.clone()));
    let client = Arc::new(open(target, options).await?);
    bridge.attach(&client);
    Ok(client)
}

async fn open(target: &ConnectionTarget, options: ConnectOptions) -> Result<Client> {
    let address = server_address(target)?;
    // Without `retry_on_initial_connect` async-nats tries each address once and returns
    // the error: a refused port fails at once instead of retrying forever in the background.
    options.connect(address).await.map_err(|e| connect_error(target, &e))
}

/// `nats://host:port` or `tls://host:port`, with no credentials in it.
fn server_address(target: &ConnectionTarget) -> Result<String> {
    let url = target.url().ok_or_else(|| Error::invalid_input(format!("{target} is not a NATS URL")))?;
    let scheme = match url.scheme().to_ascii_lowercase().as_str() {
        "tls" => "tls",
        "nats" => "nats",
        other => {
            return Err(Error::invalid_input(format!("'{other}://' is not a NATS URL scheme: use nats:// or tls://")));
        }
    };
    let host = url.host_str().unwrap_or("127.0.0.1");
    let port = url.port().unwrap_or(4222);
    Ok(format!("{scheme}://{host}:{port}"))
}

/// Auth, TLS and the settings every DB Dock connection shares.
fn base_options(target: &ConnectionTarget) -> Result<ConnectOptions> {
    let url = target.url().ok_or_else(|| Error::invalid_input(format!("{target} is not a NATS URL")))?;
    let mut options = ConnectOptions::new()
        .name(CLIENT_NAME)
        .connection_timeout(CONNECT_TIMEOUT)
        .subscription_capacity(SUBSCRIPTION_CAPACITY);

    let user =
        Some(url.username()).filter(|u| !u.is_empty()).map(|u| percent_decode(u).unwrap_or_else(|| u.to_owned()));
    let password = target.password().map(|p| p.expose().to_owned());
    options = match (user, password) {
        (Some(user), Some(password)) => options.user_and_password(user, password),
        (None, Some(token)) | (Some(token), None) => options.token(token),
        (None, None) => options,
    };

    let (mut cert, mut key) = (None, None);
    for (name, value) in url.query_pairs() {
        match name.to_ascii_lowercase().as_str() {
            "tls" => {
                if flag(&name, &value)? {
                    options = options.require_tls(true);
                }
            }
            "tls_first" | "handshake_first" => {
                if flag(&name, &value)? {
                    options = options.require_tls(true).tls_first();
                }
            }
            "tls_ca" | "ca" => options = options.require_tls(true).add_root_certificates(value.as_ref().into()),
            "tls_cert" | "cert" => cert = Some(value.into_owned()),
            "tls_key" | "key" => key = Some(value.into_owned()),
            "creds" | "credentials" => {
                return Err(Error::unsupported(
                    "NATS credentials files (creds=) are not supported by this build: use a user and password or a token",
                ));
            }
            other => {
                return Err(Error::invalid_input(format!(
                    "unknown NATS URL option '{other}': known options are tls, tls_first, tls_ca, tls_cert and tls_key"
                )));
            }
        }
    }
    match (cert, key) {
        (Some(cert), Some(key)) => options = options.require_tls(true).add_client_certificate(cert.into(), key.into()),
        (None, None) => {}
        _ => return Err(Error::invalid_input("a TLS client certificate needs both tls_cert= and tls_key=")),
    }
    Ok(options)
}

fn flag(name: &str, value: &str) -> Result<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" | "" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(Error::invalid_input(format!("the URL option {name}={value} takes true or false"))),
    }
}

fn connect_error(target: &ConnectionTarget, err: &ConnectError) -> Error {
    let at = host_port(target);
    let detail = one_line(&err.to_string());
    let error = match err.kind() {
        ConnectErrorKind::AuthorizationViolation | ConnectErrorKind::Authentication => Error::auth_failed(format!(
            "NATS at {at} refused the credentials ({detail}): check the user and password, or the token"
        )),
        ConnectErrorKind::TimedOut => Error::timeout(format!(
            "NATS at {at} did not complete the connection within {} s",
            CONNECT_TIMEOUT.as_secs()
        )),
        ConnectErrorKind::Tls => Error::connection_failed(format!(
            "TLS with NATS at {at} failed ({detail}); check tls_ca= or whether the server speaks TLS"
        )),
        ConnectErrorKind::ServerParse => {
            Error::invalid_input(format!("'{target}' is not a valid NATS server address ({detail})"))
        }
        ConnectErrorKind::Dns | ConnectErrorKind::Io | ConnectErrorKind::MaxReconnects => {
            Error::connection_failed(format!("cannot reach NATS at {at}: {detail}"))
        }
    };
    scrub(target, error)
}

/// Driver text may echo what it was given: the password, or a token written as the URL's
/// user, never leaves in an error.
pub(super) fn scrub(target: &ConnectionTarget, error: Error) -> Error {
    let error = match target.password() {
        Some(secret) => error.scrub(secret),
        None => error,
    };
    match target.url().map(|u| u.username()).filter(|u| !u.is_empty()) {
        Some(token) if target.password().is_none() => error.scrub(&dbdock_core::Secret::new(token)),
        _ => error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> ConnectionTarget {
        ConnectionTarget::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    #[test]
    fn addresses_carry_no_credentials() {
        assert_eq!(server_address(&target("nats://u:pw@h:4333")).ok().as_deref(), Some("nats://h:4333"));
        assert_eq!(server_address(&target("tls://h")).ok().as_deref(), Some("tls://h:4222"));
    }

    #[test]
    fn options_are_checked() {
        assert!(base_options(&target("nats://h?tls=true&tls_ca=/x.pem")).is_ok());
        let unknown = base_options(&target("nats://h?colour=red")).err();
        assert!(unknown.is_some_and(|e| e.message.contains("colour")));
        assert!(base_options(&target("nats://h?tls_cert=/c.pem")).is_err());
        assert!(base_options(&target("nats://h?tls=maybe")).is_err());
    }

    #[test]
    fn a_token_as_user_is_scrubbed() {
        let t = target("nats://s3cr3t-token@h:4222");
        let e = scrub(&t, Error::auth_failed("bad token s3cr3t-token"));
        assert!(!e.message.contains("s3cr3t-token"), "{}", e.message);
    }
}
