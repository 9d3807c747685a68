//! async-nats reconnects by itself, and resubscribes every live subscription when it is
//! back. This bridge makes its reconnects follow the one policy (docs/reconnect-policy.md):
//! async-nats asks it before each attempt (`reconnect_to_server_callback`), and it paces
//! the attempts with the shared [`Pacer`] (the schedule, and one `reconnecting` lifecycle
//! event per attempt, as every monitor has), then gives up after the policy's attempts,
//! after which async-nats closes the connection and the monitor waits in `error` for a
//! retry. It also turns the client's events into lifecycle events: `connected` when the
//! subscriptions are restored, and a warning when the client had to drop messages.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use async_nats::{Client, ClientError, Event, ReconnectToServer, Server, ServerAddr};
use dbdock_core::{ConnectionState, Error, ReconnectPolicy, Severity};

use crate::Sink;
use crate::reconnect::{Pacer, Step, lost};

/// How long a reconnect waits for the server to confirm the restored subscriptions.
const RESUBSCRIBE_CONFIRM: Duration = Duration::from_secs(5);

/// Slow-consumer warnings of monitors that cannot count their drops come at most this often.
const SLOW_WARNING_EVERY: Duration = Duration::from_secs(5);

/// One monitor's view of its connection.
pub(super) struct Bridge {
    sink: Sink,
    /// `host:port`, for messages.
    server: String,
    /// The client, once connected: a reconnect flushes through it. Weak, because async-nats
    /// keeps this bridge (in the event callback) as long as the connection lives, and the
    /// connection lives as long as a client handle does: a strong handle here would keep
    /// the connection open after the monitor's task has ended.
    client: OnceLock<Weak<Client>>,
    disconnected: AtomicBool,
    policy: ReconnectPolicy,
    /// The schedule of the current outage, and what the reconnects have come to.
    pacing: tokio::sync::Mutex<Pacing>,
    /// The last error, once the attempts ran out: the connection is closed for good.
    gave_up: Mutex<Option<Error>>,
    /// Set on a slow-consumer event; a subject monitor's forwarder clears it when it has
    /// counted the drops exactly (see `subscribe.rs`).
    slow_consumer: AtomicBool,
    /// Whether a forwarder counts drops, or this bridge warns by itself.
    counts_drops: bool,
    last_slow_warning: Mutex<Option<Instant>>,
}

/// One outage's pacing. A new outage is told from the last by the client's count of
/// connections made: each successful (re)connect adds one.
#[derive(Default)]
struct Pacing {
    connects: u64,
    pacer: Option<Pacer<Sink, fn() -> f64>>,
    /// The server of the attempt in flight, whose error the next call finds in the pool.
    tried: Option<ServerAddr>,
}

impl Bridge {
    pub(super) fn new(sink: Sink, server: String, counts_drops: bool, policy: ReconnectPolicy) -> Arc<Bridge> {
        Arc::new(Bridge {
            sink,
            server,
            client: OnceLock::new(),
            disconnected: AtomicBool::new(false),
            policy,
            pacing: tokio::sync::Mutex::new(Pacing::default()),
            gave_up: Mutex::new(None),
            slow_consumer: AtomicBool::new(false),
            counts_drops,
            last_slow_warning: Mutex::new(None),
        })
    }

    /// Before a connection attempt: `None` for the first connection (at once, as async-nats
    /// chooses), otherwise the policy's wait for this attempt, then the server to try.
    /// When the attempts have run out it says so and returns `None`, and async-nats, whose
    /// `max_reconnects` is the policy's `max_attempts`, gives up without another attempt.
    /// (async-nats calls it before every connection attempt, through
    /// `ConnectOptions::reconnect_to_server_callback`: `connect.rs`.)
    pub(super) async fn pace(self: Arc<Self>, servers: Vec<Server>) -> Option<ReconnectToServer> {
        // Not yet attached: the first connection. No client left: the monitor has ended.
        let connects = self.client.get().and_then(Weak::upgrade)?.statistics().connects.load(Ordering::Acquire);
        if self.sink.is_stopped() || self.gave_up() {
            return None;
        }
        let mut pacing = self.pacing.lock().await;
        if connects != pacing.connects || pacing.pacer.is_none() {
            self.disconnected.store(true, Ordering::Release);
            let backoff = self.policy.backoff(fastrand::f64 as fn() -> f64);
            *pacing = Pacing { connects, pacer: Some(Pacer::new(self.sink.clone(), backoff, false)), tried: None };
        }
        let last_error = match pacing.tried.as_ref().and_then(|tried| servers.iter().find(|s| s.addr == *tried)) {
            Some(server) => Error::connection_failed(format!(
                "cannot reach NATS at {}: {}",
                server.addr.as_url_str(),
                server.last_error.as_deref().unwrap_or("the attempt failed")
            )),
            None => lost(format!("the connection to NATS at {} closed", self.server)),
        };
        // The server that failed least lately: the only one, unless the cluster told of others.
        let next = servers.iter().min_by_key(|s| s.failed_attempts)?.addr.clone();
        let pacer = pacing.pacer.as_mut()?;
        match pacer.next(&last_error).await {
            Step::Attempt(_) => {
                pacing.tried = Some(next.clone());
                Some(ReconnectToServer { addr: next, delay: Some(Duration::ZERO) })
            }
            Step::GaveUp => {
                *self.gave_up.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(last_error);
                None
            }
            Step::Stopped => None,
        }
    }

