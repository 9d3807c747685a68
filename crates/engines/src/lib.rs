//! DB Dock's database adapters: one module per engine, each behind a cargo feature, each
//! implementing [`dbdock_core::Database`].
//!
//! Engines build on `dbdock-core` only. They know nothing of the store, MCP or a window;
//! callers hand them a [`ConnectionTarget`] (with its secret already attached) and
//! [`OpenOptions`], and get a connected [`Database`] back from [`open`].

use std::time::Duration;

use dbdock_core::{ConnectionTarget, ConsumerLag, Database, Engine, Error, Result, WatchTarget};

pub mod demo;
pub mod live;
pub mod monitor;
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
mod pool;
pub mod privileges;
mod reconnect;
mod rows;
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
mod sql;

#[cfg(feature = "mongodb")]
pub mod mongodb;
#[cfg(feature = "mssql")]
pub mod mssql;
#[cfg(feature = "mysql")]
pub mod mysql;
#[cfg(feature = "nats")]
pub mod nats;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "redis")]
pub mod redis;
#[cfg(feature = "sqlite")]
pub mod sqlite;

/// How a connection is opened and what the server is asked to enforce on every statement.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Give up connecting after this long.
    pub connect_timeout: Duration,
    /// The server cancels any statement that runs longer.
    pub statement_timeout: Option<Duration>,
    /// Connections kept for concurrent callers (the desktop app, one MCP session).
    pub max_connections: u32,
    /// Create a SQLite file that does not exist yet (otherwise a missing file is NOT_FOUND,
    /// so a typo does not leave an empty database behind).
    pub create_if_missing: bool,
    /// How many documents a schemaless engine (MongoDB) samples to infer a collection's fields.
    pub schema_sample: u32,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            connect_timeout: Duration::from_secs(10),
            statement_timeout: None,
            max_connections: 4,
            create_if_missing: false,
            schema_sample: 100,
        }
    }
}

impl OpenOptions {
    /// A profile's settings as connection options; `default_timeout` applies when the
    /// profile sets no statement timeout.
    pub fn for_profile(profile: &dbdock_core::Profile, default_timeout: Option<Duration>) -> OpenOptions {
        OpenOptions {
            statement_timeout: profile.timeout_secs.map(Duration::from_secs).or(default_timeout),
            create_if_missing: profile.create_if_missing,
            ..OpenOptions::default()
        }
    }
}

/// Connects to `target` with the engine it names and checks that the server answers.
pub async fn open(target: ConnectionTarget, options: OpenOptions) -> Result<Box<dyn Database>> {
    let db = adapter(target, options)?;
    db.connect().await?;
    Ok(db)
}

/// The engine's adapter for `target`, not yet connected.
pub fn adapter(target: ConnectionTarget, options: OpenOptions) -> Result<Box<dyn Database>> {
    match target.engine() {
        #[cfg(feature = "sqlite")]
        Engine::Sqlite => Ok(Box::new(sqlite::Sqlite::new(target, options)?)),
        #[cfg(feature = "postgres")]
        Engine::Postgres => Ok(Box::new(postgres::Postgres::new(target, options)?)),
        #[cfg(feature = "mysql")]
        Engine::Mysql => Ok(Box::new(mysql::Mysql::new(target, options)?)),
        #[cfg(feature = "mssql")]
        Engine::Mssql => mssql::adapter(target, options),
        #[cfg(feature = "mongodb")]
        Engine::Mongodb => mongodb::adapter(target, options),
        engine => {
            let _ = options;
            Err(Error::unsupported(format!(
                "this build of DB Dock has no {engine} engine (enabled: {})",
                enabled_engines().iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", ")
            )))
        }
    }
}

pub use monitor::{Monitor, MonitorOptions, Sink};

