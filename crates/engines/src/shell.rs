//! The part of every SQL engine's `Database` that is the same everywhere, written once:
//! a query collects rows under the caps, a write counts them, a table is found by the
//! name a person typed before it is loaded. Each engine supplies how one statement runs
//! (its checks, its session rules, its driver) as a closure over an [`Output`].

use std::time::Instant;

use dbdock_core::{Column, Database, Error, ExecOutcome, QueryOptions, QueryResult, Result, TableInfo, TableRef};

use crate::rows::RowCollector;

/// Where one statement's result goes.
pub(crate) enum Output<'a> {
    /// A query: its rows, under the caps of the collector.
    Rows(&'a mut RowCollector),
    /// A write: only how many rows it changed.
    Count,
}

impl Output<'_> {
    pub(crate) fn wants_rows(&self) -> bool {
        matches!(self, Output::Rows(_))
    }
}

/// What running one statement gave, as its [`Output`] asked.
#[derive(Debug)]
pub(crate) enum Ran {
    /// The columns of the rows now in the collector.
    Rows(Vec<Column>),
    Affected(u64),
}

/// `Database::query`: runs `run` with a collector for `limits` and returns the rows.
pub(crate) async fn rows_of(
    limits: QueryOptions,
    run: impl for<'a> AsyncFnOnce(Output<'a>) -> Result<Ran>,
) -> Result<QueryResult> {
    let started = Instant::now();
    let mut collector = RowCollector::new(limits);
    let columns = match run(Output::Rows(&mut collector)).await? {
        Ran::Rows(columns) => columns,
        Ran::Affected(_) => Vec::new(),
    };
    Ok(collector.into_result(columns, started))
}

/// `Database::execute`: what a statement run for its effect changed.
pub(crate) fn affected(ran: Ran) -> ExecOutcome {
    match ran {
        Ran::Affected(rows_affected) => ExecOutcome { rows_affected },
        Ran::Rows(_) => ExecOutcome { rows_affected: 0 },
    }
}

/// `Database::table_schema`: the one table `name` means (qualified or not; an unknown or
/// ambiguous name is `NOT_FOUND` with the candidates), loaded by `load`.
pub(crate) async fn table_schema(
    db: &(impl Database + ?Sized),
    name: &str,
    load: impl AsyncFnOnce(&TableRef) -> Result<Option<TableInfo>>,
) -> Result<TableInfo> {
    let tables = db.list_tables().await?;
    let table = dbdock_core::resolve_table(&tables, name)?;
    load(table).await?.ok_or_else(|| Error::not_found(format!("table {table} disappeared while it was being read")))
}
