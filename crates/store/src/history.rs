//! Query history per profile, for the desktop app's history panel. Only the newest
//! [`HISTORY_PER_PROFILE`] statements of each profile are kept.

use dbdock_core::Result;
use serde::Serialize;

use crate::{Store, store_error};

pub const HISTORY_PER_PROFILE: u32 = 500;

/// One statement that ran (a row of `query_history`).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct HistoryEntry {
    pub id: i64,
    pub profile: String,
    pub statement: String,
    pub at: String,
    pub ok: bool,
    pub row_count: Option<i64>,
    pub elapsed_ms: Option<f64>,
    pub error: Option<String>,
}

/// How a statement ended, for [`Store::record_query`].
#[derive(Debug, Clone, PartialEq)]
pub enum QueryOutcome {
    Rows { count: u64, elapsed_ms: f64 },
    Failed(String),
}

impl Store {
    pub async fn record_query(&self, profile: &str, statement: &str, outcome: &QueryOutcome) -> Result<()> {
        let (ok, rows, elapsed, error) = match outcome {
            QueryOutcome::Rows { count, elapsed_ms } => (true, i64::try_from(*count).ok(), Some(*elapsed_ms), None),
            QueryOutcome::Failed(message) => (false, None, None, Some(message.as_str())),
        };
        sqlx::query(
            "INSERT INTO query_history (profile, statement, ok, row_count, elapsed_ms, error)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(profile)
        .bind(statement)
        .bind(ok)
        .bind(rows)
        .bind(elapsed)
        .bind(error)
        .execute(&self.pool)
        .await
        .map_err(|e| store_error("write the query history", &e))?;
        sqlx::query(
            "DELETE FROM query_history WHERE profile = ?1 AND id <= (
                 SELECT id FROM query_history WHERE profile = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
        )
        .bind(profile)
        .bind(i64::from(HISTORY_PER_PROFILE))
        .execute(&self.pool)
        .await
        .map_err(|e| store_error("trim the query history", &e))?;
        Ok(())
    }

    /// The newest `limit` statements of `profile`, newest first.
    pub async fn query_history(&self, profile: &str, limit: u32) -> Result<Vec<HistoryEntry>> {
        sqlx::query_as::<_, HistoryEntry>(
            "SELECT id, profile, statement, at, ok, row_count, elapsed_ms, error
             FROM query_history WHERE profile = ?1 ORDER BY id DESC LIMIT ?2",
        )
        .bind(profile)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| store_error("read the query history", &e))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::Home;

    #[tokio::test]
    async fn history_is_per_profile_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Home::at(dir.path())).await.unwrap();
        store.record_query("a", "SELECT 1", &QueryOutcome::Rows { count: 1, elapsed_ms: 0.5 }).await.unwrap();
        store.record_query("b", "SELECT 2", &QueryOutcome::Rows { count: 1, elapsed_ms: 0.5 }).await.unwrap();
        store.record_query("a", "SELEC 3", &QueryOutcome::Failed("syntax error".into())).await.unwrap();
        let a = store.query_history("a", 10).await.unwrap();
        assert_eq!(a.iter().map(|e| e.statement.as_str()).collect::<Vec<_>>(), ["SELEC 3", "SELECT 1"]);
        assert!(!a[0].ok && a[0].error.as_deref() == Some("syntax error"));
        assert_eq!(a[1].row_count, Some(1));
        store.close().await;
    }
}
