//! The engine-neutral half of a streaming monitor: a bounded buffer of [`Event`]s that
//! the engine's task fills through a [`Sink`] and a reader drains through [`Monitor`].
//! The buffer never grows past its capacity: under a flood the oldest messages are
//! dropped, and counted, so a reader always sees the freshest and knows what it missed.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use dbdock_core::{Category, ConnectionState, Event, EventKind, LogPosition, MonitorStatus, Severity, WatchTarget};
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::reconnect::{Attempt, Observer, give_up_text};

/// How a monitor is set up.
#[derive(Debug, Clone)]
pub struct MonitorOptions {
    /// Events kept until read; past it the oldest messages are dropped.
    pub capacity: usize,
    /// The profile the monitor belongs to, shown in its events.
    pub profile: Option<String>,
    /// How the monitor gets its connection back (docs/reconnect-policy.md).
    pub reconnect: dbdock_core::ReconnectPolicy,
    /// Told of every lifecycle event as it happens, whether or not anyone reads the
    /// monitor: the application layer writes them to the event log this way.
    pub on_lifecycle: Option<LifecycleObserver>,
}

/// A callback for a monitor's lifecycle events. It runs on the engine's task, so it must
/// not block (hand the event to a channel).
#[derive(Clone)]
pub struct LifecycleObserver(pub Arc<dyn Fn(&Event) + Send + Sync>);

impl std::fmt::Debug for LifecycleObserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LifecycleObserver")
    }
}

impl Default for MonitorOptions {
    fn default() -> Self {
        MonitorOptions {
            capacity: 10_000,
            profile: None,
            reconnect: dbdock_core::ReconnectPolicy::default(),
            on_lifecycle: None,
        }
    }
}

struct Counters {
    state: ConnectionState,
    sequence: u64,
    events_total: u64,
    bytes_total: u64,
    dropped: u64,
    reconnect_attempts: u32,
    last_error: Option<String>,
    /// Counts since `window_start`, and the rates of the last full window.
    window_start: Instant,
    window_events: u64,
    window_bytes: u64,
    rates: (f64, f64),
}

struct Shared {
    id: String,
    target: String,
    profile: Option<String>,
    capacity: usize,
    buffer: Mutex<VecDeque<Event>>,
    counters: Mutex<Counters>,
    arrived: Notify,
    stop: CancellationToken,
    on_lifecycle: Option<LifecycleObserver>,
    /// Wakes a monitor that gave up reconnecting (`error`): [`Monitor::retry`].
    retry: Notify,
}

/// A rate window: long enough to be steady, short enough to follow a burst.
const RATE_WINDOW: Duration = Duration::from_secs(2);

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain counters behind: still usable.
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The engine side: where a monitor's task delivers what it receives.
#[derive(Clone)]
pub struct Sink {
    shared: Arc<Shared>,
}

impl Sink {
    /// A message from the server.
    pub fn message(&self, channel: &str, payload: Vec<u8>, headers: Vec<(String, String)>, server_ts: Option<String>) {
        self.push(
            channel,
            EventKind::Message,
            Severity::Info,
            Category::Communication,
            payload,
            headers,
            None,
            server_ts,
        );
    }

    /// A message of a partitioned log (Kafka), with its partition, offset and key.
    pub fn message_at(
        &self,
        channel: &str,
        payload: Vec<u8>,
        headers: Vec<(String, String)>,
        server_ts: Option<String>,
        position: LogPosition,
    ) {
        self.push_at(
            channel,
            EventKind::Message,
            (Severity::Info, Category::Communication),
            payload,
            headers,
            None,
            server_ts,
            Some(position),
        );
    }

    /// A polled metric (JetStream consumer lag, …), as a JSON payload.
    pub fn metric(&self, channel: &str, value: &serde_json::Value) {
        let payload = value.to_string().into_bytes();
        self.push(channel, EventKind::Message, Severity::Info, Category::Performance, payload, Vec::new(), None, None);
    }

    /// The monitor entered `state`; `message` says why, for people. Reconnect attempts are
    /// reported by the reconnect loop (`reconnect.rs`), which counts them.
    pub fn lifecycle(&self, state: ConnectionState, severity: Severity, message: impl Into<String>) {
        self.record(state, severity, message.into(), None);
    }

    /// Moves to `state`, with the reconnect attempt count set to `attempts` when given (and
    /// cleared on `connected`), and writes the lifecycle event.
    fn record(&self, state: ConnectionState, severity: Severity, message: String, attempts: Option<u32>) {
        {
            let mut c = lock(&self.shared.counters);
            c.state = state;
            if let Some(attempts) = attempts {
                c.reconnect_attempts = attempts;
            } else if state == ConnectionState::Connected {
                c.reconnect_attempts = 0;
            }
            if severity >= Severity::Warning {
                c.last_error = Some(message.clone());
            }
        }
        let channel = self.shared.target.clone();
        self.push(
            &channel,
            EventKind::Lifecycle,
            severity,
            Category::ServerLifecycle,
            message.into_bytes(),
            Vec::new(),
            Some(state),
            None,
        );
    }

