//! Monitor ingest against the raw driver, in one run against the local NATS
//! (`DBDOCK_TEST_NATS_URL`, default 127.0.0.1:4222):
//! `cargo bench -p dbdock-engines --bench nats_ingest`.
//!
//! A publisher on a thread of its own publishes N small messages on a subject as fast as it
//! can; the rate at which (a) a plain async-nats subscriber counting messages and (b) a
//! DB Dock monitor drained with `Monitor::read` receive them is measured from the first
//! message received to the last. Then (c) a monitor with a small buffer and a slow reader
//! shows its drops counted. `NATS_BENCH_MESSAGES` sets N (default 500,000).
//!
//! Under a flood faster than the subscriber, NATS loses messages before any subscriber code
//! runs (the client's subscription channel overflows: a slow consumer); both runs print
//! how many, and the monitor's count is the one its forwarder reports.

use std::time::{Duration, Instant};

use dbdock_core::{ConnectionTarget, EventKind, WatchTarget};
use dbdock_engines::{Monitor, MonitorOptions};
use futures_util::{FutureExt, StreamExt};

fn url() -> String {
    std::env::var("DBDOCK_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned())
}

/// Gives up waiting for more messages after this long without any.
const QUIET: Duration = Duration::from_secs(2);

fn main() {
    let messages: u64 = std::env::var("NATS_BENCH_MESSAGES").ok().and_then(|n| n.parse().ok()).unwrap_or(500_000);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(run(messages));
}

/// Received messages and the time from the first to the last of them.
struct Received {
    count: u64,
    span: Duration,
}

impl Received {
    fn rate(&self) -> f64 {
        self.count as f64 / self.span.as_secs_f64().max(1e-9)
    }
}

async fn run(messages: u64) {
    let target = ConnectionTarget::parse(&url()).expect("NATS URL");
    println!("nats_ingest: {messages} messages of 8 bytes via {}", url());

    // (a) The raw driver: a subscriber that only counts.
    let subject = format!("dbdock_bench_{}.raw", std::process::id());
    let subscriber =
        async_nats::connect(url()).await.unwrap_or_else(|e| panic!("NATS at {} is not reachable: {e}", url()));
    let mut subscription = subscriber.subscribe(subject.clone()).await.expect("subscribe");
    subscriber.flush().await.expect("flush");
    let counter = tokio::spawn(async move {
        let (mut count, mut first, mut last) = (0u64, None, Instant::now());
        while count < messages {
            // What is ready without a timer; the timer only once the channel is empty (a
            // timer per message would slow the raw side down more than DB Dock).
            let next = match subscription.next().now_or_never() {
                Some(next) => Ok(next),
                None => tokio::time::timeout(QUIET, subscription.next()).await,
            };
            match next {
                Ok(Some(_)) => {
                    last = Instant::now();
                    first.get_or_insert(last);
                    count += 1;
                }
                _ => break,
            }
        }
        Received { count, span: first.map(|f| last - f).unwrap_or_default() }
    });
    let publisher = publish_on_a_thread(subject, messages);
    let raw = counter.await.expect("raw counter");
    publisher.join().expect("publisher");
    println!(
        "(a) raw async-nats subscriber : {:>8} received, {:>9.0} msg/s, {} lost before the subscriber",
        raw.count,
        raw.rate(),
        messages - raw.count
    );

    // (b) A DB Dock monitor, read as fast as the reader can.
    let subject = format!("dbdock_bench_{}.monitor", std::process::id());
    let monitor = watch(&target, &subject, 1_000_000).await;
    let reader = tokio::spawn(async move {
        let (mut count, mut first, mut last) = (0u64, None, Instant::now());
        while count < messages && last.elapsed() < QUIET {
            for event in monitor.read(4_096, Duration::from_millis(100)).await {
                if event.kind == EventKind::Message {
                    last = Instant::now();
                    first.get_or_insert(last);
                    count += 1;
                }
            }
        }
        let received = Received { count, span: first.map(|f| last - f).unwrap_or_default() };
        let status = monitor.status();
        monitor.stop().await;
        (received, status)
    });
    let publisher = publish_on_a_thread(subject, messages);
    let (read, status) = reader.await.expect("monitor reader");
    publisher.join().expect("publisher");
    println!(
        "(b) DB Dock monitor, cap 1M   : {:>8} read,     {:>9.0} msg/s, ring dropped {}, lost before the monitor {}{}",
        read.count,
        read.rate(),
        status.dropped,
        messages - status.events_total,
        status.last_error.map(|e| format!(" (reported: \"{e}\")")).unwrap_or_default()
    );
    println!("    ratio monitor/raw         : {:.2}", read.rate() / raw.rate());

    // (c) A small buffer and a reader that sleeps between reads: drops, all counted.
    let subject = format!("dbdock_bench_{}.slow", std::process::id());
    let small = messages.min(100_000);
    let monitor = watch(&target, &subject, 1_000).await;
    publish_on_a_thread(subject, small).join().expect("publisher");
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
        "(c) DB Dock monitor, cap 1k, slow reader: published {small}, delivered {}, read {read}, ring dropped {} \
         (delivered - read = {}){}",
        status.events_total,
        status.dropped,
        status.events_total - read,
        status.last_error.map(|e| format!("; reported: \"{e}\"")).unwrap_or_default()
    );
    monitor.stop().await;
}

async fn watch(target: &ConnectionTarget, subject: &str, capacity: usize) -> Monitor {
    let what = WatchTarget::Subject { subject: subject.to_owned(), queue: None };
    dbdock_engines::watch(target.clone(), what, MonitorOptions { capacity, ..MonitorOptions::default() })
        .await
        .expect("watch")
}

/// Publishes from a thread and runtime of its own, so that publishing does not take the
/// subscriber's runtime threads.
fn publish_on_a_thread(subject: String, messages: u64) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async {
            let client = async_nats::connect(url()).await.expect("publisher connects");
            for i in 0..messages {
                client.publish(subject.clone(), format!("{i:08}").into()).await.expect("publish");
            }
            client.flush().await.expect("flush");
        });
    })
}
