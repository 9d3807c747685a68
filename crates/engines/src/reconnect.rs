//! The one reconnect loop (docs/reconnect-policy.md): every live connection and every
//! monitor gets its connection back through [`reconnect`], on the schedule of
//! [`dbdock_core::Backoff`], and says what it is doing through an [`Observer`]: a monitor's
//! [`Sink`](crate::Sink) writes lifecycle events, a
//! [`LiveConnection`](crate::live::LiveConnection) updates its status.
//!
//! One outage is at most `max_attempts` attempts, each after its wait; then the observer
//! is told that it gave up, and nothing more is tried until the observer says retry
//! (a fresh schedule) or stop. [`Pacer`] is that pacing on its own, for a driver that makes
//! the attempts itself (async-nats, `nats/connect.rs`).

use std::future::Future;
use std::time::Duration;

use dbdock_core::{Backoff, Error, ReconnectPolicy, Result};
use futures_util::FutureExt;

/// An attempt about to be made, as an observer is told of it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attempt<'a> {
    /// From 1; a retry starts again at 1.
    pub number: u32,
    /// The attempts of this schedule in all.
    pub of: u32,
    /// How long until the attempt is made.
    pub wait: Duration,
    /// Why the previous attempt failed; before the first, why the connection went (see [`lost`]).
    pub last_error: &'a Error,
    /// Whether this schedule was started by a retry after a give-up.
    pub after_retry: bool,
}

impl Attempt<'_> {
    /// For people, the same words for every connection and monitor.
    pub fn describe(&self) -> String {
        let (of, wait, error) = (self.of, wait_text(self.wait), &self.last_error.message);
        match self.number {
            1 if self.after_retry => format!("retrying: reconnect attempt 1 of {of} in {wait} (last error: {error})"),
            1 => format!("{error}; reconnect attempt 1 of {of} in {wait}"),
            n => format!("reconnect attempt {} of {of} failed: {error}; attempt {n} in {wait}", n - 1),
        }
    }
}

/// The error a lost connection starts reconnecting with: `connection lost: {reason}`.
#[cfg_attr(not(any(feature = "redis", feature = "nats", feature = "postgres", feature = "mongodb")), allow(dead_code))]
pub(crate) fn lost(reason: impl std::fmt::Display) -> Error {
    Error::connection_failed(format!("connection lost: {reason}"))
}

/// What a give-up says, for people.
pub(crate) fn give_up_text(attempts: u32, last_error: &Error) -> String {
    format!(
        "gave up reconnecting after {attempts} attempt(s) (last error: {}); no more attempts until retried",
        last_error.message
    )
}

fn wait_text(wait: Duration) -> String {
    if wait < Duration::from_secs(1) {
        format!("{} ms", wait.as_millis())
    } else {
        format!("{:.1} s", wait.as_secs_f64())
    }
}

/// The other side of a reconnecting connection: told of every attempt and of the
/// give-up, and the one that says stop and retry.
pub(crate) trait Observer: Sync {
    /// Attempt `attempt.number` is made after `attempt.wait`.
    fn attempt(&self, attempt: &Attempt<'_>);
    /// The schedule's `attempts` all failed: the connection is in `error` from now on.
    fn gave_up(&self, attempts: u32, last_error: &Error);
    /// Resolves when the connection is being closed for good.
    fn stopped(&self) -> impl Future<Output = ()> + Send;
    /// Resolves when someone asks for a retry after a give-up.
    fn retried(&self) -> impl Future<Output = ()> + Send;
}

impl<T: Observer> Observer for &T {
    fn attempt(&self, attempt: &Attempt<'_>) {
        (**self).attempt(attempt);
    }

    fn gave_up(&self, attempts: u32, last_error: &Error) {
        (**self).gave_up(attempts, last_error);
    }

    fn stopped(&self) -> impl Future<Output = ()> + Send {
        (**self).stopped()
    }

    fn retried(&self) -> impl Future<Output = ()> + Send {
        (**self).retried()
    }
}

/// What [`Pacer::next`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Make attempt `n` now: its wait is over.
    Attempt(u32),
    /// The schedule is spent and the observer was told: make no more attempts.
    GaveUp,
    Stopped,
}

/// One outage's schedule with its observer: before each attempt, tells the observer and
/// sleeps the attempt's wait; after the last, tells it of the give-up.
pub(crate) struct Pacer<O, R> {
    observer: O,
    backoff: Backoff<R>,
    after_retry: bool,
}

impl<O: Observer, R: FnMut() -> f64> Pacer<O, R> {
    pub fn new(observer: O, backoff: Backoff<R>, after_retry: bool) -> Self {
        // A retry asked for before this outage began is not a retry of its give-up.
        let _ = observer.retried().now_or_never();
        Pacer { observer, backoff, after_retry }
    }

