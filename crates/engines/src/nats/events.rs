//! async-nats reconnects by itself; this bridge turns its connection events into monitor
//! lifecycle events, so that a person watching sees `reconnecting` and `connected` when a
//! server restarts, and a warning when the client had to drop messages.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use async_nats::{Client, ClientError, Event};
use dbdock_core::{ConnectionState, Severity};

use crate::Sink;

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
    gave_up: AtomicBool,
    /// Set on a slow-consumer event; a subject monitor's forwarder clears it when it has
    /// counted the drops exactly (see `subscribe.rs`).
    slow_consumer: AtomicBool,
    /// Whether a forwarder counts drops, or this bridge warns by itself.
    counts_drops: bool,
    last_slow_warning: Mutex<Option<Instant>>,
    failed_attempts: AtomicU64,
}

impl Bridge {
    pub(super) fn new(sink: Sink, server: String, counts_drops: bool) -> Arc<Bridge> {
        Arc::new(Bridge {
            sink,
            server,
            client: OnceLock::new(),
            disconnected: AtomicBool::new(false),
            gave_up: AtomicBool::new(false),
            slow_consumer: AtomicBool::new(false),
            counts_drops,
            last_slow_warning: Mutex::new(None),
            failed_attempts: AtomicU64::new(0),
        })
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

    /// The state to report a warning in: what the connection is in now.
    pub(super) fn state(&self) -> ConnectionState {
        if self.gave_up.load(Ordering::Relaxed) {
            ConnectionState::Error
        } else if self.disconnected.load(Ordering::Relaxed) {
            ConnectionState::Reconnecting
        } else {
            ConnectionState::Connected
        }
    }

    pub(super) fn gave_up(&self) -> bool {
        self.gave_up.load(Ordering::Relaxed)
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
            Event::Disconnected => {
                self.disconnected.store(true, Ordering::Release);
                self.failed_attempts.store(0, Ordering::Relaxed);
                self.sink.lifecycle(
                    ConnectionState::Reconnecting,
                    Severity::Warning,
                    format!("lost the connection to NATS at {}; reconnecting", self.server),
                );
            }
            Event::ClientError(ClientError::MaxReconnects) => {
                self.gave_up.store(true, Ordering::Release);
                self.sink.lifecycle(
                    ConnectionState::Error,
                    Severity::Error,
                    format!(
                        "gave up reconnecting to NATS at {} after {} attempts; start the monitor again to retry",
                        self.server,
                        self.failed_attempts.load(Ordering::Relaxed)
                    ),
                );
            }
            // While disconnected, async-nats reports each failed attempt as a client error.
            Event::ClientError(error) if self.disconnected.load(Ordering::Acquire) => {
                let n = self.failed_attempts.fetch_add(1, Ordering::Relaxed) + 1;
                self.sink.lifecycle(
                    ConnectionState::Reconnecting,
                    Severity::Warning,
                    format!("reconnect attempt {n} to NATS at {} failed: {error}", self.server),
                );
            }
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
