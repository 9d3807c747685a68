//! Monitor ingest against the raw driver, in one run against the local Kafka broker
//! (`DBDOCK_TEST_KAFKA_URL`, default kafka://127.0.0.1:9092):
//! `cargo bench -p dbdock-engines --bench kafka_ingest`.
//!
//! N small messages are written to a topic of 3 partitions first; then (a) a plain
//! rdkafka consumer assigned every partition from the beginning and counting messages and
//! (b) a DB Dock `topic:NAME@earliest` monitor drained with `Monitor::read` read them all,
//! the rate measured from the first message received to the last. (c) A monitor with a
//! small buffer and a slow reader shows its drops counted exactly: Kafka is read by pull,
//! so nothing is lost before the monitor, and delivered - read = dropped.
//! `KAFKA_BENCH_MESSAGES` sets N (default 200,000).

use std::time::{Duration, Instant};

use dbdock_core::{ConnectionTarget, EventKind, TopicStart, WatchTarget};
use dbdock_engines::{Monitor, MonitorOptions};
use rdkafka::ClientConfig;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};

const PARTITIONS: i32 = 3;
/// Gives up waiting for more messages after this long without any.
const QUIET: Duration = Duration::from_secs(15);
/// How long the first message may take (a consumer's first fetch, on a busy machine).
const FIRST: Duration = Duration::from_secs(60);

fn url() -> String {
    std::env::var("DBDOCK_TEST_KAFKA_URL").unwrap_or_else(|_| "kafka://127.0.0.1:9092".to_owned())
}

fn bootstrap() -> String {
    url().split_once("://").map(|(_, rest)| rest.to_owned()).unwrap_or_else(url)
}

fn main() {
    let messages: u64 = std::env::var("KAFKA_BENCH_MESSAGES").ok().and_then(|n| n.parse().ok()).unwrap_or(200_000);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(run(messages));
}

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
    let target = ConnectionTarget::parse(&url()).expect("Kafka URL");
    let topic = format!("dbdock_bench_{}", std::process::id());
    println!("kafka_ingest: {messages} messages of 8 bytes over {PARTITIONS} partitions via {}", url());
    fill(&topic, messages).await;

    // (a) The raw driver: a consumer that only counts.
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap())
        .set("group.id", format!("{topic}_raw"))
        .set("enable.auto.commit", "false")
        .create()
        .expect("raw consumer");
    let mut assignment = TopicPartitionList::new();
    for p in 0..PARTITIONS {
        assignment.add_partition_offset(&topic, p, Offset::Beginning).expect("partition");
    }
    consumer.assign(&assignment).expect("assign");
    let (mut count, mut first, mut last) = (0u64, None, Instant::now());
    while count < messages {
        let wait = if first.is_some() { QUIET } else { FIRST };
        match tokio::time::timeout(wait, consumer.recv()).await {
            Ok(Ok(_)) => {
                last = Instant::now();
                first.get_or_insert(last);
                count += 1;
            }
            _ => break,
        }
    }
    let raw = Received { count, span: first.map(|f| last - f).unwrap_or_default() };
    drop(consumer);
    println!("(a) raw rdkafka consumer      : {:>8} received, {:>9.0} msg/s", raw.count, raw.rate());

    // (b) A DB Dock monitor from the beginning, read as fast as the reader can.
    let monitor = watch(&target, &topic, 1_000_000).await;
    let (mut count, mut first, mut last) = (0u64, None, Instant::now());
    while count < messages && last.elapsed() < if first.is_some() { QUIET } else { FIRST } {
        for event in monitor.read(4_096, Duration::from_millis(100)).await {
            if event.kind == EventKind::Message {
                last = Instant::now();
                first.get_or_insert(last);
                count += 1;
            }
        }
    }
    let read = Received { count, span: first.map(|f| last - f).unwrap_or_default() };
    let status = monitor.status();
    monitor.stop().await;
    println!(
        "(b) DB Dock monitor, cap 1M   : {:>8} read,     {:>9.0} msg/s, ring dropped {}, lost before the monitor {}{}",
        read.count,
        read.rate(),
        status.dropped,
        messages - status.events_total,
        status.last_error.map(|e| format!(" (last error: {e})")).unwrap_or_default()
    );
    println!("    ratio monitor/raw         : {:.2}", read.rate() / raw.rate());

    // (c) A small buffer and a slow reader: drops, each counted.
    let monitor = watch(&target, &topic, 1_000).await;
    let mut read = 0u64;
    let (mut idle, started) = (0, Instant::now());
    // Until QUIET passes with nothing new (500 ms a read).
    while idle < QUIET.as_millis() / 500 {
        let events = monitor.read(100, Duration::from_millis(500)).await;
        let got = events.iter().filter(|e| e.kind == EventKind::Message).count() as u64;
        read += got;
        // Idle only counts once messages flow (or the first never came).
        idle = if got > 0 || (read == 0 && started.elapsed() < FIRST) { 0 } else { idle + 1 };
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let status = monitor.status();
    println!(
        "(c) DB Dock monitor, cap 1k, slow reader: written {messages}, delivered {}, read {read}, ring dropped {} \
         (delivered - read = {})",
        status.events_total,
        status.dropped,
        status.events_total - read
    );
    monitor.stop().await;
}

async fn fill(topic: &str, messages: u64) {
    let admin: AdminClient<DefaultClientContext> =
        ClientConfig::new().set("bootstrap.servers", bootstrap()).create().expect("admin");
    let new = NewTopic::new(topic, PARTITIONS, TopicReplication::Fixed(1));
    for result in admin.create_topics([&new], &AdminOptions::new()).await.expect("create topic") {
        result.unwrap_or_else(|(name, code)| panic!("Kafka at {}: cannot create {name}: {code}", url()));
    }
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap())
        .set("linger.ms", "20")
        .set("batch.num.messages", "10000")
        .create()
        .expect("producer");
    let started = Instant::now();
    let mut pending = Vec::with_capacity(10_000);
    for i in 0..messages {
        let payload = format!("{i:08}");
        let partition = (i % PARTITIONS as u64) as i32;
        let record = FutureRecord::<(), String>::to(topic).payload(&payload).partition(partition);
        pending.push(producer.send_result(record).map_err(|(e, _)| e).expect("queued"));
        if pending.len() == 10_000 {
            for delivery in pending.drain(..) {
                delivery.await.expect("delivered").map_err(|(e, _)| e).expect("stored");
            }
        }
    }
    for delivery in pending {
        delivery.await.expect("delivered").map_err(|(e, _)| e).expect("stored");
    }
    println!("    written in {:.1} s", started.elapsed().as_secs_f64());
}

async fn watch(target: &ConnectionTarget, topic: &str, capacity: usize) -> Monitor {
    let what = WatchTarget::Topic { topic: topic.to_owned(), from: TopicStart::Earliest };
    dbdock_engines::watch(target.clone(), what, MonitorOptions { capacity, ..MonitorOptions::default() })
        .await
        .expect("watch")
}
