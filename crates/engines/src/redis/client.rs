//! Connections to one Redis server, and its errors in DB Dock's terms (codes, host:port,
//! one line, no password).

use std::time::Duration;

use dbdock_core::{ConnectionTarget, Error, ErrorCode, Result, TlsMode};
use redis::aio::{MultiplexedConnection, PubSub};
use redis::{AsyncConnectionConfig, Client, ClientTlsConfig, ErrorKind, RedisError, ServerErrorKind, TlsCertificates};

use crate::rows::{host_port, one_line};

/// Give up on a connection attempt after this long (the driver's own default is 1 s, too
/// short for a server across the world or busy loading its dataset).
pub(super) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A command that has not answered in this long is taken for a dead connection.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(10);

pub(super) struct Server {
    target: ConnectionTarget,
    client: Client,
    resp3: bool,
}

impl Server {
    /// Every Redis connection DB Dock opens starts here: the URL with the profile's TLS
    /// settings over it ([`client_with_tls`]).
    pub fn open(target: &ConnectionTarget) -> Result<Server> {
        Ok(Server { target: target.clone(), client: client_with_tls(target, false, None)?, resp3: false })
    }

    /// A server whose connections speak RESP3 (Redis 6 and later), where replies say
    /// whether they are maps, sets or doubles: for commands whose replies become rows.
    pub fn open_resp3(target: &ConnectionTarget) -> Result<Server> {
        Ok(Server { target: target.clone(), client: client_with_tls(target, true, None)?, resp3: true })
    }

    /// The same server with another logical database selected (the key browser's 0–15).
    pub fn on_db(&self, db: u32) -> Result<Server> {
        let client = client_with_tls(&self.target, self.resp3, Some(db))?;
        Ok(Server { target: self.target.clone(), client, resp3: self.resp3 })
    }

    /// `host:port`, for messages.
    pub fn address(&self) -> String {
        host_port(&self.target)
    }

    /// The logical database the URL selects (`redis://host/3`), 0 by default.
    pub fn db(&self) -> Result<u32> {
        match self.target.database() {
            None => Ok(0),
            Some(db) => db
                .parse()
                .map_err(|_| Error::invalid_input(format!("'{db}' in {} is not a Redis database number", self.target))),
        }
    }

    /// A connection in subscriber mode.
    pub async fn pubsub(&self) -> Result<PubSub> {
        match tokio::time::timeout(CONNECT_TIMEOUT, self.client.get_async_pubsub()).await {
            Ok(connected) => connected.map_err(|e| self.error(&e)),
            Err(_) => Err(self.connect_timeout()),
        }
    }

    /// A connection for ordinary commands.
    pub async fn connection(&self) -> Result<MultiplexedConnection> {
        self.connect_with(RESPONSE_TIMEOUT).await
    }

    /// A connection for commands that block on the server for up to `block`: its response
    /// timeout is that much longer, so a quiet stream is not mistaken for a dead connection.
    pub async fn blocking_connection(&self, block: Duration) -> Result<MultiplexedConnection> {
        self.connect_with(block + RESPONSE_TIMEOUT).await
    }

    async fn connect_with(&self, response_timeout: Duration) -> Result<MultiplexedConnection> {
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(response_timeout));
        // The driver's own timeout covers the socket; this one also covers the handshake.
        let connect = self.client.get_multiplexed_async_connection_with_config(&config);
        match tokio::time::timeout(CONNECT_TIMEOUT + Duration::from_secs(1), connect).await {
            Ok(connected) => connected.map_err(|e| self.error(&e)),
            Err(_) => Err(self.connect_timeout()),
        }
    }

    fn connect_timeout(&self) -> Error {
        Error::connection_failed(format!(
            "Redis at {} did not answer within {} s",
            self.address(),
            CONNECT_TIMEOUT.as_secs()
        ))
    }

    /// The driver's error with a code a program can switch on and a message a person can act on.
    pub fn error(&self, err: &RedisError) -> Error {
        let text = describe(err);
        let error = match err.kind() {
            // The driver folds every AUTH refusal into this kind, without the server's words.
            ErrorKind::AuthenticationFailed => Error::auth_failed(format!(
                "Redis at {} refused the login: wrong user name or password (or a password was given to a server \
                 that has none)",
                self.address()
            )),
            ErrorKind::Server(ServerErrorKind::NoPerm) => {
                Error::new(ErrorCode::PermissionDenied, format!("the Redis user may not do this (ACL): {text}"))
            }
            ErrorKind::InvalidClientConfig => Error::invalid_input(format!("bad Redis connection settings: {text}")),
            ErrorKind::Io | ErrorKind::Client if err.is_timeout() => {
                Error::connection_failed(format!("Redis at {} did not answer in time: {text}", self.address()))
            }
            ErrorKind::Io => Error::connection_failed(format!(
                "cannot reach Redis at {}: {text}{}",
                self.address(),
                crate::tls::advice(&text)
            )),
            _ => match err.code() {
                Some("WRONGPASS" | "NOAUTH") => {
                    Error::auth_failed(format!("Redis at {} refused the credentials: {text}", self.address()))
                }
                Some("NOPERM") => {
                    Error::new(ErrorCode::PermissionDenied, format!("the Redis user may not do this (ACL): {text}"))
                }
                _ => Error::query_failed(text),
            },
        };
        scrub(error, &self.target)
    }
}

