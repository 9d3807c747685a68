//! SQL Server on tiberius (TDS 7.3 over TLS): a small connection pool of its own, statements
//! sent as `sp_executesql` with `@P1…` parameters, values decoded exactly, schema from the
//! `sys` catalog views (with an `INFORMATION_SCHEMA` fallback for servers that lack them).
//!
//! SQL Server has neither read-only transactions nor a per-statement time limit, so:
//! read-only calls run inside `BEGIN TRANSACTION` … `ROLLBACK` behind the classifier (which
//! refuses anything that could end or escape that transaction), on a connection of their own
//! that is closed afterwards, with a tripwire that fails the call if the statement ended or
//! replaced the transaction ([`tripwire`]); and the statement timeout is enforced here — the
//! request is cancelled with an attention and its connection closed.

mod access;
mod config;
mod decode;
mod error;
mod params;
mod pool;
mod schema;
#[cfg(test)]
mod tamper_tests;
mod tripwire;

use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use dbdock_core::{
    ChangeOutcome, Column, ConnectionTarget, Database, Dialect, Engine, Error, ErrorCode, ExecOutcome,
    GuardedStatement, LoginAccess, QueryOptions, QueryResult, Result, SchemaInfo, SqlStatement, TableInfo, TableRef,
    check_read_only,
};
use futures_util::TryStreamExt;
use tiberius::{ColumnType, Query, QueryItem};

use crate::OpenOptions;
use crate::changes;
use crate::rows::{RowCollector, check_param_count, host_port, one_line};
use crate::shell::{self, Output, Ran};
use pool::{Client, Lease, Pool};

/// The engine's adapter for `target`; connects on [`Database::connect`].
pub fn adapter(target: ConnectionTarget, options: OpenOptions) -> Result<Box<dyn Database>> {
    Ok(Box::new(Mssql::new(target, options)?))
}

pub struct Mssql {
    target: ConnectionTarget,
    statement_timeout: Option<Duration>,
    pool: Pool,
    /// Whether the server has `CURRENT_TRANSACTION_ID()`: [`UNKNOWN`] until the first
    /// read-only call finds out ([`tripwire`]).
    transaction_ids: AtomicU8,
}

const UNKNOWN: u8 = 0;
const AVAILABLE: u8 = 1;
const MISSING: u8 = 2;

impl Mssql {
    /// Reads the URL's settings; no I/O until [`Database::connect`].
    pub fn new(target: ConnectionTarget, open: OpenOptions) -> Result<Self> {
        let settings = config::settings(&target)?;
        let address = host_port(&target);
        let pool = Pool::new(settings, address, target.password().cloned(), open.connect_timeout, open.max_connections);
        Ok(Mssql { target, statement_timeout: open.statement_timeout, pool, transaction_ids: AtomicU8::new(UNKNOWN) })
    }

    /// Runs one statement on a connection of its own, within the statement timeout.
    async fn run(
        &self,
        sql: &str,
        params: &[serde_json::Value],
        options: &QueryOptions,
        output: Output<'_>,
    ) -> Result<Ran> {
        if options.read_only {
            check_read_only(Dialect::Mssql, sql)?;
        }
        check_param_count(params::placeholder_count(sql), params.len(), "@P1, @P2, …")?;
        // A read-only call gets a connection of its own, closed afterwards: tiberius cannot
        // send TDS's RESETCONNECTION flag, and nothing else clears everything a session can
        // keep (SET options, temporary tables, CONTEXT_INFO, open cursors).
        let mut lease = if options.read_only {
            self.pool.acquire_fresh().await?
        } else {
            self.pool.acquire(options.isolated).await?
        };
        self.within_limit(self.session(&mut lease, sql, params, options, output)).await
    }

    /// `work` (one statement on a lease) within the statement timeout, which SQL Server
    /// cannot enforce itself. On timeout `work` is dropped with its lease busy: the lease
    /// cancels the request on the server and closes the connection.
    async fn within_limit<T>(&self, work: impl Future<Output = Result<T>>) -> Result<T> {
        match self.statement_timeout {
            Some(limit) => tokio::time::timeout(limit, work).await.map_err(|_| {
                Error::timeout(format!(
                    "the statement ran longer than the {} s limit and was cancelled",
                    limit.as_secs_f64()
                ))
            })?,
            None => work.await,
        }
    }

