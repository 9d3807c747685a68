//! Every monitor kind and the live connection follow the one reconnect policy
//! (docs/reconnect-policy.md) when their server goes away for good, with the same
//! observable sequence: one `reconnecting` lifecycle event per attempt, numbered 1 to
//! `max_attempts`, then exactly one `error`; then nothing at all, not even with the server
//! back, until the monitor (or connection) is retried, which starts a fresh schedule.
//!
//! The schedule itself (1 s, ×1.5, 30 s cap, 0–30 % jitter) is proven on a paused clock
//! in `src/reconnect.rs` and `crates/core/src/reconnect.rs`; here a small policy makes the
//! real servers' outages short.

#![cfg(all(feature = "redis", feature = "nats", feature = "postgres", feature = "mongodb"))]
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use dbdock_core::{ConnectionState, ConnectionTarget, Event, EventKind, QueryOptions, ReconnectPolicy, WatchTarget};
use dbdock_engines::{Monitor, MonitorOptions, OpenOptions};
use dbdock_testkit::{PrivateNats, PrivatePostgres, PrivateRedis};

const ATTEMPTS: u32 = 3;

/// 20 ms, ×1.5, 3 attempts: the policy's shape, small.
fn small_policy() -> ReconnectPolicy {
    ReconnectPolicy {
        base: Duration::from_millis(20),
        factor: 1.5,
        cap: Duration::from_secs(1),
        jitter: 0.3,
        max_attempts: ATTEMPTS,
        health_interval: Duration::from_millis(200),
    }
}

/// Far longer than any wait of the small policy: an attempt it would make after the
/// give-up would be seen within this.
const QUIET: Duration = Duration::from_millis(1500);

/// Generous: a PostgreSQL or MongoDB attempt on a dead server takes the driver's connect
/// timeout (10 s) to fail.
const GIVE_UP_WITHIN: Duration = Duration::from_secs(90);

fn target(url: &str) -> ConnectionTarget {
    ConnectionTarget::parse(url).unwrap()
}

async fn watch(url: &str, what: &str) -> Monitor {
    let options = MonitorOptions { capacity: 1_000, reconnect: small_policy(), ..MonitorOptions::default() };
    let monitor = dbdock_engines::watch(target(url), WatchTarget::parse(what).unwrap(), options)
        .await
        .unwrap_or_else(|e| panic!("watch {what} on {url}: {} {}", e.code, e.message));
    let started = lifecycle_until(&monitor, ConnectionState::Connected, Duration::from_secs(10)).await;
    // Start-up warnings (keyspace) come right behind; none may be mistaken for the outage's.
    let _ = monitor.read(1_000, Duration::from_millis(100)).await;
    assert_eq!(started[0].state, Some(ConnectionState::Connected), "{}", texts(&started));
    monitor
}

fn text(event: &Event) -> String {
    String::from_utf8_lossy(&event.payload).into_owned()
}

fn texts(events: &[Event]) -> String {
    events.iter().map(|e| format!("\n  {:?} {:?}: {}", e.state, e.severity, text(e))).collect()
}

/// Every lifecycle event until one in `state` arrived (and any that came with it).
async fn lifecycle_until(monitor: &Monitor, state: ConnectionState, within: Duration) -> Vec<Event> {
    let deadline = Instant::now() + within;
    let mut seen: Vec<Event> = Vec::new();
    while !seen.iter().any(|e| e.state == Some(state)) {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "no {state:?} event within {within:?}; lifecycle events seen:{}", texts(&seen));
        let events = monitor.read(1_000, left.min(Duration::from_millis(200))).await;
        seen.extend(events.into_iter().filter(|e| e.kind == EventKind::Lifecycle));
    }
    seen
}

