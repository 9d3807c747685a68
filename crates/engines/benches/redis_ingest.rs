//! How fast a DB Dock monitor takes in Redis pub/sub messages, against the raw driver, in
//! one run against the local Redis (`DBDOCK_TEST_REDIS_URL`, default
//! `redis://127.0.0.1:6379`):
//!
//! 1. a raw `redis` async PubSub subscriber that only counts messages;
//! 2. a monitor (`dbdock_engines::watch`) big enough to hold everything, drained with
//!    `Monitor::read` in a loop: it should keep up and drop nothing;
//! 3. a small monitor with a deliberately slow reader: it must stay bounded and count
//!    exactly what it dropped.
//!
//! Each run publishes the same messages, pipelined from a separate connection as fast as
//! the server takes them; a rate is messages over the time from the first publish to the
//! last message received. `cargo bench -p dbdock-engines --bench redis_ingest`.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use dbdock_core::{ConnectionTarget, EventKind, WatchTarget};
use dbdock_engines::{Monitor, MonitorOptions};
use futures_util::StreamExt;

const MESSAGES: usize = 200_000;
const PIPELINE: usize = 10_000;

fn url() -> String {
    std::env::var("DBDOCK_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

fn channel(run: &str) -> String {
    format!("dbdock-bench-{}-{run}", std::process::id())
}

/// Publishes `MESSAGES` small messages on `channel`, pipelined; returns when the server
/// has taken them all.
async fn publish_all(channel: &str) {
    let client = redis::Client::open(url()).unwrap();
    let config = redis::AsyncConnectionConfig::new().set_response_timeout(None);
    let mut con = client
        .get_multiplexed_async_connection_with_config(&config)
        .await
        .unwrap_or_else(|e| panic!("cannot reach Redis at {}: {e}", url()));
    for start in (0..MESSAGES).step_by(PIPELINE) {
        let mut pipe = redis::pipe();
        for i in start..(start + PIPELINE).min(MESSAGES) {
            pipe.cmd("PUBLISH").arg(channel).arg(format!("{{\"n\":{i}}}")).ignore();
        }
        pipe.query_async::<()>(&mut con).await.unwrap();
    }
}

fn rate(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

async fn raw_subscriber() -> f64 {
    let channel = channel("raw");
    let client = redis::Client::open(url()).unwrap();
    let mut pubsub = client.get_async_pubsub().await.unwrap();
    pubsub.subscribe(&channel).await.unwrap();
    let mut messages = pubsub.into_on_message();
    let started = Instant::now();
    let counter = tokio::spawn(async move {
        let mut count = 0;
        let mut bytes = 0;
        while let Some(message) = messages.next().await {
            bytes += message.get_payload_bytes().len();
            count += 1;
            if count == MESSAGES {
                break;
            }
        }
        (count, bytes)
    });
    publish_all(&channel).await;
    let (count, _bytes) = counter.await.unwrap();
    rate(count, started.elapsed())
}

async fn monitor(run: &str, capacity: usize) -> Monitor {
    let target = ConnectionTarget::parse(&url()).unwrap();
    let options = MonitorOptions { capacity, ..MonitorOptions::default() };
    dbdock_engines::watch(target, WatchTarget::Channel(channel(run)), options).await.unwrap()
}

/// The monitor with room for everything, read as fast as it fills: (rate, dropped).
async fn keeping_up() -> (f64, u64) {
    let monitor = monitor("monitor", MESSAGES + 100).await;
    let channel = channel("monitor");
    let started = Instant::now();
    let publisher = tokio::spawn(async move { publish_all(&channel).await });
    let mut received = 0;
    while received < MESSAGES {
        let events = monitor.read(10_000, Duration::from_secs(10)).await;
        assert!(!events.is_empty(), "the monitor went quiet after {received} messages");
        received += events.iter().filter(|e| e.kind == EventKind::Message).count();
    }
    let elapsed = started.elapsed();
    publisher.await.unwrap();
    let dropped = monitor.status().dropped;
    monitor.stop().await;
    (rate(received, elapsed), dropped)
}

/// A small monitor whose reader takes 100 events every 10 ms: (received, dropped, max
/// buffered seen).
async fn slow_reader(capacity: usize) -> (u64, u64, usize) {
    let monitor = monitor("slow", capacity).await;
    let channel = channel("slow");
    let publisher = tokio::spawn(async move { publish_all(&channel).await });
    let mut received = 0_u64;
    let mut max_buffered = 0;
    loop {
        let status = monitor.status();
        max_buffered = max_buffered.max(status.buffered);
        let events = monitor.read(100, Duration::from_millis(10)).await;
        received += events.iter().filter(|e| e.kind == EventKind::Message).count() as u64;
        if events.is_empty() && status.events_total == MESSAGES as u64 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    publisher.await.unwrap();
    let dropped = monitor.status().dropped;
    monitor.stop().await;
    (received, dropped, max_buffered)
}

/// The monitor's buffer alone, no Redis: `Sink::message` on one thread, the ceiling of (2).
fn sink_alone() -> f64 {
    let options = MonitorOptions { capacity: MESSAGES, ..MonitorOptions::default() };
    let (_monitor, sink) = Monitor::new("bench", &WatchTarget::Channel(channel("sink")), &options);
    let started = Instant::now();
    for i in 0..MESSAGES {
        sink.message("bench", format!("{{\"n\":{i}}}").into_bytes(), Vec::new(), None);
    }
    rate(MESSAGES, started.elapsed())
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        println!("redis_ingest: {MESSAGES} messages per run, Redis at {}", url());
        let raw = raw_subscriber().await;
        println!("  raw redis PubSub subscriber : {raw:>10.0} msg/s");
        let (monitored, dropped) = keeping_up().await;
        println!("  DB Dock monitor (cap {:>6}) : {monitored:>10.0} msg/s, dropped {dropped}", MESSAGES + 100);
        println!("  ratio monitor/raw           : {:>10.2}", monitored / raw);
        println!("  monitor buffer alone        : {:>10.0} msg/s (Sink::message, no Redis)", sink_alone());
        let capacity = 1_000;
        let (received, dropped, max_buffered) = slow_reader(capacity).await;
        println!(
            "  slow reader (cap {capacity}, 100 events/10 ms): received {received}, dropped {dropped}, \
             received + dropped = {} (published {MESSAGES}), max buffered {max_buffered}",
            received + dropped
        );
    });
}
