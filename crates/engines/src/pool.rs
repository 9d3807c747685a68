//! A lazily opened sqlx pool shared by the sqlx engines.

use dbdock_core::{ConnectionTarget, Error, ErrorCode, stage};
use tracing::Instrument;

use crate::rows::host_port;
use crate::sql::map_error;

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
            // A ping before every acquire costs a round trip per query (about +0.1 ms on loopback); a broken
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

/// One statement's connection: a plain pooled connection, or one inside a transaction the
/// engine opened read-only, which is always rolled back and reset before the connection is
/// reused (docs/safety.md, "connections come back clean").
enum Session<DB: sqlx::Database> {
    Plain(sqlx::pool::PoolConnection<DB>),
    ReadOnly(sqlx::pool::PoolConnection<DB>),
}

impl<DB: sqlx::Database> Session<DB> {
    fn conn(&mut self) -> &mut DB::Connection {
        match self {
            Session::Plain(conn) | Session::ReadOnly(conn) => conn,
        }
    }

    /// Ends the session: a read-only one is rolled back and reset in one round trip (or
    /// closed when the reset fails or finds something it cannot undo); an isolated one is
    /// closed instead of going back to the pool.
    async fn finish(self, rules: &SessionRules, isolated: bool)
    where
        DB: sqlx::Database + sqlx::database::HasStatementCache,
        for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
        i64: sqlx::Type<DB> + for<'r> sqlx::Decode<'r, DB>,
        usize: sqlx::ColumnIndex<DB::Row>,
    {
        match self {
            Session::ReadOnly(mut conn) => {
                if !isolated && reset(&mut conn, rules).await && trim_prepared::<DB>(&mut conn).await {
                    return;
                }
                close(conn).await;
            }
            Session::Plain(conn) if isolated => close(conn).await,
            Session::Plain(mut conn) => {
                if !trim_prepared::<DB>(&mut conn).await {
                    close(conn).await;
                }
            }
        }
    }

    /// Lets the session go after its call was dropped midway: its state is unknown (a
    /// statement may still be running), so the connection is closed, never reused.
    async fn abandon(self) {
        match self {
            Session::Plain(conn) | Session::ReadOnly(conn) => close(conn).await,
        }
    }
}

/// Rolls back and resets a read-only session; false when it must not be reused.
async fn reset<DB: sqlx::Database>(conn: &mut DB::Connection, rules: &SessionRules) -> bool
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    i64: sqlx::Type<DB> + for<'r> sqlx::Decode<'r, DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    use sqlx::Row;
    match sqlx::raw_sql(sqlx::AssertSqlSafe(rules.end_read_only)).fetch_all(&mut *conn).await {
        Ok(rows) if rules.end_reports_leftovers => {
            // The batch's last row counts what the reset could not undo.
            let leftovers = rows.last().and_then(|row| row.try_get::<i64, _>(0usize).ok());
            if leftovers != Some(0) {
                tracing::debug!(?leftovers, "a read-only call left session state behind; closing its connection");
            }
            leftovers == Some(0)
        }
        Ok(_) => true,
        Err(e) => {
            tracing::debug!(error = %e, "resetting a read-only session failed; closing its connection");
            false
        }
    }
}

/// Statements a connection may keep prepared; past this, the end of a session closes them
/// all in one round trip, after the answer. AI clients send a new SQL text almost every
/// call: left to sqlx, a full cache (100) makes every later call wait one more round trip
/// while it closes the least recently used statement to make room.
const PREPARED_KEPT: usize = 64;

/// Keeps the connection's prepared statements under [`PREPARED_KEPT`]; false when the
/// connection broke doing so (then it must not be reused).
async fn trim_prepared<DB>(conn: &mut DB::Connection) -> bool
where
    DB: sqlx::Database + sqlx::database::HasStatementCache,
{
    use sqlx::Connection;
    if conn.cached_statements_size() < PREPARED_KEPT {
        return true;
    }
    match conn.clear_cached_statements().await {
        Ok(()) => true,
        Err(e) => {
            tracing::debug!(error = %e, "closing prepared statements failed; closing the connection");
            false
        }
    }
}

async fn close<DB: sqlx::Database>(conn: sqlx::pool::PoolConnection<DB>) {
    let _ = sqlx::Connection::close(conn.detach()).await;
}

type CancelTask = Box<dyn FnOnce() -> futures_util::future::BoxFuture<'static, ()> + Send>;

/// A session that, if the call is dropped before it finishes (an MCP client's cancel, a
/// caller's timeout), cancels its statement on the server from a connection of its own
/// (when asked to) and then closes the session's connection, so neither the cancel nor
/// whatever the statement left can reach another caller on a reused connection. Dropping
/// a future only stops waiting; without this the server would go on running the statement.
struct Guarded<DB: sqlx::Database> {
    session: Option<Session<DB>>,
    cancel: Option<CancelTask>,
}

impl<DB: sqlx::Database> Guarded<DB> {
    fn conn(&mut self) -> Option<&mut DB::Connection> {
        self.session.as_mut().map(Session::conn)
    }
}

