//! `dbdock watch` against the real servers: Redis and NATS deliver 10,000 messages in
//! order as JSON lines, PostgreSQL NOTIFY and a MongoDB change stream each deliver an
//! event, and lifecycle events stay on stderr.

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::support::TestDb;

fn redis_url() -> String {
    std::env::var("DBDOCK_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

fn nats_url() -> String {
    std::env::var("DBDOCK_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

fn unique(name: &str) -> String {
    format!("dbdock.watch.{name}.{}", std::process::id())
}

/// A running `dbdock watch`, past its "connected" lifecycle event.
struct Watch {
    child: Child,
    home: tempfile::TempDir,
    stderr: Vec<String>,
}

async fn watch(url: &str, target: &str, count: u64) -> Watch {
    let home = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_dbdock"))
        .args(["watch", "--url", url, target, "--format", "json", "--timeout", "60", "--count", &count.to_string()])
        .env("DBDOCK_HOME", home.path())
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("run dbdock watch");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let mut seen = Vec::new();
    let connected = tokio::time::timeout(Duration::from_secs(20), async {
        while let Ok(Some(line)) = stderr.next_line().await {
            let is_connected = line.contains(r#""state":"connected""#);
            seen.push(line);
            if is_connected {
                return true;
            }
        }
        false
    })
    .await;
    assert!(connected == Ok(true), "dbdock watch {target} did not connect: {seen:?}");
    // Keep draining stderr so the child never blocks on it.
    tokio::spawn(async move { while let Ok(Some(_)) = stderr.next_line().await {} });
    Watch { child, home, stderr: seen }
}

impl Watch {
    /// Waits for the exit and returns the JSON events printed on stdout.
    async fn events(mut self) -> Vec<Value> {
        let mut stdout = String::new();
        let mut pipe = self.child.stdout.take().expect("stdout");
        let read = tokio::time::timeout(Duration::from_secs(60), pipe.read_to_string(&mut stdout)).await;
        assert!(read.is_ok(), "dbdock watch did not finish");
        let status = self.child.wait().await.expect("wait");
        assert!(status.success(), "dbdock watch failed: {status:?}; stderr {:?}", self.stderr);
        let _ = &self.home;
        stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect()
    }
}

fn payloads(events: &[Value]) -> Vec<String> {
    events.iter().map(|e| e["payload"].as_str().unwrap_or_default().to_owned()).collect()
}

fn numbers(n: usize) -> Vec<String> {
    (0..n).map(|i| i.to_string()).collect()
}

#[tokio::test]
async fn watch_prints_10000_redis_messages_in_order() {
    let channel = unique("redis");
    let watcher = watch(&redis_url(), &format!("channel:{channel}"), 10_000).await;
    let client = redis::Client::open(redis_url()).expect("redis url");
    let mut publisher = client
        .get_multiplexed_async_connection()
        .await
        .unwrap_or_else(|e| panic!("Redis is not reachable at {}: {e}", redis_url()));
    for i in 0..10_000 {
        let _: i64 =
            redis::cmd("PUBLISH").arg(&channel).arg(i.to_string()).query_async(&mut publisher).await.expect("publish");
    }
    let events = watcher.events().await;
    assert_eq!(payloads(&events), numbers(10_000));
    assert!(events.iter().all(|e| e["channel"] == channel.as_str() && e["target"] == format!("channel:{channel}")));
    assert!(events.iter().all(|e| e["ts"].is_string() && e["kind"] == "message"));
}

#[tokio::test]
async fn watch_prints_10000_nats_messages_in_order() {
    let subject = unique("nats");
    let watcher = watch(&nats_url(), &format!("subject:{subject}.>"), 10_000).await;
    let client = async_nats::connect(nats_url())
        .await
        .unwrap_or_else(|e| panic!("NATS is not reachable at {}: {e}", nats_url()));
    for i in 0..10_000 {
        client.publish(format!("{subject}.n"), i.to_string().into()).await.expect("publish");
    }
    client.flush().await.expect("flush");
    let events = watcher.events().await;
    assert_eq!(payloads(&events), numbers(10_000));
    assert!(events.iter().all(|e| e["channel"] == format!("{subject}.n")));
}

#[tokio::test]
async fn watch_prints_a_postgres_notification() {
    let db = TestDb::postgres("watch_notify").await;
    let watcher = watch(&db.url, "notify:dbdock_jobs", 1).await;
    db.run(&["SELECT pg_notify('dbdock_jobs', '{\"job\": 7}')"]).await;
    let events = watcher.events().await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["channel"], "dbdock_jobs");
    assert_eq!(events[0]["json"]["job"], 7);
    db.drop().await;
}

#[tokio::test]
async fn watch_prints_a_mongodb_change() {
    let db = TestDb::mongodb("watch_changes").await;
    db.run(&["db.orders.insertOne({_id: 0})"]).await;
    let watcher = watch(&db.url, "changes:orders", 1).await;
    db.run(&["db.orders.insertOne({_id: 1, item: 'book', qty: NumberLong(2)})"]).await;
    let events = watcher.events().await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["channel"], format!("{}.orders", db.name));
    assert_eq!(events[0]["json"]["operationType"], "insert");
    assert_eq!(events[0]["json"]["fullDocument"]["item"], "book");
    db.drop().await;
}

#[tokio::test]
async fn watch_bad_targets_are_usage_errors() {
    for (args, needle) in [
        (vec!["watch", "--url", "redis://127.0.0.1:6379", "carrier:x"], "unknown watch target kind"),
        (vec!["watch", "--url", "redis://127.0.0.1:6379", "notify:x"], "channel:, pattern:"),
        (vec!["watch", "--url", "redis://127.0.0.1:6379", "subject:a"], "is a nats target"),
    ] {
        let out = crate::support::dbdock(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("INVALID_INPUT") && stderr.contains(needle), "{args:?}: {stderr}");
    }
    // A quiet channel with --timeout ends cleanly with nothing on stdout.
    let out = crate::support::dbdock(&[
        "watch",
        "--url",
        &redis_url(),
        &format!("channel:{}", unique("quiet")),
        "--timeout",
        "0.5",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty());
}