/// The one sequence of a server gone for good: `reconnecting` for attempts 1, 2 and 3, each
/// naming its attempt, then one `error`; the status says `error` after 3 attempts, and
/// stays so, with no further event, while nothing is retried.
async fn gives_up_as_the_policy_says(monitor: &Monitor) {
    let events = lifecycle_until(monitor, ConnectionState::Error, GIVE_UP_WITHIN).await;
    let states: Vec<ConnectionState> = events.iter().filter_map(|e| e.state).collect();
    let mut expected = vec![ConnectionState::Reconnecting; ATTEMPTS as usize];
    expected.push(ConnectionState::Error);
    assert_eq!(states, expected, "{}", texts(&events));
    for (n, event) in (1..=ATTEMPTS).zip(&events) {
        let words =
            if n == 1 { format!("reconnect attempt 1 of {ATTEMPTS} in ") } else { format!("; attempt {n} in ") };
        assert!(text(event).contains(&words), "attempt {n}: {}", text(event));
    }
    let gave_up = text(&events[ATTEMPTS as usize]);
    assert!(gave_up.contains(&format!("gave up reconnecting after {ATTEMPTS} attempt(s)")), "{gave_up}");
    let status = monitor.status();
    assert_eq!((status.state, status.reconnect_attempts), (ConnectionState::Error, ATTEMPTS), "{status:?}");

    let later = monitor.read(1_000, QUIET).await;
    assert!(later.is_empty(), "no attempt after the give-up:{}", texts(&later));
    let status = monitor.status();
    assert_eq!((status.state, status.reconnect_attempts), (ConnectionState::Error, ATTEMPTS), "{status:?}");
}

/// With the server back: still nothing until [`Monitor::retry`], which starts again at
/// attempt 1 and connects. Returns the lifecycle events up to `connected`.
async fn comes_back_only_when_retried(monitor: &Monitor) -> Vec<Event> {
    let meanwhile = monitor.read(1_000, Duration::from_millis(500)).await;
    assert!(meanwhile.is_empty(), "the server is back, but nothing is tried until asked:{}", texts(&meanwhile));
    assert_eq!(monitor.status().state, ConnectionState::Error);
    assert!(monitor.retry(), "a monitor in error waits for a retry");
    let events = lifecycle_until(monitor, ConnectionState::Connected, Duration::from_secs(30)).await;
    assert_eq!(events[0].state, Some(ConnectionState::Reconnecting), "{}", texts(&events));
    assert!(
        text(&events[0]).starts_with(&format!("retrying: reconnect attempt 1 of {ATTEMPTS} in ")),
        "{}",
        texts(&events)
    );
    assert_eq!(monitor.status().reconnect_attempts, 0);
    assert!(!monitor.retry(), "nothing to retry once connected");
    events
}