// In a build without the streaming engines most arms below are compiled out.
#[cfg_attr(
    not(all(feature = "redis", feature = "nats", feature = "postgres", feature = "mongodb")),
    allow(unreachable_code, unused_variables)
)]
/// Starts watching `what` on `target`: connects and subscribes, then keeps the
/// subscription alive (reconnecting and resubscribing) until the monitor is stopped. Fails
/// when the first connection or subscription fails, so a typo is an error, not a silence.
pub async fn watch(target: ConnectionTarget, what: WatchTarget, options: MonitorOptions) -> Result<Monitor> {
    what.check_engine(target.engine())?;
    let id = format!("m-{:08x}", fastrand::u32(..));
    let (monitor, sink) = Monitor::new(id, &what, &options);
    let task = match target.engine() {
        #[cfg(feature = "redis")]
        Engine::Redis => redis::watch(&target, &what, sink, &options).await?,
        #[cfg(feature = "nats")]
        Engine::Nats => nats::watch(&target, &what, sink, &options).await?,
        #[cfg(feature = "postgres")]
        Engine::Postgres => postgres::listen::watch(&target, &what, sink, &options).await?,
        #[cfg(feature = "mongodb")]
        Engine::Mongodb => mongodb::changes::watch(&target, &what, sink, &options).await?,
        other => return Err(not_built(other)),
    };
    Ok(monitor.running(task))
}

/// What a publish reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Published {
    /// Subscribers that received it, where the server says (Redis `PUBLISH`); NATS does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receivers: Option<u64>,
    /// The stream sequence or entry id, when the target was a stream.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u64>,
}

/// A reply to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub subject: String,
    pub payload: Vec<u8>,
    pub headers: Vec<(String, String)>,
}

#[cfg_attr(not(all(feature = "redis", feature = "nats", feature = "postgres")), allow(unused_variables))]
/// Publishes `payload` on a channel (Redis), subject (NATS), stream (Redis `XADD`, with
/// `headers` as the entry's fields besides `payload`) or notify channel (PostgreSQL).
pub async fn publish(
    target: &ConnectionTarget,
    what: &WatchTarget,
    payload: &[u8],
    headers: &[(String, String)],
) -> Result<Published> {
    what.check_engine(target.engine())?;
    match target.engine() {
        #[cfg(feature = "redis")]
        Engine::Redis => redis::publish(target, what, payload, headers).await,
        #[cfg(feature = "nats")]
        Engine::Nats => nats::publish(target, what, payload, headers).await,
        #[cfg(feature = "postgres")]
        Engine::Postgres => postgres::listen::publish(target, what, payload).await,
        other => Err(Error::unsupported(format!("publishing is not supported on {other} connections"))),
    }
}

/// Sends a request and waits up to `timeout` for its reply (NATS request/reply).
pub async fn request(
    target: &ConnectionTarget,
    what: &WatchTarget,
    payload: &[u8],
    headers: &[(String, String)],
    timeout: Duration,
) -> Result<Reply> {
    what.check_engine(target.engine())?;
    match target.engine() {
        #[cfg(feature = "nats")]
        Engine::Nats => nats::request(target, what, payload, headers, timeout).await,
        other => {
            let _ = (payload, headers, timeout);
            Err(Error::unsupported(format!("request/reply is a NATS feature; this connection is {other}")))
        }
    }
}

/// How far consumers are behind: a JetStream stream's consumers (or one), or a Redis
/// stream's consumer groups (or one).
pub async fn stream_lag(target: &ConnectionTarget, stream: &str, consumer: Option<&str>) -> Result<Vec<ConsumerLag>> {
    match target.engine() {
        #[cfg(feature = "redis")]
        Engine::Redis => redis::stream_lag(target, stream, consumer).await,
        #[cfg(feature = "nats")]
        Engine::Nats => nats::stream_lag(target, stream, consumer).await,
        other => {
            let _ = (stream, consumer);
            Err(Error::unsupported(format!(
                "stream lag is for NATS JetStream and Redis streams; this connection is {other}"
            )))
        }
    }
}

fn not_built(engine: Engine) -> Error {
    Error::unsupported(format!(
        "this build of DB Dock cannot watch {engine} connections (enabled: {})",
        enabled_engines().iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", ")
    ))
}

/// The engines compiled into this build.
pub fn enabled_engines() -> Vec<Engine> {
    Engine::ALL
        .into_iter()
        .filter(|e| {
            (*e == Engine::Sqlite && cfg!(feature = "sqlite"))
                || (*e == Engine::Postgres && cfg!(feature = "postgres"))
                || (*e == Engine::Mysql && cfg!(feature = "mysql"))
                || (*e == Engine::Mssql && cfg!(feature = "mssql"))
                || (*e == Engine::Mongodb && cfg!(feature = "mongodb"))
                || (*e == Engine::Redis && cfg!(feature = "redis"))
                || (*e == Engine::Nats && cfg!(feature = "nats"))
        })
        .collect()
}
