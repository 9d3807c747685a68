//! The event log: monitors' lifecycle events (connected, reconnecting, resubscribed,
//! errors) as the user sees them in the app and `dbdock watch`, kept within a retention
//! limit by count and by age so it never grows without bound.

use std::time::Duration;

use dbdock_core::{Event, Result, Severity, payload_as_text};
use futures_util::TryStreamExt;
use serde::Serialize;

use crate::{Store, store_error};

/// How much of the event log is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRetention {
    pub max_events: u32,
    pub max_age: Duration,
}

impl Default for EventRetention {
    fn default() -> Self {
        EventRetention { max_events: 10_000, max_age: Duration::from_secs(30 * 24 * 3600) }
    }
}

/// One stored event (a row of `event_log`).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct LoggedEvent {
    pub id: i64,
    pub ts: String,
    pub monitor_id: String,
    pub profile: Option<String>,
    pub target: String,
    pub severity: String,
    pub category: String,
    pub state: Option<String>,
    pub message: String,
}

/// Which events of the log an export takes; an empty field takes all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// A monitor's id or its target (`channel:orders`).
    pub monitor: Option<String>,
    pub profile: Option<String>,
    /// From this time on (an ISO 8601 prefix: `2026-12-07` or `2026-12-07T10:00`).
    pub since: Option<String>,
    /// Before this time.
    pub until: Option<String>,
    /// This severity and worse.
    pub min_severity: Option<Severity>,
    /// In the message or the target, in any case.
    pub text: Option<String>,
}

impl Store {
    /// Hands every event `filter` takes to `each`, oldest first, reading one row at a time
    /// so an export of a million events holds one in memory. Returns how many there were.
    pub async fn each_event(
        &self,
        filter: &EventFilter,
        mut each: impl FnMut(LoggedEvent) -> Result<()>,
    ) -> Result<u64> {
        let severities: Vec<&str> = [Severity::Info, Severity::Warning, Severity::Error, Severity::Critical]
            .into_iter()
            .filter(|s| filter.min_severity.is_none_or(|min| *s >= min))
            .map(Severity::as_str)
            .collect();
        let mut rows = sqlx::query_as::<_, LoggedEvent>(
            "SELECT id, ts, monitor_id, profile, target, severity, category, state, message
             FROM event_log
             WHERE (?1 IS NULL OR monitor_id = ?1 OR target = ?1)
               AND (?2 IS NULL OR profile = ?2 COLLATE NOCASE)
               AND (?3 IS NULL OR ts >= ?3)
               AND (?4 IS NULL OR ts < ?4)
               AND severity IN (SELECT value FROM json_each(?5))
               AND (?6 IS NULL OR instr(lower(message), lower(?6)) > 0 OR instr(lower(target), lower(?6)) > 0)
             ORDER BY id",
        )
        .bind(&filter.monitor)
        .bind(&filter.profile)
        .bind(&filter.since)
        .bind(&filter.until)
        .bind(serde_json::to_string(&severities).unwrap_or_else(|_| "[]".into()))
        .bind(&filter.text)
        .fetch(&self.pool);
        let mut count = 0;
        while let Some(event) = rows.try_next().await.map_err(|e| store_error("read the event log", &e))? {
            each(event)?;
            count += 1;
        }
        Ok(count)
    }

    /// Logs `event` (its payload is the message) and trims the log to `retention`.
    pub async fn record_event(&self, event: &Event, retention: EventRetention) -> Result<()> {
        let state = event.state.and_then(|s| serde_json::to_value(s).ok()).and_then(|v| v.as_str().map(str::to_owned));
        sqlx::query(
            "INSERT INTO event_log (ts, monitor_id, profile, target, severity, category, state, message)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .bind(&event.ts)
        .bind(&event.monitor_id)
        .bind(&event.profile)
        .bind(&event.target)
        .bind(event.severity.as_str())
        .bind(event.category.as_str())
        .bind(state)
        .bind(payload_as_text(&event.payload).as_ref())
        .execute(&self.pool)
        .await
        .map_err(|e| store_error("write the event log", &e))?;
        self.trim_events(retention).await
    }

    /// Deletes events older than the age limit and all but the newest `max_events`.
    pub async fn trim_events(&self, retention: EventRetention) -> Result<()> {
        let age = format!("-{} seconds", retention.max_age.as_secs());
        sqlx::query(
            "DELETE FROM event_log
             WHERE ts < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?1)
                OR id <= (SELECT id FROM event_log ORDER BY id DESC LIMIT 1 OFFSET ?2)",
        )
        .bind(age)
        .bind(i64::from(retention.max_events))
        .execute(&self.pool)
        .await
        .map_err(|e| store_error("trim the event log", &e))?;
        Ok(())
    }

