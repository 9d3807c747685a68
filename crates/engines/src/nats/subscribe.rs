//! `subject:SUBJECT[@QUEUE]`: a core NATS subscription whose messages go into the monitor
//! as fast as they arrive.
//!
//! Messages can be lost in three places, and each is accounted for:
//! 1. the server drops messages to a client that does not read its socket (server-side
//!    slow consumer): async-nats reads continuously and hands every message on without
//!    waiting, so this needs a stalled process;
//! 2. async-nats drops a message when the subscription's channel is full
//!    ([`SUBSCRIPTION_CAPACITY`]). The forwarder below empties that channel without ever
//!    waiting, so it fills only if the forwarder is starved; when it happens async-nats
//!    emits a slow-consumer event, and the forwarder, once it has caught up, reports the
//!    exact number lost as a lifecycle warning: the connection's received-message counter
//!    (one subscription per monitor connection) minus what it forwarded;
//! 3. the monitor's ring buffer drops its oldest events when the reader falls behind, and
//!    counts them in `MonitorStatus::dropped`.
//!
//! So `published = events_total + client drops (warned)` and
//! `events_total = read + buffered + dropped`.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use async_nats::{Client, Subscriber};
use dbdock_core::{ConnectionState, ConnectionTarget, Result, Severity};
use futures_util::{FutureExt, StreamExt};
use tokio::task::JoinHandle;

use super::connect::{self, SUBSCRIPTION_CAPACITY};
use super::events::Bridge;
use super::subject;
use crate::rows::host_port;
use crate::{MonitorOptions, Sink};

/// Messages forwarded between two looks at the stop signal during a flood.
const STOP_CHECK_EVERY: u64 = 256;

/// How long the server has to confirm a new subscription.
const SUBSCRIBE_CONFIRM: std::time::Duration = std::time::Duration::from_secs(10);

pub(super) async fn watch(
    target: &ConnectionTarget,
    subject_text: &str,
    queue: Option<&str>,
    sink: Sink,
    options: &MonitorOptions,
) -> Result<JoinHandle<()>> {
    subject::check_subscribe(subject_text)?;
    if let Some(queue) = queue {
        subject::check_queue(queue)?;
    }
    let server = host_port(target);
    let bridge = Bridge::new(sink.clone(), server.clone(), true);
    let client = connect::connect_monitored(target, &options.reconnect, &bridge).await?;
    let subscribed = match queue {
        Some(queue) => client.queue_subscribe(subject_text.to_owned(), queue.to_owned()).await,
        None => client.subscribe(subject_text.to_owned()).await,
    };
    let subscriber = subscribed.map_err(|e| {
        connect::scrub(
            target,
            dbdock_core::Error::connection_failed(format!("cannot subscribe to {subject_text}: {e}")),
        )
    })?;
    // `subscribe` only queues the SUB; a flush (PING/PONG) returns once the server has it,
    // so anything published after `watch` returns is seen.
    match tokio::time::timeout(SUBSCRIBE_CONFIRM, client.flush()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            return Err(dbdock_core::Error::connection_failed(format!(
                "NATS at {server} did not confirm the subscription to {subject_text}: {e}"
            )));
        }
        Err(_) => {
            return Err(dbdock_core::Error::timeout(format!(
                "NATS at {server} did not confirm the subscription to {subject_text} within {} s",
                SUBSCRIBE_CONFIRM.as_secs()
            )));
        }
    }
    let group = queue.map(|q| format!(" in queue group {q}")).unwrap_or_default();
    sink.lifecycle(
        ConnectionState::Connected,
        Severity::Info,
        format!("subscribed to {subject_text}{group} on NATS at {server}"),
    );
    Ok(tokio::spawn(Forwarder { client, subscriber, sink, bridge, forwarded: 0, reported_drops: 0 }.run()))
}

struct Forwarder {
    client: Arc<Client>,
    subscriber: Subscriber,
    sink: Sink,
    bridge: Arc<Bridge>,
    /// Messages handed to the sink.
    forwarded: u64,
    /// Client-side drops already reported.
    reported_drops: u64,
}

impl Forwarder {
    async fn run(mut self) {
        // A slow-consumer event was seen and its drops are not yet counted.
        let mut drops_to_count = false;
        // The channel was found empty once since; yielded so that a message async-nats
        // counted a moment ago lands in the channel before the count is taken.
        let mut yielded = false;
        loop {
            // Fast path: take what async-nats has ready without registering for a wake-up
            // or a stop signal each time (a flood is millions of messages a second).
            let next = match self.subscriber.next().now_or_never() {
                Some(next) => next,
                None => {
                    // The channel is empty: every message received so far has been either
                    // forwarded or dropped, so the drops can be counted exactly now.
                    drops_to_count |= self.bridge.take_slow_consumer();
                    if drops_to_count {
                        if !yielded {
                            yielded = true;
                            tokio::task::yield_now().await;
                            continue;
                        }
                        self.report_client_drops();
                        drops_to_count = false;
                    }
                    tokio::select! {
                        biased;
                        () = self.sink.stopped() => break,
                        next = self.subscriber.next() => next,
                    }
                }
            };
            yielded = false;
            let Some(message) = next else {
                // The connection is closed for good (it gave up reconnecting, which the
                // bridge has already said, or the client was closed).
                if !self.sink.is_stopped() && !self.bridge.gave_up() {
                    self.sink.lifecycle(ConnectionState::Error, Severity::Error, "the NATS subscription ended");
                }
                break;
            };
            self.forwarded += 1;
            let headers = super::subject::header_pairs(message.headers.as_ref());
            self.sink.message(message.subject.as_str(), message.payload.into(), headers, None);
            // The fast path does not watch the stop signal: look now and then (it takes a lock).
            if self.forwarded.is_multiple_of(STOP_CHECK_EVERY) && self.sink.is_stopped() {
                break;
            }
        }
        let _ = self.subscriber.unsubscribe().await;
        // The last handle: dropping it closes the connection once the UNSUB is written.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(1), self.client.flush()).await;
    }

    fn report_client_drops(&mut self) {
        let received = self.client.statistics().in_messages.load(Ordering::Acquire);
        let dropped = received.saturating_sub(self.forwarded);
        if dropped <= self.reported_drops {
            return;
        }
        let new = dropped - self.reported_drops;
        self.reported_drops = dropped;
        self.sink.lifecycle(
            self.bridge.state(),
            Severity::Warning,
            format!(
                "slow consumer: the NATS client dropped {new} message(s) ({dropped} in all) before DB Dock could take \
                 them (its buffer holds {SUBSCRIPTION_CAPACITY})"
            ),
        );
    }
}
