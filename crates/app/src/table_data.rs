//! The data editor (docs/data-editor.md): a table's rows page by page, filtered and
//! sorted without writing SQL, and staged changes committed in one transaction. Always
//! on the user's own connection: the editor is the user's access, never an AI client's.
//!
//! The statements come from `dbdock_core`'s table-data generator, from the table's
//! catalog description read afresh for each call, so a column added or dropped since the
//! tab opened is never written with a stale shape.

use std::time::Instant;

use dbdock_core::{
    ChangeOutcome, ColumnFilter, Dialect, Error, GuardedStatement, PageRequest, Paging, QueryOptions, Result,
    RowChange, SortKey, TableInfo, Value, count_rows, plan_changes, plan_page, row_key,
};

use crate::{Audience, Workspace};

/// The most rows one page may hold.
pub const MAX_PAGE_ROWS: u32 = 10_000;

/// One page of a table.
#[derive(Debug, Clone)]
pub struct TablePage {
    pub table: TableInfo,
    /// The columns that identify a row, or why the table's rows cannot be edited.
    pub key: std::result::Result<Vec<String>, String>,
    pub rows: Vec<Vec<Value>>,
    pub order: Vec<SortKey>,
    pub paging: Paging,
    /// Where the next page starts (keyset), when there are more rows.
    pub next: Option<Vec<Value>>,
    pub has_more: bool,
    /// The statement that read the page, values written as literals.
    pub statement: String,
    /// The filter as SQL (`WHERE …`, or empty), values written as literals.
    pub filter: String,
    pub elapsed_ms: f64,
}

/// A change set as it was planned, and what running it did.
#[derive(Debug, Clone)]
pub struct AppliedChanges {
    pub statements: Vec<GuardedStatement>,
    pub outcome: ChangeOutcome,
}

impl Workspace {
    /// One page of `table` on the user's connection to `profile`.
    pub async fn table_page(&self, profile: &str, table: &str, request: &PageRequest) -> Result<TablePage> {
        if request.limit > MAX_PAGE_ROWS {
            return Err(Error::invalid_input(format!("a page holds at most {MAX_PAGE_ROWS} rows")));
        }
        let (connection, dialect, info) = self.editor_table(profile, table).await?;
        // One row more than the page says whether another page follows.
        let plan = plan_page(dialect, &info, &PageRequest { limit: request.limit + 1, ..request.clone() })?;
        let options = QueryOptions { cancellable: true, ..QueryOptions::default() };
        let started = Instant::now();
        let statement = &plan.statement;
        let mut result = connection.live.query(&statement.sql, &statement.params, &options).await?;
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        let has_more = result.rows.len() > request.limit as usize;
        result.rows.truncate(request.limit as usize);
        let next = match (has_more, plan.paging.keyset, result.rows.last()) {
            (true, true, Some(last)) => Some(order_values(&info, &plan.order, last)),
            _ => None,
        };
        Ok(TablePage {
            key: row_key(&info),
            table: info,
            rows: result.rows,
            order: plan.order,
            paging: plan.paging,
            next,
            has_more,
            statement: plan.statement.display,
            filter: plan.filter_display,
            elapsed_ms,
        })
    }

    /// The exact number of rows the filters let through (a `COUNT(*)`: on a big table
    /// this reads it all, which is why it is asked for, not done on every page).
    pub async fn count_table_rows(&self, profile: &str, table: &str, filters: &[ColumnFilter]) -> Result<u64> {
        let (connection, dialect, info) = self.editor_table(profile, table).await?;
        let statement = count_rows(dialect, &info, filters)?;
        let options = QueryOptions { max_rows: Some(1), cancellable: true, ..QueryOptions::default() };
        let result = connection.live.query(&statement.sql, &statement.params, &options).await?;
        match result.rows.first().and_then(|r| r.first()) {
            Some(Value::Int(n)) => Ok(u64::try_from(*n).unwrap_or(0)),
            Some(Value::UInt(n)) => Ok(*n),
            other => Err(Error::internal(format!("the count came back as {other:?}"))),
        }
    }

    /// The statements that would apply `changes` to `table` (Review).
    pub async fn plan_table_changes(
        &self,
        profile: &str,
        table: &str,
        changes: &[RowChange],
    ) -> Result<Vec<GuardedStatement>> {
        let (_, dialect, info) = self.editor_table(profile, table).await?;
        plan_changes(dialect, &info, changes)
    }

    /// Applies `changes` to `table` in one transaction (Commit): all of them, or none when
    /// a statement fails (the error) or a row changed since it was read (the conflicts).
    pub async fn apply_table_changes(
        &self,
        profile: &str,
        table: &str,
        changes: &[RowChange],
    ) -> Result<AppliedChanges> {
        if changes.is_empty() {
            return Err(Error::invalid_input("there are no changes to commit"));
        }
        let (connection, dialect, info) = self.editor_table(profile, table).await?;
        let statements = plan_changes(dialect, &info, changes)?;
        let outcome = connection.live.database().apply_changes(&statements).await?;
        Ok(AppliedChanges { statements, outcome })
    }

    /// The user's connection to `profile`, its dialect, and `table` as the catalog says now.
    async fn editor_table(
        &self,
        profile: &str,
        table: &str,
    ) -> Result<(std::sync::Arc<crate::OpenConnection>, Dialect, TableInfo)> {
        let connection = self.connection(Audience::User, profile).await?;
        let engine = connection.profile.engine;
        let dialect = engine.spec().dialect.ok_or_else(|| {
            Error::unsupported(format!("{} has no tables to open in the data editor", engine.spec().label))
        })?;
        let info = connection.live.database().table_schema(table).await?;
        Ok((connection, dialect, info))
    }
}

/// The row's values in the order's columns: the keyset cursor after it.
fn order_values(table: &TableInfo, order: &[SortKey], row: &[Value]) -> Vec<Value> {
    order
        .iter()
        .map(|k| {
            let at = table.columns.iter().position(|c| c.name == k.column);
            at.and_then(|i| row.get(i)).cloned().unwrap_or(Value::Null)
        })
        .collect()
}
