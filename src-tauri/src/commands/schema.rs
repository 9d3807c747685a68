//! Schema view: names first (cheap even with thousands of tables), details on expand.

use dbdock_core::{Result, TableInfo, TableRef};
use tauri::State;

use crate::AppState;

#[tauri::command]
#[specta::specta]
pub async fn list_tables(state: State<'_, AppState>, profile: String) -> Result<Vec<TableRef>> {
    state.connection(&profile).await?.live.database().list_tables().await
}

#[tauri::command]
#[specta::specta]
pub async fn table_details(state: State<'_, AppState>, profile: String, table: String) -> Result<TableInfo> {
    state.connection(&profile).await?.live.database().table_schema(&table).await
}
