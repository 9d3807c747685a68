//! `lag:STREAM/CONSUMER`: a JetStream consumer's lag as a stream of metric events, polled
//! (JetStream has no push notification for consumer state).

use std::sync::Arc;
use std::time::Duration;

use async_nats::Client;
use async_nats::jetstream::{self, consumer};
use dbdock_core::{ConnectionState, ConnectionTarget, ReconnectPolicy, Result, Severity};
use serde_json::json;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use super::events::Bridge;
use super::{connect, jetstream as js};
use crate::reconnect::reconnect_after_give_up;
use crate::rows::host_port;
use crate::{MonitorOptions, Sink};

/// How often `lag:` monitors poll: often enough to watch a backlog drain, rare enough to
/// cost the server nothing.
pub const LAG_INTERVAL: Duration = Duration::from_secs(1);

const MIN_INTERVAL: Duration = Duration::from_millis(10);

/// Watches the lag of `stream`/`consumer`, polling every `every` ([`LAG_INTERVAL`] for
/// `dbdock_engines::watch`). The first poll happens before this returns, so an unknown
/// stream or consumer is an error (NOT_FOUND naming what exists) and the first metric is
/// already in the monitor.
pub async fn watch_lag(
    target: &ConnectionTarget,
    stream: &str,
    consumer: &str,
    sink: Sink,
    options: &MonitorOptions,
    every: Duration,
) -> Result<JoinHandle<()>> {
    // A zero period would make tokio's interval panic; nothing polls faster than this.
    let every = every.max(MIN_INTERVAL);
    let link = Link {
        target: target.clone(),
        stream: stream.to_owned(),
        consumer: consumer.to_owned(),
        sink: sink.clone(),
        policy: options.reconnect,
    };
    let (mut client, mut bridge, info) = link.connect().await?;
    let channel = format!("{stream}/{consumer}");
    sink.lifecycle(
        ConnectionState::Connected,
        Severity::Info,
        format!(
            "polling the lag of consumer {channel} on NATS at {} every {} ms",
            host_port(target),
            every.as_millis()
        ),
    );
    sink.metric(&channel, &lag_metric(&info));

    Ok(tokio::spawn(async move {
        loop {
            // The client is held for the bridge, which flushes through it on a reconnect.
            let context = jetstream::new(Client::clone(&client));
            if poll(&link, &context, &bridge, &channel, every).await == Polled::Stopped {
                return;
            }
            // async-nats gave up reconnecting (the bridge said so: `error`): wait for a retry.
            let closed = bridge.closed_because("the NATS connection closed");
            let again = reconnect_after_give_up(&link.policy, &sink, closed, || link.connect()).await;
            let Some(((new_client, new_bridge, info), attempts)) = again else { return };
            (client, bridge) = (new_client, new_bridge);
            sink.lifecycle(
                ConnectionState::Connected,
                Severity::Info,
                format!("polling the lag of {channel} again after {attempts} attempt(s)"),
            );
            sink.metric(&channel, &lag_metric(&info));
        }
    }))
}

/// The consumer a `lag:` monitor polls, and how to connect for it.
struct Link {
    target: ConnectionTarget,
    stream: String,
    consumer: String,
    sink: Sink,
    policy: ReconnectPolicy,
}

impl Link {
    /// A new monitored connection, and the consumer's first reading.
    async fn connect(&self) -> Result<(Arc<Client>, Arc<Bridge>, consumer::Info)> {
        let bridge = Bridge::new(self.sink.clone(), host_port(&self.target), false, self.policy);
        let client = connect::connect_monitored(&self.target, &bridge).await?;
        let context = jetstream::new(Client::clone(&client));
        let info = js::consumer_info(&context, &self.target, &self.stream, &self.consumer).await?;
        Ok((client, bridge, info))
    }
}

#[derive(PartialEq, Eq)]
enum Polled {
    Stopped,
    /// async-nats gave up reconnecting: this connection is closed for good.
    GaveUp,
}

/// Polls every `every` until the monitor stops or the connection is closed for good.
async fn poll(link: &Link, context: &jetstream::Context, bridge: &Bridge, channel: &str, every: Duration) -> Polled {
    let sink = &link.sink;
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    // After a stall (a reconnect), poll once and carry on rather than in a burst.
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    // The last failure said, so that a failure repeated every second is said once.
    let mut failing: Option<String> = None;
    while !bridge.gave_up() {
        tokio::select! {
            biased;
            () = sink.stopped() => return Polled::Stopped,
            _ = ticker.tick() => {}
        }
        // While reconnecting there is nothing to ask: the reconnect events say why.
        if bridge.state() != ConnectionState::Connected {
            continue;
        }
        let polled = tokio::select! {
            biased;
            () = sink.stopped() => return Polled::Stopped,
            polled = js::consumer_info(context, &link.target, &link.stream, &link.consumer) => polled,
        };
        match polled {
            Ok(info) => {
                if failing.take().is_some() {
                    sink.lifecycle(
                        ConnectionState::Connected,
                        Severity::Info,
                        format!("reading the lag of {channel} again"),
                    );
                }
                sink.metric(channel, &lag_metric(&info));
            }
            // A failure because the connection just went is the reconnect's to tell.
            Err(_) if bridge.state() != ConnectionState::Connected => {}
            Err(error) if failing.as_deref() != Some(error.message.as_str()) => {
                sink.lifecycle(
                    ConnectionState::Connected,
                    Severity::Warning,
                    format!("cannot read the lag of {channel}: {error}"),
                );
                failing = Some(error.message);
            }
            Err(_) => {}
        }
    }
    Polled::GaveUp
}

/// The metric a `lag:` monitor emits: JetStream's own field names.
fn lag_metric(info: &consumer::Info) -> serde_json::Value {
    json!({
        "num_pending": info.num_pending,
        "num_ack_pending": info.num_ack_pending,
        "num_redelivered": info.num_redelivered,
        "delivered_stream_seq": info.delivered.stream_sequence,
        "ack_floor_stream_seq": info.ack_floor.stream_sequence,
    })
}
