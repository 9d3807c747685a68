//! SQLite: writes and schema reading on sqlx (a file opened without changing its journal
//! mode, values decoded by their storage class, schema from the `pragma_*` table
//! functions); read-only calls on rusqlite connections that SQLite itself keeps
//! read-only (`guard`), because sqlx offers no authorizer, progress handler or
//! statement-tail check.

#[cfg(test)]
pub(crate) mod corpus;
pub mod demo;
mod guard;
mod read_pool;
mod schema;
#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use dbdock_core::{
    ChangeOutcome, Column, ConnectionTarget, Database, Dialect, Endpoint, Engine, Error, ErrorCode, ExecOutcome,
    GuardedStatement, QueryOptions, QueryResult, Result, SchemaInfo, SqlStatement, TableInfo, TableRef, Value,
    WritePreview, check_read_only,
};
use sqlx::sqlite::{SqliteArguments, SqliteConnectOptions, SqlitePool, SqlitePoolOptions, SqliteRow};
use sqlx::{
    Arguments, AssertSqlSafe, Column as _, ConnectOptions, Either, Executor, Row, SqlSafeStr, Statement, TypeInfo,
    ValueRef,
};

use crate::OpenOptions;
use crate::changes;
use crate::pool::PoolSlot;
use crate::preview;
use crate::rows::check_param_count;
use crate::shell::{self, Output, Ran};
use crate::sql::{collect, map_error};
use read_pool::ReadPool;

pub struct Sqlite {
    target: ConnectionTarget,
    path: PathBuf,
    open: OpenOptions,
    pool: PoolSlot<sqlx::Sqlite>,
    /// Connections opened read-only and guarded by SQLite itself: what read-only calls
    /// run on.
    reader: ReadPool,
}

impl Sqlite {
    pub fn new(target: ConnectionTarget, open: OpenOptions) -> Result<Self> {
        let Endpoint::File(path) = target.endpoint().clone() else {
            return Err(Error::invalid_input("a SQLite target must name a file"));
        };
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(open.create_if_missing)
            .foreign_keys(true)
            // Another process (the desktop app, an MCP endpoint) may be writing.
            .busy_timeout(Duration::from_secs(5))
            .disable_statement_logging();
        let reader = ReadPool::new(path.clone(), &open);
        Ok(Sqlite { target, path, open, pool: PoolSlot::new(options), reader })
    }

    async fn pool(&self) -> Result<SqlitePool> {
        self.pool.get(&self.open, &self.target, classify, SqlitePoolOptions::new).await
    }

    fn err(&self, e: sqlx::Error) -> Error {
        map_error(e, &self.target, classify)
    }

    /// Runs one read-only statement: the classifier first (for its clearer messages),
    /// then the guarded connection, which holds without it.
    async fn read(
        &self,
        sql: &str,
        params: &[serde_json::Value],
        options: &QueryOptions,
        collect: bool,
    ) -> Result<guard::ReadOutcome> {
        check_read_only(Dialect::Sqlite, sql)?;
        self.reader.run(sql, params, *options, collect).await
    }

    /// Runs one statement on the read-write sqlx pool. (SQLite runs in-process; a dropped
    /// call is not cancelled mid-statement.)
    async fn run(&self, sql: &str, params: &[serde_json::Value], output: Output<'_>) -> Result<Ran> {
        let pool = self.pool().await?;
        let mut conn = pool.acquire().await.map_err(|e| self.err(e))?;
        self.run_on(&mut conn, sql, params, output).await
    }

    /// Runs one statement on `conn`.
    async fn run_on(
        &self,
        conn: &mut sqlx::SqliteConnection,
        sql: &str,
        params: &[serde_json::Value],
        output: Output<'_>,
    ) -> Result<Ran> {
        let statement = (&mut *conn).prepare(AssertSqlSafe(sql).into_sql_str()).await.map_err(|e| self.err(e))?;
        if let Some(Either::Right(expected)) = statement.parameters() {
            check_param_count(expected, params.len(), "?, ?1, :name")?;
        }
        let mut declared: Vec<Column> = statement
            .columns()
            .iter()
            .map(|c| Column { name: c.name().to_owned(), type_name: c.type_info().name().to_owned() })
            .collect();
        let query = statement.query_with(bind_params(params)?);
        let Output::Rows(collector) = output else {
            let done = query.execute(&mut *conn).await.map_err(|e| self.err(e))?;
            return Ok(Ran::Affected(done.rows_affected()));
        };
        // An expression column has no declared type: name it by the first value's.
        let decode = |row: &SqliteRow| {
            let (values, classes) = decode_row(row);
            for (column, class) in declared.iter_mut().zip(classes) {
                if column.type_name == "NULL" && class != "NULL" {
                    column.type_name = class.to_owned();
                }
            }
            values
        };
        collect(query.fetch(&mut *conn), collector, decode, |e| self.err(e)).await?;
        Ok(Ran::Rows(declared))
    }
}