impl<DB: sqlx::Database> Drop for Guarded<DB> {
    fn drop(&mut self) {
        let (cancel, session) = (self.cancel.take(), self.session.take());
        if cancel.is_none() && session.is_none() {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Some(cancel) = cancel {
                    cancel().await;
                }
                if let Some(session) = session {
                    session.abandon().await;
                }
            });
        }
    }
}

/// How an engine makes one statement safe: the statements that open and end its read-only
/// transaction, and how to cancel a running statement on the server.
pub(crate) struct SessionRules {
    pub begin_read_only: &'static str,
    /// `begin_read_only` and `session_id_sql` in one batch, so one round trip opens a
    /// cancellable read-only call.
    pub begin_read_only_with_session_id: &'static str,
    /// Sent as one batch (one round trip) after every read-only call: the rollback and
    /// everything that undoes session state a statement can leave behind.
    pub end_read_only: &'static str,
    /// The batch's last row holds one integer: how much state it found but could not undo
    /// (then the connection is closed instead of reused).
    pub end_reports_leftovers: bool,
    /// Returns this session's id (as a BIGINT).
    pub session_id_sql: &'static str,
    /// The statement that cancels what session `id` is running (built from the integer
    /// the server gave, never from user text).
    pub cancel_sql: fn(i64) -> String,
}

/// Runs `work` on one connection as `options` ask: inside a read-only transaction that is
/// always rolled back and reset, cancelled on the server if the call is dropped midway,
/// and on a connection that is closed afterwards when the session must not leak into later
/// calls. The one place these rules live for the server engines.
pub(crate) async fn run_guarded<DB, T>(
    pool: &sqlx::Pool<DB>,
    rules: &'static SessionRules,
    options: &dbdock_core::QueryOptions,
    map_err: impl Fn(sqlx::Error) -> Error,
    work: impl AsyncFnOnce(&mut DB::Connection) -> Result<T, Error>,
) -> Result<T, Error>
where
    DB: sqlx::Database + sqlx::database::HasStatementCache,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments: sqlx::IntoArguments<DB>,
    i64: sqlx::Type<DB> + for<'r> sqlx::Decode<'r, DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    let mut conn = pool.acquire().instrument(stage!("acquire")).await.map_err(&map_err)?;
    let session_id = match begin(&mut conn, rules, options).instrument(stage!("begin")).await {
        Ok(id) => id,
        Err(e) => {
            close(conn).await;
            return Err(map_err(e));
        }
    };
    let session = if options.read_only { Session::ReadOnly(conn) } else { Session::Plain(conn) };
    let mut guarded = Guarded { session: Some(session), cancel: None };
    let gone = || Error::internal("the session ended early");
    if let Some(id) = session_id {
        let (connect, sql) = (pool.connect_options(), (rules.cancel_sql)(id));
        guarded.cancel = Some(Box::new(move || {
            Box::pin(async move {
                use sqlx::{ConnectOptions, Connection, Executor};
                match connect.connect().await {
                    Ok(mut conn) => {
                        if let Err(e) = conn.execute(sqlx::AssertSqlSafe(sql)).await {
                            tracing::warn!(error = %e, "cancelling a dropped statement failed");
                        }
                        let _ = conn.close().await;
                    }
                    Err(e) => tracing::warn!(error = %e, "could not connect to cancel a dropped statement"),
                }
            })
        }));
    }
    let outcome = work(guarded.conn().ok_or_else(gone)?).instrument(stage!("statement")).await;
    guarded.cancel = None;
    if let Some(session) = guarded.session.take() {
        // The rollback and reset go on after the answer: the connection returns to the
        // pool only once they are done (or is closed), so no later call can see this
        // one's state, and this call does not wait a round trip for them. A spawned task
        // runs next on a runtime thread (tokio's LIFO slot), ahead of the tasks that carry
        // the answer out: it yields first, so the answer leaves before the reset starts.
        let isolated = options.isolated;
        tokio::spawn(
            async move {
                tokio::task::yield_now().await;
                session.finish(rules, isolated).await;
            }
            .instrument(stage!("end")),
        );
    }
    outcome
}

/// Opens a call's session in one round trip: its read-only transaction and, when the call
/// can be cancelled, the session id the cancel needs (both in one simple-protocol batch
/// when both are asked for).
async fn begin<DB>(
    conn: &mut DB::Connection,
    rules: &SessionRules,
    options: &dbdock_core::QueryOptions,
) -> Result<Option<i64>, sqlx::Error>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments: sqlx::IntoArguments<DB>,
    i64: sqlx::Type<DB> + for<'r> sqlx::Decode<'r, DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    use sqlx::Row;
    match (options.read_only, options.cancellable) {
        (true, true) => {
            let rows =
                sqlx::raw_sql(sqlx::AssertSqlSafe(rules.begin_read_only_with_session_id)).fetch_all(conn).await?;
            let id = rows.last().map(|row| row.try_get::<i64, _>(0usize)).transpose()?;
            id.map(Some).ok_or_else(|| sqlx::Error::Protocol("the session id did not come back".into()))
        }
        (true, false) => {
            sqlx::raw_sql(sqlx::AssertSqlSafe(rules.begin_read_only)).execute(conn).await?;
            Ok(None)
        }
        (false, true) => Ok(Some(sqlx::query_scalar(rules.session_id_sql).fetch_one(conn).await?)),
        (false, false) => Ok(None),
    }
}
