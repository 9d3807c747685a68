//! Who may send a request, and how many (docs/safety.md, "HTTP tokens"): the bearer token
//! is looked up in the store on every request (so a revoked or expired token is refused
//! by a running endpoint at once), then the token's rate and concurrency limits apply.
//! Each token has its own limits, so one busy client cannot starve another.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use dbdock_core::{Result, TokenInfo};
use dbdock_store::Store;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How often a token's `last used` time is written: often enough to read, rarely enough
/// that a busy client does not turn its requests into store writes.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// A token bucket: `rate` requests a second, bursts up to one second's worth.
struct Bucket {
    available: f64,
    at: Instant,
}

/// Why a request was refused.
#[derive(Debug, PartialEq)]
pub(crate) enum Refusal {
    /// More requests per second than the token allows; try again after this long.
    Rate(Duration),
    /// More requests in flight at once than the token allows.
    Concurrency,
}

/// A token's identity across revoke and re-add: the same name made anew has new limits.
type TokenKey = (String, String);

fn key(token: &TokenInfo) -> TokenKey {
    (token.name.to_lowercase(), token.created_at.clone())
}

#[derive(Default)]
pub(crate) struct Admission {
    buckets: Mutex<HashMap<TokenKey, Bucket>>,
    in_flight: Mutex<HashMap<TokenKey, Arc<Semaphore>>>,
    touched: Mutex<HashMap<TokenKey, Instant>>,
}

fn locked<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Counters and timestamps only: consistent even if a holder panicked.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Admission {
    /// The token `presented` is, if it is a live one; records its use now and then.
    pub(crate) async fn authenticate(&self, store: &Store, presented: &str) -> Result<Option<TokenInfo>> {
        if presented.is_empty() {
            return Ok(None);
        }
        let Some(token) = store.token_for(presented).await? else { return Ok(None) };
        let due = {
            let mut touched = locked(&self.touched);
            let last = touched.get(&key(&token)).copied();
            let due = last.is_none_or(|at| at.elapsed() >= TOUCH_EVERY);
            if due {
                touched.insert(key(&token), Instant::now());
            }
            due
        };
        if due {
            let (store, name) = (store.clone(), token.name.clone());
            tokio::spawn(async move {
                if let Err(e) = store.touch_token(&name).await {
                    tracing::debug!(error = %e, "could not record a token's use");
                }
            });
        }
        Ok(Some(token))
    }

    /// Takes one request from the token's rate allowance.
    pub(crate) fn take_rate(&self, token: &TokenInfo) -> std::result::Result<(), Refusal> {
        let rate = f64::from(token.rate_per_sec.max(1));
        let mut buckets = locked(&self.buckets);
        let bucket = buckets.entry(key(token)).or_insert_with(|| Bucket { available: rate, at: Instant::now() });
        let now = Instant::now();
        bucket.available = (bucket.available + now.duration_since(bucket.at).as_secs_f64() * rate).min(rate);
        bucket.at = now;
        if bucket.available >= 1.0 {
            bucket.available -= 1.0;
            return Ok(());
        }
        Err(Refusal::Rate(Duration::from_secs_f64((1.0 - bucket.available) / rate)))
    }

    /// A slot among the token's requests in flight, held until the answer is sent.
    pub(crate) fn take_slot(&self, token: &TokenInfo) -> std::result::Result<OwnedSemaphorePermit, Refusal> {
        let semaphore = {
            let mut in_flight = locked(&self.in_flight);
            let bound = usize::try_from(token.max_concurrent.max(1)).unwrap_or(usize::MAX);
            Arc::clone(in_flight.entry(key(token)).or_insert_with(|| Arc::new(Semaphore::new(bound))))
        };
        semaphore.try_acquire_owned().map_err(|_| Refusal::Concurrency)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn token(rate: u32, concurrent: u32) -> TokenInfo {
        TokenInfo {
            name: "agent".into(),
            scopes: vec![],
            profiles: vec![],
            rate_per_sec: rate,
            max_concurrent: concurrent,
            created_at: "2026-01-01".into(),
            last_used_at: None,
            expires_at: None,
        }
    }

    #[test]
    fn a_burst_past_the_rate_is_refused_with_the_wait_and_tokens_are_counted_apart() {
        let admission = Admission::default();
        let agent = token(5, 1);
        for _ in 0..5 {
            admission.take_rate(&agent).unwrap();
        }
        let Err(Refusal::Rate(wait)) = admission.take_rate(&agent) else { panic!("the sixth request passed") };
        assert!(wait > Duration::ZERO && wait <= Duration::from_millis(200), "{wait:?}");
        // Another token (another name) has its own allowance.
        admission.take_rate(&TokenInfo { name: "other".into(), ..token(5, 1) }).unwrap();
    }

    #[test]
    fn requests_in_flight_are_bounded_per_token() {
        let admission = Admission::default();
        let agent = token(5, 2);
        let first = admission.take_slot(&agent).unwrap();
        let _second = admission.take_slot(&agent).unwrap();
        assert_eq!(admission.take_slot(&agent).unwrap_err(), Refusal::Concurrency);
        drop(first);
        let _third = admission.take_slot(&agent).unwrap();
    }
}