    /// Waits for the next attempt's time, `last_error` being why the previous one failed
    /// (or why the connection was lost, before the first).
    pub async fn next(&mut self, last_error: &Error) -> Step {
        let Some(wait) = self.backoff.next() else {
            self.observer.gave_up(self.backoff.attempts(), last_error);
            return Step::GaveUp;
        };
        let number = self.backoff.attempts();
        let of = self.backoff.max_attempts();
        self.observer.attempt(&Attempt { number, of, wait, last_error, after_retry: self.after_retry });
        tokio::select! {
            () = self.observer.stopped() => Step::Stopped,
            () = tokio::time::sleep(wait) => Step::Attempt(number),
        }
    }
}

/// Gets a lost connection back: calls `connect` on the policy's schedule until it works,
/// returning what it made and the attempt that made it, or until the observer says stop
/// (`None`). `lost` is why the connection went. When a schedule's attempts are all spent
/// the observer is told, and nothing is tried until it says retry: then a fresh schedule.
pub(crate) async fn reconnect<T, O, F, Fut>(
    policy: &ReconnectPolicy,
    observer: &O,
    lost: Error,
    connect: F,
) -> Option<(T, u32)>
where
    O: Observer,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    reconnect_with(policy, fastrand::f64, observer, Start::Lost(lost), connect).await
}

/// [`reconnect`] for a connection whose own driver already gave up (and told the observer
/// so, through a [`Pacer`]): waits in `error` for a retry, then as [`reconnect`].
#[cfg_attr(not(feature = "nats"), allow(dead_code))]
pub(crate) async fn reconnect_after_give_up<T, O, F, Fut>(
    policy: &ReconnectPolicy,
    observer: &O,
    last_error: Error,
    connect: F,
) -> Option<(T, u32)>
where
    O: Observer,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    reconnect_with(policy, fastrand::f64, observer, Start::GaveUp(last_error), connect).await
}

/// Where [`reconnect_with`] starts.
#[cfg_attr(not(feature = "nats"), allow(dead_code))]
pub(crate) enum Start {
    /// The connection was just lost, for this reason.
    Lost(Error),
    /// The attempts already ran out, the last failing with this.
    GaveUp(Error),
}

