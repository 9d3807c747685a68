//! The event log: monitors' lifecycle events (connected, reconnecting, resubscribed,
//! errors) as the user sees them in the app and `dbdock watch`, kept within a retention
//! limit by count and by age so it never grows without bound.

use std::time::Duration;

use dbdock_core::{Event, Result, payload_as_text};
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

impl Store {
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
}
