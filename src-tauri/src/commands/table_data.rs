//! Data tabs: a table's rows page by page, filtered and sorted, and staged edits reviewed
//! as SQL and committed in one transaction (docs/data-editor.md). Values travel as grid
//! cells (kind and exact text) both ways.

use dbdock_core::{
    CellInput, ChangeOutcome, ColumnFilter, PageRequest, Paging, Result, RowChange, SortKey, TableInfo, Value,
};
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use crate::AppState;
use crate::cells::{Cell, cell, value_of};

#[derive(Debug, Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TablePageRequest {
    #[serde(default)]
    pub filters: Vec<ColumnFilter>,
    #[serde(default)]
    pub sort: Vec<SortKey>,
    /// The page before's `next`, for the page after it (keyset paging).
    pub after: Option<Vec<Option<Cell>>>,
    /// Rows to skip, when the page says it is read by OFFSET.
    #[serde(default)]
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TablePageView {
    pub table: TableInfo,
    /// The columns that identify a row; `None` when the rows cannot be edited.
    pub key: Option<Vec<String>>,
    /// Why the rows cannot be edited, when they cannot.
    pub read_only_reason: Option<String>,
    pub rows: Vec<Vec<Option<Cell>>>,
    pub order: Vec<SortKey>,
    pub paging: Paging,
    pub next: Option<Vec<Option<Cell>>>,
    pub has_more: bool,
    pub statement: String,
    pub filter: String,
    pub elapsed_ms: f64,
}

/// A cell's new content: a value (`None`: NULL) or the column's default.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct CellEdit {
    pub column: String,
    pub value: Option<Cell>,
    #[serde(default)]
    pub default: bool,
}

#[derive(Debug, Clone, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum RowEdit {
    Update { original: Vec<Option<Cell>>, set: Vec<CellEdit> },
    Insert { values: Vec<CellEdit> },
    Delete { original: Vec<Option<Cell>> },
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlannedStatement {
    /// The statement with its values as literals (what runs binds them as parameters).
    pub sql: String,
    pub expect_rows: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct CommitReport {
    pub statements: Vec<PlannedStatement>,
    pub outcome: ChangeOutcome,
}

fn row(cells: &[Option<Cell>]) -> Result<Vec<Value>> {
    cells.iter().map(|c| value_of(c.as_ref())).collect()
}

fn inputs(edits: &[CellEdit]) -> Result<Vec<(String, CellInput)>> {
    edits
        .iter()
        .map(|e| {
            let input = if e.default { CellInput::Default } else { CellInput::Value(value_of(e.value.as_ref())?) };
            Ok((e.column.clone(), input))
        })
        .collect()
}

fn changes(edits: &[RowEdit]) -> Result<Vec<RowChange>> {
    edits
        .iter()
        .map(|edit| {
            Ok(match edit {
                RowEdit::Update { original, set } => RowChange::Update { original: row(original)?, set: inputs(set)? },
                RowEdit::Insert { values } => RowChange::Insert { values: inputs(values)? },
                RowEdit::Delete { original } => RowChange::Delete { original: row(original)? },
            })
        })
        .collect()
}

fn planned(statements: &[dbdock_core::GuardedStatement]) -> Vec<PlannedStatement> {
    statements
        .iter()
        .map(|s| PlannedStatement {
            sql: s.statement.display.clone(),
            expect_rows: s.expect_rows.map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
        })
        .collect()
}

fn cells(values: &[Value]) -> Vec<Option<Cell>> {
    values.iter().map(cell).collect()
}

/// One page of `table` on the user's connection to `profile`.
#[tauri::command]
#[specta::specta]
pub async fn open_table_page(
    state: State<'_, AppState>,
    profile: String,
    table: String,
    request: TablePageRequest,
) -> Result<TablePageView> {
    let after = request.after.as_deref().map(row).transpose()?;
    let request = PageRequest {
        filters: request.filters,
        sort: request.sort,
        after,
        offset: u64::from(request.offset),
        limit: request.limit,
    };
    let page = state.workspace.table_page(&profile, &table, &request).await?;
    let (key, read_only_reason) = match page.key {
        Ok(key) => (Some(key), None),
        Err(reason) => (None, Some(reason)),
    };
    Ok(TablePageView {
        table: page.table,
        key,
        read_only_reason,
        rows: page.rows.iter().map(|r| cells(r)).collect(),
        order: page.order,
        paging: page.paging,
        next: page.next.as_deref().map(cells),
        has_more: page.has_more,
        statement: page.statement,
        filter: page.filter,
        elapsed_ms: page.elapsed_ms,
    })
}

/// The exact number of rows the filters let through.
#[tauri::command]
#[specta::specta]
pub async fn count_table_rows(
    state: State<'_, AppState>,
    profile: String,
    table: String,
    filters: Vec<ColumnFilter>,
) -> Result<f64> {
    // A count is far below 2^53: a JavaScript number holds it.
    Ok(state.workspace.count_table_rows(&profile, &table, &filters).await? as f64)
}

/// The statements Commit would run, with their values as literals (Review).
#[tauri::command]
#[specta::specta]
pub async fn review_table_changes(
    state: State<'_, AppState>,
    profile: String,
    table: String,
    edits: Vec<RowEdit>,
) -> Result<Vec<PlannedStatement>> {
    Ok(planned(&state.workspace.plan_table_changes(&profile, &table, &changes(&edits)?).await?))
}

/// Runs the staged edits in one transaction: all or nothing, conflicts reported by the
/// statement's index (the edit's, since there is one statement per edit).
#[tauri::command]
#[specta::specta]
pub async fn commit_table_changes(
    state: State<'_, AppState>,
    profile: String,
    table: String,
    edits: Vec<RowEdit>,
) -> Result<CommitReport> {
    let applied = state.workspace.apply_table_changes(&profile, &table, &changes(&edits)?).await?;
    Ok(CommitReport { statements: planned(&applied.statements), outcome: applied.outcome })
}