async fn redis_monitor_follows_the_policy(what: &str, keyspace: bool) {
    let server = PrivateRedis::start();
    if keyspace {
        dbdock_engines::redis::enable_keyspace_events(&target(&server.url())).await.unwrap();
    }
    let monitor = watch(&server.url(), what).await;
    server.kill();
    gives_up_as_the_policy_says(&monitor).await;
    server.start_again();
    if keyspace {
        // A new server: its notifications are off again.
        dbdock_engines::redis::enable_keyspace_events(&target(&server.url())).await.unwrap();
    }
    comes_back_only_when_retried(&monitor).await;
    monitor.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_channel_follows_the_policy() {
    redis_monitor_follows_the_policy("channel:jobs", false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_keyspace_follows_the_policy() {
    redis_monitor_follows_the_policy("keyspace:job:*", true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_stream_tail_follows_the_policy() {
    redis_monitor_follows_the_policy("stream:jobs", false).await;
}

/// A read the server refuses (the key is no longer a stream) is retried on the same
/// schedule, each attempt on a new connection, and gives up the same way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_stream_tail_refused_reads_follow_the_policy() {
    let url = dbdock_testkit::redis_url();
    let key = format!("dbdock-test-{}-refused", std::process::id());
    let mut admin = redis::Client::open(url.as_str()).unwrap().get_multiplexed_async_connection().await.unwrap();
    let _: String =
        redis::cmd("XADD").arg(&key).arg("*").arg("payload").arg("one").query_async(&mut admin).await.unwrap();
    let monitor = watch(&url, &format!("stream:{key}")).await;
    let mut replace = redis::pipe();
    replace.atomic().del(&key).ignore().set(&key, "not a stream").ignore();
    replace.query_async::<()>(&mut admin).await.unwrap();
    gives_up_as_the_policy_says(&monitor).await;
    assert!(monitor.status().last_error.is_some_and(|e| e.contains("WRONGTYPE")), "{:?}", monitor.status());
    let _: i64 = redis::cmd("DEL").arg(&key).query_async(&mut admin).await.unwrap();
    comes_back_only_when_retried(&monitor).await;
    monitor.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_listen_follows_the_policy() {
    let server = PrivatePostgres::start(None);
    let monitor = watch(&server.url(), "notify:jobs").await;
    server.kill();
    gives_up_as_the_policy_says(&monitor).await;
    server.start_again();
    comes_back_only_when_retried(&monitor).await;
    // The gap is announced: notifications sent while it was down are lost.
    dbdock_engines::publish(
        &target(&server.url()),
        &WatchTarget::Notify("jobs".into()),
        b"after",
        &[],
        &Default::default(),
    )
    .await
    .unwrap();
    let events = monitor.sample(1, Duration::from_secs(10)).await;
    assert_eq!(events.iter().filter(|e| e.kind == EventKind::Message).map(text).collect::<Vec<_>>(), ["after"]);
    monitor.stop().await;
}

/// A NATS server with JetStream answering, after a start or a restart.
async fn jetstream_ready(url: &str) -> async_nats::jetstream::Context {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        // `$JS.API.INFO` has a responder once JetStream is up. (Not `query_account`:
        // async-nats 0.51 cannot parse nats-server 2.9's answer, see nats.rs.)
        if let Ok(client) = async_nats::connect(url).await
            && client.request("$JS.API.INFO", "".into()).await.is_ok()
        {
            return async_nats::jetstream::new(client);
        }
        assert!(Instant::now() < deadline, "JetStream at {url} did not answer within 20 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn nats_monitor_follows_the_policy(server: &PrivateNats, what: &str) {
    let monitor = watch(&server.url(), what).await;
    server.kill();
    gives_up_as_the_policy_says(&monitor).await;
    server.start_again();
    jetstream_ready(&server.url()).await;
    comes_back_only_when_retried(&monitor).await;
    monitor.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_subject_follows_the_policy() {
    let server = PrivateNats::start();
    nats_monitor_follows_the_policy(&server, "subject:jobs.>").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_lag_follows_the_policy() {
    use async_nats::jetstream::{consumer, stream};
    let server = PrivateNats::start();
    let js = jetstream_ready(&server.url()).await;
    let jobs = js
        .create_stream(stream::Config { name: "JOBS".into(), subjects: vec!["jobs.>".into()], ..Default::default() })
        .await
        .unwrap();
    let config = consumer::pull::Config { durable_name: Some("worker".into()), ..Default::default() };
    jobs.create_consumer(config).await.unwrap();
    nats_monitor_follows_the_policy(&server, "lag:JOBS/worker").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_kv_follows_the_policy() {
    use async_nats::jetstream::stream;
    let server = PrivateNats::start();
    let js = jetstream_ready(&server.url()).await;
    // The bucket's stream, as `create_key_value` makes it (see nats.rs).
    js.create_stream(stream::Config {
        name: "KV_settings".into(),
        subjects: vec!["$KV.settings.>".into()],
        max_messages_per_subject: 1,
        allow_rollup: true,
        deny_delete: true,
        allow_direct: true,
        discard: stream::DiscardPolicy::New,
        ..Default::default()
    })
    .await
    .unwrap();
    nats_monitor_follows_the_policy(&server, "kv:settings").await;
}

/// A SecantusDB (the MongoDB wire-protocol server the tests use: scripts/services.sh) of
/// the test's own, on a spare port, that it can kill and start again on the same storage.
struct PrivateMongo {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    child: Mutex<Option<Child>>,
}

impl PrivateMongo {
    fn start() -> PrivateMongo {
        let bin = std::env::var_os("DBDOCK_TEST_SECANTUSD")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv-test/bin/secantusd-py"));
        assert!(
            bin.is_file(),
            "{} is missing: run `. scripts/services.sh; start_services` (it makes .venv-test), or set \
             DBDOCK_TEST_SECANTUSD",
            bin.display()
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = tempfile::Builder::new().prefix("dbdock-mongo-").tempdir().unwrap();
        let server = PrivateMongo { dir, bin, port, child: Mutex::new(None) };
        server.start_again();
        server
    }

    fn url(&self) -> String {
        format!("mongodb://127.0.0.1:{}/dbdock_reconnect?directConnection=true", self.port)
    }

    fn start_again(&self) {
        let child = Command::new(&self.bin)
            .args(["--host", "127.0.0.1", "--port", &self.port.to_string(), "--storage-path"])
            .arg(self.dir.path().join("db"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.bin.display()));
        *self.child.lock().unwrap() = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "SecantusDB did not listen on {} within 60 s", self.port);
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn kill(&self) {
        if let Some(mut child) = self.child.lock().unwrap().take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateMongo {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn mongo_insert(url: &str, statement: &str) {
    let db = dbdock_engines::open(target(url), OpenOptions::default()).await.unwrap();
    db.execute(statement, &[], &QueryOptions::default()).await.unwrap_or_else(|e| panic!("{statement}: {e:?}"));
    db.disconnect().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mongodb_change_stream_follows_the_policy() {
    let server = PrivateMongo::start();
    mongo_insert(&server.url(), "db.orders.insertOne({_id: 0})").await;
    let monitor = watch(&server.url(), "changes:orders").await;
    mongo_insert(&server.url(), "db.orders.insertOne({_id: 1})").await;
    let first = monitor.sample(1, Duration::from_secs(10)).await;
    assert!(first.iter().any(|e| e.kind == EventKind::Message), "{}", texts(&first));

    server.kill();
    gives_up_as_the_policy_says(&monitor).await;
    server.start_again();
    let back = comes_back_only_when_retried(&monitor).await;
    // (Whether changes then arrive is the server's business: SecantusDB's resume tokens do
    // not survive its own restart, a real mongod's do.)
    let resumed = text(back.last().unwrap());
    assert!(resumed.contains("resumed from its resume token"), "{resumed}");
    monitor.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_connection_follows_the_policy() {
    use dbdock_engines::live::LiveConnection;
    let server = PrivatePostgres::start(None);
    let options = OpenOptions { connect_timeout: Duration::from_secs(2), ..OpenOptions::default() };
    let db = dbdock_engines::adapter(target(&server.url()), options).unwrap();
    let live = LiveConnection::open(db, small_policy()).await.unwrap();
    let mut rx = live.subscribe();
    server.kill();

    // Every change of state or attempt number, until the give-up. An attempt on the dead
    // server takes the 2 s connect timeout, so no change is missed between two looks.
    let mut seen: Vec<(ConnectionState, u32)> = Vec::new();
    let deadline = tokio::time::Instant::now() + GIVE_UP_WITHIN;
    loop {
        let status = rx.borrow_and_update().clone();
        let step = (status.state, status.attempts);
        if seen.last() != Some(&step) && status.state != ConnectionState::Connected {
            seen.push(step);
        }
        if status.state == ConnectionState::Error {
            break;
        }
        assert!(tokio::time::timeout_at(deadline, rx.changed()).await.is_ok(), "no give-up; seen {seen:?}");
    }
    use ConnectionState::{Error, Reconnecting};
    assert_eq!(seen, [(Reconnecting, 1), (Reconnecting, 2), (Reconnecting, 3), (Error, 3)]);
    assert!(live.status().last_error.is_some());

    // No attempt after the give-up, and calls fail at once saying so.
    assert!(tokio::time::timeout(QUIET, rx.changed()).await.is_err(), "{:?}", live.status());
    let refused = live.query("SELECT 1", &[], &QueryOptions::default()).await.unwrap_err();
    assert!(refused.message.contains("gave up reconnecting after 3 attempts"), "{}", refused.message);

    server.start_again();
    assert!(tokio::time::timeout(Duration::from_millis(500), rx.changed()).await.is_err(), "{:?}", live.status());
    assert_eq!((live.status().state, live.status().attempts), (Error, 3));
    live.retry();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let mut after_retry = Vec::new();
    while live.status().state != ConnectionState::Connected {
        assert!(tokio::time::timeout_at(deadline, rx.changed()).await.is_ok(), "not back; {:?}", live.status());
        let status = rx.borrow_and_update().clone();
        after_retry.push((status.state, status.attempts));
    }
    assert_eq!(after_retry.first(), Some(&(Reconnecting, 1)), "a fresh schedule: {after_retry:?}");
    let result = live.query("SELECT 41 + 1", &[], &QueryOptions::default()).await.unwrap();
    assert_eq!(result.rows[0][0], dbdock_core::Value::Int(42));
    live.close().await;
}
