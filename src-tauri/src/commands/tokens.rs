//! AI view: the named tokens of the HTTP endpoint (list, create — the token shown once —,
//! revoke) and what AI clients did recently (from the audit log).

use dbdock_core::{AiStats, NewToken, Result, TokenInfo};
use serde::Serialize;
use specta::Type;
use tauri::State;

use crate::AppState;

/// A token just made: the only time the app holds the token itself.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CreatedToken {
    pub info: TokenInfo,
    pub token: String,
}

#[tauri::command]
#[specta::specta]
pub async fn mcp_tokens(state: State<'_, AppState>) -> Result<Vec<TokenInfo>> {
    state.store().tokens().await
}

#[tauri::command]
#[specta::specta]
pub async fn create_mcp_token(state: State<'_, AppState>, token: NewToken) -> Result<CreatedToken> {
    let (info, secret) = state.store().add_token(&token).await?;
    Ok(CreatedToken { info, token: secret.expose().to_owned() })
}

#[tauri::command]
#[specta::specta]
pub async fn revoke_mcp_token(state: State<'_, AppState>, name: String) -> Result<()> {
    state.store().revoke_token(&name).await
}

/// The AI calls of the last `minutes`.
#[tauri::command]
#[specta::specta]
pub async fn ai_stats(state: State<'_, AppState>, minutes: u32) -> Result<AiStats> {
    state.store().ai_stats(minutes).await
}
