//! A connection that keeps itself alive: it checks its health on a timer, and when the
//! server goes away it reconnects through the shared reconnect loop (`reconnect.rs`,
//! docs/reconnect-policy.md), walking `connected → reconnecting → connected`, or to `error`
//! once the attempts run out, where it stays until [`LiveConnection::retry`]. Every state
//! change is observable through a watch channel.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use dbdock_core::{
    ConnectionState, ConnectionStatus, Database, Error, ErrorCode, ExecOutcome, QueryOptions, QueryResult,
    ReconnectPolicy, Result,
};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::reconnect::{Attempt, Observer, give_up_text, reconnect};

/// When the first health check runs after opening. Run at open, it would only repeat what
/// `connect` proved, and on a cold start it would hold the pool's first connection while
/// the first call opened a second one (docs/reconnect-policy.md).
const FIRST_CHECK_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

pub struct LiveConnection {
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

struct Shared {
    db: Box<dyn Database>,
    policy: ReconnectPolicy,
    status: watch::Sender<ConnectionStatus>,
    /// Wakes the health task early: a call saw the connection fail.
    wake: Notify,
    /// Wakes the reconnect loop after it gave up (`error`): [`LiveConnection::retry`].
    retry: Notify,
    /// Serializes reconnects between the health task and callers.
    reconnecting: tokio::sync::Mutex<()>,
}

impl LiveConnection {
    /// Connects and starts watching. A first connection that fails is returned as an error:
    /// there is nothing to keep alive yet.
    pub async fn open(db: Box<dyn Database>, policy: ReconnectPolicy) -> Result<Self> {
        let (status, _) = watch::channel(ConnectionStatus {
            state: ConnectionState::Connecting,
            target: db.target().redacted(),
            latency_ms: None,
            attempts: 0,
            last_error: None,
        });
        let shared = Arc::new(Shared {
            db,
            policy,
            status,
            wake: Notify::new(),
            retry: Notify::new(),
            reconnecting: Default::default(),
        });
        // `connect` proves the server answers and takes the login; the first health check
        // (the latency) comes a moment later, off the first call's path.
        shared.db.connect().await.inspect_err(|e| shared.set(ConnectionState::Error, 0, Some(e.clone())))?;
        shared.set(ConnectionState::Connected, 0, None);
        let task = tokio::spawn(Arc::clone(&shared).watch_health());
        Ok(LiveConnection { shared, task })
    }

    pub fn status(&self) -> ConnectionStatus {
        self.shared.status.borrow().clone()
    }

    /// Every state change, as it happens.
    pub fn subscribe(&self) -> watch::Receiver<ConnectionStatus> {
        self.shared.status.subscribe()
    }

    pub fn database(&self) -> &dyn Database {
        self.shared.db.as_ref()
    }

    /// Runs a query. If the connection turns out to be broken (the server restarted since
    /// the last health check), it reconnects at once and runs the query one more time: a
    /// broken connection returned no result, and this is the read path (writes go through
    /// [`LiveConnection::execute`], which never repeats a statement).
    pub async fn query(&self, sql: &str, params: &[serde_json::Value], limits: &QueryOptions) -> Result<QueryResult> {
        self.shared.fail_fast()?;
        match self.shared.db.query(sql, params, limits).await {
            Err(e) if e.code == ErrorCode::ConnectionFailed => {
                if self.shared.reconnect_once(e).await {
                    self.shared.db.query(sql, params, limits).await
                } else {
                    Err(self
                        .shared
                        .status
                        .borrow()
                        .last_error
                        .clone()
                        .unwrap_or_else(|| Error::connection_failed("the connection is down and reconnecting")))
                }
            }
            other => other,
        }
    }

    /// Runs a statement for its rows that may not be a read (the user's own statements):
    /// like [`LiveConnection::execute`], a connection failure is reported, never retried,
    /// because the statement may have reached the server before the connection broke.
    pub async fn query_once(
        &self,
        sql: &str,
        params: &[serde_json::Value],
        limits: &QueryOptions,
    ) -> Result<QueryResult> {
        self.shared.fail_fast()?;
        let outcome = self.shared.db.query(sql, params, limits).await;
        self.shared.wake_on_failure(outcome.as_ref().err());
        outcome
    }

    /// Runs a write. A connection failure is reported, never retried, and wakes the
    /// reconnect logic so the next call finds a working connection.
    pub async fn execute(&self, sql: &str, params: &[serde_json::Value], limits: &QueryOptions) -> Result<ExecOutcome> {
        self.shared.fail_fast()?;
        let outcome = self.shared.db.execute(sql, params, limits).await;
        self.shared.wake_on_failure(outcome.as_ref().err());
        outcome
    }

    /// Starts reconnecting again, on a fresh schedule, after the policy gave up (`error`
    /// state). In any other state there is nothing to retry and nothing happens.
    pub fn retry(&self) {
        if self.shared.status.borrow().state == ConnectionState::Error {
            self.shared.retry.notify_one();
        }
    }

    pub async fn close(self) {
        self.task.abort();
        self.shared.db.disconnect().await;
        self.shared.set(ConnectionState::Disconnected, 0, None);
    }
}

impl Drop for LiveConnection {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Shared {
    /// A call that found the connection broken wakes the health task, so the next call
    /// finds it reconnected (or is told it is still down).
    fn wake_on_failure(&self, error: Option<&Error>) {
        if error.is_some_and(|e| e.code == ErrorCode::ConnectionFailed) {
            self.wake.notify_one();
        }
    }