    /// Resolves when the monitor is being stopped: the engine's task should end.
    pub async fn stopped(&self) {
        self.shared.stop.cancelled().await;
    }

    /// Resolves when the reader asks a monitor that gave up reconnecting to try again.
    pub async fn retried(&self) {
        self.shared.retry.notified().await;
    }

    pub fn is_stopped(&self) -> bool {
        self.shared.stop.is_cancelled()
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &self,
        channel: &str,
        kind: EventKind,
        severity: Severity,
        category: Category,
        payload: Vec<u8>,
        headers: Vec<(String, String)>,
        state: Option<ConnectionState>,
        server_ts: Option<String>,
    ) {
        self.push_at(channel, kind, (severity, category), payload, headers, state, server_ts, None);
    }

    #[allow(clippy::too_many_arguments)]
    fn push_at(
        &self,
        channel: &str,
        kind: EventKind,
        (severity, category): (Severity, Category),
        payload: Vec<u8>,
        headers: Vec<(String, String)>,
        state: Option<ConnectionState>,
        server_ts: Option<String>,
        position: Option<LogPosition>,
    ) {
        let size = payload.len();
        let sequence = {
            let mut c = lock(&self.shared.counters);
            c.sequence += 1;
            if kind == EventKind::Message {
                c.events_total += 1;
                c.bytes_total += size as u64;
                c.window_events += 1;
                c.window_bytes += size as u64;
                let elapsed = c.window_start.elapsed();
                if elapsed >= RATE_WINDOW {
                    let secs = elapsed.as_secs_f64();
                    c.rates = (c.window_events as f64 / secs, c.window_bytes as f64 / secs);
                    c.window_start = Instant::now();
                    c.window_events = 0;
                    c.window_bytes = 0;
                }
            }
            c.sequence
        };
        let json = if kind == EventKind::Message { Event::json_view(&payload) } else { None };
        let event = Event {
            monitor_id: self.shared.id.clone(),
            profile: self.shared.profile.clone(),
            target: self.shared.target.clone(),
            channel: channel.to_owned(),
            kind,
            severity,
            category,
            payload,
            json,
            size,
            headers,
            state,
            server_ts,
            position,
            ts: now_text(),
            sequence,
        };
        if let (EventKind::Lifecycle, Some(observer)) = (kind, &self.shared.on_lifecycle) {
            (observer.0)(&event);
        }
        let dropped_message = {
            let mut buffer = lock(&self.shared.buffer);
            let dropped = if buffer.len() >= self.shared.capacity { buffer.pop_front() } else { None };
            buffer.push_back(event);
            dropped.is_some_and(|e| e.kind == EventKind::Message)
        };
        if dropped_message {
            lock(&self.shared.counters).dropped += 1;
        }
        self.shared.arrived.notify_one();
    }
}

/// A monitor's reconnects are lifecycle events: one `reconnecting` per attempt (the
/// status's `reconnect_attempts` is its number), then `connected`, or one `error` when the
/// attempts ran out.
impl Observer for Sink {
    fn attempt(&self, attempt: &Attempt<'_>) {
        self.record(ConnectionState::Reconnecting, Severity::Warning, attempt.describe(), Some(attempt.number));
    }

    fn gave_up(&self, attempts: u32, last_error: &dbdock_core::Error) {
        let message = format!("{}: retry the monitor or start it again", give_up_text(attempts, last_error));
        self.record(ConnectionState::Error, Severity::Error, message, Some(attempts));
    }

    fn stopped(&self) -> impl Future<Output = ()> + Send {
        self.shared.stop.cancelled()
    }

    fn retried(&self) -> impl Future<Output = ()> + Send {
        self.shared.retry.notified()
    }
}

/// The reader side of a running monitor. Dropping it stops the engine's task.
pub struct Monitor {
    shared: Arc<Shared>,
    task: Option<JoinHandle<()>>,
    /// What must live as long as the monitor (the SSH tunnel its engine connects through).
    held: Vec<Box<dyn std::any::Any + Send + Sync>>,
}

