//! Monitor ingest against the raw driver, in one run against the local NATS
//! (`DBDOCK_TEST_NATS_URL`, default 127.0.0.1:4222):
//! `cargo bench -p dbdock-engines --bench nats_ingest`.
//!
//! It publishes N small messages on a subject and measures the rate at which (a) a plain
//! async-nats subscriber counting messages and (b) a DB Dock monitor drained with
//! `Monitor::read` receive them; then a monitor with a small buffer and a slow reader
//! shows its drops counted. `NATS_BENCH_MESSAGES` sets N (default 500,000).

use std::time::{Duration, Instant};

use dbdock_core::{ConnectionTarget, EventKind, WatchTarget};
use dbdock_engines::{Monitor, MonitorOptions};
use futures_util::StreamExt;

fn url() -> String {
    std::env::var("DBDOCK_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned())
}

fn main() {
    let messages: u64 = std::env::var("NATS_BENCH_MESSAGES").ok().and_then(|n| n.parse().ok()).unwrap_or(500_000);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(run(messages));
}

async fn run(messages: u64) {
    let publisher =
        async_nats::connect(url()).await.unwrap_or_else(|e| panic!("NATS at {} is not reachable: {e}", url()));
    let target = ConnectionTarget::parse(&url()).expect("NATS URL");
    println!("nats_ingest: {messages} messages of 8 bytes via {}", url());

    // (a) The raw driver: a subscriber that only counts.
    let subject = format!("dbdock_bench_{}.raw", std::process::id());
    let subscriber = async_nats::connect(url()).await.expect("connect");
    let mut subscription = subscriber.subscribe(subject.clone()).await.expect("subscribe");
    subscriber.flush().await.expect("flush");
    let counter = tokio::spawn(async move {
        let mut count = 0u64;
        let mut first = None;
        while count < messages {
            match tokio::time::timeout(Duration::from_secs(5), subscription.next()).await {
                Ok(Some(_)) => {
                    first.get_or_insert_with(Instant::now);
                    count += 1;
                }
                _ => break,
            }
        }
        (count, first.map(|t| t.elapsed()).unwrap_or_default())
    });
    publish(&publisher, &subject, messages).await;
    let (raw_count, raw_time) = counter.await.expect("raw counter");
    let raw_rate = raw_count as f64 / raw_time.as_secs_f64();
    println!("raw async-nats subscriber : {raw_count:>8} received, {:>10.0} msg/s", raw_rate);

    // (b) A DB Dock monitor, read as fast as the reader can.
    let subject = format!("dbdock_bench_{}.monitor", std::process::id());
    let monitor = watch(&target, &subject, 1_000_000).await;
    let reader = tokio::spawn(async move {
        let mut count = 0u64;
        let mut first = None;
        let mut idle_since = Instant::now();
        while count < messages && idle_since.elapsed() < Duration::from_secs(5) {
            let events = monitor.read(4_096, Duration::from_millis(100)).await;
            if !events.is_empty() {
                idle_since = Instant::now();
            }
            for event in events {
                if event.kind == EventKind::Message {
                    first.get_or_insert_with(Instant::now);
                    count += 1;
                }
            }
        }
        let elapsed = first.map(|t| t.elapsed()).unwrap_or_default();
        let status = monitor.status();
        monitor.stop().await;
        (count, elapsed, status)
    });
    publish(&publisher, &subject, messages).await;
    let (monitor_count, monitor_time, status) = reader.await.expect("monitor reader");
    let monitor_rate = monitor_count as f64 / monitor_time.as_secs_f64();
    println!(
        "DB Dock monitor (cap 1M)  : {monitor_count:>8} read,     {:>10.0} msg/s, dropped {}",
        monitor_rate, status.dropped
    );
    println!("ratio monitor/raw         : {:.2}", monitor_rate / raw_rate);

    // (c) A small buffer and a reader that sleeps between reads: drops, all counted.
    let subject = format!("dbdock_bench_{}.slow", std::process::id());
    let small = messages.min(100_000);
    let monitor = watch(&target, &subject, 1_000).await;
    publish(&publisher, &subject, small).await;
    let mut read = 0u64;
    loop {
        let events = monitor.read(100, Duration::from_millis(500)).await;
        if events.is_empty() {
            break;
        }
        read += events.iter().filter(|e| e.kind == EventKind::Message).count() as u64;
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let status = monitor.status();
    println!(
        "DB Dock monitor (cap 1k, slow reader): published {small}, delivered {}, read {read}, dropped {} (delivered - read = {}){}",
        status.events_total,
        status.dropped,
        status.events_total - read,
        status.last_error.map(|e| format!("; {e}")).unwrap_or_default()
    );
    monitor.stop().await;
}

async fn watch(target: &ConnectionTarget, subject: &str, capacity: usize) -> Monitor {
    let what = WatchTarget::Subject { subject: subject.to_owned(), queue: None };
    dbdock_engines::watch(target.clone(), what, MonitorOptions { capacity, ..MonitorOptions::default() })
        .await
        .expect("watch")
}

async fn publish(client: &async_nats::Client, subject: &str, messages: u64) {
    for i in 0..messages {
        client.publish(subject.to_owned(), format!("{i:08}").into()).await.expect("publish");
    }
    client.flush().await.expect("flush");
}
