//! PostgreSQL on sqlx: pooled connections, parameters typed by what the server declared,
//! values decoded from the binary wire format, schema from the system catalogs.

mod codec;
mod cut;
mod functions;
pub mod listen;
mod numeric;
pub(crate) mod privileges;
mod schema;

use std::str::FromStr;

use async_trait::async_trait;
use dbdock_core::{
    ChangeOutcome, Column, ConnectionTarget, Database, Dialect, Engine, Error, ErrorCode, ExecOutcome,
    GuardedStatement, QueryOptions, QueryResult, Result, SchemaInfo, SqlStatement, TableInfo, TableRef, TlsMode, Value,
    WritePreview, check_read_only,
};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow, PgSslMode, PgTypeInfo};
use sqlx::{AssertSqlSafe, Column as _, ConnectOptions, Either, Executor, Row, SqlSafeStr, Statement, ValueRef};

use crate::OpenOptions;
use crate::changes;
use crate::pool::{PoolSlot, SessionRules, run_guarded};
use crate::preview;
use crate::rows::check_param_count;
use crate::shell::{self, Output, Ran};
use crate::sql::{collect, map_error};

const RULES: SessionRules = SessionRules {
    begin_read_only: "BEGIN READ ONLY",
    begin_read_only_with_session_id: "BEGIN READ ONLY; SELECT pg_backend_pid()::int8",
    // What DISCARD ALL does, less DEALLOCATE ALL (it would drop the driver's cached
    // statements) and runnable in one batch after the rollback (DISCARD ALL refuses to run
    // in a multi-statement string): session advisory locks, settings, role, LISTEN, cursors
    // and temporary objects do not outlive the call (docs/safety.md).
    end_read_only: "ROLLBACK; SELECT pg_catalog.pg_advisory_unlock_all(); RESET ALL; \
                    SET SESSION AUTHORIZATION DEFAULT; UNLISTEN *; CLOSE ALL; DISCARD TEMP; DISCARD SEQUENCES",
    end_reports_leftovers: false,
    session_id_sql: "SELECT pg_backend_pid()::int8",
    cancel_sql: |pid| format!("SELECT pg_cancel_backend({pid})"),
};

pub struct Postgres {
    target: ConnectionTarget,
    open: OpenOptions,
    pool: PoolSlot<sqlx::Postgres>,
    functions: functions::FunctionPolicy,
}

/// The connect options for `target`: its URL, then the profile's TLS settings over the
/// URL's own. Every PostgreSQL connection (the pool, `LISTEN`, `NOTIFY`) starts here.
pub(crate) fn connect_options(target: &ConnectionTarget) -> Result<PgConnectOptions> {
    let options =
        PgConnectOptions::from_str(target.url_with_secret().expose()).map_err(|e| map_error(e, target, classify))?;
    with_tls(options, target)
}

/// The profile's TLS settings as sqlx's `sslmode`, `sslrootcert`, `sslcert` and `sslkey`
/// (docs/network.md). Require does not check the certificate, so a CA file has no effect
/// there. sqlx checks the certificate's name against the host it connects to and takes no
/// other, so verify-full towards another name (a TLS server name, or the server's own name
/// behind an SSH tunnel) is refused, never checked against the wrong name or not at all.
fn with_tls(mut options: PgConnectOptions, target: &ConnectionTarget) -> Result<PgConnectOptions> {
    let tls = crate::tls::checked(target)?;
    if let Some(mode) = tls.effective_mode() {
        options = options.ssl_mode(match mode {
            TlsMode::Disable => PgSslMode::Disable,
            TlsMode::Prefer => PgSslMode::Prefer,
            TlsMode::Require => PgSslMode::Require,
            TlsMode::VerifyCa => PgSslMode::VerifyCa,
            TlsMode::VerifyFull => PgSslMode::VerifyFull,
        });
    }
    if let Some(ca) = &tls.ca_file {
        options = options.ssl_root_cert(ca);
    }
    if let (Some(cert), Some(key)) = (&tls.cert_file, &tls.key_file) {
        options = options.ssl_client_cert(cert).ssl_client_key(key);
    }
    if matches!(options.get_ssl_mode(), PgSslMode::VerifyFull) {
        crate::tls::refuse_other_name(target, "PostgreSQL's driver (sqlx)", crate::tls::VERIFY_CA_INSTEAD)?;
    }
    Ok(options)
}

impl Postgres {
    /// Prepares the connection settings (and checks the profile's TLS files); no
    /// connection until [`Database::connect`].
    pub fn new(target: ConnectionTarget, open: OpenOptions) -> Result<Self> {
        let mut connect_options = connect_options(&target)?.application_name("dbdock").disable_statement_logging();
        if let Some(timeout) = open.statement_timeout {
            connect_options = connect_options.options([("statement_timeout", format!("{}ms", timeout.as_millis()))]);
        }
        Ok(Postgres { target, open, pool: PoolSlot::new(connect_options), functions: Default::default() })
    }

    async fn pool(&self) -> Result<PgPool> {
        self.pool.get(&self.open, &self.target, classify, PgPoolOptions::new).await
    }

