//! MySQL and MariaDB on sqlx: prepared statements (so values arrive in the binary
//! protocol, decoded here by column type), schema from `information_schema`.

mod decode;
pub(crate) mod privileges;
mod schema;

use std::str::FromStr;
use std::time::Instant;

use async_trait::async_trait;
use dbdock_core::{
    ChangeOutcome, Column, ConnectionTarget, Database, Dialect, Engine, Error, ErrorCode, ExecOutcome,
    GuardedStatement, QueryOptions, QueryResult, Result, SchemaInfo, SqlStatement, TableInfo, TableRef, TlsMode,
    WritePreview, check_read_only,
};
use sqlx::mysql::{
    MySqlArguments, MySqlConnectOptions, MySqlPool, MySqlPoolOptions, MySqlQueryResult, MySqlRow, MySqlSslMode,
};
use sqlx::{Arguments, AssertSqlSafe, Column as _, ConnectOptions, Either, Executor, Row as _, SqlSafeStr, Statement};

use crate::OpenOptions;
use crate::changes;
use crate::pool::{PoolSlot, SessionRules, run_guarded};
use crate::preview;
use crate::rows::{RowCollector, check_param_count};
use crate::shell::{self, Output, Ran};
use crate::sql::map_error;

const RULES: SessionRules = SessionRules {
    begin_read_only: "START TRANSACTION READ ONLY",
    begin_read_only_with_session_id: "START TRANSACTION READ ONLY; SELECT CAST(CONNECTION_ID() AS SIGNED)",
    // sqlx cannot send COM_RESET_CONNECTION, so the batch undoes what it can (named locks)
    // and counts what it cannot (user variables): a connection with any is closed, not
    // reused. On servers without information_schema.USER_VARIABLES (MySQL) the batch fails
    // and every read-only connection is closed after its call (docs/safety.md).
    end_read_only: "ROLLBACK; DO RELEASE_ALL_LOCKS(); \
                    SELECT CAST(COUNT(*) AS SIGNED) FROM information_schema.USER_VARIABLES",
    end_reports_leftovers: true,
    session_id_sql: "SELECT CAST(CONNECTION_ID() AS SIGNED)",
    cancel_sql: |id| format!("KILL QUERY {id}"),
};

pub struct Mysql {
    target: ConnectionTarget,
    /// The database the URL names: schema listings stay inside it. Without one they
    /// cover every user database (MySQL's databases are its schemas).
    database: Option<String>,
    open: OpenOptions,
    pool: PoolSlot<sqlx::MySql>,
}

/// The profile's TLS settings as sqlx's `ssl-mode`, `ssl-ca`, `ssl-cert` and `ssl-key`
/// (docs/network.md): verify-full is MySQL's VERIFY_IDENTITY. Require does not check the
/// certificate, so a CA file has no effect there. sqlx checks the certificate's name against
/// the host it connects to and takes no other, so VERIFY_IDENTITY towards another name (a TLS
/// server name, or the server's own name behind an SSH tunnel) is refused, never checked
/// against the wrong name or not at all.
fn with_tls(mut options: MySqlConnectOptions, target: &ConnectionTarget) -> Result<MySqlConnectOptions> {
    let tls = crate::tls::checked(target)?;
    if let Some(mode) = tls.effective_mode() {
        options = options.ssl_mode(match mode {
            TlsMode::Disable => MySqlSslMode::Disabled,
            TlsMode::Prefer => MySqlSslMode::Preferred,
            TlsMode::Require => MySqlSslMode::Required,
            TlsMode::VerifyCa => MySqlSslMode::VerifyCa,
            TlsMode::VerifyFull => MySqlSslMode::VerifyIdentity,
        });
    }
    if let Some(ca) = &tls.ca_file {
        options = options.ssl_ca(ca);
    }
    if let (Some(cert), Some(key)) = (&tls.cert_file, &tls.key_file) {
        options = options.ssl_client_cert(cert).ssl_client_key(key);
    }
    if matches!(options.get_ssl_mode(), MySqlSslMode::VerifyIdentity) {
        crate::tls::refuse_other_name(target, "the MySQL driver (sqlx)", crate::tls::VERIFY_CA_INSTEAD)?;
    }
    Ok(options)
}

