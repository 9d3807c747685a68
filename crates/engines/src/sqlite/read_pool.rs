//! A small bounded pool of guarded read-only connections ([`GuardedConn`]). SQLite runs
//! in the caller's process and blocks, so each call runs on tokio's blocking pool; a
//! semaphore bounds how many run at once. A call that is dropped (an MCP client's cancel,
//! a caller's timeout) sets its cancel flag, the connection's progress handler stops the
//! statement within microseconds, and the connection goes back to the pool for the next
//! call. The flag belongs to the call, never to the connection, so a late cancel cannot
//! stop another caller's statement.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use dbdock_core::{Error, QueryOptions};
use tokio::sync::Semaphore;

use super::guard::{CallControl, GuardedConn, ReadOutcome};
use crate::OpenOptions;

pub(crate) struct ReadPool {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    statement_timeout: Option<Duration>,
    acquire_timeout: Duration,
    max_connections: usize,
    permits: Arc<Semaphore>,
    /// Idle connections, each with the generation it was opened in.
    idle: Mutex<Vec<(u64, GuardedConn)>>,
    /// Bumped by [`ReadPool::close`]: a connection of an older generation is closed when
    /// its call ends instead of going back to the pool.
    generation: AtomicU64,
}

/// Cancels the call when dropped, unless disarmed because the call finished.
struct CancelOnDrop(Option<Arc<CallControl>>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(call) = self.0.take() {
            call.cancel();
        }
    }
}

impl ReadPool {
    pub(crate) fn new(path: PathBuf, open: &OpenOptions) -> ReadPool {
        let max_connections = usize::try_from(open.max_connections.max(1)).unwrap_or(1);
        ReadPool {
            inner: Arc::new(Inner {
                path,
                statement_timeout: open.statement_timeout,
                acquire_timeout: open.connect_timeout,
                max_connections,
                permits: Arc::new(Semaphore::new(max_connections)),
                idle: Mutex::new(Vec::new()),
                generation: AtomicU64::new(0),
            }),
        }
    }

    /// Runs one read-only statement on a pooled connection (opened on first use).
    pub(crate) async fn run(
        &self,
        sql: &str,
        params: &[serde_json::Value],
        limits: QueryOptions,
        collect: bool,
    ) -> Result<ReadOutcome, Error> {
        let permits = Arc::clone(&self.inner.permits);
        let permit = tokio::time::timeout(self.inner.acquire_timeout, permits.acquire_owned())
            .await
            .map_err(|_| {
                Error::timeout(format!(
                    "no read-only connection to {} became free within {} s: other statements are still running",
                    self.inner.path.display(),
                    self.inner.acquire_timeout.as_secs()
                ))
            })?
            .map_err(|_| Error::connection_failed("the connection was closed; connect again"))?;
        let call = Arc::new(CallControl::default());
        // Dropped with this future while the statement runs: the statement stops.
        let mut cancel_on_drop = CancelOnDrop(Some(Arc::clone(&call)));
        let inner = Arc::clone(&self.inner);
        let (sql, params) = (sql.to_owned(), params.to_vec());
        let task = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            inner.run_blocking(&call, &sql, &params, limits, collect)
        });
        let outcome = task.await;
        cancel_on_drop.0 = None;
        outcome.map_err(|e| Error::internal(format!("the SQLite read stopped unexpectedly: {e}")))?
    }

    /// Closes the idle connections; the busy ones close when their call ends. Later calls
    /// open new ones.
    pub(crate) fn close(&self) {
        self.inner.generation.fetch_add(1, Ordering::SeqCst);
        let idle = std::mem::take(&mut *self.inner.idle.lock().unwrap_or_else(PoisonError::into_inner));
        drop(idle);
    }

    /// Runs `f` on an idle connection, if there is one (tests look at a pooled
    /// connection's state after a call).
    #[cfg(test)]
    pub(crate) fn with_idle<R>(&self, f: impl FnOnce(&GuardedConn) -> R) -> Option<R> {
        let idle = self.inner.idle.lock().unwrap_or_else(PoisonError::into_inner);
        idle.last().map(|(_, conn)| f(conn))
    }
}

impl Inner {
    fn run_blocking(
        &self,
        call: &Arc<CallControl>,
        sql: &str,
        params: &[serde_json::Value],
        limits: QueryOptions,
        collect: bool,
    ) -> Result<ReadOutcome, Error> {
        let generation = self.generation.load(Ordering::SeqCst);
        let pooled = {
            let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
            idle.retain(|(g, _)| *g == generation);
            idle.pop()
        };
        let conn = match pooled {
            Some((_, conn)) => conn,
            None => GuardedConn::open(&self.path)?,
        };
        let outcome = conn.run(call, self.statement_timeout, sql, params, limits, collect);
        if conn.reusable() && self.generation.load(Ordering::SeqCst) == generation {
            let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
            if idle.len() < self.max_connections {
                idle.push((generation, conn));
            }
        }
        outcome
    }
}
