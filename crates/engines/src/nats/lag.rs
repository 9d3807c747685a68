//! `lag:STREAM/CONSUMER`: a JetStream consumer's lag as a stream of metric events, polled
//! (JetStream has no push notification for consumer state).

use std::time::Duration;

use async_nats::Client;
use async_nats::jetstream::{self, consumer};
use dbdock_core::{ConnectionState, ConnectionTarget, Result, Severity};
use serde_json::json;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use super::events::Bridge;
use super::{connect, jetstream as js};
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
    let bridge = Bridge::new(sink.clone(), host_port(target), false);
    let client = connect::connect_monitored(target, &options.reconnect, &bridge).await?;
    let context = jetstream::new(Client::clone(&client));
    let info = js::consumer_info(&context, target, stream, consumer).await?;
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

    let (target, stream, consumer) = (target.clone(), stream.to_owned(), consumer.to_owned());
    Ok(tokio::spawn(async move {
        // Held for the bridge, which flushes through it on a reconnect.
        let _client = client;
        let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        // After a stall (a reconnect), poll once and carry on rather than in a burst.
        ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
        // The last failure said, so that a failure repeated every second is said once.
        let mut failing: Option<String> = None;
        // Once async-nats has given up reconnecting (the bridge said so), polling is over.
        while !bridge.gave_up() {
            tokio::select! {
                biased;
                () = sink.stopped() => break,
                _ = ticker.tick() => {}
            }
            let polled = tokio::select! {
                biased;
                () = sink.stopped() => break,
                polled = js::consumer_info(&context, &target, &stream, &consumer) => polled,
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
                    sink.metric(&channel, &lag_metric(&info));
                }
                Err(error) if failing.as_deref() != Some(error.message.as_str()) => {
                    sink.lifecycle(
                        bridge.state(),
                        Severity::Warning,
                        format!("cannot read the lag of {channel}: {error}"),
                    );
                    failing = Some(error.message);
                }
                Err(_) => {}
            }
        }
    }))
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
