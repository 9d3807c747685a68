//! The reconnect policy (docs/reconnect-policy.md) and its schedule, pure: no clock, no
//! runtime, no randomness of its own. [`ReconnectPolicy`] is the rule; [`Backoff`] is one
//! outage's schedule under it, the wait before each attempt, and it ends after the
//! policy's last attempt: what comes next (`error`, until someone retries) is the
//! caller's to say. The one loop that sleeps through this schedule, connects and tells
//! observers is `crates/engines/src/reconnect.rs`.

use std::iter::FusedIterator;
use std::time::Duration;

/// Reconnect with exponential backoff and jitter: attempt `n` (from 1) waits
/// `min(cap, base * factor^(n-1))` plus a random `0..jitter` of that again, and after
/// `max_attempts` failed attempts the connection goes to `error` and makes no more
/// attempts until it is retried.
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
    /// 1 s, ×1.5 per attempt, at most 30 s, plus 0–30 % jitter, 10 attempts.
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
    /// Nonsense settings (a negative jitter, an overflowing backoff) give the cap, never a panic.
    pub fn delay(&self, attempt: u32, random: f64) -> Duration {
        let exponent = i32::try_from(attempt.saturating_sub(1)).unwrap_or(i32::MAX);
        let backoff = (self.base.as_secs_f64() * self.factor.powi(exponent)).min(self.cap.as_secs_f64());
        let jitter = self.jitter.max(0.0) * random.clamp(0.0, 1.0);
        Duration::try_from_secs_f64(backoff * (1.0 + jitter)).unwrap_or(self.cap)
    }

    /// One outage's schedule, drawing its jitter from `random` (uniform in `[0, 1)`).
    pub fn backoff<R: FnMut() -> f64>(&self, random: R) -> Backoff<R> {
        Backoff::new(*self, random)
    }
}

/// The waits before the attempts of one outage, in order: exactly `max_attempts` of them,
/// then `None`, which means give up. A retry after a give-up is a new `Backoff`, so it
/// starts again at the first, shortest wait.
///
/// ```
/// # use std::time::Duration;
/// # use dbdock_core::ReconnectPolicy;
/// let waits: Vec<Duration> = ReconnectPolicy::default().backoff(|| 0.0).take(4).collect();
/// assert_eq!(waits, [1000, 1500, 2250, 3375].map(Duration::from_millis));
/// ```
#[derive(Debug, Clone)]
pub struct Backoff<R> {
    policy: ReconnectPolicy,
    /// Attempts handed out so far.
    attempt: u32,
    random: R,
}

impl<R: FnMut() -> f64> Backoff<R> {
    pub fn new(policy: ReconnectPolicy, random: R) -> Self {
        Backoff { policy, attempt: 0, random }
    }

    /// The number of the last attempt handed out (0 before the first).
    pub fn attempts(&self) -> u32 {
        self.attempt
    }

    /// How many attempts this schedule has in all.
    pub fn max_attempts(&self) -> u32 {
        self.policy.max_attempts
    }

    pub fn policy(&self) -> &ReconnectPolicy {
        &self.policy
    }
}

impl<R: FnMut() -> f64> Iterator for Backoff<R> {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        if self.attempt >= self.policy.max_attempts {
            return None;
        }
        self.attempt += 1;
        Some(self.policy.delay(self.attempt, (self.random)()))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = usize::try_from(self.policy.max_attempts.saturating_sub(self.attempt)).unwrap_or(usize::MAX);
        (left, Some(left))
    }
}

impl<R: FnMut() -> f64> ExactSizeIterator for Backoff<R> {}