    fn err(&self, e: sqlx::Error) -> Error {
        map_error(e, &self.target, classify)
    }

    /// Encodes JSON parameters as the types the prepared statement declared.
    fn encode_params(types: &[PgTypeInfo], params: &[serde_json::Value]) -> Result<Vec<Option<Vec<u8>>>> {
        check_param_count(types.len(), params.len(), "$1, $2, …")?;
        types
            .iter()
            .zip(params)
            .enumerate()
            .map(|(i, (ty, value))| {
                codec::encode(ty, value).map_err(|e| Error::invalid_input(format!("parameter ${} ({ty}): {e}", i + 1)))
            })
            .collect()
    }

    /// Runs one statement: read-only ones only after the statement check and the
    /// catalog's function policy, inside a `BEGIN READ ONLY` transaction that is always
    /// rolled back and reset, so PostgreSQL itself refuses writes the checks missed; the
    /// extended protocol refuses a second statement in the text.
    async fn run(
        &self,
        sql: &str,
        params: &[serde_json::Value],
        options: &QueryOptions,
        output: Output<'_>,
    ) -> Result<Ran> {
        let mut server_cut = None;
        if options.read_only {
            let checked = check_read_only(Dialect::Postgres, sql)?;
            self.functions.check(&self.pool().await?, &checked.functions).await?;
            server_cut = options.max_bytes.filter(|_| checked.is_query && output.wants_rows());
        }
        self.run_in_session(sql, params, options, server_cut, output).await
    }

    /// Runs `sql` as a read-only call WITHOUT the statement check (and function policy),
    /// so tests can show what the engine's own layers hold by themselves: the server's
    /// read-only transaction and the reset after it. Debug builds only.
    #[cfg(debug_assertions)]
    #[doc(hidden)]
    pub async fn query_past_the_checks(&self, sql: &str) -> Result<QueryResult> {
        let options = QueryOptions { read_only: true, ..QueryOptions::default() };
        shell::rows_of(options, async |output| self.run_in_session(sql, &[], &options, None, output).await).await
    }

    /// Runs one statement in a session as `options` ask (see `run`); values longer than
    /// `server_cut` bytes are cut by the server.
    async fn run_in_session(
        &self,
        sql: &str,
        params: &[serde_json::Value],
        options: &QueryOptions,
        server_cut: Option<usize>,
        output: Output<'_>,
    ) -> Result<Ran> {
        let pool = self.pool().await?;
        run_guarded(
            &pool,
            &RULES,
            options,
            |e| self.err(e),
            async |conn| self.statement(conn, sql, params, server_cut, output).await,
        )
        .await
    }

    /// Prepares `sql` (cached on the connection after the first time), binds the
    /// parameters as the declared types and streams the rows into `collector`.
    async fn statement(
        &self,
        conn: &mut sqlx::PgConnection,
        sql: &str,
        params: &[serde_json::Value],
        server_cut: Option<usize>,
        output: Output<'_>,
    ) -> Result<Ran> {
        let mut statement = (&mut *conn).prepare(AssertSqlSafe(sql).into_sql_str()).await.map_err(|e| self.err(e))?;
        let columns: Vec<Column> = statement
            .columns()
            .iter()
            .map(|c| Column { name: c.name().to_owned(), type_name: c.type_info().to_string() })
            .collect();
        let types: Vec<PgTypeInfo> = statement.columns().iter().map(|c| c.type_info().clone()).collect();
        let wrapped = server_cut.and_then(|cap| cut::wrap(sql, &types, cap));
        if let Some((wrapped_sql, _)) = &wrapped {
            // Prepared (and cached) like any statement: a round trip the first time only.
            statement = (&mut *conn)
                .prepare(AssertSqlSafe(wrapped_sql.clone()).into_sql_str())
                .await
                .map_err(|e| self.err(e))?;
        }
        let types = match statement.parameters() {
            Some(Either::Left(types)) => types.to_vec(),
            _ => Vec::new(),
        };
        let encoded = Self::encode_params(&types, params)?;
        let mut query = statement.query();
        for value in encoded {
            // The bytes are already in the declared type's binary format; the statement is
            // cached on this connection, so sqlx binds them as they are.
            query = query.bind(value);
        }
        let Output::Rows(collector) = output else {
            // execute: rows such as RETURNING output are read and dropped by sqlx.
            let done = query.execute(&mut *conn).await.map_err(|e| self.err(e))?;
            return Ok(Ran::Affected(done.rows_affected()));
        };
        match wrapped {
            None => collect(query.fetch(&mut *conn), collector, decode_row, |e| self.err(e)).await?,
            Some((_, slots)) => {
                let mut cut_by_server = false;
                let decode = |row: &PgRow| cut::decode(row, &slots, decode_value, &mut cut_by_server);
                collect(query.fetch(&mut *conn), collector, decode, |e| self.err(e)).await?;
                collector.truncated |= cut_by_server;
            }
        }
        Ok(Ran::Rows(columns))
    }
}

