//! The audit log of AI calls: one row per MCP tool call, newest first when read.

use dbdock_core::Result;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{Store, store_error};

/// One tool call. `statement` and `params` must already be scrubbed of secrets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Set by the store.
    #[serde(default)]
    pub id: i64,
    #[serde(default)]
    pub at: String,
    pub client: Option<String>,
    pub client_version: Option<String>,
    pub transport: String,
    pub tool: String,
    pub profile: Option<String>,
    pub statement: Option<String>,
    pub params: Option<serde_json::Value>,
    pub rows: Option<u64>,
    pub bytes: Option<u64>,
    pub duration_ms: f64,
    pub outcome: String,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

impl Store {
    pub async fn record_audit(&self, e: &AuditEntry) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_log (client, client_version, transport, tool, profile, statement, params, rows, bytes,
                                    duration_ms, outcome, error_code, error_message)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )
        .bind(&e.client)
        .bind(&e.client_version)
        .bind(&e.transport)
        .bind(&e.tool)
        .bind(&e.profile)
        .bind(&e.statement)
        .bind(e.params.as_ref().map(ToString::to_string))
        .bind(e.rows.and_then(|n| i64::try_from(n).ok()))
        .bind(e.bytes.and_then(|n| i64::try_from(n).ok()))
        .bind(e.duration_ms)
        .bind(&e.outcome)
        .bind(&e.error_code)
        .bind(&e.error_message)
        .execute(&self.pool)
        .await
        .map_err(|e| store_error("write the audit log", &e))?;
        Ok(())
    }

    /// The newest `limit` entries, newest first.
    pub async fn audit_entries(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT id, at, client, client_version, transport, tool, profile, statement, params, rows, bytes,
                    duration_ms, outcome, error_code, error_message
             FROM audit_log ORDER BY id DESC LIMIT ?1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| store_error("read the audit log", &e))?;
        rows.iter()
            .map(|r| {
                let get = |e: sqlx::Error| store_error("read the audit log", &e);
                let count = |name: &str| -> Result<Option<u64>> {
                    Ok(r.try_get::<Option<i64>, _>(name).map_err(get)?.and_then(|n| u64::try_from(n).ok()))
                };
                let params: Option<String> = r.try_get("params").map_err(get)?;
                Ok(AuditEntry {
                    id: r.try_get("id").map_err(get)?,
                    at: r.try_get("at").map_err(get)?,
                    client: r.try_get("client").map_err(get)?,
                    client_version: r.try_get("client_version").map_err(get)?,
                    transport: r.try_get("transport").map_err(get)?,
                    tool: r.try_get("tool").map_err(get)?,
                    profile: r.try_get("profile").map_err(get)?,
                    statement: r.try_get("statement").map_err(get)?,
                    params: params.and_then(|p| serde_json::from_str(&p).ok()),
                    rows: count("rows")?,
                    bytes: count("bytes")?,
                    duration_ms: r.try_get("duration_ms").map_err(get)?,
                    outcome: r.try_get("outcome").map_err(get)?,
                    error_code: r.try_get("error_code").map_err(get)?,
                    error_message: r.try_get("error_message").map_err(get)?,
                })
            })
            .collect()
    }
}
