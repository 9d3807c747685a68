//! Query view: run with rows streamed to the grid in chunks, cancel on the server,
//! export the last results, and the history per profile.

use std::io::Write;
use std::sync::Arc;

use dbdock_core::{Column, Error, ErrorCode, QueryOptions, Result};
use dbdock_store::{HistoryEntry, QueryOutcome};
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;
use tauri::ipc::Channel;

use crate::AppState;
use crate::cells::{Cell, cell};

/// Rows the app fetches per query: enough to scroll through, bounded so one careless
/// `SELECT *` cannot exhaust memory. The summary says `truncated` when there were more.
const MAX_ROWS: usize = 200_000;
/// Rows per message to the UI.
const CHUNK_ROWS: usize = 5_000;

#[derive(Debug, Clone, Serialize, Type)]
pub struct QueryChunk {
    pub rows: Vec<Vec<Option<Cell>>>,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct QuerySummary {
    pub query_id: String,
    pub columns: Vec<Column>,
    pub row_count: u32,
    pub truncated: bool,
    pub elapsed_ms: f64,
    /// The result sets after the first (a SQL Server batch, a MySQL/MariaDB procedure),
    /// whole: the rows of the first arrive in chunks, these with the summary.
    pub more_results: Vec<ResultSet>,
}

/// A later result set of the same statement.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ResultSet {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Option<Cell>>>,
    pub truncated: bool,
}

#[derive(Debug, Clone, Copy, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Csv,
    Json,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct ExportReport {
    pub path: String,
    pub rows: u32,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HistoryView {
    pub id: u32,
    pub sql: String,
    pub at: String,
    pub ok: bool,
    pub row_count: Option<u32>,
    pub elapsed_ms: Option<f64>,
    pub error: Option<String>,
}

impl From<HistoryEntry> for HistoryView {
    fn from(e: HistoryEntry) -> Self {
        HistoryView {
            id: u32::try_from(e.id).unwrap_or(u32::MAX),
            sql: e.statement,
            at: e.at,
            ok: e.ok,
            row_count: e.row_count.and_then(|n| u32::try_from(n).ok()),
            elapsed_ms: e.elapsed_ms,
            error: e.error,
        }
    }
}

/// Runs `sql` on `profile`. Rows go to `on_chunk` in chunks before the summary returns.
/// `cancel_query(query_id)` (or closing the app) drops the statement, which cancels it on
/// the server.
#[tauri::command]
#[specta::specta]
pub async fn run_query(
    state: State<'_, AppState>,
    profile: String,
    sql: String,
    query_id: String,
    on_chunk: Channel<QueryChunk>,
) -> Result<QuerySummary> {
    let connection = state.connection(&profile).await?;
    let options = QueryOptions { max_rows: Some(MAX_ROWS), cancellable: true, ..QueryOptions::default() };
    let statement = sql.clone();
    // Only a statement known to be a read is ever sent twice (after a broken connection).
    let task = tokio::spawn(async move { connection.run_statement(&statement, &[], &options).await });
    state.running.lock().await.insert(query_id.clone(), task.abort_handle());
    let joined = task.await;
    state.running.lock().await.remove(&query_id);
    let outcome = match joined {
        Ok(outcome) => outcome,
        Err(e) if e.is_cancelled() => {
            Err(Error::new(ErrorCode::Cancelled, "cancelled; the statement was stopped on the server"))
        }
        Err(e) => Err(Error::internal(format!("the query task failed: {e}"))),
    };
    let history = match &outcome {
        Ok(r) => QueryOutcome::Rows { count: r.row_count as u64, elapsed_ms: r.elapsed_ms },
        Err(e) => QueryOutcome::Failed(format!("[{}] {}", e.code, e.message)),
    };
    if let Err(e) = state.store().record_query(&profile, &sql, &history).await {
        tracing::warn!(error = %e, "could not record the query history");
    }
    let result = Arc::new(outcome?);
    for rows in result.rows.chunks(CHUNK_ROWS) {
        let rows = rows.iter().map(|row| row.iter().map(cell).collect()).collect();
        on_chunk
            .send(QueryChunk { rows })
            .map_err(|e| Error::internal(format!("cannot send rows to the window: {e}")))?;
    }
    state.keep_result(&query_id, result.clone()).await;
    Ok(QuerySummary {
        query_id,
        columns: result.columns.clone(),
        row_count: u32::try_from(result.row_count).unwrap_or(u32::MAX),
        truncated: result.truncated,
        elapsed_ms: result.elapsed_ms,
        more_results: result
            .more
            .iter()
            .map(|set| ResultSet {
                columns: set.columns.clone(),
                rows: set.rows.iter().map(|row| row.iter().map(cell).collect()).collect(),
                truncated: set.truncated,
            })
            .collect(),
    })
}

/// A statement's plan, as the grid cells of the server's answer: one JSON cell on
/// PostgreSQL and MySQL/MariaDB, `EXPLAIN QUERY PLAN` rows (id, parent, detail) on SQLite.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlanView {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<Cell>>>,
    /// The statement ran and the plan holds measured rows and times.
    pub analyzed: bool,
    pub elapsed_ms: f64,
}

