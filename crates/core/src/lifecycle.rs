use serde::Serialize;

use crate::Error;

/// Where a connection is in its life (docs/architecture.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ConnectionState {
    Disconnected,
    Connecting,
    Connected,
    Reconnecting,
    /// Reconnecting gave up after the policy's attempts; waits for the user to retry.
    Error,
}

/// A snapshot of a connection's health, for the UI, `profile test` and MCP.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConnectionStatus {
    pub state: ConnectionState,
    /// The redacted target.
    pub target: String,
    /// Round trip of the last successful health check.
    pub latency_ms: Option<f64>,
    /// Reconnect attempts since the connection was last healthy.
    pub attempts: u32,
    pub last_error: Option<Error>,
}
