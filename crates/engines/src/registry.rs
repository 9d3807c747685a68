//! One registration per engine: how to open it as a [`Database`] and what its streaming
//! side does. Every entry point of this crate (`adapter`, `watch`, `publish`, `request`,
//! `stream_lag`, `probe`) is a lookup here, so no caller chooses by engine name, and an
//! engine left out of the build answers with one typed `UNSUPPORTED` error. What an
//! engine *can* do is its [`dbdock_core::EngineSpec`]; this is how it does it.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use dbdock_core::{
    ConnectionTarget, ConsumerLag, Database, Engine, Error, GroupDetail, OffsetReset, OffsetResetPlan, Result,
    TopicCatalog, WatchTarget,
};
use tokio::task::JoinHandle;

use crate::privileges::ReadOnlyLogins;
use crate::{MonitorOptions, OpenOptions, Published, Reply, Routing, Sink};

/// Opens an engine's adapter, not yet connected.
pub type OpenDatabase = fn(ConnectionTarget, OpenOptions) -> Result<Box<dyn Database>>;

/// The live-events side of an engine. Each default says "not on this engine" in a typed
/// error; an engine overrides what its capabilities promise.
#[async_trait]
pub trait Streaming: Send + Sync {
    fn engine(&self) -> Engine;

    /// Connects, asks the server what it is, and lets go: a connection test.
    async fn server_version(&self, target: &ConnectionTarget) -> Result<String>;

    /// Subscribes and returns the task that feeds `sink` until the monitor stops.
    async fn watch(
        &self,
        target: &ConnectionTarget,
        what: &WatchTarget,
        sink: Sink,
        options: &MonitorOptions,
    ) -> Result<JoinHandle<()>> {
        let _ = (target, what, sink, options);
        Err(not_on(self.engine(), "watching"))
    }

    /// Publishes one message; `routing` (a key, a partition) is for engines that take one.
    async fn publish(
        &self,
        target: &ConnectionTarget,
        what: &WatchTarget,
        payload: &[u8],
        headers: &[(String, String)],
        routing: &Routing,
    ) -> Result<Published> {
        let _ = (target, what, payload, headers, routing);
        Err(not_on(self.engine(), "publishing"))
    }

    async fn request(
        &self,
        target: &ConnectionTarget,
        what: &WatchTarget,
        payload: &[u8],
        headers: &[(String, String)],
        timeout: Duration,
    ) -> Result<Reply> {
        let _ = (target, what, payload, headers, timeout);
        Err(not_on(self.engine(), "request/reply"))
    }

    async fn stream_lag(
        &self,
        target: &ConnectionTarget,
        stream: &str,
        consumer: Option<&str>,
    ) -> Result<Vec<ConsumerLag>> {
        let _ = (target, stream, consumer);
        Err(not_on(self.engine(), "stream lag"))
    }

    /// Brokers, topics and consumer groups.
    async fn topic_catalog(&self, target: &ConnectionTarget) -> Result<TopicCatalog> {
        let _ = target;
        Err(not_on(self.engine(), "consumer groups"))
    }

    /// One consumer group: members where known, lag per partition (of `topic`, or of
    /// every topic it committed on).
    async fn consumer_group(&self, target: &ConnectionTarget, group: &str, topic: Option<&str>) -> Result<GroupDetail> {
        let _ = (target, group, topic);
        Err(not_on(self.engine(), "consumer groups"))
    }

    /// The plan of an offset reset, and with `apply` the reset itself.
    async fn reset_offsets(
        &self,
        target: &ConnectionTarget,
        reset: &OffsetReset,
        apply: bool,
    ) -> Result<OffsetResetPlan> {
        let _ = (target, reset, apply);
        Err(not_on(self.engine(), "consumer groups"))
    }
}

/// How one engine is reached.
pub struct Registration {
    pub engine: Engine,
    pub database: Option<OpenDatabase>,
    pub streaming: Option<&'static dyn Streaming>,
    /// How it makes a read-only login for AI clients (docs/safety.md, "least privilege").
    pub logins: Option<&'static dyn ReadOnlyLogins>,
}