    /// The statement, wrapped as `options` ask. Read-only: inside a transaction that is
    /// always rolled back, whatever the statement did or however it failed, checked by the
    /// [`tripwire`], on a connection of its own.
    async fn session(
        &self,
        lease: &mut Lease,
        sql: &str,
        params: &[serde_json::Value],
        options: &QueryOptions,
        output: Output<'_>,
    ) -> Result<Ran> {
        let before = if options.read_only { Some(self.begin_read_only(lease).await?) } else { None };
        // Cutting a result short may cancel the rest only where nothing can be lost: a
        // statement the classifier sees as a pure read, outside a read-only call. A
        // read-only call reads the rest and drops it instead (as sqlx does on PostgreSQL and
        // MySQL), so the tripwire's check after it reads a session in a known state: after
        // an attention a server may answer the check with nothing (pysqlbridge does).
        let may_cancel = !options.read_only && check_read_only(Dialect::Mssql, sql).is_ok();
        let query = params::bind(sql, params);
        let outcome = match output {
            Output::Rows(collector) => {
                self.rows(lease, query, collector, may_cancel, !options.read_only).await.map(Ran::Rows)
            }
            Output::Count => self.effect(lease, query).await.map(Ran::Affected),
        };
        if let Some(before) = before {
            // Whatever this reads, the connection is closed at the end of the lease, which
            // makes the server roll back anything the batch could not.
            let end = if before.id.is_some() { tripwire::END_WITH_ID } else { tripwire::END_WITHOUT_ID };
            // A failed check (a broken connection) leaves the rollback to the server, as the
            // connection closes; a check that answered nothing is the statement's doing.
            if let Ok(after) = self.mark(lease, end).await
                && let Some(reason) = tripwire::tampering(before, after, outcome.is_err())
            {
                tracing::warn!(reason, "a read-only SQL Server statement tampered with its transaction");
                return Err(tripwire::violation(reason));
            }
        } else if mentions_transaction(sql) {
            // Calls share pooled connections, so a transaction a write leaves open would
            // swallow later calls' work: close the connection (the server rolls it back) and
            // say so, unless the statement's own error already explains what happened.
            match self.transaction_count(lease).await {
                Ok(0) => {}
                Ok(_) if outcome.is_ok() => {
                    lease.discard();
                    return Err(Error::invalid_input(
                        "the statement left a transaction open (BEGIN TRANSACTION without COMMIT or ROLLBACK), so it \
                         was rolled back: DB Dock runs each call on a pooled connection; send BEGIN … COMMIT in one call",
                    ));
                }
                _ => lease.discard(),
            }
        }
        outcome
    }

    /// Reads the first result set into `collector`, and with `later_sets` each later one
    /// (a batch's, a procedure's) into `collector.more`.
    async fn rows(
        &self,
        lease: &mut Lease,
        query: Query<'_>,
        collector: &mut RowCollector,
        may_cancel: bool,
        later_sets: bool,
    ) -> Result<Vec<Column>> {
        let client = lease.start()?;
        let outcome = read_results(client, query, collector, may_cancel, later_sets).await;
        lease.settle(&outcome);
        let (columns, complete) = outcome.map_err(|e| self.pool.map_err(e))?;
        if !complete {
            // Stopped early: an attention makes the server drop the rest of the answer. If it
            // goes wrong the connection is closed instead, which the server takes as a cancel.
            let client = lease.start()?;
            let cancelled = tokio::time::timeout(pool::CANCEL_WAIT, client.cancel_query())
                .await
                .unwrap_or_else(|_| Err(tiberius::error::Error::Protocol("no answer to the cancel in time".into())));
            lease.settle(&cancelled);
            if cancelled.is_err() {
                lease.discard();
            }
        }
        Ok(columns)
    }

    async fn effect(&self, lease: &mut Lease, query: Query<'_>) -> Result<u64> {
        let client = lease.start()?;
        let outcome = query.execute(client).await.map(tiberius::ExecuteResult::total);
        lease.settle(&outcome);
        outcome.map_err(|e| self.pool.map_err(e))
    }

    #[cfg(test)]
    fn transaction_ids_known_available(&self) -> bool {
        self.transaction_ids.load(Ordering::Relaxed) == AVAILABLE
    }

