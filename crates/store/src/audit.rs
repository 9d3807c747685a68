//! The audit log of AI calls: one row per MCP tool call, newest first when read. A row is
//! written before the call runs (outcome `running`) and completed after it, so a call the
//! log cannot record does not run (docs/safety.md). Statements, parameters and error
//! messages are cut to a fixed size so one huge value cannot flood the log.

use dbdock_core::{AuditOutcome, Error, MAX_AUDITED_TEXT_BYTES, MAX_ERROR_MESSAGE_BYTES, Result, cap_text};
use serde::{Deserialize, Serialize};

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
    pub outcome: AuditOutcome,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

/// What a finished call adds to the row [`Store::start_audit`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditCompletion {
    pub rows: Option<u64>,
    pub bytes: Option<u64>,
    pub duration_ms: f64,
    /// `ok` or `error`.
    pub outcome: AuditOutcome,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

fn capped_statement(statement: Option<&str>) -> Option<String> {
    statement.map(|s| cap_text(s, MAX_AUDITED_TEXT_BYTES).into_owned())
}

/// The parameters as stored: their JSON, or when that is longer than the cap, the JSON
/// text cut and kept as one JSON string (so the column still reads back as JSON).
fn capped_params(params: Option<&serde_json::Value>) -> Option<String> {
    let text = params?.to_string();
    if text.len() <= MAX_AUDITED_TEXT_BYTES {
        return Some(text);
    }
    Some(serde_json::Value::String(cap_text(&text, MAX_AUDITED_TEXT_BYTES).into_owned()).to_string())
}

fn capped_message(message: Option<&str>) -> Option<String> {
    message.map(|m| cap_text(m, MAX_ERROR_MESSAGE_BYTES).into_owned())
}

impl Store {
    /// Writes the row of a call that is about to run, with outcome `running`; returns its
    /// id for [`Store::complete_audit`]. An error means the call must not run.
    pub async fn start_audit(&self, e: &AuditEntry) -> Result<i64> {
        let done = sqlx::query(
            "INSERT INTO audit_log (client, client_version, transport, tool, profile, statement, params, duration_ms,
                                    outcome)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8)",
        )
        .bind(&e.client)
        .bind(&e.client_version)
        .bind(&e.transport)
        .bind(&e.tool)
        .bind(&e.profile)
        .bind(capped_statement(e.statement.as_deref()))
        .bind(capped_params(e.params.as_ref()))
        .bind(AuditOutcome::Running.as_str())
        .execute(&self.pool)
        .await
        .map_err(|e| store_error("write the audit log", &e))?;
        Ok(done.last_insert_rowid())
    }

    /// Completes the row [`Store::start_audit`] wrote (only while it is still `running`).
    pub async fn complete_audit(&self, id: i64, c: &AuditCompletion) -> Result<()> {
        sqlx::query(
            "UPDATE audit_log SET rows = ?2, bytes = ?3, duration_ms = ?4, outcome = ?5, error_code = ?6,
                                  error_message = ?7
             WHERE id = ?1 AND outcome = ?8",
        )
        .bind(id)
        .bind(c.rows.and_then(|n| i64::try_from(n).ok()))
        .bind(c.bytes.and_then(|n| i64::try_from(n).ok()))
        .bind(c.duration_ms)
        .bind(c.outcome.as_str())
        .bind(&c.error_code)
        .bind(capped_message(c.error_message.as_deref()))
        .bind(AuditOutcome::Running.as_str())
        .execute(&self.pool)
        .await
        .map_err(|e| store_error("complete the audit log", &e))?;
        Ok(())
    }

    /// Marks rows still `running` as `interrupted`: their calls were abandoned at shutdown.
    pub async fn interrupt_audit(&self, ids: &[i64]) -> Result<()> {
        for id in ids {
            sqlx::query("UPDATE audit_log SET outcome = ?2 WHERE id = ?1 AND outcome = ?3")
                .bind(id)
                .bind(AuditOutcome::Interrupted.as_str())
                .bind(AuditOutcome::Running.as_str())
                .execute(&self.pool)
                .await
                .map_err(|e| store_error("complete the audit log", &e))?;
        }
        Ok(())
    }

    /// Writes a whole row at once (a call that is already over).
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
        .bind(capped_statement(e.statement.as_deref()))
        .bind(capped_params(e.params.as_ref()))
        .bind(e.rows.and_then(|n| i64::try_from(n).ok()))
        .bind(e.bytes.and_then(|n| i64::try_from(n).ok()))
        .bind(e.duration_ms)
        .bind(e.outcome.as_str())
        .bind(&e.error_code)
        .bind(capped_message(e.error_message.as_deref()))
        .execute(&self.pool)
        .await
        .map_err(|e| store_error("write the audit log", &e))?;
        Ok(())
    }

    /// The newest `limit` entries, newest first.
    pub async fn audit_entries(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query_as::<_, AuditRow>(
            "SELECT id, at, client, client_version, transport, tool, profile, statement, params, rows, bytes,
                    duration_ms, outcome, error_code, error_message
             FROM audit_log ORDER BY id DESC LIMIT ?1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| store_error("read the audit log", &e))?;
        rows.into_iter().map(AuditEntry::try_from).collect()
    }
}

