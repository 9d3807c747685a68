//! The connection lifecycle against a PostgreSQL server that really goes away.

use std::time::Duration;

use dbdock_core::{ConnectionState, ConnectionTarget, QueryOptions, ReconnectPolicy};
use dbdock_engines::OpenOptions;
use dbdock_engines::live::LiveConnection;
use dbdock_testkit::PrivatePostgres;
use tokio::sync::watch;

/// The seeds' schedule scaled down 5x (200 ms base, factor 1.5) so the test takes seconds.
fn fast_policy() -> ReconnectPolicy {
    ReconnectPolicy {
        base: Duration::from_millis(200),
        factor: 1.5,
        cap: Duration::from_secs(2),
        jitter: 0.3,
        max_attempts: 30,
        health_interval: Duration::from_millis(200),
    }
}

async fn open(server: &PrivatePostgres, policy: ReconnectPolicy) -> LiveConnection {
    let target = ConnectionTarget::parse(&server.url()).expect("url");
    let options = OpenOptions { connect_timeout: Duration::from_secs(2), ..OpenOptions::default() };
    let db = dbdock_engines::adapter(target, options).expect("adapter");
    LiveConnection::open(db, policy).await.expect("first connection")
}

/// Waits for `state`, recording every state seen on the way.
async fn wait_for(
    rx: &mut watch::Receiver<dbdock_core::ConnectionStatus>,
    state: ConnectionState,
    seen: &mut Vec<ConnectionState>,
    within: Duration,
) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let current = rx.borrow_and_update().state;
        if seen.last() != Some(&current) {
            seen.push(current);
        }
        if current == state {
            return;
        }
        if tokio::time::timeout_at(deadline, rx.changed()).await.is_err() {
            panic!("no {state:?} within {within:?}; states seen: {seen:?}");
        }
    }
}

#[tokio::test]
async fn reconnects_after_the_server_restarts() {
    let server = PrivatePostgres::start(None);
    let policy = fast_policy();
    let live = open(&server, policy).await;
    let mut rx = live.subscribe();
    let mut seen = vec![];
    wait_for(&mut rx, ConnectionState::Connected, &mut seen, Duration::from_secs(1)).await;
    // The first health check measures the latency, one health interval after opening.
    let measured =
        tokio::time::timeout(Duration::from_secs(2), rx.wait_for(|s| s.latency_ms.is_some())).await.map(|_| ());
    assert!(measured.is_ok(), "no latency within 2 s of opening: {:?}", live.status());

    server.kill();
    wait_for(&mut rx, ConnectionState::Reconnecting, &mut seen, Duration::from_secs(5)).await;
    // Down for about a second: a few attempts fail and back off.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let attempts_while_down = live.status().attempts;
    assert!(attempts_while_down >= 1, "{:?}", live.status());
    assert_eq!(live.status().state, ConnectionState::Reconnecting);
    assert!(live.status().last_error.is_some());

    server.start_again();
    // Within the next backoff step (at most cap + jitter) plus a health check.
    let next_wait = policy.delay(attempts_while_down + 1, 1.0) + policy.delay(attempts_while_down + 2, 1.0);
    wait_for(&mut rx, ConnectionState::Connected, &mut seen, next_wait + Duration::from_secs(2)).await;
    assert_eq!(seen, [ConnectionState::Connected, ConnectionState::Reconnecting, ConnectionState::Connected]);
    assert_eq!(live.status().attempts, 0);

    let result = live.query("SELECT 41 + 1", &[], &QueryOptions::default()).await.expect("query after restart");
    assert_eq!(result.rows[0][0], dbdock_core::Value::Int(42));
    live.close().await;
}

#[tokio::test]
async fn a_query_right_after_a_restart_succeeds_without_waiting_for_the_health_check() {
    let server = PrivatePostgres::start(None);
    // A health check far in the future: only the query itself can notice the restart.
    let policy = ReconnectPolicy { health_interval: Duration::from_secs(3600), ..fast_policy() };
    let live = open(&server, policy).await;
    live.query("SELECT 1", &[], &QueryOptions::default()).await.expect("first query");

    server.kill();
    server.start_again();
    let result = live.query("SELECT 'still here'", &[], &QueryOptions::default()).await.expect("query after restart");
    assert_eq!(result.rows[0][0], dbdock_core::Value::Text("still here".into()));
    assert_eq!(live.status().state, ConnectionState::Connected);
    live.close().await;
}

#[tokio::test]
async fn gives_up_after_the_attempts_and_retries_on_request() {
    let server = PrivatePostgres::start(None);
    let policy = ReconnectPolicy { max_attempts: 2, base: Duration::from_millis(50), ..fast_policy() };
    let live = open(&server, policy).await;
    let mut rx = live.subscribe();
    let mut seen = vec![];
    server.kill();
    wait_for(&mut rx, ConnectionState::Error, &mut seen, Duration::from_secs(5)).await;
    assert_eq!(live.status().attempts, 2);
    assert!(live.status().last_error.is_some());

    server.start_again();
    // It stays in error until asked.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(live.status().state, ConnectionState::Error);
    live.retry();
    wait_for(&mut rx, ConnectionState::Connected, &mut seen, Duration::from_secs(5)).await;
    live.close().await;
}

#[tokio::test]
async fn calls_fail_fast_while_reconnecting_instead_of_waiting_out_the_backoff() {
    let server = PrivatePostgres::start(None);
    // Long waits between attempts: a call that queued behind them would take seconds.
    let policy = ReconnectPolicy { base: Duration::from_secs(5), cap: Duration::from_secs(5), ..fast_policy() };
    let live = open(&server, policy).await;
    let mut rx = live.subscribe();
    let mut seen = vec![];
    server.kill();
    wait_for(&mut rx, ConnectionState::Reconnecting, &mut seen, Duration::from_secs(5)).await;
    let started = std::time::Instant::now();
    let outcome = live.query("SELECT 1", &[], &QueryOptions::default()).await;
    assert!(matches!(&outcome, Err(e) if e.code == dbdock_core::ErrorCode::ConnectionFailed), "{outcome:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "the call waited {:?}", started.elapsed());
    live.close().await;
}
