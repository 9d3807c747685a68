//! The dry run of a write awaiting the user's approval (docs/safety.md, "Approval"),
//! written once for the SQL engines: read the rows the statement will touch, run it, read
//! what it returned; the engine runs all of it inside a transaction it always rolls back.

use dbdock_core::{PREVIEW_ROWS, PreviewSql, QueryOptions, Result, RowChanges, WritePreview, preview_row};

use crate::rows::RowCollector;
use crate::shell::{Output, Ran};

/// About this much row data per side, so a preview of wide rows stays readable.
const PREVIEW_BYTES: usize = 64 * 1024;

fn sample_limits() -> QueryOptions {
    QueryOptions { max_rows: Some(PREVIEW_ROWS), max_bytes: Some(PREVIEW_BYTES), ..QueryOptions::default() }
}

/// One dry run in progress, on the connection that holds the open transaction: the
/// engine runs [`DryRun::before_read`] (if any) into [`DryRun::before_output`], then the
/// plan's `dry_run` statement into [`DryRun::output`], and [`DryRun::finish`] makes the
/// preview. (Steps, not a closure: the engines' statement functions borrow the connection.)
pub(crate) struct DryRun<'p> {
    plan: &'p PreviewSql,
    before: RowCollector,
    before_columns: Vec<String>,
    after: RowCollector,
    notes: Vec<String>,
}

impl<'p> DryRun<'p> {
    pub(crate) fn new(plan: &'p PreviewSql) -> Self {
        DryRun {
            plan,
            before: RowCollector::new(sample_limits()),
            before_columns: Vec::new(),
            after: RowCollector::counting(sample_limits()),
            notes: plan.note.iter().cloned().collect(),
        }
    }

    /// The read of the rows the statement will touch, with its share of `params`.
    pub(crate) fn before_read(&self, params: &[serde_json::Value]) -> Option<(String, Vec<serde_json::Value>)> {
        let (sql, taken) = self.plan.before.as_ref()?;
        Some((sql.clone(), taken.iter().filter_map(|i| params.get(*i).cloned()).collect()))
    }

    pub(crate) fn before_output(&mut self) -> Output<'_> {
        Output::Rows(&mut self.before)
    }

    pub(crate) fn before_done(&mut self, outcome: Result<Ran>) {
        match outcome {
            Ok(Ran::Rows(columns)) => self.before_columns = columns.into_iter().map(|c| c.name).collect(),
            Ok(Ran::Affected(_)) => {}
            Err(e) => self.notes.push(format!("the rows before the change could not be read: {}", e.message)),
        }
    }

    /// Where the dry-run statement's result goes: its returned rows, or its count.
    pub(crate) fn output(&mut self) -> Output<'_> {
        if self.plan.returns_rows { Output::Rows(&mut self.after) } else { Output::Count }
    }

    pub(crate) fn finish(self, outcome: Result<Ran>) -> WritePreview {
        let DryRun { before, before_columns, after, notes, .. } = self;
        let (seen, after_truncated) = (after.seen, after.truncated);
        let rows = |collector: RowCollector| -> Vec<Vec<Option<String>>> {
            collector.rows.iter().map(|r| preview_row(r)).collect()
        };
        let (rows_affected, after_columns) = match outcome {
            Err(e) => return WritePreview { note: join(notes), ..WritePreview::failed(e) },
            Ok(Ran::Affected(n)) => (n, Vec::new()),
            Ok(Ran::Rows(columns)) => (seen, columns.into_iter().map(|c| c.name).collect()),
        };
        let changes = RowChanges {
            columns: if before_columns.is_empty() { after_columns } else { before_columns },
            more: before.truncated || after_truncated,
            before: rows(before),
            after: rows(after),
        };
        let shown = !changes.before.is_empty() || !changes.after.is_empty();
        WritePreview {
            dry_run: true,
            rows_affected: Some(rows_affected),
            changes: shown.then_some(changes),
            note: join(notes),
            error: None,
        }
    }
}

fn join(notes: Vec<String>) -> Option<String> {
    (!notes.is_empty()).then(|| notes.join("; "))
}

/// `dry_run` for a server engine: on a connection of its own inside `BEGIN` … `ROLLBACK`,
/// cancelled on the server if the caller gives up, and closed afterwards (`isolated`), so
/// nothing of the dry run outlives it even if the rollback is never sent.
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub(crate) async fn on_server<DB>(
    pool: Result<sqlx::Pool<DB>>,
    rules: &'static crate::pool::SessionRules,
    map_err: impl Fn(sqlx::Error) -> dbdock_core::Error,
    plan: &PreviewSql,
    work: impl AsyncFnOnce(&mut DB::Connection) -> WritePreview,
) -> WritePreview
where
    DB: sqlx::Database + sqlx::database::HasStatementCache,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments: sqlx::IntoArguments<DB>,
    i64: sqlx::Type<DB> + for<'r> sqlx::Decode<'r, DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    if !plan.transactional {
        return not_run(plan);
    }
    let pool = match pool {
        Ok(pool) => pool,
        Err(e) => return WritePreview::failed(e),
    };
    let options = QueryOptions { cancellable: true, isolated: true, ..QueryOptions::default() };
    let outcome = crate::pool::run_guarded(&pool, rules, &options, &map_err, async |conn| {
        sqlx::raw_sql("BEGIN").execute(&mut *conn).await.map_err(&map_err)?;
        let preview = work(&mut *conn).await;
        sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await.map_err(&map_err)?;
        Ok(preview)
    })
    .await;
    outcome.unwrap_or_else(WritePreview::failed)
}

/// The preview of a statement the engine must not dry-run (it would commit by itself).
pub(crate) fn not_run(plan: &PreviewSql) -> WritePreview {
    WritePreview::not_run(plan.note.clone().unwrap_or_else(|| "cannot be previewed".to_owned()))
}
