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

use async_nats::rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use async_nats::rustls::pki_types::pem::PemObject;
use async_nats::rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use async_nats::rustls::{self, CertificateError, DigitallySignedStruct, SignatureScheme};
use async_nats::{Client, ConnectError, ConnectErrorKind, ConnectOptions};
use dbdock_core::{ConnectionTarget, Error, Result, TlsMode, percent_decode};

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

/// `nats://host:port` or `tls://host:port`, with no credentials in it. TLS mode disable
/// makes a `tls://` URL plain `nats://`.
fn server_address(target: &ConnectionTarget) -> Result<String> {
    let url = target.url().ok_or_else(|| Error::invalid_input(format!("{target} is not a NATS URL")))?;
    let scheme = match url.scheme().to_ascii_lowercase().as_str() {
        "tls" if target.tls().effective_mode() == Some(TlsMode::Disable) => "nats",
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

/// What the URL says about TLS: `tls://` or `tls=true`, `tls_first`, `tls_ca`, `tls_cert`
/// and `tls_key`.
#[derive(Default)]
struct UrlTls {
    required: bool,
    first: bool,
    ca: Option<String>,
    cert: Option<String>,
    key: Option<String>,
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

    let mut url_tls = UrlTls { required: url.scheme().eq_ignore_ascii_case("tls"), ..UrlTls::default() };
    for (name, value) in url.query_pairs() {
        match name.to_ascii_lowercase().as_str() {
            "tls" => url_tls.required |= flag(&name, &value)?,
            "tls_first" | "handshake_first" => url_tls.first |= flag(&name, &value)?,
            "tls_ca" | "ca" => url_tls.ca = Some(value.into_owned()),
            "tls_cert" | "cert" => url_tls.cert = Some(value.into_owned()),
            "tls_key" | "key" => url_tls.key = Some(value.into_owned()),
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
    if url_tls.cert.is_some() != url_tls.key.is_some() {
        return Err(Error::invalid_input("a TLS client certificate needs both tls_cert= and tls_key="));
    }
    with_tls(options, target, url_tls)
}

/// How much of the server's certificate is checked.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Check {
    Nothing,
    /// It chains to the CA; its name is not checked (verify-ca).
    Chain,
    /// It chains to the CA and carries the expected name.
    Full,
}

/// The profile's TLS settings as async-nats's, over the URL's own (docs/network.md):
/// disable drops every TLS option of the URL (a server that demands TLS still gets it,
/// checked as async-nats checks it); every other mode is `require_tls(true)` (async-nats
/// takes TLS only when one side requires it, so prefer is require). A CA file and
/// client certificate are `add_root_certificates` and `add_client_certificate`, with which
/// async-nats checks the certificate and its name against the host it connects to. What
/// async-nats cannot do by itself — no check (prefer, require), the CA without the name
/// (verify-ca), or another name (a TLS server name, or the server's own name behind an SSH
/// tunnel) — is a rustls configuration of DB Dock's own ([`Verifier`]); the last two need
/// the CA file, since the system's roots are only in async-nats's hands.
fn with_tls(options: ConnectOptions, target: &ConnectionTarget, url: UrlTls) -> Result<ConnectOptions> {
    let tls = crate::tls::checked(target)?;
    let check = match tls.effective_mode() {
        // No TLS unless the server demands it (then checked as async-nats checks it).
        None if !(url.required || url.first || url.ca.is_some() || url.cert.is_some() || tls.cert_file.is_some()) => {
            return Ok(options);
        }
        None | Some(TlsMode::VerifyFull) => Check::Full,
        Some(TlsMode::Disable) => return Ok(options),
        Some(TlsMode::Prefer | TlsMode::Require) => Check::Nothing,
        Some(TlsMode::VerifyCa) => Check::Chain,
    };
    let ca = tls.ca_file.clone().or(url.ca);
    let client = match (&tls.cert_file, &tls.key_file) {
        (Some(cert), Some(key)) => Some((cert.clone(), key.clone())),
        _ => url.cert.zip(url.key),
    };
    let mut options = options.require_tls(true);
    if url.first {
        options = options.tls_first();
    }
    let other_name = crate::tls::other_name(target);
    let own_check = match (check, &ca) {
        (Check::Nothing, _) => true,
        (Check::Full, _) if other_name.is_none() => false,
        (_, Some(_)) => true,
        (Check::Chain, None) if other_name.is_none() => false,
        (_, None) => {
            crate::tls::refuse_other_name(
                target,
                "the NATS driver (without a CA file)",
                "give the CA file that signed the server's certificate, or use TLS mode require",
            )?;
            false
        }
    };
    if !own_check {
        // async-nats's own check: the certificate, and its name against the host connected to.
        if let Some(ca) = ca {
            options = options.add_root_certificates(ca.into());
        }
        if let Some((cert, key)) = client {
            options = options.add_client_certificate(cert.into(), key.into());
        }
        return Ok(options);
    }
    let expected = if check == Check::Full { other_name } else { None };
    Ok(options.tls_client_config(Verifier::config(check, ca.as_deref(), expected, client)?))
}

/// A rustls server-certificate check that async-nats cannot configure itself: none at all,
/// the chain without the name, or the chain and another name than the host connected to.
#[derive(Debug)]
struct Verifier {
    /// The CA's check (chain, and the name it is handed); None: nothing is checked.
    chain: Option<Arc<rustls::client::WebPkiServerVerifier>>,
    /// Whether the certificate must carry a name, and which: `expected`, else the host
    /// connected to.
    check_name: bool,
    expected: Option<ServerName<'static>>,
    algorithms: rustls::crypto::WebPkiSupportedAlgorithms,
}

impl Verifier {
    fn config(
        check: Check,
        ca: Option<&str>,
        expected: Option<String>,
        client: Option<(String, String)>,
    ) -> Result<rustls::ClientConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let chain = match (check, ca) {
            (Check::Nothing, _) => None,
            (_, Some(ca)) => {
                let mut roots = rustls::RootCertStore::empty();
                for cert in CertificateDer::pem_slice_iter(&read(ca, "CA file")?) {
                    let cert = cert.map_err(|e| bad_file(ca, "CA file", &e.to_string()))?;
                    roots.add(cert).map_err(|e| bad_file(ca, "CA file", &e.to_string()))?;
                }
                let verifier =
                    rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                        .build()
                        .map_err(|e| bad_file(ca, "CA file", &e.to_string()))?;
                Some(verifier)
            }
            (_, None) => return Err(Error::internal("a certificate check without a CA file")),
        };
        let expected = match expected {
            Some(name) => Some(
                ServerName::try_from(name.clone())
                    .map_err(|_| Error::invalid_input(format!("'{name}' is not a TLS server name")))?,
            ),
            None => None,
        };
        let verifier = Verifier {
            chain,
            check_name: check == Check::Full,
            expected,
            algorithms: provider.signature_verification_algorithms,
        };
        let builder = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::internal(format!("TLS settings: {e}")))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier));
        let Some((cert, key)) = client else { return Ok(builder.with_no_client_auth()) };
        let chain = CertificateDer::pem_slice_iter(&read(&cert, "client certificate")?)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| bad_file(&cert, "client certificate", &e.to_string()))?;
        let private = PrivateKeyDer::from_pem_slice(&read(&key, "client key")?)
            .map_err(|_| bad_file(&key, "client key", "no usable PEM private key"))?;
        builder
            .with_client_auth_cert(chain, private)
            .map_err(|e| bad_file(&cert, "client certificate", &format!("it does not go with the key {key}: {e}")))
    }
}

