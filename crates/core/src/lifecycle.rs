use std::time::Duration;

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

/// Reconnect with exponential backoff and jitter (docs/reconnect-policy.md): attempt `n` (from 1) waits
/// `min(cap, base * factor^(n-1))` plus up to `jitter` of that again, and after
/// `max_attempts` failures the connection goes to `error` until the user retries.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReconnectPolicy {
    pub base: Duration,
    pub factor: f64,
    pub cap: Duration,
    pub jitter: f64,
    pub max_attempts: u32,
    /// How often a healthy connection is checked.
    pub health_interval: Duration,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        ReconnectPolicy {
            base: Duration::from_secs(1),
            factor: 1.5,
            cap: Duration::from_secs(30),
            jitter: 0.3,
            max_attempts: 10,
            health_interval: Duration::from_secs(15),
        }
    }
}

impl ReconnectPolicy {
    /// The wait before attempt `attempt` (1-based); `random` is uniform in `[0, 1)`.
    pub fn delay(&self, attempt: u32, random: f64) -> Duration {
        let exponent = i32::try_from(attempt.saturating_sub(1)).unwrap_or(i32::MAX);
        let backoff = (self.base.as_secs_f64() * self.factor.powi(exponent)).min(self.cap.as_secs_f64());
        Duration::from_secs_f64(backoff * (1.0 + self.jitter * random.clamp(0.0, 1.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_follows_the_schedule() {
        let p = ReconnectPolicy::default();
        assert_eq!(p.delay(1, 0.0), Duration::from_secs(1));
        assert_eq!(p.delay(2, 0.0), Duration::from_millis(1500));
        assert_eq!(p.delay(3, 0.0), Duration::from_millis(2250));
        assert_eq!(p.delay(20, 0.0), Duration::from_secs(30));
        assert_eq!(p.delay(1, 0.999_999).as_millis(), 1299);
        assert_eq!(p.delay(20, 1.0), Duration::from_secs(39));
    }
}