/// The typed refusal for a feature an engine does not have, naming those that do.
pub fn not_on(engine: Engine, feature: &str) -> Error {
    let which = |c: &dbdock_core::Capabilities| match feature {
        "watching" => c.watch,
        "publishing" => c.publish,
        "request/reply" => c.request,
        "stream lag" => c.stream_lag,
        "explain" => c.explain,
        "consumer groups" => c.consumer_groups,
        _ => c.query.is_some(),
    };
    Error::unsupported(format!(
        "{feature} is not available on {} connections; it is on {}",
        engine.spec().label,
        Engine::labels_where(which)
    ))
}

/// The registration of `engine`, or why this build has none.
pub fn registration(engine: Engine) -> Result<&'static Registration> {
    REGISTERED.iter().find(|r| r.engine == engine).ok_or_else(|| {
        Error::unsupported(format!(
            "this build of DB Dock has no {} engine (it has: {})",
            engine.spec().label,
            enabled_engines().iter().map(|e| e.spec().label).collect::<Vec<_>>().join(", ")
        ))
    })
}

/// The engines compiled into this build.
pub fn enabled_engines() -> Vec<Engine> {
    REGISTERED.iter().map(|r| r.engine).collect()
}

pub(crate) fn database(engine: Engine) -> Result<OpenDatabase> {
    registration(engine)?.database.ok_or_else(|| not_on(engine, "running statements"))
}

pub(crate) fn streaming(engine: Engine, feature: &str) -> Result<&'static dyn Streaming> {
    registration(engine)?.streaming.ok_or_else(|| not_on(engine, feature))
}

/// What a connection test found.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Probe {
    pub engine: Engine,
    pub server_version: String,
    /// Connecting plus the first answer, in milliseconds.
    pub latency_ms: f64,
}

/// Connects to `target` afresh (no pool, no cache), asks the server its version, and
/// disconnects: whether the settings work now, for every engine.
pub async fn probe(target: ConnectionTarget, options: OpenOptions) -> Result<Probe> {
    let engine = target.engine();
    let started = Instant::now();
    let registration = registration(engine)?;
    let server_version = match (registration.database, registration.streaming) {
        (Some(open), _) => {
            let db = open(target, options)?;
            db.connect().await?;
            let version = db.server_version().await;
            db.disconnect().await;
            version?
        }
        (None, Some(streaming)) => {
            tokio::time::timeout(options.connect_timeout, streaming.server_version(&target)).await.map_err(|_| {
                Error::connection_failed(format!(
                    "{} at {} did not answer within {} s",
                    engine.spec().label,
                    target.redacted(),
                    options.connect_timeout.as_secs()
                ))
            })??
        }
        (None, None) => return Err(not_on(engine, "connecting")),
    };
    Ok(Probe { engine, server_version, latency_ms: started.elapsed().as_secs_f64() * 1000.0 })
}

const REGISTERED: &[Registration] = &[
    #[cfg(feature = "sqlite")]
    Registration {
        engine: Engine::Sqlite,
        database: Some(|t, o| Ok(Box::new(crate::sqlite::Sqlite::new(t, o)?))),
        streaming: None,
        logins: None,
    },
    #[cfg(feature = "postgres")]
    Registration {
        engine: Engine::Postgres,
        database: Some(|t, o| Ok(Box::new(crate::postgres::Postgres::new(t, o)?))),
        streaming: Some(&PostgresNotify),
        logins: Some(&crate::postgres::privileges::Logins),
    },
    #[cfg(feature = "mysql")]
    Registration {
        engine: Engine::Mysql,
        database: Some(|t, o| Ok(Box::new(crate::mysql::Mysql::new(t, o)?))),
        streaming: None,
        logins: Some(&crate::mysql::privileges::Logins),
    },
    #[cfg(feature = "mssql")]
    Registration {
        engine: Engine::Mssql,
        database: Some(crate::mssql::adapter),
        streaming: None,
        logins: Some(&crate::privileges::MssqlLogins),
    },
    #[cfg(feature = "mongodb")]
    Registration {
        engine: Engine::Mongodb,
        database: Some(crate::mongodb::adapter),
        streaming: Some(&MongoChanges),
        logins: Some(&crate::privileges::MongodbLogins),
    },
    #[cfg(feature = "redis")]
    Registration {
        engine: Engine::Redis,
        database: Some(crate::redis::adapter),
        streaming: Some(&Redis),
        logins: Some(&crate::redis::ReadOnlyAcl),
    },
    #[cfg(feature = "nats")]
    Registration { engine: Engine::Nats, database: None, streaming: Some(&Nats), logins: None },
    #[cfg(feature = "kafka")]
    Registration { engine: Engine::Kafka, database: None, streaming: Some(&Kafka), logins: None },
];