fn bind_params(params: &[serde_json::Value]) -> Result<SqliteArguments> {
    let mut args = SqliteArguments::default();
    for (i, p) in params.iter().enumerate() {
        let added = match p {
            serde_json::Value::Null => args.add(None::<String>),
            serde_json::Value::Bool(b) => args.add(i64::from(*b)),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => args.add(i),
                None => args.add(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => args.add(s.clone()),
            other => args.add(other.to_string()),
        };
        added.map_err(|e| Error::invalid_input(format!("parameter {}: {e}", i + 1)))?;
    }
    Ok(args)
}

/// Values by storage class (SQLite is dynamically typed), and each value's class name.
fn decode_row(row: &SqliteRow) -> (Vec<Value>, Vec<&'static str>) {
    (0..row.len())
        .map(|i| {
            let Ok(raw) = row.try_get_raw(i) else { return (Value::Null, "NULL") };
            if raw.is_null() {
                return (Value::Null, "NULL");
            }
            let class = raw.type_info().name().to_owned();
            match class.as_str() {
                "INTEGER" | "BOOLEAN" => {
                    (row.try_get_unchecked::<i64, _>(i).map_or(Value::Null, Value::Int), "INTEGER")
                }
                "REAL" => (row.try_get_unchecked::<f64, _>(i).map_or(Value::Null, Value::Float), "REAL"),
                "BLOB" => (row.try_get_unchecked::<Vec<u8>, _>(i).map_or(Value::Null, Value::Bytes), "BLOB"),
                // TEXT (and declared types sqlx names NUMERIC, DATE, …): text, or bytes when
                // the stored text is not valid UTF-8.
                _ => match row.try_get_unchecked::<String, _>(i) {
                    Ok(s) => (Value::Text(s), "TEXT"),
                    Err(_) => (row.try_get_unchecked::<Vec<u8>, _>(i).map_or(Value::Null, Value::Bytes), "TEXT"),
                },
            }
        })
        .unzip()
}

/// SQLite's result codes are coarse (SQLITE_ERROR for almost everything), so the
/// extended code decides where it can and the message where it must.
fn classify(db: &dyn sqlx::error::DatabaseError) -> Option<ErrorCode> {
    let code = db.code().and_then(|c| c.parse::<i32>().ok()).unwrap_or(0);
    guard::code_for(code, db.message())
}

#[async_trait]
impl changes::ChangeRunner<sqlx::SqliteConnection> for Sqlite {
    // Takes the write lock first, so a set never fails half-way on another writer.
    const BEGIN: &'static str = "BEGIN IMMEDIATE";

    async fn run_one(&self, conn: &mut sqlx::SqliteConnection, s: &SqlStatement) -> Result<u64> {
        Ok(shell::affected(self.run_on(conn, &s.sql, &s.params, Output::Count).await?).rows_affected)
    }

    async fn control(&self, conn: &mut sqlx::SqliteConnection, sql: &'static str) -> Result<()> {
        changes::control_sql::<sqlx::Sqlite>(conn, sql, |e| self.err(e)).await
    }
}

#[async_trait]
impl Database for Sqlite {
    fn engine(&self) -> Engine {
        Engine::Sqlite
    }

    fn target(&self) -> &ConnectionTarget {
        &self.target
    }

    async fn connect(&self) -> Result<()> {
        if !self.open.create_if_missing && !self.path.exists() {
            return Err(Error::not_found(format!("no SQLite database file at {}", self.path.display())));
        }
        self.pool.connect(&self.open, &self.target, classify, SqlitePoolOptions::new()).await
    }

    async fn disconnect(&self) {
        self.pool.close().await;
        self.reader.close();
    }

    async fn query(&self, sql: &str, params: &[serde_json::Value], limits: &QueryOptions) -> Result<QueryResult> {
        let started = Instant::now();
        if limits.read_only {
            let read = self.read(sql, params, limits, true).await?;
            return Ok(QueryResult {
                columns: read.columns,
                row_count: read.rows.len(),
                rows: read.rows,
                truncated: read.truncated,
                elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
                more: Vec::new(),
            });
        }
        shell::rows_of(*limits, async |output| self.run(sql, params, output).await).await
    }

    async fn execute(&self, sql: &str, params: &[serde_json::Value], options: &QueryOptions) -> Result<ExecOutcome> {
        if options.read_only {
            // Nothing a read-only connection runs can change a row.
            self.read(sql, params, options, false).await?;
            return Ok(ExecOutcome { rows_affected: 0 });
        }
        Ok(shell::affected(self.run(sql, params, Output::Count).await?))
    }

    async fn explain(&self, sql: &str, params: &[serde_json::Value], limits: &QueryOptions) -> Result<QueryResult> {
        // The plan request goes through the read path and its checks like any query.
        self.query(&format!("EXPLAIN QUERY PLAN {sql}"), params, &QueryOptions { read_only: true, ..*limits }).await
    }

    async fn apply_changes(&self, statements: &[GuardedStatement]) -> Result<ChangeOutcome> {
        // Detached: dropped midway, the connection closes and SQLite rolls back.
        let mut conn = self.pool().await?.acquire().await.map_err(|e| self.err(e))?.detach();
        let outcome = changes::in_transaction(&mut conn, statements, self).await;
        let _ = sqlx::Connection::close(conn).await;
        outcome
    }

    async fn preview(&self, sql: &str, params: &[serde_json::Value]) -> WritePreview {
        let plan = dbdock_core::plan_preview(Dialect::Sqlite, sql, true);
        if !plan.transactional {
            return preview::not_run(&plan);
        }
        let mut conn = match self.pool().await {
            Ok(pool) => match pool.acquire().await {
                // Detached: dropped midway, the connection closes and SQLite rolls back,
                // instead of going back to the pool inside the open transaction.
                Ok(conn) => conn.detach(),
                Err(e) => return WritePreview::failed(self.err(e)),
            },
            Err(e) => return WritePreview::failed(e),
        };
        if let Err(e) = sqlx::raw_sql("BEGIN").execute(&mut conn).await {
            return WritePreview::failed(self.err(e));
        }
        let mut run = preview::DryRun::new(&plan);
        if let Some((sql, before_params)) = run.before_read(params) {
            let outcome = self.run_on(&mut conn, &sql, &before_params, run.before_output()).await;
            run.before_done(outcome);
        }
        let outcome = self.run_on(&mut conn, &plan.dry_run, params, run.output()).await;
        let preview = run.finish(outcome);
        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut conn).await;
        let _ = sqlx::Connection::close(conn).await;
        preview
    }

    async fn server_version(&self) -> Result<String> {
        let pool = self.pool().await?;
        sqlx::query_scalar("SELECT 'SQLite ' || sqlite_version()").fetch_one(&pool).await.map_err(|e| self.err(e))
    }

    async fn list_tables(&self) -> Result<Vec<TableRef>> {
        let pool = self.pool().await?;
        schema::list_tables(&pool).await.map_err(|e| self.err(e))
    }

    async fn table_schema(&self, name: &str) -> Result<TableInfo> {
        shell::table_schema(self, name, async |table| {
            let pool = self.pool().await?;
            schema::load_table(&pool, table).await.map(Some).map_err(|e| self.err(e))
        })
        .await
    }

    async fn schema(&self) -> Result<SchemaInfo> {
        let tables = self.list_tables().await?;
        let pool = self.pool().await?;
        let mut infos = Vec::with_capacity(tables.len());
        for table in &tables {
            infos.push(schema::load_table(&pool, table).await.map_err(|e| self.err(e))?);
        }
        let database =
            self.path.file_name().map_or_else(|| self.path.display().to_string(), |n| n.to_string_lossy().into_owned());
        Ok(SchemaInfo { database, tables: infos })
    }
}
