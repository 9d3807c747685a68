//! Connections to one Redis server, and its errors in DB Dock's terms (codes, host:port,
//! one line, no password).

use std::time::Duration;

use dbdock_core::{ConnectionTarget, Error, ErrorCode, Result};
use redis::aio::{MultiplexedConnection, PubSub};
use redis::{AsyncConnectionConfig, Client, ErrorKind, RedisError, ServerErrorKind};

use crate::rows::{host_port, one_line};

/// Give up on a connection attempt after this long (the driver's own default is 1 s, too
/// short for a server across the world or busy loading its dataset).
pub(super) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A command that has not answered in this long is taken for a dead connection.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(10);

pub(super) struct Server {
    target: ConnectionTarget,
    client: Client,
}

impl Server {
    pub fn open(target: &ConnectionTarget) -> Result<Server> {
        let client = Client::open(target.url_with_secret().expose()).map_err(|e| {
            let error = Error::invalid_input(format!("{target} is not a usable Redis URL: {}", describe(&e)));
            scrub(error, target)
        })?;
        Ok(Server { target: target.clone(), client })
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
            ErrorKind::Io => Error::connection_failed(format!("cannot reach Redis at {}: {text}", self.address())),
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
