//! NATS on async-nats.
//!
//! - Monitors ([`watch`]): `subject:SUBJECT[@QUEUE]` (core subscriptions, `*` and `>`
//!   wildcards, queue groups), `lag:STREAM/CONSUMER` (JetStream consumer lag, polled) and
//!   `kv:BUCKET[/KEY]` (KV watch). Each monitor has a connection of its own, which
//!   async-nats reconnects with the monitor's backoff and resubscribes; its connection
//!   events become the monitor's lifecycle events (`events.rs`).
//! - Calls: [`server_info`] (connect and say what answered: for "test connection"),
//!   [`publish`] (a subject, or a KV put), [`request`] (request/reply with a
//!   timeout), [`stream_lag`], and listings for browsing: [`list_streams`],
//!   [`list_consumers`], [`kv_buckets`], [`kv_keys`], [`kv_get`]. Each opens a connection
//!   for the call and closes it.
//!
//! How a URL becomes a connection (user/password, token, TLS options) is in `connect.rs`.

mod connect;
mod events;
mod jetstream;
mod kv;
mod lag;
mod messaging;
mod subject;
mod subscribe;

use dbdock_core::{ConnectionTarget, Error, Result, WatchTarget};
use tokio::task::JoinHandle;

pub use jetstream::{ConsumerSummary, StreamSummary, list_consumers, list_streams, stream_lag};
pub use kv::{KvBucket, KvEntry, kv_buckets, kv_get, kv_keys};
pub use lag::{LAG_INTERVAL, watch_lag};
pub use messaging::{publish, request};

use crate::{MonitorOptions, Sink};

/// What a NATS server says about itself on connecting.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ServerSummary {
    pub server_id: String,
    pub server_name: String,
    pub version: String,
    pub jetstream: bool,
    /// The cluster the server belongs to, if it is clustered.
    pub cluster: Option<String>,
    pub max_payload: usize,
    pub auth_required: bool,
    pub tls_required: bool,
    /// Round trip of a PING after connecting, in milliseconds.
    pub latency_ms: f64,
}

impl ServerSummary {
    /// `NATS 2.10.4 (JetStream, cluster east)`: what a connection test and the header show.
    pub fn describe(&self) -> String {
        let mut traits = Vec::new();
        if self.jetstream {
            traits.push("JetStream".to_owned());
        }
        if let Some(cluster) = &self.cluster {
            traits.push(format!("cluster {cluster}"));
        }
        if traits.is_empty() {
            format!("NATS {}", self.version)
        } else {
            format!("NATS {} ({})", self.version, traits.join(", "))
        }
    }
}

/// Connects (with the target's credentials) and reports the server: a connection test.
pub async fn server_info(target: &ConnectionTarget) -> Result<ServerSummary> {
    let client = connect::connect(target).await?;
    let started = std::time::Instant::now();
    client.flush().await.map_err(|e| {
        Error::connection_failed(format!("NATS at {} did not answer a PING: {e}", crate::rows::host_port(target)))
    })?;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let info = client.server_info();
    Ok(ServerSummary {
        server_id: info.server_id,
        server_name: info.server_name,
        version: info.version,
        jetstream: info.jetstream,
        cluster: info.cluster.filter(|c| !c.is_empty()),
        max_payload: info.max_payload,
        auth_required: info.auth_required,
        tls_required: info.tls_required,
        latency_ms,
    })
}

/// Starts a monitor's task: connects and subscribes (or reads the first lag, or starts the
/// KV watch) before returning, so a bad subject, an unknown stream or an unreachable
/// server is an error here and not a silent monitor.
pub async fn watch(
    target: &ConnectionTarget,
    what: &WatchTarget,
    sink: Sink,
    options: &MonitorOptions,
) -> Result<JoinHandle<()>> {
    match what {
        WatchTarget::Subject { subject, queue } => {
            subscribe::watch(target, subject, queue.as_deref(), sink, options).await
        }
        WatchTarget::Lag { stream, consumer } => watch_lag(target, stream, consumer, sink, options, LAG_INTERVAL).await,
        WatchTarget::Kv { bucket, key } => kv::watch(target, bucket, key.as_deref(), sink, options).await,
        other => Err(Error::invalid_input(format!(
            "{other} is not a NATS target: use subject:SUBJECT[@QUEUE], lag:STREAM/CONSUMER or kv:BUCKET[/KEY]"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_jetstream_and_the_cluster() {
        let mut info = ServerSummary {
            server_id: "N1".into(),
            server_name: "n1".into(),
            version: "2.10.4".into(),
            jetstream: false,
            cluster: None,
            max_payload: 1 << 20,
            auth_required: false,
            tls_required: false,
            latency_ms: 0.2,
        };
        assert_eq!(info.describe(), "NATS 2.10.4");
        info.jetstream = true;
        info.cluster = Some("east".into());
        assert_eq!(info.describe(), "NATS 2.10.4 (JetStream, cluster east)");
    }
}
