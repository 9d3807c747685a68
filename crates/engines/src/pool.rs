//! A lazily opened sqlx pool shared by the sqlx engines.

use dbdock_core::{ConnectionTarget, Error, ErrorCode};

use crate::sql::{host_port, map_error};

/// A lazily opened sqlx pool that is checked with one direct connection first: sqlx's
/// pool retries a refused connection until its timeout and then reports only "timed out",
/// hiding the real reason (refused, bad password, unknown database).
pub(crate) struct PoolSlot<DB: sqlx::Database> {
    options: <DB::Connection as sqlx::Connection>::Options,
    pool: std::sync::Mutex<Option<sqlx::Pool<DB>>>,
}

pub(crate) type Classify = fn(&dyn sqlx::error::DatabaseError) -> Option<ErrorCode>;

impl<DB: sqlx::Database> PoolSlot<DB> {
    pub fn new(options: <DB::Connection as sqlx::Connection>::Options) -> Self {
        PoolSlot { options, pool: std::sync::Mutex::new(None) }
    }

    fn current(&self) -> Option<sqlx::Pool<DB>> {
        self.pool.lock().ok().and_then(|p| p.clone())
    }

    pub async fn connect(
        &self,
        open: &crate::OpenOptions,
        target: &ConnectionTarget,
        classify: Classify,
        pool_options: sqlx::pool::PoolOptions<DB>,
    ) -> Result<(), Error> {
        use sqlx::{ConnectOptions, Connection};
        if self.current().is_some() {
            return Ok(());
        }
        let first = tokio::time::timeout(open.connect_timeout, self.options.connect())
            .await
            .map_err(|_| {
                Error::timeout(format!(
                    "no answer from {} within {} s",
                    host_port(target),
                    open.connect_timeout.as_secs()
                ))
            })?
            .map_err(|e| map_error(e, target, classify))?;
        let _ = first.close().await;
        let pool = pool_options
            .max_connections(open.max_connections)
            .min_connections(0)
            .acquire_timeout(open.connect_timeout)
            // A ping before every acquire costs a round trip per query (FACTS.md); a broken
            // connection surfaces as an error instead and the pool replaces it.
            .test_before_acquire(false)
            .connect_lazy_with(self.options.clone());
        if let Ok(mut slot) = self.pool.lock() {
            slot.get_or_insert(pool);
        }
        Ok(())
    }

    /// The pool, connecting first if needed.
    pub async fn get(
        &self,
        open: &crate::OpenOptions,
        target: &ConnectionTarget,
        classify: Classify,
        pool_options: impl FnOnce() -> sqlx::pool::PoolOptions<DB>,
    ) -> Result<sqlx::Pool<DB>, Error> {
        if let Some(pool) = self.current() {
            return Ok(pool);
        }
        self.connect(open, target, classify, pool_options()).await?;
        self.current().ok_or_else(|| Error::connection_failed("the connection was closed while it was opening"))
    }

    pub async fn close(&self) {
        let pool = self.pool.lock().ok().and_then(|mut p| p.take());
        if let Some(pool) = pool {
            pool.close().await;
        }
    }
}

/// One statement's connection: a plain pooled connection, or a transaction that the
/// engine opened read-only and always rolls back (also when the call is dropped midway:
/// sqlx then queues the rollback before the connection is reused).
pub(crate) enum Session<DB: sqlx::Database> {
    Plain(sqlx::pool::PoolConnection<DB>),
    ReadOnly(sqlx::Transaction<'static, DB>),
}

impl<DB: sqlx::Database> Session<DB> {
    /// `begin` is the engine's statement that opens a read-only transaction, or `None`.
    pub async fn open(pool: &sqlx::Pool<DB>, begin: Option<&'static str>) -> Result<Self, sqlx::Error> {
        Ok(match begin {
            Some(begin) => Session::ReadOnly(pool.begin_with(begin).await?),
            None => Session::Plain(pool.acquire().await?),
        })
    }

    pub fn conn(&mut self) -> &mut DB::Connection {
        match self {
            Session::Plain(conn) => conn,
            Session::ReadOnly(tx) => tx,
        }
    }

    /// Ends the session: a read-only transaction is rolled back, whatever it did.
    pub async fn finish(self) {
        if let Session::ReadOnly(tx) = self {
            let _ = tx.rollback().await;
        }
    }
}

/// Cancels a running statement on the server if the call is dropped before it finishes
/// (an MCP client's cancel, a caller's timeout). Dropping a future stops waiting; without
/// this the server would go on running the statement.
pub(crate) struct CancelOnDrop {
    armed: Option<futures_util::future::BoxFuture<'static, ()>>,
}

impl CancelOnDrop {
    /// `cancel_sql` is built from a session id the server gave us (an integer), never
    /// from user text.
    pub fn new<DB>(pool: sqlx::Pool<DB>, cancel_sql: String) -> Self
    where
        DB: sqlx::Database,
        for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    {
        let cancel = async move {
            use sqlx::Executor;
            let Ok(Ok(mut conn)) = tokio::time::timeout(std::time::Duration::from_secs(5), pool.acquire()).await else {
                tracing::warn!("could not get a connection to cancel a dropped statement");
                return;
            };
            if let Err(e) = conn.execute(sqlx::AssertSqlSafe(cancel_sql)).await {
                tracing::warn!(error = %e, "cancelling a dropped statement failed");
            }
        };
        CancelOnDrop { armed: Some(Box::pin(cancel)) }
    }

    pub fn disarm(mut self) {
        self.armed = None;
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let (Some(cancel), Ok(runtime)) = (self.armed.take(), tokio::runtime::Handle::try_current()) {
            runtime.spawn(cancel);
        }
    }
}

/// How an engine makes one statement safe: the statement that opens its read-only
/// transaction, and how to cancel a running statement on the server.
pub(crate) struct SessionRules {
    pub begin_read_only: &'static str,
    /// Returns this session's id (as a BIGINT).
    pub session_id_sql: &'static str,
    /// The statement that cancels what session `id` is running.
    pub cancel_sql: fn(i64) -> String,
}

/// Runs `work` on one connection as `options` ask: inside a read-only transaction that is
/// always rolled back, and with the statement cancelled on the server if the call is
/// dropped midway. The one place these rules live for the server engines.
pub(crate) async fn run_guarded<DB, T>(
    pool: &sqlx::Pool<DB>,
    rules: &SessionRules,
    options: &dbdock_core::QueryOptions,
    map_err: impl Fn(sqlx::Error) -> Error,
    work: impl AsyncFnOnce(&mut DB::Connection) -> Result<T, Error>,
) -> Result<T, Error>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments: sqlx::IntoArguments<DB>,
    i64: sqlx::Type<DB> + for<'r> sqlx::Decode<'r, DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    let mut session =
        Session::open(pool, options.read_only.then_some(rules.begin_read_only)).await.map_err(&map_err)?;
    let guard = if options.cancellable {
        let id: i64 = sqlx::query_scalar(rules.session_id_sql).fetch_one(session.conn()).await.map_err(&map_err)?;
        Some(CancelOnDrop::new(pool.clone(), (rules.cancel_sql)(id)))
    } else {
        None
    };
    let outcome = work(session.conn()).await;
    if let Some(guard) = guard {
        guard.disarm();
    }
    session.finish().await;
    outcome
}
