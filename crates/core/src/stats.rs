//! What AI clients did over a recent window, read from the audit log: the figures of
//! `dbdock stats` and the app's AI view (the live counters of one endpoint process are
//! its `GET /metrics`).

use serde::{Deserialize, Serialize};

/// Calls of one tool on one connection with one outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CallCount {
    pub tool: String,
    pub connection: Option<String>,
    pub outcome: crate::AuditOutcome,
    pub calls: u32,
    pub rows: f64,
    pub bytes: f64,
}

/// Calls that started in one minute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MinuteCount {
    /// `YYYY-MM-DDTHH:MM` (UTC).
    pub minute: String,
    pub calls: u32,
    pub errors: u32,
}

/// Monitor lifecycle events of one severity (connects, reconnects, errors).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EventCount {
    pub severity: String,
    pub events: u32,
}

/// The AI calls of the last `window_minutes`. Latencies are over finished calls.
/// Counts that can pass 2^53 are `f64` so they cross to TypeScript exactly as numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AiStats {
    pub window_minutes: u32,
    /// The start of the window (UTC, as the audit log writes times).
    pub since: String,
    pub calls: u32,
    pub errors: u32,
    /// Calls still running (or whose process died).
    pub running: u32,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub max_ms: Option<f64>,
    pub rows: f64,
    pub bytes: f64,
    pub by_call: Vec<CallCount>,
    pub per_minute: Vec<MinuteCount>,
    pub pending_approvals: u32,
    pub monitor_events: Vec<EventCount>,
}

impl AiStats {
    /// Calls per minute over the window.
    pub fn calls_per_minute(&self) -> f64 {
        f64::from(self.calls) / f64::from(self.window_minutes.max(1))
    }
}