impl Mysql {
    pub fn new(target: ConnectionTarget, open: OpenOptions) -> Result<Self> {
        let url = target.url_with_secret();
        // sqlx knows only the mysql:// scheme; mariadb:// is the same protocol.
        let url = match url.expose().strip_prefix("mariadb://") {
            Some(rest) => format!("mysql://{rest}"),
            None => url.expose().to_owned(),
        };
        let options = MySqlConnectOptions::from_str(&url).map_err(|e| map_error(e, &target, classify))?;
        let options = with_tls(options, &target)?.disable_statement_logging();
        Ok(Mysql { database: target.database(), target, open, pool: PoolSlot::new(options) })
    }

    fn pool_options(&self) -> MySqlPoolOptions {
        let timeout = self.open.statement_timeout;
        MySqlPoolOptions::new().after_connect(move |conn, _meta| {
            Box::pin(async move {
                if let Some(timeout) = timeout {
                    // MariaDB and MySQL name the per-statement limit differently.
                    let version: String = sqlx::query_scalar("SELECT VERSION()").fetch_one(&mut *conn).await?;
                    let set = if version.contains("MariaDB") {
                        format!("SET SESSION max_statement_time = {}", timeout.as_secs_f64())
                    } else {
                        format!("SET SESSION max_execution_time = {}", timeout.as_millis())
                    };
                    conn.execute(AssertSqlSafe(set)).await?;
                }
                Ok(())
            })
        })
    }

    async fn pool(&self) -> Result<MySqlPool> {
        self.pool.get(&self.open, &self.target, classify, || self.pool_options()).await
    }

    fn err(&self, e: sqlx::Error) -> Error {
        map_error(e, &self.target, classify)
    }

    /// Runs one statement: read-only ones inside `START TRANSACTION READ ONLY`, always
    /// rolled back. (MySQL commits DDL implicitly even there, so the classifier in front
    /// matters more here than anywhere.) Prepared statements refuse a second statement.
    async fn run(
        &self,
        sql: &str,
        params: &[serde_json::Value],
        options: &QueryOptions,
        output: Output<'_>,
    ) -> Result<Ran> {
        if options.read_only {
            check_read_only(Dialect::Mysql, sql)?;
        }
        self.run_in_session(sql, params, options, output).await
    }

    /// Runs `sql` as a read-only call WITHOUT the statement check (and function policy),
    /// so tests can show what the engine's own layers hold by themselves: the server's
    /// read-only transaction and the reset after it. Debug builds only.
    #[cfg(debug_assertions)]
    #[doc(hidden)]
    pub async fn query_past_the_checks(&self, sql: &str) -> Result<QueryResult> {
        let options = QueryOptions { read_only: true, ..QueryOptions::default() };
        shell::rows_of(options, async |output| self.run_in_session(sql, &[], &options, output).await).await
    }

    /// Runs one statement in a session as `options` ask (see `run`).
    async fn run_in_session(
        &self,
        sql: &str,
        params: &[serde_json::Value],
        options: &QueryOptions,
        output: Output<'_>,
    ) -> Result<Ran> {
        let pool = self.pool().await?;
        run_guarded(
            &pool,
            &RULES,
            options,
            |e| self.err(e),
            async |conn| self.statement(conn, sql, params, output).await,
        )
        .await
    }