    /// The newest `limit` events, newest first.
    pub async fn events(&self, limit: u32) -> Result<Vec<LoggedEvent>> {
        sqlx::query_as::<_, LoggedEvent>(
            "SELECT id, ts, monitor_id, profile, target, severity, category, state, message
             FROM event_log ORDER BY id DESC LIMIT ?1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| store_error("read the event log", &e))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use dbdock_core::{Category, ConnectionState, EventKind, Severity};

    use super::*;
    use crate::Home;

    fn lifecycle(ts: &str, n: u64) -> Event {
        Event {
            monitor_id: "m-1".into(),
            profile: Some("cache".into()),
            target: "channel:orders".into(),
            channel: "channel:orders".into(),
            kind: EventKind::Lifecycle,
            severity: Severity::Warning,
            category: Category::ServerLifecycle,
            payload: format!("connection lost ({n})").into_bytes(),
            json: None,
            size: 0,
            headers: Vec::new(),
            state: Some(ConnectionState::Reconnecting),
            server_ts: None,
            position: None,
            ts: ts.into(),
            sequence: n,
        }
    }

    #[tokio::test]
    async fn retention_keeps_the_newest_within_count_and_age() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Home::at(dir.path())).await.unwrap();
        let keep_all = EventRetention { max_events: 1_000, max_age: Duration::from_secs(3600) };
        // An event from long ago goes at the next write.
        store.record_event(&lifecycle("2001-01-01T00:00:00.000Z", 0), keep_all).await.unwrap();
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        for n in 1..=5 {
            store.record_event(&lifecycle(&now, n), keep_all).await.unwrap();
        }
        let events = store.events(100).await.unwrap();
        assert_eq!(events.len(), 5);
        assert_eq!(events[0].message, "connection lost (5)");
        assert_eq!(events[0].state.as_deref(), Some("reconnecting"));
        assert_eq!(events[0].severity, "warning");
        store.trim_events(EventRetention { max_events: 3, ..keep_all }).await.unwrap();
        let kept: Vec<String> = store.events(100).await.unwrap().into_iter().map(|e| e.message).collect();
        assert_eq!(kept, ["connection lost (5)", "connection lost (4)", "connection lost (3)"]);
        store.close().await;
    }

    #[tokio::test]
    async fn an_export_takes_what_the_filter_says_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Home::at(dir.path())).await.unwrap();
        let keep_all = EventRetention { max_events: 1_000, max_age: Duration::from_secs(3600 * 24 * 365 * 100) };
        for (n, (ts, severity, target)) in [
            ("2026-12-01T10:00:00.000Z", Severity::Info, "channel:orders"),
            ("2026-12-02T10:00:00.000Z", Severity::Error, "channel:orders"),
            ("2026-12-03T10:00:00.000Z", Severity::Critical, "subject:ORDERS.>"),
            ("2026-12-04T10:00:00.000Z", Severity::Warning, "channel:orders"),
        ]
        .into_iter()
        .enumerate()
        {
            let event = Event { severity, target: target.into(), ..lifecycle(ts, n as u64) };
            store.record_event(&event, keep_all).await.unwrap();
        }
        let ids = |filter: EventFilter| {
            let store = store.clone();
            async move {
                let mut seen = Vec::new();
                let count = store
                    .each_event(&filter, |e| {
                        seen.push(e.message);
                        Ok(())
                    })
                    .await
                    .unwrap();
                assert_eq!(count, seen.len() as u64);
                seen
            }
        };
        let all = ids(EventFilter::default()).await;
        assert_eq!(all, ["connection lost (0)", "connection lost (1)", "connection lost (2)", "connection lost (3)"]);
        let bad = EventFilter { min_severity: Some(Severity::Error), ..EventFilter::default() };
        assert_eq!(ids(bad).await, ["connection lost (1)", "connection lost (2)"]);
        let window = EventFilter {
            since: Some("2026-12-02".into()),
            until: Some("2026-12-04".into()),
            monitor: Some("channel:orders".into()),
            ..EventFilter::default()
        };
        assert_eq!(ids(window).await, ["connection lost (1)"]);
        let text =
            EventFilter { text: Some("ORDERS.>".into()), profile: Some("CACHE".into()), ..EventFilter::default() };
        assert_eq!(ids(text).await, ["connection lost (2)"]);
        store.close().await;
    }
}