/// The plan of `sql` on `profile`: without running it (through the read-only path), or
/// with `analyze` by running it (the window confirms first: it executes the statement).
#[tauri::command]
#[specta::specta]
pub async fn explain_query(
    state: State<'_, AppState>,
    profile: String,
    sql: String,
    analyze: bool,
) -> Result<PlanView> {
    let connection = state.connection(&profile).await?;
    let options = QueryOptions { max_rows: Some(10_000), cancellable: true, ..QueryOptions::default() };
    let result = if analyze {
        connection.explain_analyze(&sql, &options).await?
    } else {
        connection.explain(&sql, &[], &options).await?
    };
    Ok(PlanView {
        columns: result.columns.iter().map(|c| c.name.clone()).collect(),
        rows: result.rows.iter().map(|row| row.iter().map(cell).collect()).collect(),
        analyzed: analyze,
        elapsed_ms: result.elapsed_ms,
    })
}

/// Cancels a running query; `false` if it was not running (already done).
#[tauri::command]
#[specta::specta]
pub async fn cancel_query(state: State<'_, AppState>, query_id: String) -> Result<bool> {
    match state.running.lock().await.remove(&query_id) {
        Some(handle) => {
            handle.abort();
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Writes a kept result to `path` as CSV (NULL as an empty field) or JSON (DB Dock's
/// result object: exact numbers, NULL as null).
#[tauri::command]
#[specta::specta]
pub async fn export_result(
    state: State<'_, AppState>,
    query_id: String,
    path: String,
    format: ExportFormat,
) -> Result<ExportReport> {
    let result = state.result(&query_id).await?;
    let path_buf = std::path::PathBuf::from(&path);
    if let Some(parent) = path_buf.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| Error::invalid_input(format!("cannot create {}: {e}", parent.display())))?;
    }
    let file =
        std::fs::File::create(&path_buf).map_err(|e| Error::invalid_input(format!("cannot write {path}: {e}")))?;
    let mut out = std::io::BufWriter::new(file);
    let written = match format {
        ExportFormat::Csv => result.write_csv(&mut out),
        ExportFormat::Json => serde_json::to_writer(&mut out, result.as_ref()).map_err(std::io::Error::other),
    };
    written.and_then(|()| out.flush()).map_err(|e| Error::invalid_input(format!("cannot write {path}: {e}")))?;
    Ok(ExportReport { path, rows: u32::try_from(result.row_count).unwrap_or(u32::MAX) })
}

#[tauri::command]
#[specta::specta]
pub async fn query_history(state: State<'_, AppState>, profile: String, limit: u32) -> Result<Vec<HistoryView>> {
    Ok(state.store().query_history(&profile, limit.min(500)).await?.into_iter().map(HistoryView::from).collect())
}