    async fn statement(
        &self,
        conn: &mut sqlx::MySqlConnection,
        sql: &str,
        params: &[serde_json::Value],
        output: Output<'_>,
    ) -> Result<Ran> {
        let statement = (&mut *conn).prepare(AssertSqlSafe(sql).into_sql_str()).await.map_err(|e| self.err(e))?;
        if let Some(Either::Right(expected)) = statement.parameters() {
            check_param_count(expected, params.len(), "?")?;
        }
        let columns: Vec<Column> = statement
            .columns()
            .iter()
            .map(|c| Column { name: c.name().to_owned(), type_name: c.type_info().to_string() })
            .collect();
        let query = statement.query_with(bind_params(params)?);
        let Output::Rows(collector) = output else {
            let done = query.execute(&mut *conn).await.map_err(|e| self.err(e))?;
            return Ok(Ran::Affected(done.rows_affected()));
        };
        let columns = read_sets((&mut *conn).fetch_many(query), collector, columns, |e| self.err(e)).await?;
        Ok(Ran::Rows(columns))
    }
}

/// Reads every result set of a statement: the first into `collector` (under `columns`, or
/// the first row's columns where the statement declared none, as `CALL` does), each later
/// one (a procedure's) into `collector.more` with the same caps. A set past its cap is read
/// to its end without keeping rows: MySQL has no way to skip the rest of an answer.
async fn read_sets<'c>(
    mut stream: impl futures_util::Stream<Item = Result<Either<MySqlQueryResult, MySqlRow>, sqlx::Error>> + Unpin + 'c,
    collector: &mut RowCollector,
    mut columns: Vec<Column>,
    map_err: impl Fn(sqlx::Error) -> Error,
) -> Result<Vec<Column>> {
    use futures_util::TryStreamExt;
    let row_columns = |row: &MySqlRow| -> Vec<Column> {
        row.columns()
            .iter()
            .map(|c| Column { name: c.name().to_owned(), type_name: c.type_info().to_string() })
            .collect()
    };
    let mut started = Instant::now();
    let mut set = 0usize;
    let mut later: Option<(Vec<Column>, RowCollector)> = None;
    let mut reading = true;
    while let Some(item) = stream.try_next().await.map_err(&map_err)? {
        match item {
            Either::Left(_) => {
                if let Some((set_columns, rows)) = later.take() {
                    collector.more.push(rows.into_result(set_columns, started));
                }
                set += 1;
                reading = true;
                started = Instant::now();
            }
            Either::Right(row) if set == 0 => {
                if columns.is_empty() {
                    columns = row_columns(&row);
                }
                reading = reading && collector.offer(|| decode::row(&row));
            }
            Either::Right(row) => {
                let (_, rows) = later.get_or_insert_with(|| (row_columns(&row), collector.for_next_set()));
                reading = reading && rows.offer(|| decode::row(&row));
            }
        }
    }
    if let Some((set_columns, rows)) = later.take() {
        collector.more.push(rows.into_result(set_columns, started));
    }
    Ok(columns)
}

