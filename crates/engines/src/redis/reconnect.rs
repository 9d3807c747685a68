//! Getting a monitor's connection back after it broke, with the backoff of docs/reconnect-policy.md, and
//! telling the reader about it through lifecycle events: the gap in the messages is
//! visible as `reconnecting` … `connected`.

use std::future::Future;
use std::time::Duration;

use dbdock_core::{ConnectionState, ReconnectPolicy, Result, Severity};

use crate::Sink;

/// The first retry comes quickly: a dropped connection is most often a restart or a
/// failover that is over within a fraction of a second. The policy's schedule follows.
const FIRST_RETRY: Duration = Duration::from_millis(100);

/// The wait before reconnect attempt `attempt` (from 1); `random` is uniform in `[0, 1)`.
pub(super) fn delay(policy: &ReconnectPolicy, attempt: u32, random: f64) -> Duration {
    if attempt > policy.max_attempts {
        return Duration::from_secs_f64(policy.cap.as_secs_f64() * (1.0 + policy.jitter * random.clamp(0.0, 1.0)));
    }
    match attempt {
        0 | 1 => FIRST_RETRY.min(policy.delay(1, random)),
        n => policy.delay(n - 1, random),
    }
}

/// Calls `connect` on the policy's schedule until it succeeds (returning what it made and
/// the attempts it took) or the monitor is stopped (`None`). Every failed attempt up to
/// `max_attempts` is a `reconnecting` event; past them the monitor reports `error` once,
/// and keeps trying at the cap interval: a monitor comes back by itself when the server
/// does, without the user having to notice and restart it.
pub(super) async fn reconnect<T, F, Fut>(
    sink: &Sink,
    policy: &ReconnectPolicy,
    lost: &str,
    mut connect: F,
) -> Option<(T, u32)>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    sink.lifecycle(ConnectionState::Reconnecting, Severity::Warning, format!("connection lost: {lost}; reconnecting"));
    let mut last_error = lost.to_owned();
    let mut attempt = 0_u32;
    loop {
        attempt = attempt.saturating_add(1);
        let wait = delay(policy, attempt, fastrand::f64());
        if attempt > 1 && attempt <= policy.max_attempts {
            sink.lifecycle(
                ConnectionState::Reconnecting,
                Severity::Warning,
                format!(
                    "reconnect attempt {} failed: {last_error}; retrying in {:.1} s",
                    attempt - 1,
                    wait.as_secs_f64()
                ),
            );
        } else if attempt == policy.max_attempts.saturating_add(1) {
            sink.lifecycle(
                ConnectionState::Error,
                Severity::Error,
                format!(
                    "could not reconnect in {} attempts (last: {last_error}); still retrying every {} s until stopped",
                    policy.max_attempts,
                    policy.cap.as_secs()
                ),
            );
        }
        tokio::select! {
            () = sink.stopped() => return None,
            () = tokio::time::sleep(wait) => {}
        }
        let result = tokio::select! {
            () = sink.stopped() => return None,
            result = connect() => result,
        };
        match result {
            Ok(connected) => return Some((connected, attempt)),
            Err(e) => {
                tracing::debug!(attempt, error = %e.message, "reconnect failed");
                last_error = e.message;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_retry_is_quick_then_the_policy_schedule_then_the_cap() {
        let policy = ReconnectPolicy::default();
        assert_eq!(delay(&policy, 1, 0.0), FIRST_RETRY);
        assert_eq!(delay(&policy, 2, 0.0), Duration::from_secs(1));
        assert_eq!(delay(&policy, 3, 0.0), Duration::from_millis(1500));
        assert_eq!(delay(&policy, 11, 0.0), Duration::from_secs(30));
        assert_eq!(delay(&policy, 500, 1.0), Duration::from_secs(39));
        let fast = ReconnectPolicy { base: Duration::from_millis(20), ..policy };
        assert_eq!(delay(&fast, 1, 0.0), Duration::from_millis(20));
    }
}