impl Monitor {
    /// A monitor for `target` that is not yet running, and the sink its engine fills.
    pub fn new(id: impl Into<String>, target: &WatchTarget, options: &MonitorOptions) -> (Monitor, Sink) {
        let shared = Arc::new(Shared {
            id: id.into(),
            target: target.to_string(),
            profile: options.profile.clone(),
            capacity: options.capacity.max(1),
            buffer: Mutex::new(VecDeque::new()),
            counters: Mutex::new(Counters {
                state: ConnectionState::Connecting,
                sequence: 0,
                events_total: 0,
                bytes_total: 0,
                dropped: 0,
                reconnect_attempts: 0,
                last_error: None,
                window_start: Instant::now(),
                window_events: 0,
                window_bytes: 0,
                rates: (0.0, 0.0),
            }),
            arrived: Notify::new(),
            stop: CancellationToken::new(),
            on_lifecycle: options.on_lifecycle.clone(),
            retry: Notify::new(),
        });
        (Monitor { shared: shared.clone(), task: None, held: Vec::new() }, Sink { shared })
    }

    /// Keeps `value` alive until the monitor is dropped.
    pub fn keep_alive(&mut self, value: Box<dyn std::any::Any + Send + Sync>) {
        self.held.push(value);
    }

    /// Hands the monitor the engine task that feeds it.
    pub fn running(mut self, task: JoinHandle<()>) -> Monitor {
        self.task = Some(task);
        self
    }

    pub fn id(&self) -> &str {
        &self.shared.id
    }

    pub fn target(&self) -> &str {
        &self.shared.target
    }

    /// The next event, waiting for one; `None` once the monitor has stopped and is drained.
    pub async fn recv(&self) -> Option<Event> {
        loop {
            let arrived = self.shared.arrived.notified();
            if let Some(event) = lock(&self.shared.buffer).pop_front() {
                return Some(event);
            }
            if self.shared.stop.is_cancelled() || self.task.as_ref().is_some_and(JoinHandle::is_finished) {
                return None;
            }
            tokio::select! {
                () = arrived => {}
                // The task may end without a last event (it failed for good): look again soon.
                () = tokio::time::sleep(Duration::from_millis(250)) => {}
            }
        }
    }