    /// Begins the read-only transaction and reads its id and depth; learns on the first
    /// call whether the server has `CURRENT_TRANSACTION_ID()`.
    async fn begin_read_only(&self, lease: &mut Lease) -> Result<tripwire::Mark> {
        let known = self.transaction_ids.load(Ordering::Relaxed);
        let begun = if known == MISSING {
            self.mark(lease, tripwire::BEGIN_WITHOUT_ID).await
        } else {
            match self.mark(lease, tripwire::BEGIN_WITH_ID).await {
                Err(e) if known == UNKNOWN && e.code != ErrorCode::ConnectionFailed => {
                    self.transaction_ids.store(MISSING, Ordering::Relaxed);
                    self.mark(lease, tripwire::BEGIN_WITHOUT_ID).await
                }
                Ok(mark) => {
                    self.transaction_ids.store(AVAILABLE, Ordering::Relaxed);
                    Ok(mark)
                }
                Err(e) => Err(e),
            }
        };
        match begun? {
            Some(mark) if mark.depth == 1 => Ok(mark),
            other => Err(Error::internal(format!(
                "the read-only transaction did not begin as expected (read back {other:?})"
            ))),
        }
    }

    /// Runs one of the [`tripwire`] batches and reads its row: the transaction's id and depth.
    async fn mark(&self, lease: &mut Lease, sql: &str) -> Result<Option<tripwire::Mark>> {
        let client = lease.start()?;
        let outcome = match client.simple_query(sql).await {
            Ok(stream) => stream.into_row().await,
            Err(e) => Err(e),
        };
        lease.settle(&outcome);
        let row = outcome.map_err(|e| self.pool.map_err(e))?;
        Ok(row.and_then(|row| {
            let depth = row.try_get::<i32, _>(1).ok().flatten()?;
            Some(tripwire::Mark { id: row.try_get::<i64, _>(0).ok().flatten(), depth })
        }))
    }

    async fn transaction_count(&self, lease: &mut Lease) -> Result<i32> {
        let client = lease.start()?;
        let outcome = match client.simple_query("SELECT CAST(@@TRANCOUNT AS int)").await {
            Ok(stream) => stream.into_row().await,
            Err(e) => Err(e),
        };
        lease.settle(&outcome);
        Ok(outcome.map_err(|e| self.pool.map_err(e))?.and_then(|row| row.get::<i32, _>(0)).unwrap_or(0))
    }

    /// Rows of a query DB Dock sends itself (catalog queries), all of them.
    pub(crate) async fn catalog(
        &self,
        sql: &str,
        params: &[serde_json::Value],
    ) -> Result<Vec<Vec<dbdock_core::Value>>> {
        let options = QueryOptions::default();
        let mut collector = RowCollector::new(options);
        self.run(sql, params, &options, Output::Rows(&mut collector)).await?;
        Ok(collector.rows)
    }
}

/// Reads the answer to `query`: the first result set into `collector` and, with
/// `later_sets`, each later one into `collector.more` (same caps); without, later sets are
/// read and dropped. Returns the first set's columns and whether the answer was read to its
/// end (with `may_cancel`, reading stops at the first set's cap, for the caller to cancel
/// the rest).
async fn read_results(
    client: &mut Client,
    query: Query<'_>,
    collector: &mut RowCollector,
    may_cancel: bool,
    later_sets: bool,
) -> tiberius::Result<(Vec<Column>, bool)> {
    let mut stream = query.query(client).await?;
    let described: Vec<tiberius::Column> = stream.columns().await?.map(<[_]>::to_vec).unwrap_or_default();
    let (columns, types) = described_columns(&described);
    let mut later: Option<(Vec<Column>, Vec<ColumnType>, RowCollector)> = None;
    let mut started = std::time::Instant::now();
    let mut reading = true;
    while let Some(item) = stream.try_next().await? {
        match &item {
            QueryItem::Metadata(meta) if meta.result_index() == 0 => {}
            QueryItem::Metadata(meta) => {
                if let Some((set_columns, _, rows)) = later.take() {
                    collector.more.push(rows.into_result(set_columns, started));
                }
                if may_cancel {
                    return Ok((columns, false));
                }
                reading = later_sets;
                if later_sets {
                    let (set_columns, set_types) = described_columns(meta.columns());
                    later = Some((set_columns, set_types, collector.for_next_set()));
                    started = std::time::Instant::now();
                }
            }
            QueryItem::Row(row) if row.result_index() == 0 => {
                if reading {
                    reading = collector
                        .offer(|| row.cells().zip(&types).map(|((_, data), ty)| decode::value(*ty, data)).collect());
                    if !reading && may_cancel {
                        return Ok((columns, false));
                    }
                }
            }
            QueryItem::Row(row) => {
                if let Some((_, set_types, rows)) = later.as_mut().filter(|_| reading) {
                    reading = rows.offer(|| {
                        row.cells().zip(set_types.iter()).map(|((_, data), ty)| decode::value(*ty, data)).collect()
                    });
                }
            }
        }
    }
    if let Some((set_columns, _, rows)) = later.take() {
        collector.more.push(rows.into_result(set_columns, started));
    }
    Ok((columns, true))
}

