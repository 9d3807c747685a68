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
use dbdock_core::{ConnectionState, ConnectionTarget, ReconnectPolicy, Result, Severity};
use futures_util::{FutureExt, StreamExt};
use tokio::task::JoinHandle;

use super::connect::{self, SUBSCRIPTION_CAPACITY};
use super::events::Bridge;
use super::subject;
use crate::reconnect::reconnect_after_give_up;
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
    let link = Link {
        target: target.clone(),
        subject: subject_text.to_owned(),
        queue: queue.map(str::to_owned),
        sink: sink.clone(),
        policy: options.reconnect,
    };
    let (client, subscriber, bridge) = link.subscribe().await?;
    sink.lifecycle(ConnectionState::Connected, Severity::Info, link.subscribed(None));
    Ok(tokio::spawn(Forwarder { link, client, subscriber, sink, bridge, forwarded: 0, reported_drops: 0 }.run()))
}

/// What a subject monitor subscribes to, and how: for the first connection, and for a
/// new one after async-nats gave up reconnecting and the monitor was retried.
struct Link {
    target: ConnectionTarget,
    subject: String,
    queue: Option<String>,
    sink: Sink,
    policy: ReconnectPolicy,
}

impl Link {
    /// A new monitored connection with the subscription confirmed by the server.
    async fn subscribe(&self) -> Result<(Arc<Client>, Subscriber, Arc<Bridge>)> {
        let server = host_port(&self.target);
        let bridge = Bridge::new(self.sink.clone(), server.clone(), true, self.policy);
        let client = connect::connect_monitored(&self.target, &bridge).await?;
        let subscribed = match &self.queue {
            Some(queue) => client.queue_subscribe(self.subject.clone(), queue.clone()).await,
            None => client.subscribe(self.subject.clone()).await,
        };
        let subscriber = subscribed.map_err(|e| {
            connect::scrub(
                &self.target,
                dbdock_core::Error::connection_failed(format!("cannot subscribe to {}: {e}", self.subject)),
            )
        })?;
        // `subscribe` only queues the SUB; a flush (PING/PONG) returns once the server has it,
        // so anything published after `watch` returns is seen.
        match tokio::time::timeout(SUBSCRIBE_CONFIRM, client.flush()).await {
            Ok(Ok(())) => Ok((client, subscriber, bridge)),
            Ok(Err(e)) => Err(dbdock_core::Error::connection_failed(format!(
                "NATS at {server} did not confirm the subscription to {}: {e}",
                self.subject
            ))),
            Err(_) => Err(dbdock_core::Error::timeout(format!(
                "NATS at {server} did not confirm the subscription to {} within {} s",
                self.subject,
                SUBSCRIBE_CONFIRM.as_secs()
            ))),
        }
    }

    fn subscribed(&self, attempts: Option<u32>) -> String {
        let group = self.queue.as_ref().map(|q| format!(" in queue group {q}")).unwrap_or_default();
        let again = attempts.map(|n| format!(" again after {n} attempt(s)")).unwrap_or_default();
        format!("subscribed to {}{group} on NATS at {}{again}", self.subject, host_port(&self.target))
    }
}

struct Forwarder {
    link: Link,
    client: Arc<Client>,
    subscriber: Subscriber,
    sink: Sink,
    bridge: Arc<Bridge>,
    /// Messages handed to the sink, on this client.
    forwarded: u64,
    /// Client-side drops already reported, on this client.
    reported_drops: u64,
}

/// Why forwarding ended.
enum Ended {
    Stopped,
    /// The subscription ended: async-nats gave up reconnecting, or the connection closed.
    Closed,
}

impl Forwarder {
    async fn run(mut self) {
        loop {
            match self.forward().await {
                Ended::Stopped => break,
                Ended::Closed => {
                    // In `error` now (the bridge said so when the attempts ran out): nothing
                    // more is tried until the monitor is retried, then on a fresh schedule.
                    let closed = self.bridge.closed_because("the NATS subscription ended");
                    if !self.bridge.gave_up() {
                        self.sink.lifecycle(ConnectionState::Error, Severity::Error, closed.message.clone());
                    }
                    let link = &self.link;
                    let again = reconnect_after_give_up(&link.policy, &self.sink, closed, || link.subscribe()).await;
                    let Some(((client, subscriber, bridge), attempts)) = again else { return };
                    (self.client, self.subscriber, self.bridge) = (client, subscriber, bridge);
                    (self.forwarded, self.reported_drops) = (0, 0);
                    self.sink.lifecycle(
                        ConnectionState::Connected,
                        Severity::Info,
                        self.link.subscribed(Some(attempts)),
                    );
                }
            }
        }
        let _ = self.subscriber.unsubscribe().await;
        // The last handle: dropping it closes the connection once the UNSUB is written.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(1), self.client.flush()).await;
    }

    async fn forward(&mut self) -> Ended {
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
                        () = self.sink.stopped() => return Ended::Stopped,
                        next = self.subscriber.next() => next,
                    }
                }
            };
            yielded = false;
            let Some(message) = next else {
                return if self.sink.is_stopped() { Ended::Stopped } else { Ended::Closed };
            };
            self.forwarded += 1;
            let headers = super::subject::header_pairs(message.headers.as_ref());
            self.sink.message(message.subject.as_str(), message.payload.into(), headers, None);
            // The fast path does not watch the stop signal: look now and then (it takes a lock).
            if self.forwarded.is_multiple_of(STOP_CHECK_EVERY) && self.sink.is_stopped() {
                return Ended::Stopped;
            }
        }
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