    /// Up to `max` events: those buffered now, or, when none are, whatever arrives within `wait`.
    pub async fn read(&self, max: usize, wait: Duration) -> Vec<Event> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let arrived = self.shared.arrived.notified();
            {
                let mut buffer = lock(&self.shared.buffer);
                if !buffer.is_empty() {
                    let n = max.min(buffer.len());
                    return buffer.drain(..n).collect();
                }
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                return Vec::new();
            }
        }
    }

    /// Messages until `max` of them arrived or `wait` passed, whichever comes first
    /// (lifecycle events are included but not counted).
    pub async fn sample(&self, max: usize, wait: Duration) -> Vec<Event> {
        self.sample_where(max, wait, |_| true).await.0
    }

    /// [`Monitor::sample`] of the messages `keep` accepts; the others are passed over and
    /// counted (the second value).
    pub async fn sample_where(&self, max: usize, wait: Duration, keep: impl Fn(&Event) -> bool) -> (Vec<Event>, u64) {
        let deadline = tokio::time::Instant::now() + wait;
        let mut events = Vec::new();
        let (mut messages, mut passed_over) = (0, 0);
        while messages < max {
            let Ok(Some(event)) = tokio::time::timeout_at(deadline, self.recv()).await else { break };
            if event.kind == EventKind::Message {
                if !keep(&event) {
                    passed_over += 1;
                    continue;
                }
                messages += 1;
            }
            events.push(event);
        }
        (events, passed_over)
    }

    pub fn status(&self) -> MonitorStatus {
        let buffered = lock(&self.shared.buffer).len();
        let c = lock(&self.shared.counters);
        let elapsed = c.window_start.elapsed().as_secs_f64();
        // A window still filling says more than the last one once it is half a window long.
        let (events_per_sec, bytes_per_sec) = if elapsed >= RATE_WINDOW.as_secs_f64() / 2.0 {
            (c.window_events as f64 / elapsed, c.window_bytes as f64 / elapsed)
        } else {
            c.rates
        };
        MonitorStatus {
            monitor_id: self.shared.id.clone(),
            target: self.shared.target.clone(),
            state: c.state,
            events_total: c.events_total,
            bytes_total: c.bytes_total,
            dropped: c.dropped,
            buffered,
            capacity: self.shared.capacity,
            events_per_sec,
            bytes_per_sec,
            reconnect_attempts: c.reconnect_attempts,
            last_error: c.last_error.clone(),
        }
    }

    /// After the monitor gave up reconnecting (`error`), starts a fresh reconnect schedule
    /// (docs/reconnect-policy.md). Returns whether the monitor was waiting for a retry;
    /// otherwise nothing happens.
    pub fn retry(&self) -> bool {
        let waiting = lock(&self.shared.counters).state == ConnectionState::Error
            && !self.shared.stop.is_cancelled()
            && !self.task.as_ref().is_some_and(JoinHandle::is_finished);
        if waiting {
            self.shared.retry.notify_one();
        }
        waiting
    }

    /// Stops the engine's task and waits for it to end (it unsubscribes on the way out).
    pub async fn stop(mut self) {
        self.shared.stop.cancel();
        if let Some(task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(5), task).await.is_err()
        {
            tracing::warn!(monitor = %self.shared.id, "the monitor task did not stop within 5 s");
        }
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        self.shared.stop.cancel();
        if let Some(task) = self.task.take() {
            // Past its 5 s grace the task is aborted rather than left running.
            tokio::spawn(async move {
                let abort = task.abort_handle();
                if tokio::time::timeout(Duration::from_secs(5), task).await.is_err() {
                    abort.abort();
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn monitor(capacity: usize) -> (Monitor, Sink) {
        let options = MonitorOptions { capacity, ..MonitorOptions::default() };
        Monitor::new("m1", &WatchTarget::Channel("c".into()), &options)
    }

    #[tokio::test]
    async fn a_flood_keeps_the_buffer_bounded_and_counts_every_drop() {
        let (monitor, sink) = monitor(100);
        for i in 0..1_000 {
            sink.message("c", format!("{i}").into_bytes(), Vec::new(), None);
        }
        let status = monitor.status();
        assert_eq!((status.buffered, status.dropped, status.events_total), (100, 900, 1_000));
        let events = monitor.read(1_000, Duration::ZERO).await;
        assert_eq!(events.len(), 100);
        // The freshest survive, in order, and their sequence numbers show the gap.
        assert_eq!(events[0].payload, b"900");
        assert_eq!(events[99].sequence, 1_000);
        assert_eq!(status.events_total - status.dropped, events.len() as u64);
    }

    #[tokio::test]
    async fn read_waits_for_the_first_event_and_sample_stops_at_max_or_time() {
        let (monitor, sink) = monitor(10);
        let feeder = sink.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            feeder.lifecycle(ConnectionState::Connected, Severity::Info, "subscribed");
            for i in 0..3 {
                feeder.message("c", vec![b'a' + i], Vec::new(), None);
            }
        });
        // The first read waits for the lifecycle event, which arrives first, and takes only it.
        let first = monitor.read(1, Duration::from_secs(5)).await;
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].kind, EventKind::Lifecycle);
        let started = Instant::now();
        // Two messages are asked for: sample stops at the second, long before its 5 s.
        let sampled = monitor.sample(2, Duration::from_secs(5)).await;
        assert_eq!(sampled.iter().map(|e| e.payload.clone()).collect::<Vec<_>>(), [b"a".to_vec(), b"b".to_vec()]);
        assert!(started.elapsed() < Duration::from_secs(4));
        // One left; then the window closes empty at its time limit.
        assert_eq!(monitor.sample(5, Duration::from_millis(200)).await.len(), 1);
        assert!(monitor.sample(1, Duration::from_millis(100)).await.is_empty());
        assert_eq!(monitor.status().state, ConnectionState::Connected);
    }

    #[tokio::test]
    async fn attempts_are_counted_by_the_reconnect_loop_and_retry_wakes_only_a_monitor_that_gave_up() {
        let (monitor, sink) = monitor(100);
        sink.lifecycle(ConnectionState::Connected, Severity::Info, "subscribed");
        assert!(!monitor.retry(), "nothing to retry while connected");
        let lost = dbdock_core::Error::connection_failed("closed");
        for number in 1..=2 {
            let wait = Duration::from_millis(10);
            Observer::attempt(&sink, &Attempt { number, of: 2, wait, last_error: &lost, after_retry: false });
            assert!(!monitor.retry(), "nothing to retry while reconnecting");
        }
        // A warning in the reconnecting state is not an attempt.
        sink.lifecycle(ConnectionState::Reconnecting, Severity::Warning, "slow consumer");
        assert_eq!((monitor.status().state, monitor.status().reconnect_attempts), (ConnectionState::Reconnecting, 2));
        Observer::gave_up(&sink, 2, &lost);
        let status = monitor.status();
        assert_eq!((status.state, status.reconnect_attempts), (ConnectionState::Error, 2));
        assert!(status.last_error.is_some_and(|e| e.contains("gave up reconnecting after 2 attempt(s)")));

        let retried = tokio::spawn({
            let sink = sink.clone();
            async move { sink.retried().await }
        });
        assert!(monitor.retry());
        tokio::time::timeout(Duration::from_secs(5), retried).await.expect("the retry woke the task").expect("task");
        sink.lifecycle(ConnectionState::Connected, Severity::Info, "back");
        assert_eq!(monitor.status().reconnect_attempts, 0);
        let events = monitor.read(100, Duration::ZERO).await;
        let states: Vec<_> = events.iter().filter_map(|e| e.state).collect();
        use ConnectionState::{Connected, Error, Reconnecting};
        assert_eq!(states, [Connected, Reconnecting, Reconnecting, Reconnecting, Error, Connected]);
    }
}
