//! A plain synchronous SQLite connection for the store's work on an AI call's path: the
//! profile-change check, the audit row written before the call runs and its completion
//! after. Each sqlx SQLite
//! operation is a round trip to the connection's worker thread (about 0.1 ms under load,
//! four of them for one audit row); here the check is one in-thread read of a few
//! microseconds and the audit row one in-thread transaction unless another process holds
//! the write lock (docs/architecture.md, "The MCP hot path"). Same SQLite library as
//! sqlx's, same file, same WAL.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;

#[derive(Clone)]
pub(crate) struct HotPath {
    path: PathBuf,
    busy_timeout: std::time::Duration,
    /// Opened on first use; dropped after an error, so the next use starts clean.
    conn: Arc<Mutex<Option<Connection>>>,
}

impl HotPath {
    pub fn new(path: PathBuf, busy_timeout: std::time::Duration) -> HotPath {
        HotPath { path, busy_timeout, conn: Arc::default() }
    }

    /// Runs `work` on the connection, on this thread. Only for short reads that never
    /// wait on a lock (WAL readers do not).
    pub fn read<T>(&self, work: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
        self.with(|conn| work(conn))
    }

    /// Runs `work` (a write transaction) on the connection: first on this thread without
    /// waiting for the write lock, which is the usual case and costs no thread hop (about
    /// 30 µs in WAL mode); when another process holds the lock, again on a blocking thread
    /// that waits for it (the busy timeout). Errors say they happened while doing `action`.
    pub async fn write<T: Send + 'static>(
        &self,
        action: &'static str,
        work: impl Fn(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> dbdock_core::Result<T> {
        let at_once = self.with(|conn| {
            conn.busy_timeout(std::time::Duration::ZERO)?;
            let outcome = work(conn);
            conn.busy_timeout(self.busy_timeout)?;
            outcome
        });
        match at_once {
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::DatabaseBusy => {}
            outcome => return outcome.map_err(|e| crate::store_error(action, &e)),
        }
        let this = self.clone();
        match tokio::task::spawn_blocking(move || this.with(work)).await {
            Ok(outcome) => outcome.map_err(|e| crate::store_error(action, &e)),
            Err(e) => Err(crate::store_error(action, &e)),
        }
    }

    /// Closes the connection (with the store); a later use opens it again.
    pub fn close(&self) {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner).take();
    }

    fn with<T>(&self, work: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
        let mut slot = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let conn = match &mut *slot {
            Some(conn) => conn,
            empty => empty.insert(self.open()?),
        };
        let outcome = work(conn);
        if outcome.is_err() && !conn.is_autocommit() {
            // A transaction the error left open goes with the connection. Anything else (the
            // write lock busy, a constraint) leaves it as good as new: reopening it costs a
            // file open and the WAL's set-up on the next call.
            *slot = None;
        }
        outcome
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let conn = Connection::open(&self.path)?;
        conn.busy_timeout(self.busy_timeout)?;
        // As the sqlx pool's connections: WAL is the file's (set with the migrations).
        // A small page cache: this connection reads the profile counter and the audit log's
        // newest pages; SQLite's default (2 MB) would only fill up with audit pages written
        // long ago, growing the endpoint's memory for nothing.
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -256;")?;
        Ok(conn)
    }
}