/// A row of `audit_log` as SQLite holds it.
#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    at: String,
    client: Option<String>,
    client_version: Option<String>,
    transport: String,
    tool: String,
    profile: Option<String>,
    statement: Option<String>,
    params: Option<String>,
    rows: Option<i64>,
    bytes: Option<i64>,
    duration_ms: f64,
    outcome: String,
    error_code: Option<String>,
    error_message: Option<String>,
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = Error;

    fn try_from(r: AuditRow) -> Result<AuditEntry> {
        let count = |n: Option<i64>| n.and_then(|n| u64::try_from(n).ok());
        let outcome = AuditOutcome::parse(&r.outcome)
            .ok_or_else(|| Error::internal(format!("the audit log holds an unknown outcome '{}'", r.outcome)))?;
        Ok(AuditEntry {
            id: r.id,
            at: r.at,
            client: r.client,
            client_version: r.client_version,
            transport: r.transport,
            tool: r.tool,
            profile: r.profile,
            statement: r.statement,
            params: r.params.and_then(|p| serde_json::from_str(&p).ok()),
            rows: count(r.rows),
            bytes: count(r.bytes),
            duration_ms: r.duration_ms,
            outcome,
            error_code: r.error_code,
            error_message: r.error_message,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::Home;

    fn entry(statement: &str, params: serde_json::Value) -> AuditEntry {
        AuditEntry {
            id: 0,
            at: String::new(),
            client: Some("test".into()),
            client_version: None,
            transport: "stdio".into(),
            tool: "execute-query".into(),
            profile: Some("pg".into()),
            statement: Some(statement.into()),
            params: Some(params),
            rows: None,
            bytes: None,
            duration_ms: 0.0,
            outcome: AuditOutcome::Running,
            error_code: None,
            error_message: None,
        }
    }

    #[tokio::test]
    async fn a_row_is_running_until_completed_or_interrupted() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Home::at(dir.path())).await.unwrap();
        let first = store.start_audit(&entry("SELECT 1", serde_json::json!([1]))).await.unwrap();
        let second = store.start_audit(&entry("SELECT 2", serde_json::json!([]))).await.unwrap();
        let rows = store.audit_entries(10).await.unwrap();
        assert!(rows.iter().all(|r| r.outcome == AuditOutcome::Running), "{rows:?}");
        let done = AuditCompletion {
            rows: Some(1),
            bytes: Some(10),
            duration_ms: 2.5,
            outcome: AuditOutcome::Ok,
            error_code: None,
            error_message: None,
        };
        store.complete_audit(first, &done).await.unwrap();
        store.interrupt_audit(&[first, second]).await.unwrap();
        // Completing twice changes nothing: a completed row is final.
        store.complete_audit(second, &done).await.unwrap();
        let rows = store.audit_entries(10).await.unwrap();
        let by_id = |id| rows.iter().find(|r| r.id == id).unwrap();
        assert_eq!((by_id(first).outcome, by_id(first).rows), (AuditOutcome::Ok, Some(1)));
        assert_eq!(by_id(second).outcome, AuditOutcome::Interrupted);
        store.close().await;
    }

    #[tokio::test]
    async fn long_statements_params_and_messages_are_cut() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Home::at(dir.path())).await.unwrap();
        let huge = "x".repeat(100_000);
        let id = store.start_audit(&entry(&huge, serde_json::json!([huge]))).await.unwrap();
        let failed = AuditCompletion {
            rows: None,
            bytes: None,
            duration_ms: 1.0,
            outcome: AuditOutcome::Error,
            error_code: Some("QUERY_FAILED".into()),
            error_message: Some(huge.clone()),
        };
        store.complete_audit(id, &failed).await.unwrap();
        let row = store.audit_entries(1).await.unwrap().remove(0);
        let statement = row.statement.unwrap();
        assert!(statement.len() < MAX_AUDITED_TEXT_BYTES + 64 && statement.ends_with("more bytes]"), "{statement}");
        let params = row.params.unwrap();
        let params = params.as_str().unwrap();
        assert!(params.len() < MAX_AUDITED_TEXT_BYTES + 64 && params.starts_with("[\"xxx"), "{params}");
        assert!(row.error_message.unwrap().len() < MAX_ERROR_MESSAGE_BYTES + 64);
        store.close().await;
    }
}
