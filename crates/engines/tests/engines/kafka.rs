//! The Kafka engine against a real broker: the shared tansu broker (127.0.0.1:9092, or
//! `DBDOCK_TEST_KAFKA_URL`) and private ones the tests kill and restart. A test that
//! cannot reach Kafka fails naming it; it never skips. The test's own producer, admin and
//! group consumer are plain rdkafka clients.
#![cfg(feature = "kafka")]
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use dbdock_core::{
    ConnectionState, ConnectionTarget, ErrorCode, Event, EventKind, OffsetReset, ReconnectPolicy, TopicStart,
    WatchTarget,
};
use dbdock_engines::{Monitor, MonitorOptions, Routing};
use dbdock_testkit::{PrivateKafka, kafka_bootstrap, kafka_url};
use rdkafka::ClientConfig;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};

fn target() -> ConnectionTarget {
    kafka_bootstrap();
    ConnectionTarget::parse(&kafka_url()).expect("the Kafka test URL")
}

/// A name of this test run's own, so topics and groups never collide.
fn unique(name: &str) -> String {
    format!("dbdock_{}_{name}_{:04x}", std::process::id(), fastrand::u16(..))
}

fn config(bootstrap: &str) -> ClientConfig {
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", bootstrap);
    config
}

async fn create_topic(bootstrap: &str, topic: &str, partitions: i32) {
    let admin: AdminClient<DefaultClientContext> = config(bootstrap).create().expect("admin client");
    let new = NewTopic::new(topic, partitions, TopicReplication::Fixed(1));
    let results = admin.create_topics([&new], &AdminOptions::new()).await.expect("create topic");
    for result in results {
        result.unwrap_or_else(|(name, code)| panic!("cannot create topic {name}: {code}"));
    }
}

/// Writes `count` messages `0..count` round-robin over the partitions (`i % partitions`),
/// keyed `k{i}`.
async fn produce(bootstrap: &str, topic: &str, range: std::ops::Range<u32>, partitions: i32) {
    let producer: FutureProducer = config(bootstrap).set("linger.ms", "5").create().expect("producer");
    let mut pending = Vec::new();
    for i in range {
        let (key, payload) = (format!("k{i}"), format!("{{\"n\": {i}}}"));
        let record = FutureRecord::to(topic).key(&key).payload(&payload).partition((i % partitions as u32) as i32);
        pending.push(producer.send_result(record).map_err(|(e, _)| e).expect("queued"));
        if pending.len() >= 1_000 {
            for delivery in pending.drain(..) {
                delivery.await.expect("delivered").map_err(|(e, _)| e).expect("stored");
            }
        }
    }
    for delivery in pending {
        delivery.await.expect("delivered").map_err(|(e, _)| e).expect("stored");
    }
}

fn options(capacity: usize) -> MonitorOptions {
    MonitorOptions { capacity, ..MonitorOptions::default() }
}

async fn watch_on(target: &ConnectionTarget, what: &str, options: MonitorOptions) -> Monitor {
    let what = WatchTarget::parse(what).expect("watch target");
    dbdock_engines::watch(target.clone(), what.clone(), options).await.unwrap_or_else(|e| panic!("watch {what}: {e}"))
}

async fn messages(monitor: &Monitor, count: usize, within: Duration) -> Vec<Event> {
    let deadline = Instant::now() + within;
    let mut got = Vec::new();
    while got.len() < count && Instant::now() < deadline {
        for event in monitor.read(count - got.len(), Duration::from_millis(100)).await {
            if event.kind == EventKind::Message {
                got.push(event);
            }
        }
    }
    got
}

async fn lifecycle_until(monitor: &Monitor, state: ConnectionState, within: Duration) -> Vec<Event> {
    let deadline = Instant::now() + within;
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        for event in monitor.read(1_000, Duration::from_millis(100)).await {
            if event.kind == EventKind::Lifecycle {
                let reached = event.state == Some(state);
                seen.push(event);
                if reached {
                    return seen;
                }
            }
        }
    }
    panic!("no {state:?} event within {within:?}; saw {:?}", seen.iter().map(|e| e.state).collect::<Vec<_>>())
}