/// MySQL converts between strings and numbers as the statement needs, so each JSON value
/// is sent as its natural type.
fn bind_params(params: &[serde_json::Value]) -> Result<MySqlArguments> {
    let mut args = MySqlArguments::default();
    for (i, p) in params.iter().enumerate() {
        let added = match p {
            serde_json::Value::Null => args.add(None::<String>),
            serde_json::Value::Bool(b) => args.add(*b),
            serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => args.add(i),
                (None, Some(u)) => args.add(u),
                _ => args.add(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => args.add(s.clone()),
            other => args.add(other.to_string()),
        };
        added.map_err(|e| Error::invalid_input(format!("parameter {}: {e}", i + 1)))?;
    }
    Ok(args)
}

/// MySQL server error numbers with a DB Dock meaning of their own.
fn classify(db: &dyn sqlx::error::DatabaseError) -> Option<ErrorCode> {
    let number = db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>().map(|e| e.number())?;
    Some(match number {
        1045 | 1698 => ErrorCode::AuthFailed,
        1049 | 1146 | 1051 | 1054 | 1305 | 1109 => ErrorCode::NotFound,
        1044 | 1142 | 1143 | 1227 | 1370 => ErrorCode::PermissionDenied,
        1792 | 1290 | 1836 => ErrorCode::ReadOnlyViolation,
        3024 | 1969 | 1317 => ErrorCode::Timeout,
        1040 | 1129 | 1130 | 2002 | 2003 | 2006 | 2013 => ErrorCode::ConnectionFailed,
        1210 | 1366 | 1292 | 1264 | 1406 => ErrorCode::InvalidInput,
        _ => return None,
    })
}

#[async_trait]
impl changes::ChangeRunner<sqlx::MySqlConnection> for Mysql {
    async fn run_one(&self, conn: &mut sqlx::MySqlConnection, s: &SqlStatement) -> Result<u64> {
        Ok(shell::affected(self.statement(conn, &s.sql, &s.params, Output::Count).await?).rows_affected)
    }

    async fn control(&self, conn: &mut sqlx::MySqlConnection, sql: &'static str) -> Result<()> {
        changes::control_sql::<sqlx::MySql>(conn, sql, |e| self.err(e)).await
    }
}

#[async_trait]
impl Database for Mysql {
    fn engine(&self) -> Engine {
        Engine::Mysql
    }

    fn target(&self) -> &ConnectionTarget {
        &self.target
    }

    async fn connect(&self) -> Result<()> {
        self.pool.connect(&self.open, &self.target, classify, self.pool_options()).await
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

    async fn login_access(&self) -> Result<dbdock_core::LoginAccess> {
        privileges::login_access(&self.pool().await?).await.map_err(|e| self.err(e))
    }

    async fn explain(&self, sql: &str, params: &[serde_json::Value], limits: &QueryOptions) -> Result<QueryResult> {
        // The plan request goes through the read path and its checks like any query.
        self.query(&format!("EXPLAIN FORMAT=JSON {sql}"), params, &QueryOptions { read_only: true, ..*limits }).await
    }

    async fn apply_changes(&self, statements: &[GuardedStatement]) -> Result<ChangeOutcome> {
        changes::on_pool(&self.pool().await?, &RULES, |e| self.err(e), statements, self).await
    }

    async fn preview(&self, sql: &str, params: &[serde_json::Value]) -> WritePreview {
        // No RETURNING on UPDATE here (and none at all on MySQL): the rows before are read,
        // the values after are not shown. DDL commits implicitly, so it is never dry-run.
        let plan = dbdock_core::plan_preview(Dialect::Mysql, sql, false);
        preview::on_server(
            self.pool().await,
            &RULES,
            |e| self.err(e),
            &plan,
            async |conn| {
                let mut run = preview::DryRun::new(&plan);
                if let Some((sql, before_params)) = run.before_read(params) {
                    let outcome = self.statement(conn, &sql, &before_params, run.before_output()).await;
                    run.before_done(outcome);
                }
                let outcome = self.statement(conn, &plan.dry_run, params, run.output()).await;
                run.finish(outcome)
            },
        )
        .await
    }

    async fn server_version(&self) -> Result<String> {
        let pool = self.pool().await?;
        sqlx::query_scalar("SELECT CONCAT(VERSION(), ' (', @@version_comment, ')')")
            .fetch_one(&pool)
            .await
            .map_err(|e| self.err(e))
    }

    async fn list_tables(&self) -> Result<Vec<TableRef>> {
        let pool = self.pool().await?;
        schema::list_tables(&pool, self.database.as_deref()).await.map_err(|e| self.err(e))
    }

    async fn table_schema(&self, name: &str) -> Result<TableInfo> {
        shell::table_schema(self, name, async |table| {
            let pool = self.pool().await?;
            let found = schema::load(&pool, self.database.as_deref(), Some(table)).await;
            Ok(found.map_err(|e| self.err(e))?.pop())
        })
        .await
    }

    async fn schema(&self) -> Result<SchemaInfo> {
        let pool = self.pool().await?;
        let database: Option<String> =
            sqlx::query_scalar("SELECT DATABASE()").fetch_one(&pool).await.map_err(|e| self.err(e))?;
        let tables = schema::load(&pool, self.database.as_deref(), None).await.map_err(|e| self.err(e))?;
        Ok(SchemaInfo { database: database.unwrap_or_default(), tables })
    }
}
