//! [`AiStats`] from the audit log: what AI clients did over a recent window, across every
//! process that shares the store. Each figure is one aggregate query; the percentiles
//! read one row each by offset, so a busy window costs no memory.

use dbdock_core::{AiStats, AuditOutcome, CallCount, Error, EventCount, MinuteCount, Result};

use crate::{Store, store_error};

impl Store {
    pub async fn ai_stats(&self, window_minutes: u32) -> Result<AiStats> {
        let window_minutes = window_minutes.clamp(1, 366 * 24 * 60);
        let read = |e: sqlx::Error| store_error("read the audit log", &e);
        let (since,): (String,) = sqlx::query_as("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?1)")
            .bind(format!("-{window_minutes} minutes"))
            .fetch_one(&self.pool)
            .await
            .map_err(read)?;
        let by_call: Vec<(String, Option<String>, String, i64, i64, i64)> = sqlx::query_as(
            "SELECT tool, profile, outcome, COUNT(*), COALESCE(SUM(rows), 0), COALESCE(SUM(bytes), 0)
             FROM audit_log WHERE at >= ?1 GROUP BY tool, profile, outcome ORDER BY COUNT(*) DESC, tool",
        )
        .bind(&since)
        .fetch_all(&self.pool)
        .await
        .map_err(read)?;
        let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        let mut stats = AiStats {
            window_minutes,
            since: since.clone(),
            calls: 0,
            errors: 0,
            running: 0,
            p50_ms: None,
            p95_ms: None,
            max_ms: None,
            rows: 0.0,
            bytes: 0.0,
            by_call: Vec::with_capacity(by_call.len()),
            per_minute: Vec::new(),
            pending_approvals: 0,
            monitor_events: Vec::new(),
        };
        for (tool, connection, outcome, calls, rows, bytes) in by_call {
            let outcome = AuditOutcome::parse(&outcome)
                .ok_or_else(|| Error::internal(format!("the audit log holds an unknown outcome '{outcome}'")))?;
            stats.calls += count(calls);
            match outcome {
                AuditOutcome::Error => stats.errors += count(calls),
                AuditOutcome::Running => stats.running += count(calls),
                AuditOutcome::Ok | AuditOutcome::Interrupted => {}
            }
            stats.rows += rows as f64;
            stats.bytes += bytes as f64;
            stats.by_call.push(CallCount {
                tool,
                connection,
                outcome,
                calls: count(calls),
                rows: rows as f64,
                bytes: bytes as f64,
            });
        }
        let (done,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE at >= ?1 AND outcome IN ('ok', 'error')")
                .bind(&since)
                .fetch_one(&self.pool)
                .await
                .map_err(read)?;
        if done > 0 {
            let at_rank = async |rank: i64| -> Result<Option<f64>> {
                let value: Option<(f64,)> = sqlx::query_as(
                    "SELECT duration_ms FROM audit_log WHERE at >= ?1 AND outcome IN ('ok', 'error')
                         ORDER BY duration_ms LIMIT 1 OFFSET ?2",
                )
                .bind(&since)
                .bind(rank)
                .fetch_optional(&self.pool)
                .await
                .map_err(read)?;
                Ok(value.map(|(v,)| v))
            };
            // Nearest rank: the smallest value at or above the share.
            let rank = |share: f64| ((share * done as f64).ceil() as i64 - 1).clamp(0, done - 1);
            stats.p50_ms = at_rank(rank(0.50)).await?;
            stats.p95_ms = at_rank(rank(0.95)).await?;
            stats.max_ms = at_rank(done - 1).await?;
        }
        let minutes: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT substr(at, 1, 16), COUNT(*), SUM(outcome = 'error') FROM audit_log WHERE at >= ?1
             GROUP BY substr(at, 1, 16) ORDER BY 1",
        )
        .bind(&since)
        .fetch_all(&self.pool)
        .await
        .map_err(read)?;
        stats.per_minute = minutes
            .into_iter()
            .map(|(minute, calls, errors)| MinuteCount { minute, calls: count(calls), errors: count(errors) })
            .collect();
        stats.pending_approvals = self.pending_approval_count().await?;
        let events: Vec<(String, i64)> = sqlx::query_as(
            "SELECT severity, COUNT(*) FROM event_log WHERE ts >= ?1 GROUP BY severity ORDER BY COUNT(*) DESC",
        )
        .bind(&since)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| store_error("read the event log", &e))?;
        stats.monitor_events =
            events.into_iter().map(|(severity, events)| EventCount { severity, events: count(events) }).collect();
        Ok(stats)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{AuditEntry, Home};

    fn call(tool: &str, ms: f64, outcome: AuditOutcome) -> AuditEntry {
        AuditEntry {
            transport: "http".into(),
            tool: tool.into(),
            profile: Some("pg".into()),
            rows: Some(2),
            bytes: Some(100),
            duration_ms: ms,
            outcome,
            ..AuditEntry::default()
        }
    }

    #[tokio::test]
    async fn counts_outcomes_and_ranks_latencies() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Home::at(dir.path())).await.unwrap();
        let empty = store.ai_stats(60).await.unwrap();
        assert_eq!((empty.calls, empty.p50_ms), (0, None));
        for ms in 1..=100 {
            store.record_audit(&call("execute-query", f64::from(ms), AuditOutcome::Ok)).await.unwrap();
        }
        store.record_audit(&call("execute-update", 500.0, AuditOutcome::Error)).await.unwrap();
        let stats = store.ai_stats(60).await.unwrap();
        assert_eq!((stats.calls, stats.errors, stats.running), (101, 1, 0));
        assert_eq!((stats.p50_ms, stats.p95_ms, stats.max_ms), (Some(51.0), Some(96.0), Some(500.0)));
        assert_eq!((stats.rows, stats.bytes), (202.0, 10_100.0));
        assert_eq!(stats.by_call[0].tool, "execute-query");
        assert_eq!(stats.per_minute.iter().map(|m| m.calls).sum::<u32>(), 101);
        assert_eq!(stats.per_minute.iter().map(|m| m.errors).sum::<u32>(), 1);
        assert!(stats.calls_per_minute() > 1.6);
        store.close().await;
    }
}