/// Reads `count` messages as a member of `group` (subscribed, as an application would),
/// commits exactly their offsets, and leaves the group.
fn consume_as_group(bootstrap: &str, group: &str, topic: &str, count: usize) {
    let consumer: BaseConsumer = config(bootstrap)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .create()
        .expect("group consumer");
    consumer.subscribe(&[topic]).expect("subscribe");
    let mut next: BTreeMap<i32, i64> = BTreeMap::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut read = 0;
    while read < count {
        assert!(Instant::now() < deadline, "read only {read} of {count} as group {group}");
        if let Some(message) = consumer.poll(Duration::from_millis(200)) {
            let message = message.expect("message");
            next.insert(message.partition(), message.offset() + 1);
            read += 1;
        }
    }
    let mut list = rdkafka::TopicPartitionList::new();
    for (partition, offset) in &next {
        list.add_partition_offset(topic, *partition, rdkafka::Offset::Offset(*offset)).expect("offset");
    }
    consumer.commit(&list, CommitMode::Sync).expect("commit");
    consumer.unsubscribe();
}

fn committed(bootstrap: &str, group: &str, topic: &str, partitions: i32) -> Vec<Option<i64>> {
    let consumer: BaseConsumer = config(bootstrap).set("group.id", group).create().expect("consumer");
    let mut list = rdkafka::TopicPartitionList::new();
    for p in 0..partitions {
        list.add_partition(topic, p);
    }
    let offsets = consumer.committed_offsets(list, Duration::from_secs(10)).expect("committed offsets");
    (0..partitions)
        .map(|p| match offsets.find_partition(topic, p).map(|e| e.offset()) {
            Some(rdkafka::Offset::Offset(n)) => Some(n),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_messages_arrive_complete_and_in_partition_order() {
    let (bootstrap, topic) = (kafka_bootstrap(), unique("tail"));
    create_topic(&bootstrap, &topic, 3).await;
    let monitor = watch_on(&target(), &format!("topic:{topic}"), options(20_000)).await;
    produce(&bootstrap, &topic, 0..10_000, 3).await;
    let got = messages(&monitor, 10_000, Duration::from_secs(60)).await;
    assert_eq!(got.len(), 10_000, "status {:?}", monitor.status());
    let mut last: BTreeMap<i32, i64> = BTreeMap::new();
    let mut seen = std::collections::BTreeSet::new();
    for event in &got {
        let position = event.position.as_ref().expect("a Kafka event has its position");
        let previous = last.insert(position.partition, position.offset);
        assert!(
            previous.is_none_or(|p| p + 1 == position.offset),
            "partition {} skipped or reordered",
            position.partition
        );
        let n = event.json.as_ref().and_then(|j| j["n"].as_u64()).expect("payload as JSON");
        assert_eq!(position.key.as_deref(), Some(format!("k{n}").as_str()));
        assert_eq!(n % 3, position.partition as u64);
        assert!(event.server_ts.is_some());
        seen.insert(n);
    }
    assert_eq!(seen.len(), 10_000);
    assert_eq!((monitor.status().dropped, last.len()), (0, 3));
    monitor.stop().await;

    // From the beginning, a chosen offset and a time: what each start promises.
    let earliest = watch_on(&target(), &format!("topic:{topic}@earliest"), options(20_000)).await;
    assert_eq!(messages(&earliest, 10_000, Duration::from_secs(60)).await.len(), 10_000);
    earliest.stop().await;
    let from_offset = watch_on(&target(), &format!("topic:{topic}@3330"), options(1_000)).await;
    // 3,334 + 3,333 + 3,333 messages: 4 + 3 + 3 from offset 3,330.
    assert_eq!(messages(&from_offset, 1_000, Duration::from_secs(20)).await.len(), 10);
    from_offset.stop().await;
    let by_time = watch_on(&target(), &format!("topic:{topic}@2001-09-09T01:46:40Z"), options(20_000)).await;
    assert_eq!(messages(&by_time, 10_000, Duration::from_secs(60)).await.len(), 10_000);
    by_time.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_lag_reset_preview_and_reset_agree() {
    let (bootstrap, topic, group) = (kafka_bootstrap(), unique("lag"), unique("billing"));
    create_topic(&bootstrap, &topic, 3).await;
    produce(&bootstrap, &topic, 0..10_000, 3).await;
    let (b, t, g) = (bootstrap.clone(), topic.clone(), group.clone());
    tokio::task::spawn_blocking(move || consume_as_group(&b, &g, &t, 6_000)).await.expect("consumer");

    let lag = dbdock_engines::stream_lag(&target(), &topic, Some(&group)).await.expect("lag");
    assert_eq!(lag.len(), 3);
    assert_eq!(lag.iter().filter_map(|l| l.pending).sum::<u64>(), 4_000);
    // A partition the group never reached has no commit: all it holds is lag.
    for row in &lag {
        assert_eq!(row.end_offset.unwrap() - row.committed.unwrap_or(0), row.pending.unwrap() as i64, "{row:?}");
    }
    let detail = dbdock_engines::consumer_group(&target(), &group, None).await.expect("group");
    assert_eq!((detail.total_lag, detail.lag.len()), (4_000, 3));
    // Every group of the topic: this one, found by listing the broker's groups.
    let by_topic = dbdock_engines::stream_lag(&target(), &topic, None).await.expect("lag of every group");
    assert!(by_topic.iter().all(|l| l.consumer == group) && by_topic.len() == 3, "{by_topic:?}");
    let catalog = dbdock_engines::topic_catalog(&target()).await.expect("catalog");
    let listed = catalog.topics.iter().find(|t| t.name == topic).expect("the topic is listed");
    assert_eq!((listed.partitions.len(), listed.messages), (3, 10_000));
    assert!(catalog.groups.iter().any(|g| g.name == group), "{:?}", catalog.groups_error);

    let before = committed(&bootstrap, &group, &topic, 3);
    let reset = OffsetReset { group: group.clone(), topic: topic.clone(), to: TopicStart::Earliest, partition: None };
    let preview = dbdock_engines::reset_offsets(&target(), &reset, false).await.expect("preview");
    assert_eq!((preview.lag_before, preview.lag_after, preview.applied), (4_000, 10_000, false));
    assert_eq!(committed(&bootstrap, &group, &topic, 3), before, "a preview changes nothing");
    let done = dbdock_engines::reset_offsets(&target(), &reset, true).await.expect("reset");
    assert_eq!(done.partitions, preview.partitions);
    assert!(done.applied);
    let after = dbdock_engines::stream_lag(&target(), &topic, Some(&group)).await.expect("lag");
    assert_eq!(after.iter().filter_map(|l| l.pending).sum::<u64>(), 10_000);
    assert_eq!(committed(&bootstrap, &group, &topic, 3), vec![Some(0); 3]);

    // One partition to an offset (clamped to what it holds), then to the end by time.
    let one = OffsetReset { partition: Some(1), to: TopicStart::Offset(1_000), ..reset.clone() };
    let plan = dbdock_engines::reset_offsets(&target(), &one, true).await.expect("one partition");
    assert_eq!((plan.partitions.len(), plan.partitions[0].new, plan.lag_after), (1, 1_000, 2_333));
    // By time: every message was written after 2001, so each partition starts at its first.
    let by_time = OffsetReset { to: TopicStart::Time(1_000_000_000_000), ..reset.clone() };
    let plan = dbdock_engines::reset_offsets(&target(), &by_time, false).await.expect("by time");
    assert_eq!((plan.lag_before, plan.lag_after), (9_000, 10_000));
    let missing = OffsetReset { topic: unique("nosuch"), ..reset };
    let e = dbdock_engines::reset_offsets(&target(), &missing, false).await.expect_err("unknown topic");
    assert_eq!(e.code, ErrorCode::NotFound, "{}", e.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monitors_never_move_a_groups_offsets() {
    let (bootstrap, topic, group) = (kafka_bootstrap(), unique("untouched"), unique("reader"));
    create_topic(&bootstrap, &topic, 3).await;
    produce(&bootstrap, &topic, 0..900, 3).await;
    let (b, t, g) = (bootstrap.clone(), topic.clone(), group.clone());
    tokio::task::spawn_blocking(move || consume_as_group(&b, &g, &t, 300)).await.expect("consumer");
    let before = committed(&bootstrap, &group, &topic, 3);

    let tail = watch_on(&target(), &format!("topic:{topic}@earliest"), options(2_000)).await;
    let lag = watch_on(&target(), &format!("lag:{group}/{topic}"), options(100)).await;
    assert_eq!(messages(&tail, 900, Duration::from_secs(30)).await.len(), 900);
    let metrics = messages(&lag, 2, Duration::from_secs(5)).await;
    let reading = metrics.last().and_then(|e| e.json.clone()).expect("a lag metric");
    assert_eq!((reading["lag"].as_u64(), reading["partitions"].as_array().map(Vec::len)), (Some(600), Some(3)));
    tail.stop().await;
    lag.stop().await;
    assert_eq!(committed(&bootstrap, &group, &topic, 3), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_with_key_partition_and_headers() {
    let (bootstrap, topic) = (kafka_bootstrap(), unique("publish"));
    create_topic(&bootstrap, &topic, 3).await;
    let monitor = watch_on(&target(), &format!("topic:{topic}"), options(100)).await;
    let what = WatchTarget::parse(&format!("topic:{topic}")).expect("target");
    let routing = Routing { key: Some("order-7".into()), partition: Some(2) };
    let headers = [("trace".to_owned(), "t-1".to_owned())];
    let published =
        dbdock_engines::publish(&target(), &what, b"{\"id\": 7}", &headers, &routing).await.expect("publish");
    assert_eq!((published.partition, published.sequence), (Some(2), Some(0)));
    let got = messages(&monitor, 1, Duration::from_secs(10)).await;
    let position = got[0].position.clone().expect("position");
    assert_eq!((position.partition, position.offset, position.key.as_deref()), (2, 0, Some("order-7")));
    assert_eq!(got[0].headers, headers);
    monitor.stop().await;

    // A key on an engine without keys is refused, not dropped.
    let redis = ConnectionTarget::parse("redis://127.0.0.1:6379").expect("url");
    let e = dbdock_engines::publish(&redis, &WatchTarget::Channel("x".into()), b"x", &[], &routing).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    let e = dbdock_engines::watch(
        target(),
        WatchTarget::parse(&format!("topic:{}", unique("nosuch"))).unwrap(),
        options(10),
    )
    .await
    .err()
    .expect("an unknown topic");
    assert_eq!(e.code, ErrorCode::NotFound, "{}", e.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tail_reconnects_after_the_broker_restarts() {
    let broker = PrivateKafka::start();
    let target = ConnectionTarget::parse(&broker.url()).expect("url");
    let topic = unique("restart");
    create_topic(&broker.bootstrap(), &topic, 1).await;
    let policy = ReconnectPolicy {
        base: Duration::from_millis(200),
        factor: 1.5,
        cap: Duration::from_secs(1),
        jitter: 0.2,
        max_attempts: 100,
        health_interval: Duration::from_secs(1),
    };
    let monitor =
        watch_on(&target, &format!("topic:{topic}"), MonitorOptions { reconnect: policy, ..options(1_000) }).await;
    produce(&broker.bootstrap(), &topic, 0..3, 1).await;
    assert_eq!(messages(&monitor, 3, Duration::from_secs(10)).await.len(), 3);

    broker.kill();
    lifecycle_until(&monitor, ConnectionState::Reconnecting, Duration::from_secs(30)).await;
    broker.start_again();
    let seen = lifecycle_until(&monitor, ConnectionState::Connected, Duration::from_secs(30)).await;
    assert!(seen.last().is_some_and(|e| String::from_utf8_lossy(&e.payload).contains("again")));
    produce(&broker.bootstrap(), &topic, 3..6, 1).await;
    let after = messages(&monitor, 3, Duration::from_secs(30)).await;
    let offsets: Vec<i64> = after.iter().filter_map(|e| e.position.as_ref().map(|p| p.offset)).collect();
    assert_eq!(offsets, [3, 4, 5]);
    monitor.stop().await;
}

#[tokio::test]
async fn kafka_urls_name_every_bootstrap_host_and_refuse_unknown_options() {
    let t = ConnectionTarget::parse("kafka://a.example:9093,b.example:9094").expect("two hosts");
    assert_eq!(t.more_hosts(), ["b.example:9094"]);
    let e = dbdock_engines::probe(
        ConnectionTarget::parse("kafka://127.0.0.1:9092?acks=all").expect("url"),
        dbdock_engines::OpenOptions::default(),
    )
    .await
    .expect_err("unknown option");
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert!(e.message.contains("acks"), "{}", e.message);
    let probe = dbdock_engines::probe(target(), dbdock_engines::OpenOptions::default()).await.expect("probe");
    assert!(probe.server_version.contains("1 broker"), "{}", probe.server_version);
}