impl<R: FnMut() -> f64> FusedIterator for Backoff<R> {}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn backoff_follows_the_schedule() {
        let p = ReconnectPolicy::default();
        assert_eq!(p.delay(1, 0.0), Duration::from_secs(1));
        assert_eq!(p.delay(2, 0.0), ms(1500));
        assert_eq!(p.delay(3, 0.0), ms(2250));
        assert_eq!(p.delay(20, 0.0), Duration::from_secs(30));
        assert_eq!(p.delay(1, 0.999_999).as_millis(), 1299);
        assert_eq!(p.delay(20, 1.0), Duration::from_secs(39));
    }

    #[test]
    fn the_default_schedule_is_ten_waits_from_one_second_growing_by_half_up_to_thirty() {
        let waits: Vec<Duration> = ReconnectPolicy::default().backoff(|| 0.0).collect();
        let expected: Vec<Duration> = (0..10).map(|n| Duration::from_secs_f64((1.5_f64.powi(n)).min(30.0))).collect();
        assert_eq!(waits, expected);
        assert_eq!(waits[..3], [ms(1000), ms(1500), ms(2250)]);
        // 1.5^9 = 38.4 s: the last wait is capped.
        assert_eq!(waits[9], Duration::from_secs(30));
        assert_eq!(waits[8], Duration::from_secs_f64(1.5_f64.powi(8)));
    }

    #[test]
    fn jitter_adds_zero_to_thirty_percent_drawn_from_the_given_source() {
        let policy = ReconnectPolicy { max_attempts: 200, ..ReconnectPolicy::default() };
        let mut rng = fastrand::Rng::with_seed(7);
        let mut draws = Vec::new();
        let jittered: Vec<Duration> = policy
            .backoff(|| {
                let r = rng.f64();
                draws.push(r);
                r
            })
            .collect();
        let plain: Vec<Duration> = policy.backoff(|| 0.0).collect();
        assert_eq!(jittered.len(), 200);
        for (n, (j, p)) in jittered.iter().zip(&plain).enumerate() {
            assert!(*j >= *p && j.as_secs_f64() <= p.as_secs_f64() * 1.3 + 1e-9, "attempt {}: {j:?} vs {p:?}", n + 1);
            // The jitter is exactly the drawn share of the backoff.
            let share = (j.as_secs_f64() / p.as_secs_f64() - 1.0) / 0.3;
            assert!((share - draws[n]).abs() < 1e-6, "attempt {}: {share} vs {}", n + 1, draws[n]);
        }
        // Draws near 1 reach the top of the range: 30 s capped, plus 30 %.
        assert_eq!(policy.delay(50, 1.0), Duration::from_secs(39));
    }

    #[test]
    fn the_schedule_ends_after_max_attempts_and_a_new_one_starts_over() {
        let policy = ReconnectPolicy { max_attempts: 3, ..ReconnectPolicy::default() };
        let mut backoff = policy.backoff(|| 0.0);
        assert_eq!(backoff.len(), 3);
        assert_eq!(backoff.next(), Some(ms(1000)));
        assert_eq!(backoff.attempts(), 1);
        assert_eq!((backoff.next(), backoff.next()), (Some(ms(1500)), Some(ms(2250))));
        assert_eq!((backoff.attempts(), backoff.len()), (3, 0));
        assert_eq!(backoff.next(), None);
        assert_eq!(backoff.next(), None, "a finished schedule stays finished");
        assert_eq!(backoff.attempts(), 3);
        assert_eq!(policy.backoff(|| 0.0).next(), Some(ms(1000)), "a retry starts from the first wait");
        let none = ReconnectPolicy { max_attempts: 0, ..policy };
        assert_eq!(none.backoff(|| 0.0).next(), None);
    }

    #[test]
    fn nonsense_settings_do_not_panic() {
        let odd = ReconnectPolicy { jitter: -5.0, factor: f64::INFINITY, ..ReconnectPolicy::default() };
        assert_eq!(odd.delay(3, 0.9), Duration::from_secs(30));
        let huge = ReconnectPolicy { cap: Duration::MAX, base: Duration::MAX, ..ReconnectPolicy::default() };
        assert_eq!(huge.delay(u32::MAX, 1.0), Duration::MAX);
    }
}