/// [`reconnect`] with the jitter drawn from `random` (uniform in `[0, 1)`).
pub(crate) async fn reconnect_with<T, O, R, F, Fut>(
    policy: &ReconnectPolicy,
    mut random: R,
    observer: &O,
    start: Start,
    mut connect: F,
) -> Option<(T, u32)>
where
    O: Observer,
    R: FnMut() -> f64,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let (mut last_error, mut after_retry) = match start {
        Start::Lost(lost) => (lost, false),
        Start::GaveUp(last) => {
            tokio::select! {
                () = observer.stopped() => return None,
                () = observer.retried() => {}
            }
            (last, true)
        }
    };
    loop {
        let mut pacer = Pacer::new(observer, policy.backoff(&mut random), after_retry);
        loop {
            match pacer.next(&last_error).await {
                Step::Stopped => return None,
                Step::GaveUp => break,
                Step::Attempt(number) => {
                    let result = tokio::select! {
                        () = observer.stopped() => return None,
                        result = connect() => result,
                    };
                    match result {
                        Ok(connected) => return Some((connected, number)),
                        Err(e) => {
                            tracing::debug!(attempt = number, error = %e.message, "reconnect attempt failed");
                            last_error = e;
                        }
                    }
                }
            }
        }
        tokio::select! {
            () = observer.stopped() => return None,
            () = observer.retried() => {}
        }
        after_retry = true;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::{Arc, Mutex};

    use tokio::sync::Notify;
    use tokio::time::Instant;
    use tokio_util::sync::CancellationToken;

    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    enum Seen {
        Attempt { number: u32, of: u32, wait: Duration, after_retry: bool, text: String },
        GaveUp { attempts: u32, error: String },
    }

    #[derive(Default)]
    struct Recorder {
        seen: Mutex<Vec<(Instant, Seen)>>,
        stop: CancellationToken,
        retry: Notify,
    }

    impl Recorder {
        fn seen(&self) -> Vec<(Instant, Seen)> {
            self.seen.lock().unwrap().clone()
        }
    }

    impl Observer for Recorder {
        fn attempt(&self, a: &Attempt<'_>) {
            let seen = Seen::Attempt {
                number: a.number,
                of: a.of,
                wait: a.wait,
                after_retry: a.after_retry,
                text: a.describe(),
            };
            self.seen.lock().unwrap().push((Instant::now(), seen));
        }

        fn gave_up(&self, attempts: u32, last_error: &Error) {
            let seen = Seen::GaveUp { attempts, error: last_error.message.clone() };
            self.seen.lock().unwrap().push((Instant::now(), seen));
        }

        fn stopped(&self) -> impl Future<Output = ()> + Send {
            self.stop.cancelled()
        }

        fn retried(&self) -> impl Future<Output = ()> + Send {
            self.retry.notified()
        }
    }

    /// A server that refuses the first `refuse` connections, recording when each came.
    struct Server {
        attempts: Mutex<Vec<Instant>>,
        refuse: AtomicU32,
    }

    impl Server {
        fn new(refuse: u32) -> Arc<Server> {
            Arc::new(Server { attempts: Mutex::new(Vec::new()), refuse: AtomicU32::new(refuse) })
        }

        async fn connect(&self) -> Result<&'static str> {
            let n = {
                let mut attempts = self.attempts.lock().unwrap();
                attempts.push(Instant::now());
                attempts.len()
            };
            match self.refuse.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |r| r.checked_sub(1)) {
                Ok(_) => Err(Error::connection_failed(format!("refused #{n}"))),
                Err(_) => Ok("connected"),
            }
        }

        fn attempts(&self) -> Vec<Instant> {
            self.attempts.lock().unwrap().clone()
        }
    }

    fn spawn(
        policy: ReconnectPolicy,
        random: impl FnMut() -> f64 + Send + 'static,
        observer: &Arc<Recorder>,
        server: &Arc<Server>,
    ) -> tokio::task::JoinHandle<Option<(&'static str, u32)>> {
        let (observer, server) = (observer.clone(), server.clone());
        tokio::spawn(async move {
            let start = Start::Lost(lost("the socket closed"));
            reconnect_with(&policy, random, observer.as_ref(), start, || server.connect()).await
        })
    }

    /// The elapsed times between `start` and each instant, in whole milliseconds (the
    /// timer's resolution rounds a wait up to the next millisecond).
    fn gaps(start: Instant, at: &[Instant]) -> Vec<u128> {
        let mut previous = start;
        at.iter()
            .map(|t| {
                let gap = t.duration_since(previous);
                previous = *t;
                gap.as_millis()
            })
            .collect()
    }

    fn millis_up(d: Duration) -> u128 {
        d.as_nanos().div_ceil(1_000_000)
    }

    #[tokio::test(start_paused = true)]
    async fn the_default_policy_waits_1_then_1_5_then_2_25_s_gives_up_after_10_and_only_a_retry_starts_over() {
        let policy = ReconnectPolicy::default();
        let observer = Arc::new(Recorder::default());
        // Refuses the 10 attempts of the first schedule and the first of the retry's.
        let server = Server::new(11);
        let start = Instant::now();
        let task = spawn(policy, || 0.0, &observer, &server);

        // Far past the whole schedule (~123 s): the paused clock jumps through the waits.
        tokio::time::sleep(Duration::from_secs(3600)).await;
        let attempts = server.attempts();
        assert_eq!(attempts.len(), 10, "exactly max_attempts attempts");
        let expected: Vec<Duration> = (0..10).map(|n| Duration::from_secs_f64(1.5_f64.powi(n).min(30.0))).collect();
        assert_eq!(expected[..3], [1000, 1500, 2250].map(Duration::from_millis));
        assert_eq!(expected[9], Duration::from_secs(30), "capped");
        for (n, (gap, wait)) in gaps(start, &attempts).iter().zip(&expected).enumerate() {
            assert!(*gap >= wait.as_millis() && *gap <= millis_up(*wait), "attempt {}: {gap} ms, not {wait:?}", n + 1);
        }

        // The observer saw each attempt before it was made, then exactly one give-up.
        let seen = observer.seen();
        assert_eq!(seen.len(), 11, "{seen:?}");
        for (n, (_, s)) in seen[..10].iter().enumerate() {
            let Seen::Attempt { number, of, wait, after_retry, text } = s else { panic!("{s:?}") };
            assert_eq!((*number, *of, *wait, *after_retry), (n as u32 + 1, 10, expected[n], false));
            if n == 0 {
                assert_eq!(text, "connection lost: the socket closed; reconnect attempt 1 of 10 in 1.0 s");
            } else {
                assert_eq!(
                    text,
                    &format!(
                        "reconnect attempt {n} of 10 failed: refused #{n}; attempt {} in {:.1} s",
                        n + 1,
                        expected[n].as_secs_f64()
                    )
                );
            }
        }
        assert_eq!(seen[10].1, Seen::GaveUp { attempts: 10, error: "refused #10".into() });
        assert!(
            seen[10].0 - *attempts.last().unwrap() < Duration::from_millis(1),
            "the give-up follows the last failure"
        );
        assert_eq!(
            give_up_text(10, &Error::connection_failed("refused #10")),
            "gave up reconnecting after 10 attempt(s) (last error: refused #10); no more attempts until retried"
        );
        assert!(!task.is_finished(), "it waits for a retry");

        // A retry: a fresh schedule, from the first wait again.
        let retried_at = Instant::now();
        observer.retry.notify_one();
        let (connected, attempt) = task.await.unwrap().expect("connected after the retry");
        assert_eq!((connected, attempt), ("connected", 2));
        let attempts = server.attempts();
        assert_eq!(attempts.len(), 12);
        assert_eq!(gaps(retried_at, &attempts[10..]), [1000, 1500]);
        let seen = observer.seen();
        let Seen::Attempt { number: 1, after_retry: true, text, .. } = &seen[11].1 else { panic!("{:?}", seen[11]) };
        assert_eq!(text, "retrying: reconnect attempt 1 of 10 in 1.0 s (last error: refused #10)");
        assert!(matches!(&seen[12].1, Seen::Attempt { number: 2, after_retry: true, .. }), "{:?}", seen[12]);
        assert_eq!(seen.len(), 13);
    }

    #[tokio::test(start_paused = true)]
    async fn jitter_stays_within_thirty_percent_of_each_wait() {
        let policy = ReconnectPolicy { max_attempts: 40, ..ReconnectPolicy::default() };
        let observer = Arc::new(Recorder::default());
        let server = Server::new(u32::MAX);
        let mut rng = fastrand::Rng::with_seed(42);
        let start = Instant::now();
        let task = spawn(policy, move || rng.f64(), &observer, &server);
        tokio::time::sleep(Duration::from_secs(3600)).await;
        let attempts = server.attempts();
        assert_eq!(attempts.len(), 40);
        let mut jittered = 0;
        for (n, gap) in gaps(start, &attempts).into_iter().enumerate() {
            let plain = policy.delay(n as u32 + 1, 0.0);
            let top = policy.delay(n as u32 + 1, 1.0);
            assert!(gap >= plain.as_millis() && gap <= millis_up(top), "attempt {}: {gap} ms", n + 1);
            jittered += usize::from(gap > millis_up(plain));
        }
        assert!(jittered > 30, "the jitter is drawn, not fixed: {jittered} of 40");
        assert!(matches!(observer.seen().last(), Some((_, Seen::GaveUp { attempts: 40, .. }))));
        task.abort();
    }

    #[tokio::test(start_paused = true)]
    async fn a_small_policy_gives_up_after_its_attempts_and_stop_ends_it_without_another() {
        let policy = ReconnectPolicy {
            base: Duration::from_millis(20),
            factor: 1.5,
            cap: Duration::from_millis(40),
            jitter: 0.0,
            max_attempts: 3,
            ..ReconnectPolicy::default()
        };
        let observer = Arc::new(Recorder::default());
        let server = Server::new(u32::MAX);
        // A retry asked for before the outage does not count for its give-up.
        observer.retry.notify_one();
        let start = Instant::now();
        let task = spawn(policy, fastrand::f64, &observer, &server);
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(gaps(start, &server.attempts()), [20, 30, 40]);
        assert!(matches!(observer.seen().last(), Some((_, Seen::GaveUp { attempts: 3, .. }))));

        observer.retry.notify_one();
        tokio::time::sleep(Duration::from_millis(25)).await;
        assert_eq!(server.attempts().len(), 4, "the retry's first attempt, after 20 ms");
        // Stopped during the second wait: no more attempts, and the loop ends.
        observer.stop.cancel();
        assert_eq!(task.await.unwrap(), None);
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(server.attempts().len(), 4);
    }

    #[tokio::test(start_paused = true)]
    async fn after_another_drivers_give_up_nothing_is_tried_until_a_retry() {
        let policy = ReconnectPolicy { max_attempts: 3, jitter: 0.0, ..ReconnectPolicy::default() };
        let observer = Arc::new(Recorder::default());
        let server = Server::new(0);
        let task = tokio::spawn({
            let (observer, server) = (observer.clone(), server.clone());
            async move {
                let start = Start::GaveUp(Error::connection_failed("max reconnects"));
                reconnect_with(&policy, fastrand::f64, observer.as_ref(), start, || server.connect()).await
            }
        });
        tokio::time::sleep(Duration::from_secs(3600)).await;
        assert!(server.attempts().is_empty() && observer.seen().is_empty());
        let retried_at = Instant::now();
        observer.retry.notify_one();
        assert_eq!(task.await.unwrap(), Some(("connected", 1)));
        assert_eq!(gaps(retried_at, &server.attempts()), [1000]);
        let seen = observer.seen();
        let Seen::Attempt { text, .. } = &seen[0].1 else { panic!("{seen:?}") };
        assert_eq!(text, "retrying: reconnect attempt 1 of 3 in 1.0 s (last error: max reconnects)");
    }
}
