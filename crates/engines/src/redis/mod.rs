//! Redis: one command per call as a [`dbdock_core::Database`] (`commands`, docs/redis.md),
//! and the streaming side: pub/sub channels and patterns, keyspace notifications and
//! stream tails as monitors (README, "Watching live events"), `PUBLISH`/`XADD`, and consumer-group lag.
//!
//! Every monitor keeps its own connection and gets it back through the shared reconnect
//! loop (`src/reconnect.rs`, docs/reconnect-policy.md): a pub/sub
//! connection cannot run other commands, and a blocking `XREAD` holds its connection for
//! the length of the block, so neither can share a multiplexed connection with anything.

use dbdock_core::{ConnectionTarget, ConsumerLag, Error, Result, WatchTarget};
use tokio::task::JoinHandle;

pub(crate) use acl::ReadOnlyAcl;
pub use commands::adapter;

use crate::{MonitorOptions, Published, Sink};

mod acl;
mod browse;
mod client;
mod command_line;
mod commands;
mod keyspace;
mod lag;
mod publish;
mod pubsub;
mod read_list;
mod reply;
mod stream_entry;
mod stream_tail;
mod subscription;
mod values;

/// Connects and subscribes to `what` (or, for a stream, finds where its tail is), then
/// forwards everything that arrives into `sink` from a task until the monitor is stopped.
/// Fails when the first connection or subscription fails.
pub async fn watch(
    target: &ConnectionTarget,
    what: &WatchTarget,
    sink: Sink,
    options: &MonitorOptions,
) -> Result<JoinHandle<()>> {
    let server = client::Server::open(target)?;
    match what {
        WatchTarget::Stream(key) => stream_tail::start(server, key, sink, options.reconnect).await,
        WatchTarget::Channel(_) | WatchTarget::Pattern(_) | WatchTarget::Keyspace(_) => {
            pubsub::start(server, what, sink, options.reconnect).await
        }
        other => Err(Error::invalid_input(format!(
            "'{other}' is not a Redis watch target: use channel:, pattern:, keyspace: or stream:"
        ))),
    }
}

/// `PUBLISH` on a channel (`receivers` is how many subscribers got it) or `XADD` to a
/// stream (the payload as the field `payload`, each header as a field of its own).
pub async fn publish(
    target: &ConnectionTarget,
    what: &WatchTarget,
    payload: &[u8],
    headers: &[(String, String)],
) -> Result<Published> {
    publish::publish(&client::Server::open(target)?, what, payload, headers).await
}

/// `XINFO GROUPS`: one entry per consumer group of `stream`, or only `group` when named.
pub async fn stream_lag(target: &ConnectionTarget, stream: &str, group: Option<&str>) -> Result<Vec<ConsumerLag>> {
    lag::stream_lag(&client::Server::open(target)?, stream, group).await
}

/// Turns keyspace notifications on (`CONFIG SET notify-keyspace-events`), keeping whatever
/// flags the server already had, and returns the previous value so that it can be shown
/// and restored. This changes the server for every client, so callers only call it after
/// the user agreed (`dbdock watch --enable-keyspace-events`); the next `keyspace:` monitor
/// on this server reports it as a warning.
pub async fn enable_keyspace_events(target: &ConnectionTarget) -> Result<String> {
    keyspace::enable(&client::Server::open(target)?).await
}

/// Connects, and reads the server's version from `INFO server`: a connection test.
pub async fn server_version(target: &ConnectionTarget) -> Result<String> {
    let server = client::Server::open(target)?;
    let mut connection = server.connection().await?;
    let info: String =
        redis::cmd("INFO").arg("server").query_async(&mut connection).await.map_err(|e| server.error(&e))?;
    Ok(version_from_info(&info))
}

/// `Redis 7.0.15` from `INFO server`'s text.
fn version_from_info(info: &str) -> String {
    let field = |name: &str| info.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().to_owned());
    // Valkey and KeyDB answer the same INFO; name the one that said so.
    match (field("valkey_version:"), field("redis_version:")) {
        (Some(valkey), _) => format!("Valkey {valkey}"),
        (None, Some(redis)) => format!("Redis {redis}"),
        (None, None) => "Redis (version not reported)".to_owned(),
    }
}