fn read(path: &str, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::invalid_input(format!("cannot read the TLS {what} {path}: {e}")))
}

fn bad_file(path: &str, what: &str, why: &str) -> Error {
    Error::invalid_input(format!("the TLS {what} {path} is not usable: {why}"))
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let Some(chain) = &self.chain else { return Ok(ServerCertVerified::assertion()) };
        let name = self.expected.as_ref().unwrap_or(server_name);
        // webpki checks the name last, after the chain: a name error means the chain is good.
        match chain.verify_server_cert(end_entity, intermediates, name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if !self.check_name => Ok(ServerCertVerified::assertion()),
            checked => checked,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
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
            "TLS with NATS at {at} failed ({detail}){}; check the CA file or whether the server speaks TLS",
            crate::tls::advice(&detail)
        )),
        ConnectErrorKind::ServerParse => {
            Error::invalid_input(format!("'{target}' is not a valid NATS server address ({detail})"))
        }
        // async-nats reports a certificate rustls refused as an I/O error.
        ConnectErrorKind::Dns | ConnectErrorKind::Io | ConnectErrorKind::MaxReconnects => {
            Error::connection_failed(format!("cannot reach NATS at {at}: {detail}{}", crate::tls::advice(&detail)))
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
    fn tls_settings_win_over_the_url() {
        use dbdock_core::{ErrorCode, TlsOptions};
        let with =
            |url: &str, mode: TlsMode| target(url).with_tls(TlsOptions { mode: Some(mode), ..TlsOptions::default() });
        assert_eq!(server_address(&with("tls://h", TlsMode::Disable)).ok().as_deref(), Some("nats://h:4222"));
        // Through a tunnel: plain needs no name; a check of the name needs the CA file.
        let tunneled = |t: ConnectionTarget| t.through_tunnel(40000).expect("tunnel");
        assert!(base_options(&tunneled(target("nats://h"))).is_ok());
        assert!(base_options(&tunneled(with("nats://h", TlsMode::Require))).is_ok());
        let e = base_options(&tunneled(with("nats://h", TlsMode::VerifyFull))).expect_err("no CA file");
        assert_eq!(e.code, ErrorCode::Unsupported, "{e}");
        assert!(e.message.contains("CA file"), "{e}");
    }

    #[test]
    fn a_token_as_user_is_scrubbed() {
        let t = target("nats://s3cr3t-token@h:4222");
        let e = scrub(&t, Error::auth_failed("bad token s3cr3t-token"));
        assert!(!e.message.contains("s3cr3t-token"), "{}", e.message);
    }
}