#[cfg(feature = "postgres")]
struct PostgresNotify;

#[cfg(feature = "postgres")]
#[async_trait]
impl Streaming for PostgresNotify {
    fn engine(&self) -> Engine {
        Engine::Postgres
    }
    async fn server_version(&self, target: &ConnectionTarget) -> Result<String> {
        let db = crate::postgres::Postgres::new(target.clone(), OpenOptions::default())?;
        db.connect().await?;
        let version = db.server_version().await;
        db.disconnect().await;
        version
    }
    async fn watch(
        &self,
        target: &ConnectionTarget,
        what: &WatchTarget,
        sink: Sink,
        options: &MonitorOptions,
    ) -> Result<JoinHandle<()>> {
        crate::postgres::listen::watch(target, what, sink, options).await
    }
    async fn publish(
        &self,
        target: &ConnectionTarget,
        what: &WatchTarget,
        payload: &[u8],
        _headers: &[(String, String)],
        routing: &Routing,
    ) -> Result<Published> {
        routing.refuse_on(Engine::Postgres)?;
        crate::postgres::listen::publish(target, what, payload).await
    }
}

#[cfg(feature = "mongodb")]
struct MongoChanges;

#[cfg(feature = "mongodb")]
#[async_trait]
impl Streaming for MongoChanges {
    fn engine(&self) -> Engine {
        Engine::Mongodb
    }
    async fn server_version(&self, target: &ConnectionTarget) -> Result<String> {
        let db = crate::mongodb::adapter(target.clone(), OpenOptions::default())?;
        db.connect().await?;
        let version = db.server_version().await;
        db.disconnect().await;
        version
    }
    async fn watch(
        &self,
        target: &ConnectionTarget,
        what: &WatchTarget,
        sink: Sink,
        options: &MonitorOptions,
    ) -> Result<JoinHandle<()>> {
        crate::mongodb::changes::watch(target, what, sink, options).await
    }
}

#[cfg(feature = "redis")]
struct Redis;

#[cfg(feature = "redis")]
#[async_trait]
impl Streaming for Redis {
    fn engine(&self) -> Engine {
        Engine::Redis
    }
    async fn server_version(&self, target: &ConnectionTarget) -> Result<String> {
        crate::redis::server_version(target).await
    }
    async fn watch(
        &self,
        target: &ConnectionTarget,
        what: &WatchTarget,
        sink: Sink,
        options: &MonitorOptions,
    ) -> Result<JoinHandle<()>> {
        crate::redis::watch(target, what, sink, options).await
    }
    async fn publish(
        &self,
        target: &ConnectionTarget,
        what: &WatchTarget,
        payload: &[u8],
        headers: &[(String, String)],
        routing: &Routing,
    ) -> Result<Published> {
        routing.refuse_on(Engine::Redis)?;
        crate::redis::publish(target, what, payload, headers).await
    }
    async fn stream_lag(
        &self,
        target: &ConnectionTarget,
        stream: &str,
        consumer: Option<&str>,
    ) -> Result<Vec<ConsumerLag>> {
        crate::redis::stream_lag(target, stream, consumer).await
    }
}

#[cfg(feature = "nats")]
struct Nats;

