//! DB Dock's database adapters: one module per engine, each behind a cargo feature, each
//! implementing [`dbdock_core::Database`].
//!
//! Engines build on `dbdock-core` only. They know nothing of the store, MCP or a window;
//! callers hand them a [`ConnectionTarget`] (with its secret already attached) and
//! [`OpenOptions`], and get a connected [`Database`] back from [`open`].

use std::time::Duration;

use dbdock_core::{
    ConnectionTarget, ConsumerLag, Database, Error, GroupDetail, OffsetReset, OffsetResetPlan, Result, TopicCatalog,
    WatchTarget,
};

#[cfg(feature = "sqlite")]
pub use sqlite::demo;
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql", feature = "mssql"))]
mod changes;
pub mod discover;
pub mod live;
pub mod monitor;
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
mod pool;
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
mod preview;
pub mod privileges;
mod reconnect;
mod registry;
mod rows;
mod shell;
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
mod sql;
#[cfg(any(
    feature = "postgres",
    feature = "mysql",
    feature = "mssql",
    feature = "mongodb",
    feature = "redis",
    feature = "nats",
    feature = "kafka"
))]
mod tls;

#[cfg(feature = "kafka")]
mod kafka;
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
    registry::database(target.engine())?(target, options)
}

pub use monitor::{LifecycleObserver, Monitor, MonitorOptions, Sink};
pub use registry::{Probe, Registration, Streaming, enabled_engines, not_on, probe, registration};

/// Starts watching `what` on `target`: connects and subscribes, then keeps the
/// subscription alive (reconnecting and resubscribing) until the monitor is stopped. Fails
/// when the first connection or subscription fails, so a typo is an error, not a silence.
pub async fn watch(target: ConnectionTarget, what: WatchTarget, options: MonitorOptions) -> Result<Monitor> {
    let what = what.for_engine(target.engine())?;
    what.check_engine(target.engine())?;
    let streaming = registry::streaming(target.engine(), "watching")?;
    let id = format!("m-{:08x}", fastrand::u32(..));
    let (monitor, sink) = Monitor::new(id, &what, &options);
    let task = streaming.watch(&target, &what, sink, &options).await?;
    Ok(monitor.running(task))
}

/// What a publish reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Published {
    /// Subscribers that received it, where the server says (Redis `PUBLISH`); NATS does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receivers: Option<u64>,
    /// The stream sequence or entry id, when the target was a stream; a Kafka offset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u64>,
    /// The Kafka partition the message went to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition: Option<i32>,
}

/// Where in a partitioned log a published message goes (Kafka): its key, which picks
/// the partition unless one is given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Routing {
    pub key: Option<String>,
    pub partition: Option<i32>,
}

impl Routing {
    /// Refuses a key or partition on an engine without either.
    pub fn refuse_on(&self, engine: dbdock_core::Engine) -> Result<()> {
        if *self == Routing::default() {
            return Ok(());
        }
        Err(Error::invalid_input(format!("{} messages have no key or partition; only Kafka's do", engine.spec().label)))
    }
}

/// A reply to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub subject: String,
    pub payload: Vec<u8>,
    pub headers: Vec<(String, String)>,
}

/// Publishes `payload` on a channel (Redis), subject (NATS), stream (Redis `XADD`, with
/// `headers` as the entry's fields besides `payload`) or notify channel (PostgreSQL).
pub async fn publish(
    target: &ConnectionTarget,
    what: &WatchTarget,
    payload: &[u8],
    headers: &[(String, String)],
    routing: &Routing,
) -> Result<Published> {
    let what = what.clone().for_engine(target.engine())?;
    what.check_engine(target.engine())?;
    registry::streaming(target.engine(), "publishing")?.publish(target, &what, payload, headers, routing).await
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
    registry::streaming(target.engine(), "request/reply")?.request(target, what, payload, headers, timeout).await
}

/// How far consumers are behind: a JetStream stream's consumers (or one), a Redis
/// stream's consumer groups (or one), or the Kafka groups of a topic (or one group, on a
/// topic or on every topic it committed on), a row per partition.
pub async fn stream_lag(target: &ConnectionTarget, stream: &str, consumer: Option<&str>) -> Result<Vec<ConsumerLag>> {
    registry::streaming(target.engine(), "stream lag")?.stream_lag(target, stream, consumer).await
}

/// Brokers, topics and consumer groups of a Kafka cluster.
pub async fn topic_catalog(target: &ConnectionTarget) -> Result<TopicCatalog> {
    registry::streaming(target.engine(), "consumer groups")?.topic_catalog(target).await
}

/// One consumer group: its lag per partition, and its members where the broker says.
pub async fn consumer_group(target: &ConnectionTarget, group: &str, topic: Option<&str>) -> Result<GroupDetail> {
    registry::streaming(target.engine(), "consumer groups")?.consumer_group(target, group, topic).await
}

/// What resetting a group's offsets would do (`apply` false), or does.
pub async fn reset_offsets(target: &ConnectionTarget, reset: &OffsetReset, apply: bool) -> Result<OffsetResetPlan> {
    registry::streaming(target.engine(), "consumer groups")?.reset_offsets(target, reset, apply).await
}