#[async_trait]
impl changes::ChangeRunner<sqlx::PgConnection> for Postgres {
    async fn run_one(&self, conn: &mut sqlx::PgConnection, s: &SqlStatement) -> Result<u64> {
        Ok(shell::affected(self.statement(conn, &s.sql, &s.params, None, Output::Count).await?).rows_affected)
    }

    async fn control(&self, conn: &mut sqlx::PgConnection, sql: &'static str) -> Result<()> {
        changes::control_sql::<sqlx::Postgres>(conn, sql, |e| self.err(e)).await
    }
}

fn decode_row(row: &PgRow) -> Vec<Value> {
    (0..row.len()).map(|i| decode_value(row, i)).collect()
}

fn decode_value(row: &PgRow, i: usize) -> Value {
    match row.try_get_raw(i) {
        Ok(raw) if raw.is_null() => Value::Null,
        Ok(raw) => {
            let ty = raw.type_info().into_owned();
            match raw.as_bytes() {
                Ok(bytes) if raw.format() == sqlx::postgres::PgValueFormat::Binary => codec::decode(&ty, bytes),
                Ok(bytes) => Value::Text(String::from_utf8_lossy(bytes).into_owned()),
                Err(_) => Value::Null,
            }
        }
        Err(_) => Value::Null,
    }
}

/// SQLSTATE classes and codes that have a DB Dock meaning of their own.
fn classify(db: &dyn sqlx::error::DatabaseError) -> Option<ErrorCode> {
    let code = db.code()?;
    Some(match code.as_ref() {
        "28P01" | "28000" => ErrorCode::AuthFailed,
        "3D000" | "42P01" | "42883" | "3F000" | "42704" => ErrorCode::NotFound,
        "57014" => ErrorCode::Timeout,
        "25006" => ErrorCode::ReadOnlyViolation,
        "42501" => ErrorCode::PermissionDenied,
        "0A000" => ErrorCode::Unsupported,
        c if c.starts_with("08") || c == "53300" || c == "57P01" || c == "57P03" => ErrorCode::ConnectionFailed,
        c if c.starts_with("22") || c == "42P02" => ErrorCode::InvalidInput,
        _ => return None,
    })
}

#[async_trait]
impl Database for Postgres {
    fn engine(&self) -> Engine {
        Engine::Postgres
    }

    fn target(&self) -> &ConnectionTarget {
        &self.target
    }

    async fn connect(&self) -> Result<()> {
        self.pool.connect(&self.open, &self.target, classify, PgPoolOptions::new()).await
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
        self.query(&format!("EXPLAIN (FORMAT JSON) {sql}"), params, &QueryOptions { read_only: true, ..*limits }).await
    }

    async fn apply_changes(&self, statements: &[GuardedStatement]) -> Result<ChangeOutcome> {
        changes::on_pool(&self.pool().await?, &RULES, |e| self.err(e), statements, self).await
    }

    async fn preview(&self, sql: &str, params: &[serde_json::Value]) -> WritePreview {
        let plan = dbdock_core::plan_preview(Dialect::Postgres, sql, true);
        preview::on_server(
            self.pool().await,
            &RULES,
            |e| self.err(e),
            &plan,
            async |conn| {
                let mut run = preview::DryRun::new(&plan);
                if let Some((sql, before_params)) = run.before_read(params) {
                    // A failed statement aborts a PostgreSQL transaction: the read gets a
                    // savepoint of its own, so its failure leaves the dry run to say its own.
                    let _ = sqlx::raw_sql("SAVEPOINT dbdock_before").execute(&mut *conn).await;
                    let outcome = self.statement(conn, &sql, &before_params, None, run.before_output()).await;
                    if outcome.is_err() {
                        let _ = sqlx::raw_sql("ROLLBACK TO SAVEPOINT dbdock_before").execute(&mut *conn).await;
                    }
                    run.before_done(outcome);
                }
                let outcome = self.statement(conn, &plan.dry_run, params, None, run.output()).await;
                run.finish(outcome)
            },
        )
        .await
    }

    async fn server_version(&self) -> Result<String> {
        let pool = self.pool().await?;
        sqlx::query_scalar("SELECT version()").fetch_one(&pool).await.map_err(|e| self.err(e))
    }

    async fn list_tables(&self) -> Result<Vec<TableRef>> {
        let pool = self.pool().await?;
        schema::list_tables(&pool).await.map_err(|e| self.err(e))
    }

    async fn table_schema(&self, name: &str) -> Result<TableInfo> {
        shell::table_schema(self, name, async |table| {
            let pool = self.pool().await?;
            Ok(schema::load(&pool, Some(table)).await.map_err(|e| self.err(e))?.pop())
        })
        .await
    }

    async fn schema(&self) -> Result<SchemaInfo> {
        let pool = self.pool().await?;
        let database: String =
            sqlx::query_scalar("SELECT current_database()").fetch_one(&pool).await.map_err(|e| self.err(e))?;
        let tables = schema::load(&pool, None).await.map_err(|e| self.err(e))?;
        Ok(SchemaInfo { database, tables })
    }
}