    pub(super) fn attach(&self, client: &Arc<Client>) {
        let _ = self.client.set(Arc::downgrade(client));
    }

    /// The callback for `ConnectOptions::event_callback`.
    pub(super) fn callback(
        bridge: Arc<Bridge>,
    ) -> impl Fn(Event) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send + Sync>> + Send + Sync + 'static {
        move |event| {
            let bridge = bridge.clone();
            Box::pin(async move { bridge.on_event(event).await })
        }
    }

    pub(super) fn policy(&self) -> &ReconnectPolicy {
        &self.policy
    }

    /// The state to report a warning in: what the connection is in now.
    pub(super) fn state(&self) -> ConnectionState {
        if self.gave_up() {
            ConnectionState::Error
        } else if self.disconnected.load(Ordering::Relaxed) {
            ConnectionState::Reconnecting
        } else {
            ConnectionState::Connected
        }
    }

    /// Whether the reconnects ran out (the connection is closed for good).
    pub(super) fn gave_up(&self) -> bool {
        self.gave_up.lock().unwrap_or_else(std::sync::PoisonError::into_inner).is_some()
    }

    /// Why the connection is closed for good: the last attempt's error, once the
    /// reconnects ran out; otherwise `ended`.
    pub(super) fn closed_because(&self, ended: &str) -> Error {
        let gave_up = self.gave_up.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        gave_up.unwrap_or_else(|| Error::connection_failed(format!("{ended} (NATS at {})", self.server)))
    }

    /// Takes the slow-consumer mark: true once after each slow-consumer event.
    pub(super) fn take_slow_consumer(&self) -> bool {
        self.slow_consumer.swap(false, Ordering::AcqRel)
    }

    async fn on_event(&self, event: Event) {
        if self.sink.is_stopped() {
            return;
        }
        match event {
            // The first connection is announced by the monitor itself, once it has subscribed.
            Event::Connected if !self.disconnected.load(Ordering::Acquire) => {}
            Event::Connected => self.reconnected().await,
            // The pacing tells of the loss, each attempt and the give-up, in the
            // connection's own task and in order (`pace`).
            Event::Disconnected => self.disconnected.store(true, Ordering::Release),
            Event::ClientError(ClientError::MaxReconnects) => {}
            // While disconnected, async-nats reports each failed attempt as a client error:
            // the next attempt's event carries it.
            Event::ClientError(_) if self.disconnected.load(Ordering::Acquire) => {}
            Event::ClientError(error) => {
                self.sink.lifecycle(self.state(), Severity::Warning, format!("NATS client: {error}"));
            }
            Event::SlowConsumer(_) => self.slow_consumer(),
            Event::ServerError(error) => {
                self.sink.lifecycle(self.state(), Severity::Error, format!("NATS server error: {error}"));
            }
            Event::LameDuckMode => self.sink.lifecycle(
                self.state(),
                Severity::Warning,
                format!("NATS at {} is shutting down (lame duck mode); the client will reconnect", self.server),
            ),
            Event::Closed => {
                self.sink.lifecycle(ConnectionState::Disconnected, Severity::Warning, "the NATS connection closed")
            }
            Event::Draining => {}
        }
    }

    async fn reconnected(&self) {
        // async-nats sends the SUBs of every live subscription right after this event; a
        // flush (PING/PONG) queued behind them returns once the server has them all, so
        // "restored" is a fact when it is said, and a message published after it arrives.
        let confirmed = match self.client.get().and_then(Weak::upgrade) {
            Some(client) => matches!(tokio::time::timeout(RESUBSCRIBE_CONFIRM, client.flush()).await, Ok(Ok(()))),
            None => false,
        };
        self.disconnected.store(false, Ordering::Release);
        if confirmed {
            self.sink.lifecycle(
                ConnectionState::Connected,
                Severity::Info,
                format!("reconnected to NATS at {}; subscriptions restored", self.server),
            );
        } else {
            self.sink.lifecycle(
                ConnectionState::Connected,
                Severity::Warning,
                format!(
                    "reconnected to NATS at {}, but the server did not confirm the subscriptions within {} s",
                    self.server,
                    RESUBSCRIBE_CONFIRM.as_secs()
                ),
            );
        }
    }

    fn slow_consumer(&self) {
        if self.counts_drops {
            self.slow_consumer.store(true, Ordering::Release);
            return;
        }
        let mut last = self.last_slow_warning.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if last.is_some_and(|t| t.elapsed() < SLOW_WARNING_EVERY) {
            return;
        }
        *last = Some(Instant::now());
        drop(last);
        self.sink.lifecycle(
            self.state(),
            Severity::Warning,
            "the NATS client dropped messages before DB Dock could take them (slow consumer)",
        );
    }
}