    /// While the server is known to be away, a call is answered at once, not after the
    /// pool's connect timeout or the backoff.
    fn fail_fast(&self) -> Result<()> {
        let status = self.status.borrow();
        let why = |e: &Option<Error>| e.as_ref().map(|e| format!(": {}", e.message)).unwrap_or_default();
        match status.state {
            ConnectionState::Reconnecting => Err(Error::connection_failed(format!(
                "the connection to {} is down and reconnecting{}{}; try again shortly",
                status.target,
                match status.attempts {
                    0 => String::new(),
                    n => format!(" (attempt {n} of {})", self.policy.max_attempts),
                },
                why(&status.last_error)
            ))),
            ConnectionState::Error => Err(Error::connection_failed(format!(
                "the connection to {} gave up reconnecting after {} attempts{}; the user can retry it",
                status.target,
                status.attempts,
                why(&status.last_error)
            ))),
            _ => Ok(()),
        }
    }

    fn set(&self, state: ConnectionState, attempts: u32, last_error: Option<Error>) {
        self.status.send_modify(|s| {
            s.state = state;
            s.attempts = attempts;
            if last_error.is_some() || state == ConnectionState::Connected {
                s.last_error = last_error;
            }
        });
    }

    /// One health check; on success the state is `connected` with a fresh latency.
    async fn check(&self) -> Result<()> {
        let started = Instant::now();
        let timeout = self.policy.health_interval.max(std::time::Duration::from_secs(5));
        match tokio::time::timeout(timeout, self.db.ping()).await {
            Ok(Ok(())) => {
                let latency = started.elapsed().as_secs_f64() * 1000.0;
                self.status.send_modify(|s| {
                    s.state = ConnectionState::Connected;
                    s.latency_ms = Some(latency);
                    s.attempts = 0;
                    s.last_error = None;
                });
                Ok(())
            }
            Ok(Err(e)) => Err(e),
            Err(_) => Err(Error::timeout(format!("health check got no answer within {} s", timeout.as_secs()))),
        }
    }

    /// Replaces the connection pool and checks it.
    async fn attempt(&self) -> Result<()> {
        self.db.disconnect().await;
        self.db.connect().await?;
        self.check().await
    }

    /// A caller found the connection broken: one immediate attempt, the caller's own (not
    /// one of the schedule's: docs/reconnect-policy.md). While the health task is already
    /// reconnecting (or has given up), the caller is told so at once instead of waiting out
    /// the backoff. Returns whether the connection is up.
    async fn reconnect_once(&self, cause: Error) -> bool {
        let Ok(_guard) = self.reconnecting.try_lock() else {
            return false;
        };
        if self.status.borrow().state == ConnectionState::Error {
            return false;
        }
        if self.status.borrow().state == ConnectionState::Connected && self.check().await.is_ok() {
            return true;
        }
        self.set(ConnectionState::Reconnecting, 0, Some(cause));
        match self.attempt().await {
            Ok(()) => true,
            Err(e) => {
                self.set(ConnectionState::Reconnecting, 0, Some(e));
                // The health task takes over, on the policy's schedule.
                self.wake.notify_one();
                false
            }
        }
    }

    async fn watch_health(self: Arc<Self>) {
        let mut wait = self.policy.health_interval.min(FIRST_CHECK_AFTER);
        loop {
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = self.wake.notified() => {}
            }
            wait = self.policy.health_interval;
            if let Err(lost) = self.check().await {
                self.reconnect_with_backoff(lost).await;
            }
        }
    }

    /// The shared reconnect loop, until the connection is back: after a give-up it waits in
    /// `error` for [`LiveConnection::retry`].
    async fn reconnect_with_backoff(&self, lost: Error) {
        let _guard = match self.reconnecting.try_lock() {
            Ok(guard) => guard,
            Err(_) => {
                let guard = self.reconnecting.lock().await;
                // A caller reconnected while this waited: nothing left to do.
                if self.status.borrow().state == ConnectionState::Connected && self.check().await.is_ok() {
                    return;
                }
                guard
            }
        };
        let policy = self.policy;
        let connected = reconnect(&policy, self, lost, || self.attempt()).await;
        if let Some(((), attempt)) = connected {
            tracing::info!(target = %self.db.target(), attempt, "reconnected");
        }
    }
}

/// The status follows the reconnect loop: `reconnecting` with the attempt's number and the
/// last error, then `error` (and no more attempts) until retried.
impl Observer for Shared {
    fn attempt(&self, attempt: &Attempt<'_>) {
        tracing::debug!(target = %self.db.target(), "{}", attempt.describe());
        self.set(ConnectionState::Reconnecting, attempt.number, Some(attempt.last_error.clone()));
    }

    fn gave_up(&self, attempts: u32, last_error: &Error) {
        tracing::warn!(target = %self.db.target(), "{}", give_up_text(attempts, last_error));
        self.set(ConnectionState::Error, attempts, Some(last_error.clone()));
    }

    /// Never: the task is aborted when the connection is closed or dropped.
    fn stopped(&self) -> impl Future<Output = ()> + Send {
        std::future::pending()
    }

    fn retried(&self) -> impl Future<Output = ()> + Send {
        self.retry.notified()
    }
}
