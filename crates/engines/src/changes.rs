//! The data editor's change sets (`Database::apply_changes`): every statement in one
//! transaction, committed only when each ran and affected the rows it expected
//! (docs/data-editor.md, "Commit").

use async_trait::async_trait;
use dbdock_core::{ChangeOutcome, Error, GuardedStatement, Result, SqlStatement};

/// What an engine brings to a change set on its connection `C`: how it runs one statement
/// for its effect, and its own words for the transaction around them.
#[async_trait]
pub(crate) trait ChangeRunner<C: ?Sized + Send>: Sync {
    const BEGIN: &'static str = "BEGIN";
    const COMMIT: &'static str = "COMMIT";
    const ROLLBACK: &'static str = "ROLLBACK";

    async fn run_one(&self, conn: &mut C, statement: &SqlStatement) -> Result<u64>;

    /// Runs one of the transaction's own statements (`BEGIN`, `COMMIT`, `ROLLBACK`).
    async fn control(&self, conn: &mut C, sql: &'static str) -> Result<()>;
}

/// Runs `statements` in order on `conn` (inside a transaction the caller began) and
/// counts what each did. The first failure is the error, named by its place in the set;
/// a statement that affected other rows than it expected is a conflict, and the rest
/// still run, so every conflicting row is found in one go.
async fn run_each<C: ?Sized + Send>(
    conn: &mut C,
    statements: &[GuardedStatement],
    engine: &impl ChangeRunner<C>,
) -> Result<ChangeOutcome> {
    let mut outcome = ChangeOutcome { committed: false, rows_affected: Vec::new(), conflicts: Vec::new() };
    for (i, guarded) in statements.iter().enumerate() {
        let rows = engine.run_one(conn, &guarded.statement).await.map_err(|e| {
            Error::new(
                e.code,
                format!("statement {} of {} failed, nothing was changed: {}", i + 1, statements.len(), e.message),
            )
        })?;
        outcome.rows_affected.push(rows);
        if guarded.expect_rows.is_some_and(|expected| expected != rows) {
            outcome.conflicts.push(u32::try_from(i).unwrap_or(u32::MAX));
        }
    }
    Ok(outcome)
}

/// [`run_each`] in a transaction: the engine's `BEGIN`, then `COMMIT` when there is nothing
/// to object to, else `ROLLBACK`. The caller's connection is not pooled afterwards, so a call
/// dropped half-way closes it and the server rolls back.
pub(crate) async fn in_transaction<C: ?Sized + Send, E: ChangeRunner<C>>(
    conn: &mut C,
    statements: &[GuardedStatement],
    engine: &E,
) -> Result<ChangeOutcome> {
    engine.control(conn, E::BEGIN).await?;
    match run_each(conn, statements, engine).await {
        Ok(mut outcome) if outcome.conflicts.is_empty() => {
            engine.control(conn, E::COMMIT).await?;
            outcome.committed = true;
            Ok(outcome)
        }
        other => {
            engine.control(conn, E::ROLLBACK).await?;
            other
        }
    }
}

/// `ChangeRunner::control` on a sqlx connection.
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
pub(crate) async fn control_sql<DB>(
    conn: &mut DB::Connection,
    sql: &'static str,
    map_err: impl Fn(sqlx::Error) -> Error,
) -> Result<()>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    use sqlx::Executor;
    conn.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(sql))).await.map(|_| ()).map_err(map_err)
}

/// A change set on a pooled PostgreSQL or MySQL connection: cancellable, and `isolated`
/// (closed afterwards, never pooled again mid-transaction).
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub(crate) async fn on_pool<DB>(
    pool: &sqlx::Pool<DB>,
    rules: &'static crate::pool::SessionRules,
    map_err: impl Fn(sqlx::Error) -> Error,
    statements: &[GuardedStatement],
    engine: &impl ChangeRunner<DB::Connection>,
) -> Result<ChangeOutcome>
where
    DB: sqlx::Database + sqlx::database::HasStatementCache,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments: sqlx::IntoArguments<DB>,
    i64: sqlx::Type<DB> + for<'r> sqlx::Decode<'r, DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    let options = dbdock_core::QueryOptions { cancellable: true, isolated: true, ..Default::default() };
    crate::pool::run_guarded(pool, rules, &options, map_err, async |conn| {
        in_transaction(conn, statements, engine).await
    })
    .await
}