#[cfg(feature = "nats")]
#[async_trait]
impl Streaming for Nats {
    fn engine(&self) -> Engine {
        Engine::Nats
    }
    async fn server_version(&self, target: &ConnectionTarget) -> Result<String> {
        let info = crate::nats::server_info(target).await?;
        Ok(info.describe())
    }
    async fn watch(
        &self,
        target: &ConnectionTarget,
        what: &WatchTarget,
        sink: Sink,
        options: &MonitorOptions,
    ) -> Result<JoinHandle<()>> {
        crate::nats::watch(target, what, sink, options).await
    }
    async fn publish(
        &self,
        target: &ConnectionTarget,
        what: &WatchTarget,
        payload: &[u8],
        headers: &[(String, String)],
        routing: &Routing,
    ) -> Result<Published> {
        routing.refuse_on(Engine::Nats)?;
        crate::nats::publish(target, what, payload, headers).await
    }
    async fn request(
        &self,
        target: &ConnectionTarget,
        what: &WatchTarget,
        payload: &[u8],
        headers: &[(String, String)],
        timeout: Duration,
    ) -> Result<Reply> {
        crate::nats::request(target, what, payload, headers, timeout).await
    }
    async fn stream_lag(
        &self,
        target: &ConnectionTarget,
        stream: &str,
        consumer: Option<&str>,
    ) -> Result<Vec<ConsumerLag>> {
        crate::nats::stream_lag(target, stream, consumer).await
    }
}

#[cfg(feature = "kafka")]
struct Kafka;

#[cfg(feature = "kafka")]
#[async_trait]
impl Streaming for Kafka {
    fn engine(&self) -> Engine {
        Engine::Kafka
    }
    async fn server_version(&self, target: &ConnectionTarget) -> Result<String> {
        crate::kafka::server_version(target).await
    }
    async fn watch(
        &self,
        target: &ConnectionTarget,
        what: &WatchTarget,
        sink: Sink,
        options: &MonitorOptions,
    ) -> Result<JoinHandle<()>> {
        crate::kafka::watch(target, what, sink, options).await
    }
    async fn publish(
        &self,
        target: &ConnectionTarget,
        what: &WatchTarget,
        payload: &[u8],
        headers: &[(String, String)],
        routing: &Routing,
    ) -> Result<Published> {
        crate::kafka::publish(target, what, payload, headers, routing).await
    }
    async fn stream_lag(
        &self,
        target: &ConnectionTarget,
        stream: &str,
        consumer: Option<&str>,
    ) -> Result<Vec<ConsumerLag>> {
        crate::kafka::stream_lag(target, stream, consumer).await
    }
    async fn topic_catalog(&self, target: &ConnectionTarget) -> Result<TopicCatalog> {
        crate::kafka::topic_catalog(target).await
    }
    async fn consumer_group(&self, target: &ConnectionTarget, group: &str, topic: Option<&str>) -> Result<GroupDetail> {
        crate::kafka::consumer_group(target, group, topic).await
    }
    async fn reset_offsets(
        &self,
        target: &ConnectionTarget,
        reset: &OffsetReset,
        apply: bool,
    ) -> Result<OffsetResetPlan> {
        crate::kafka::reset_offsets(target, reset, apply).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_registration_matches_its_capabilities() {
        for engine in enabled_engines() {
            let (registration, caps) = (registration(engine).ok(), engine.capabilities());
            let Some(registration) = registration else { continue };
            assert_eq!(registration.database.is_some(), caps.query.is_some(), "{engine}");
            assert_eq!(registration.streaming.is_some_and(|s| s.engine() == engine), caps.watch, "{engine}");
            // Every engine that can make a read-only login has logins to plan one on.
            assert!(!caps.creates_read_only_login || registration.logins.is_some(), "{engine}");
        }
    }

    #[test]
    fn a_missing_feature_is_a_typed_refusal_naming_who_has_it() {
        let e = not_on(Engine::Sqlite, "request/reply");
        assert_eq!(e.code, dbdock_core::ErrorCode::Unsupported);
        assert!(e.message.contains("SQLite") && e.message.contains("NATS"), "{}", e.message);
    }
}