/// The driver's client for `target`, with the profile's TLS settings mapped to the redis
/// crate's over what the URL says (docs/network.md). TLS is the `rediss://` scheme: off for
/// disable, on for every other mode (a Redis port speaks TLS or not, it offers no choice, so
/// prefer is require). Prefer and require do not check the certificate (`#insecure`); verify-ca checks that it chains to the CA but not its name
/// (`danger_accept_invalid_hostnames`). A CA file replaces the system's roots; it and a
/// client certificate go in through `Client::build_with_tls`. The driver checks the name
/// against the host it connects to and takes no other, so verify-full towards another name
/// (a TLS server name, or the server's own name behind an SSH tunnel) is refused.
fn client_with_tls(target: &ConnectionTarget, resp3: bool, db: Option<u32>) -> Result<Client> {
    let tls = crate::tls::checked(target)?;
    let fail = |error: Error| scrub(error, target);
    let mut url = url::Url::parse(target.url_with_secret().expose())
        .map_err(|e| fail(Error::invalid_input(format!("{target} is not a usable Redis URL: {e}"))))?;
    if let Some(db) = db {
        select_db(&mut url, db);
    }
    if resp3 && !url.query_pairs().any(|(k, _)| k == "protocol") {
        url.query_pairs_mut().append_pair("protocol", "resp3");
    }
    let url_tls = matches!(url.scheme(), "rediss" | "valkeys");
    let url_unchecked = url.fragment() == Some("insecure");
    // (TLS, certificate checked, name checked)
    let (on, chain, name) = match tls.effective_mode() {
        None => (url_tls, !url_unchecked, !url_unchecked),
        Some(TlsMode::Disable) => (false, false, false),
        Some(TlsMode::Prefer | TlsMode::Require) => (true, false, false),
        Some(TlsMode::VerifyCa) => (true, true, false),
        Some(TlsMode::VerifyFull) => (true, true, true),
    };
    if !on {
        if tls.cert_file.is_some() {
            return Err(Error::invalid_input(format!(
                "a client certificate needs TLS, which {target} does not use: use rediss:// or a TLS mode"
            )));
        }
        if url_tls {
            let plain = if url.scheme() == "valkeys" { "valkey" } else { "redis" };
            url.set_scheme(plain).map_err(|()| fail(Error::internal("cannot switch the Redis URL to plain text")))?;
        }
        url.set_fragment(None);
        return Client::open(url).map_err(|e| fail(bad_url(target, &e)));
    }
    if !url_tls {
        let secure = if url.scheme() == "valkey" { "valkeys" } else { "rediss" };
        url.set_scheme(secure).map_err(|()| fail(Error::internal("cannot switch the Redis URL to TLS")))?;
    }
    url.set_fragment((!chain).then_some("insecure"));
    if name {
        crate::tls::refuse_other_name(target, "the Redis driver", crate::tls::VERIFY_CA_INSTEAD)?;
    }
    if tls.ca_file.is_none() && tls.cert_file.is_none() && (name || !chain) {
        return Client::open(url).map_err(|e| fail(bad_url(target, &e)));
    }
    let read = |path: &String| {
        std::fs::read(path).map_err(|e| Error::invalid_input(format!("cannot read the TLS file {path}: {e}")))
    };
    let client_tls = match (&tls.cert_file, &tls.key_file) {
        (Some(cert), Some(key)) => Some(ClientTlsConfig { client_cert: read(cert)?, client_key: read(key)? }),
        _ => None,
    };
    let certificates = TlsCertificates { client_tls, root_cert: tls.ca_file.as_ref().map(read).transpose()? };
    let client = Client::build_with_tls(url, certificates).map_err(|e| {
        let files: Vec<&str> =
            [&tls.ca_file, &tls.cert_file, &tls.key_file].into_iter().flatten().map(String::as_str).collect();
        fail(Error::invalid_input(format!(
            "the TLS files {} are not usable for Redis: {}",
            files.join(", "),
            describe(&e)
        )))
    })?;
    if name || !chain {
        return Ok(client);
    }
    // verify-ca: the chain is checked, the name is not.
    let info = client.get_connection_info().clone();
    let mut addr = info.addr().clone();
    addr.set_danger_accept_invalid_hostnames(true);
    Client::open(info.set_addr(addr)).map_err(|e| fail(bad_url(target, &e)))
}

/// The URL's database: the path of a TCP URL (`redis://host/3`), the `db` parameter of a
/// unix socket's (`redis+unix:///run/redis.sock?db=3`).
fn select_db(url: &mut url::Url, db: u32) {
    if url.scheme().contains("unix") {
        let others: Vec<(String, String)> =
            url.query_pairs().filter(|(k, _)| k != "db").map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        url.query_pairs_mut().clear().extend_pairs(others).append_pair("db", &db.to_string());
    } else {
        url.set_path(&format!("/{db}"));
    }
}

fn bad_url(target: &ConnectionTarget, err: &RedisError) -> Error {
    Error::invalid_input(format!("{target} is not a usable Redis URL: {}", describe(err)))
}

/// The driver's text on one line, server errors as the server wrote them (`WRONGTYPE …`).
pub(super) fn describe(err: &RedisError) -> String {
    let text = match (err.code(), err.detail()) {
        (Some(code), Some(detail)) if matches!(err.kind(), ErrorKind::Server(_) | ErrorKind::Extension) => {
            format!("{code} {detail}")
        }
        _ => err.to_string(),
    };
    one_line(&text)
}

fn scrub(error: Error, target: &ConnectionTarget) -> Error {
    match target.password() {
        Some(secret) => error.scrub(secret),
        None => error,
    }
}

/// Whether the error means the connection is gone (as opposed to a command the server refused).
pub(super) fn is_connection_lost(err: &RedisError) -> bool {
    err.is_io_error() || err.is_connection_dropped() || err.is_unrecoverable_error() || err.is_timeout()
}
