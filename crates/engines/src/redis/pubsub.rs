//! Pub/sub monitors: `channel:` (SUBSCRIBE), `pattern:` and `keyspace:` (PSUBSCRIBE), on a
//! connection of their own that is resubscribed whenever it comes back.

use std::time::Duration;

use dbdock_core::{ConnectionState, ReconnectPolicy, Result, Severity, WatchTarget, payload_as_text};
use futures_util::{FutureExt, StreamExt};
use redis::Msg;
use redis::aio::{PubSubSink, PubSubStream};
use tokio::task::JoinHandle;

use super::client::{CONNECT_TIMEOUT, Server, describe};
use super::keyspace::{self, Setting};
use super::subscription::Subscription;
use crate::Sink;
use crate::reconnect::{lost, reconnect};

/// Messages taken from the driver's queue per wake-up: under a flood, most messages are
/// forwarded without a trip through `select!`, while a stop is still seen within a batch.
const BATCH: usize = 1024;

/// A PING that has not answered in this long means the connection is dead.
const PING_TIMEOUT: Duration = Duration::from_secs(3);

/// The unsubscribe sent on stop is a courtesy: the connection closes right after anyway.
const UNSUBSCRIBE_TIMEOUT: Duration = Duration::from_secs(1);

pub(super) async fn start(
    server: Server,
    what: &WatchTarget,
    sink: Sink,
    policy: ReconnectPolicy,
) -> Result<JoinHandle<()>> {
    let subscription = Subscription::for_target(what, server.db()?)?;
    let mut warnings = Vec::new();
    if let WatchTarget::Keyspace(glob) = what {
        match keyspace::check(&server).await? {
            Setting::On => warnings.extend(keyspace::take_enabled_notice(&server.address())),
            Setting::Off(current) => return Err(keyspace::off_error(&server, glob, &current)),
            // Managed services often disable CONFIG but let notifications be set in their
            // own settings: subscribe anyway, and say why silence may follow.
            Setting::Unknown(why) => warnings.push(format!(
                "cannot check notify-keyspace-events: {why}; if keyspace notifications are off on the server, no \
                 events will arrive"
            )),
        }
    }
    let (commands, messages) = subscribe(&server, &subscription).await?;
    sink.lifecycle(
        ConnectionState::Connected,
        Severity::Info,
        format!("subscribed to {what} on {} ({})", server.address(), subscription.command()),
    );
    for warning in warnings {
        sink.lifecycle(ConnectionState::Connected, Severity::Warning, warning);
    }
    Ok(tokio::spawn(run(server, subscription, commands, messages, sink, policy)))
}

/// A connection in subscriber mode with `subscription` confirmed by the server, split
/// into its command half (subscribe, ping) and its message half.
async fn subscribe(server: &Server, subscription: &Subscription) -> Result<(PubSubSink, PubSubStream)> {
    let mut pubsub = server.pubsub().await?;
    let argument = subscription.argument();
    let confirmed = if subscription.is_pattern() {
        tokio::time::timeout(CONNECT_TIMEOUT, pubsub.psubscribe(&argument)).await
    } else {
        tokio::time::timeout(CONNECT_TIMEOUT, pubsub.subscribe(&argument)).await
    };
    match confirmed {
        Ok(Ok(())) => Ok(pubsub.split()),
        Ok(Err(e)) => Err(server.error(&e).context(subscription.command())),
        Err(_) => Err(dbdock_core::Error::connection_failed(format!(
            "Redis at {} did not confirm {} within {} s",
            server.address(),
            subscription.command(),
            CONNECT_TIMEOUT.as_secs()
        ))),
    }
}

enum Ended {
    Stopped,
    Lost(String),
}

async fn run(
    server: Server,
    subscription: Subscription,
    mut commands: PubSubSink,
    mut messages: PubSubStream,
    sink: Sink,
    policy: ReconnectPolicy,
) {
    loop {
        match forward(&server, &subscription, &mut commands, &mut messages, &sink, policy.health_interval).await {
            Ended::Stopped => {
                unsubscribe(&subscription, &mut commands).await;
                return;
            }
            Ended::Lost(reason) => {
                let (server, subscription) = (&server, &subscription);
                let resubscribe = || subscribe(server, subscription);
                let Some(((new_commands, new_messages), attempts)) =
                    reconnect(&policy, &sink, lost(reason), resubscribe).await
                else {
                    return;
                };
                (commands, messages) = (new_commands, new_messages);
                sink.lifecycle(
                    ConnectionState::Connected,
                    Severity::Info,
                    format!("resubscribed to {} after {attempts} attempt(s)", subscription.command()),
                );
            }
        }
    }
}

/// Forwards messages until the monitor is stopped or the connection is lost. A quiet
/// connection is pinged every `health_interval`: a peer that vanished without closing
/// the socket (a dropped network) is otherwise never noticed.
async fn forward(
    server: &Server,
    subscription: &Subscription,
    commands: &mut PubSubSink,
    messages: &mut PubSubStream,
    sink: &Sink,
    health_interval: Duration,
) -> Ended {
    let closed = || Ended::Lost(format!("the connection to {} closed", server.address()));
    let stopped = sink.stopped();
    tokio::pin!(stopped);
    let health_interval = health_interval.max(Duration::from_millis(100));
    let mut health = tokio::time::interval_at(tokio::time::Instant::now() + health_interval, health_interval);
    health.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            biased;
            () = &mut stopped => return Ended::Stopped,
            message = messages.next() => {
                let Some(message) = message else { return closed() };
                deliver(subscription, sink, &message);
                for _ in 1..BATCH {
                    match messages.next().now_or_never() {
                        Some(Some(message)) => deliver(subscription, sink, &message),
                        Some(None) => return closed(),
                        None => break,
                    }
                }
                // Traffic shows the connection is alive: no need to ping it.
                health.reset();
            }
            _ = health.tick() => {
                tokio::select! {
                    () = &mut stopped => return Ended::Stopped,
                    answer = tokio::time::timeout(PING_TIMEOUT, commands.ping::<redis::Value>()) => match answer {
                        Ok(Ok(_)) => {}
                        Ok(Err(e)) => return Ended::Lost(describe(&e)),
                        Err(_) => return Ended::Lost(format!("no answer to PING within {} s", PING_TIMEOUT.as_secs())),
                    },
                }
            }
        }
    }
}

/// Never blocks: the sink is a bounded ring that drops the oldest when full.
fn deliver(subscription: &Subscription, sink: &Sink, message: &Msg) {
    let name = message.get_channel_name();
    // The driver says `?` for a channel that is not UTF-8: show its bytes instead, as hex.
    let bytes_as_text;
    let name = if name == "?" {
        bytes_as_text = message.get_channel::<Vec<u8>>().map(|b| payload_as_text(&b).into_owned()).unwrap_or_default();
        bytes_as_text.as_str()
    } else {
        name
    };
    let (channel, payload) = subscription.event(name, message.get_payload_bytes());
    sink.message(channel, payload, Vec::new(), None);
}

async fn unsubscribe(subscription: &Subscription, commands: &mut PubSubSink) {
    let argument = subscription.argument();
    let _ = if subscription.is_pattern() {
        tokio::time::timeout(UNSUBSCRIBE_TIMEOUT, commands.punsubscribe(&argument)).await
    } else {
        tokio::time::timeout(UNSUBSCRIBE_TIMEOUT, commands.unsubscribe(&argument)).await
    };
}