fn described_columns(described: &[tiberius::Column]) -> (Vec<Column>, Vec<ColumnType>) {
    let columns = described
        .iter()
        .map(|c| Column { name: c.name().to_owned(), type_name: decode::type_name(c.column_type()).to_owned() })
        .collect();
    (columns, described.iter().map(tiberius::Column::column_type).collect())
}

/// Whether a write may have opened a transaction (`BEGIN TRAN`, `SET IMPLICIT_TRANSACTIONS`):
/// only then is `@@TRANCOUNT` checked afterwards, to spare every other write a round trip.
fn mentions_transaction(sql: &str) -> bool {
    sql.to_ascii_uppercase().contains("TRAN")
}

#[async_trait]
impl changes::ChangeRunner<Lease> for Mssql {
    const BEGIN: &'static str = "BEGIN TRANSACTION";
    const COMMIT: &'static str = "COMMIT TRANSACTION";
    // An error may already have ended the transaction (XACT_ABORT, a batch-aborting error).
    const ROLLBACK: &'static str = "IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION";

    async fn run_one(&self, lease: &mut Lease, s: &SqlStatement) -> Result<u64> {
        self.within_limit(self.effect(lease, params::bind(&s.sql, &s.params))).await
    }

    async fn control(&self, lease: &mut Lease, sql: &'static str) -> Result<()> {
        self.effect(lease, Query::new(sql)).await.map(|_| ())
    }
}

#[async_trait]
impl Database for Mssql {
    fn engine(&self) -> Engine {
        Engine::Mssql
    }

    fn target(&self) -> &ConnectionTarget {
        &self.target
    }

    async fn connect(&self) -> Result<()> {
        // Opens (or reuses) one connection, which proves the address and the login, and
        // leaves it in the pool.
        self.pool.acquire(false).await.map(drop)
    }

    async fn disconnect(&self) {
        self.pool.close().await;
    }

    async fn query(&self, sql: &str, params: &[serde_json::Value], limits: &QueryOptions) -> Result<QueryResult> {
        shell::rows_of(*limits, async |output| self.run(sql, params, limits, output).await).await
    }

    async fn execute(&self, sql: &str, params: &[serde_json::Value], options: &QueryOptions) -> Result<ExecOutcome> {
        Ok(shell::affected(self.run(sql, params, options, Output::Count).await?))
    }

    async fn apply_changes(&self, statements: &[GuardedStatement]) -> Result<ChangeOutcome> {
        // Isolated: the connection is closed after the lease, so a set dropped half-way (or
        // a statement past the time limit) is rolled back by the server.
        let mut lease = self.pool.acquire(true).await?;
        changes::in_transaction(&mut lease, statements, self).await
    }

    async fn server_version(&self) -> Result<String> {
        let rows = match self.catalog("SELECT @@VERSION", &[]).await {
            Ok(rows) => rows,
            Err(_) => self.catalog("SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128))", &[]).await?,
        };
        let text = rows.first().and_then(|r| r.first()).and_then(|v| v.display_text()).unwrap_or_default();
        // @@VERSION spans lines; the copyright line says nothing about the server.
        Ok(one_line(&text.lines().filter(|l| !l.trim_start().starts_with("Copyright")).collect::<Vec<_>>().join(" ")))
    }

    async fn login_access(&self) -> Result<LoginAccess> {
        let rows = self.catalog(access::QUERY, &[]).await.map_err(|e| match e.code {
            // A function the server lacks: it cannot say, and DB Dock does not guess.
            ErrorCode::QueryFailed => {
                Error::unsupported(format!("this server cannot say what the login may do: {}", e.message))
            }
            _ => e,
        })?;
        access::from_row(rows.first().map(Vec::as_slice).unwrap_or_default())
    }

    async fn list_tables(&self) -> Result<Vec<TableRef>> {
        schema::list_tables(self).await
    }

    async fn table_schema(&self, name: &str) -> Result<TableInfo> {
        shell::table_schema(self, name, async |table| Ok(schema::load(self, Some(table)).await?.pop())).await
    }

    async fn schema(&self) -> Result<SchemaInfo> {
        let database = self.catalog("SELECT DB_NAME()", &[]).await?;
        let database = database.first().and_then(|r| r.first()).and_then(|v| v.display_text()).unwrap_or_default();
        Ok(SchemaInfo { database, tables: schema::load(self, None).await? })
    }
}
