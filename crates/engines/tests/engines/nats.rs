//! The NATS engine against real servers: the local nats-server with JetStream
//! (127.0.0.1:4222, or `DBDOCK_TEST_NATS_URL`) and private servers the tests kill and
//! restart. A test that cannot reach NATS fails naming it; it never skips.
#![cfg(feature = "nats")]

use std::time::{Duration, Instant};

use async_nats::jetstream::{self, consumer, kv, stream};
use dbdock_core::{
    ConnectionState, ConnectionTarget, ErrorCode, Event, EventKind, ReconnectPolicy, Secret, WatchTarget,
};
use dbdock_engines::{Monitor, MonitorOptions, nats};
use dbdock_testkit::PrivateNats;
use futures_util::StreamExt;

fn nats_url() -> String {
    std::env::var("DBDOCK_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned())
}

fn target() -> ConnectionTarget {
    ConnectionTarget::parse(&nats_url()).expect("the NATS test URL")
}

/// A plain async-nats client: the test's publisher, responder and JetStream admin.
async fn raw(url: &str) -> async_nats::Client {
    async_nats::connect(url).await.unwrap_or_else(|e| {
        panic!("NATS at {url} is not reachable ({e}): start nats-server -js or set DBDOCK_TEST_NATS_URL")
    })
}

/// A name of this test run's own: subjects, streams and buckets never collide.
fn unique(name: &str) -> String {
    format!("dbdock_{}_{name}", std::process::id())
}

fn options(capacity: usize) -> MonitorOptions {
    MonitorOptions { capacity, ..MonitorOptions::default() }
}

async fn watch_on(target: &ConnectionTarget, what: &str, options: MonitorOptions) -> Monitor {
    let what = WatchTarget::parse(what).expect("watch target");
    dbdock_engines::watch(target.clone(), what.clone(), options).await.unwrap_or_else(|e| panic!("watch {what}: {e}"))
}

async fn watch(what: &str, capacity: usize) -> Monitor {
    watch_on(&target(), what, options(capacity)).await
}

/// Reads until `count` messages arrived (lifecycle events are skipped) or `within` passed.
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

fn text(event: &Event) -> String {
    String::from_utf8_lossy(&event.payload).into_owned()
}

fn header<'a>(event: &'a Event, name: &str) -> Option<&'a str> {
    event.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// Reads until a lifecycle event in `state` arrives, returning every lifecycle event seen.
async fn lifecycle_until(monitor: &Monitor, state: ConnectionState, within: Duration) -> Vec<Event> {
    let deadline = Instant::now() + within;
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        for event in monitor.read(100, Duration::from_millis(100)).await {
            if event.kind == EventKind::Lifecycle {
                let reached = event.state == Some(state);
                seen.push(event);
                if reached {
                    return seen;
                }
            }
        }
    }
    let states: Vec<_> = seen.iter().map(|e| (e.state, text(e))).collect();
    panic!("no {state:?} lifecycle event within {within:?}; seen: {states:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_messages_arrive_in_order() {
    let subject = unique("order");
    let monitor = watch(&format!("subject:{subject}"), 20_000).await;
    let first = monitor.read(1, Duration::from_secs(1)).await;
    assert!(first.first().is_some_and(|e| e.kind == EventKind::Lifecycle && text(e).contains("subscribed to")));

    let publisher = raw(&nats_url()).await;
    for i in 0..10_000 {
        publisher.publish(subject.clone(), i.to_string().into()).await.expect("publish");
    }
    publisher.flush().await.expect("flush");

    let got = messages(&monitor, 10_000, Duration::from_secs(20)).await;
    assert_eq!(got.len(), 10_000);
    for (i, event) in got.iter().enumerate() {
        assert_eq!(text(event), i.to_string());
        assert_eq!(event.channel, subject);
    }
    let status = monitor.status();
    assert_eq!((status.events_total, status.dropped), (10_000, 0));
    monitor.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wildcards_match_exactly_and_queue_groups_split() {
    let base = unique("wild");
    let star = watch(&format!("subject:{base}.a.*"), 100).await;
    let tail = watch(&format!("subject:{base}.a.>"), 100).await;
    let publisher = raw(&nats_url()).await;
    for suffix in ["a", "a.b", "a.b.c", "b.x", "a.end"] {
        publisher.publish(format!("{base}.{suffix}"), "x".into()).await.expect("publish");
    }
    publisher.flush().await.expect("flush");
    // One publisher, one connection: whatever precedes `a.end` has arrived when it does.
    let channels =
        |events: Vec<Event>| events.iter().map(|e| e.channel.replace(&format!("{base}."), "")).collect::<Vec<_>>();
    assert_eq!(channels(messages(&star, 2, Duration::from_secs(5)).await), ["a.b", "a.end"]);
    assert_eq!(channels(messages(&tail, 3, Duration::from_secs(5)).await), ["a.b", "a.b.c", "a.end"]);
    assert!(messages(&star, 1, Duration::from_millis(200)).await.is_empty());

    let queue_subject = format!("{base}.jobs");
    let one = watch(&format!("subject:{queue_subject}@workers"), 1_000).await;
    let two = watch(&format!("subject:{queue_subject}@workers"), 1_000).await;
    // Both members are known to the server once each has had a probe (on a loaded machine
    // the second subscription can land after the first messages).
    let (mut one_ready, mut two_ready) = (false, false);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !(one_ready && two_ready) && Instant::now() < deadline {
        publisher.publish(queue_subject.clone(), "probe".into()).await.expect("publish");
        publisher.flush().await.expect("flush");
        one_ready |= !messages(&one, 50, Duration::from_millis(20)).await.is_empty();
        two_ready |= !messages(&two, 50, Duration::from_millis(20)).await.is_empty();
    }
    assert!(one_ready && two_ready, "a queue member never received a probe");
    // Probes still in flight are not part of the count.
    let _ = messages(&one, 1_000, Duration::from_millis(100)).await;
    let _ = messages(&two, 1_000, Duration::from_millis(100)).await;
    for i in 0..200 {
        publisher.publish(queue_subject.clone(), i.to_string().into()).await.expect("publish");
    }
    publisher.flush().await.expect("flush");
    let deadline = Instant::now() + Duration::from_secs(10);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    while a.len() + b.len() < 200 && Instant::now() < deadline {
        a.extend(messages(&one, 200, Duration::from_millis(100)).await.iter().map(text).filter(|t| t != "probe"));
        b.extend(messages(&two, 200, Duration::from_millis(100)).await.iter().map(text).filter(|t| t != "probe"));
    }
    // Anything more would be a duplicate.
    a.extend(messages(&one, 1, Duration::from_millis(200)).await.iter().map(text).filter(|t| t != "probe"));
    b.extend(messages(&two, 1, Duration::from_millis(200)).await.iter().map(text).filter(|t| t != "probe"));
    assert!(!a.is_empty() && !b.is_empty(), "the group did not split: {} and {}", a.len(), b.len());
    let mut all: Vec<u32> = a.iter().chain(&b).map(|t| t.parse().expect("number")).collect();
    all.sort_unstable();
    assert_eq!(all, (0..200).collect::<Vec<u32>>(), "each message exactly once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jetstream_lag_is_reported_by_stream_lag_and_the_lag_monitor() {
    let name = unique("LAG");
    let client = raw(&nats_url()).await;
    let js = jetstream::new(client);
    let _ = js.delete_stream(&name).await;
    let stream = js
        .create_stream(stream::Config { name: name.clone(), subjects: vec![format!("{name}.>")], ..Default::default() })
        .await
        .expect("create stream");
    let worker: consumer::PullConsumer = stream
        .create_consumer(consumer::pull::Config {
            durable_name: Some("worker".into()),
            ack_policy: consumer::AckPolicy::Explicit,
            ..Default::default()
        })
        .await
        .expect("create consumer");
    for i in 0..500 {
        js.publish(format!("{name}.orders"), i.to_string().into()).await.expect("publish").await.expect("stored");
    }

    let mut batch = worker.fetch().max_messages(200).messages().await.expect("fetch");
    let mut acked = 0;
    while let Some(message) = batch.next().await {
        message.expect("message").double_ack().await.expect("ack");
        acked += 1;
    }
    assert_eq!(acked, 200);
    let lag = nats::stream_lag(&target(), &name, Some("worker")).await.expect("stream_lag");
    assert_eq!(lag.len(), 1);
    assert_eq!((lag[0].pending, lag[0].ack_pending), (Some(300), 0));
    assert_eq!(lag[0].last_delivered.as_deref(), Some("200"));

    let mut batch = worker.fetch().max_messages(50).messages().await.expect("fetch");
    let mut unacked = Vec::new();
    while let Some(message) = batch.next().await {
        unacked.push(message.expect("message"));
    }
    assert_eq!(unacked.len(), 50);
    let lag = dbdock_engines::stream_lag(&target(), &name, None).await.expect("stream_lag of every consumer");
    assert_eq!(lag.len(), 1);
    assert_eq!((lag[0].consumer.as_str(), lag[0].pending, lag[0].ack_pending), ("worker", Some(250), 50));
    assert_eq!(lag[0].redelivered, Some(0));

    // The monitor: a first metric at once, then one per interval.
    let what = WatchTarget::parse(&format!("lag:{name}/worker")).expect("target");
    let opts = options(100);
    let (monitor, sink) = Monitor::new("lag-test", &what, &opts);
    let task =
        nats::watch_lag(&target(), &name, "worker", sink, &opts, Duration::from_millis(100)).await.expect("watch_lag");
    let monitor = monitor.running(task);
    let metrics = messages(&monitor, 3, Duration::from_secs(5)).await;
    assert_eq!(metrics.len(), 3, "a metric per interval");
    for metric in &metrics {
        assert_eq!(metric.channel, format!("{name}/worker"));
        assert_eq!(metric.category, dbdock_core::Category::Performance);
        let json = metric.json.as_ref().expect("a JSON metric");
        assert_eq!(json["num_pending"], 250);
        assert_eq!(json["num_ack_pending"], 50);
        assert_eq!(json["delivered_stream_seq"], 250);
        assert_eq!(json["ack_floor_stream_seq"], 200);
    }
    monitor.stop().await;
    // Through the public entry point with the default interval, the first metric is immediate.
    let monitor = watch(&format!("lag:{name}/worker"), 100).await;
    assert_eq!(messages(&monitor, 1, Duration::from_millis(500)).await.len(), 1);
    monitor.stop().await;

    // Listings, and unknown names that say what exists.
    let streams = nats::list_streams(&target()).await.expect("list_streams");
    let listed = streams.iter().find(|s| s.name == name).expect("our stream listed");
    assert_eq!((listed.messages, listed.consumers, listed.subjects.clone()), (500, 1, vec![format!("{name}.>")]));
    let consumers = nats::list_consumers(&target(), &name).await.expect("list_consumers");
    assert_eq!(consumers.len(), 1);
    assert_eq!(
        (consumers[0].name.as_str(), consumers[0].kind.as_str(), consumers[0].num_ack_pending),
        ("worker", "pull", 50)
    );
    let missing = nats::stream_lag(&target(), &name, Some("nobody")).await.expect_err("unknown consumer");
    assert_eq!(missing.code, ErrorCode::NotFound);
    assert!(missing.message.contains("worker"), "{}", missing.message);
    let missing = nats::stream_lag(&target(), &unique("NOSUCH"), None).await.expect_err("unknown stream");
    assert_eq!(missing.code, ErrorCode::NotFound);
    assert!(missing.message.contains(&name), "{}", missing.message);
    let missing =
        dbdock_engines::watch(target(), WatchTarget::parse(&format!("lag:{name}/nobody")).expect("t"), options(10));
    assert_eq!(missing.await.err().map(|e| e.code), Some(ErrorCode::NotFound));

    drop(unacked);
    js.delete_stream(&name).await.expect("delete stream");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_reply_no_responders_and_timeouts() {
    let base = unique("svc");
    let client = raw(&nats_url()).await;
    let mut requests = client.subscribe(format!("{base}.echo")).await.expect("subscribe");
    let mut slow = client.subscribe(format!("{base}.slow")).await.expect("subscribe");
    client.flush().await.expect("flush");
    let responder = client.clone();
    tokio::spawn(async move {
        while let Some(request) = requests.next().await {
            let Some(reply) = request.reply else { continue };
            let mut headers = async_nats::HeaderMap::new();
            let trace =
                request.headers.as_ref().and_then(|h| h.get("trace")).map(|v| v.to_string()).unwrap_or_default();
            headers.insert("trace", trace.as_str());
            let body = format!("re:{}", String::from_utf8_lossy(&request.payload));
            let _ = responder.publish_with_headers(reply, headers, body.into()).await;
        }
    });
    let late = client.clone();
    tokio::spawn(async move {
        while let Some(request) = slow.next().await {
            tokio::time::sleep(Duration::from_secs(2)).await;
            if let Some(reply) = request.reply {
                let _ = late.publish(reply, "too late".into()).await;
            }
        }
    });

    let echo = WatchTarget::parse(&format!("subject:{base}.echo")).expect("target");
    let headers = [("trace".to_owned(), "t-1".to_owned())];
    let reply =
        dbdock_engines::request(&target(), &echo, b"hello", &headers, Duration::from_secs(5)).await.expect("reply");
    assert_eq!(reply.payload, b"re:hello");
    assert_eq!(reply.headers, vec![("trace".to_owned(), "t-1".to_owned())]);

    // The server answers "no responders" at once (async-nats asks for it on connect).
    let nobody = WatchTarget::parse(&format!("subject:{base}.nobody")).expect("target");
    let started = Instant::now();
    let err = dbdock_engines::request(&target(), &nobody, b"x", &[], Duration::from_secs(5))
        .await
        .expect_err("no responders");
    assert_eq!(err.code, ErrorCode::NotFound, "{}", err.message);
    assert!(started.elapsed() < Duration::from_secs(2), "no-responders took {:?}", started.elapsed());

    let slow_target = WatchTarget::parse(&format!("subject:{base}.slow")).expect("target");
    let started = Instant::now();
    let err = dbdock_engines::request(&target(), &slow_target, b"x", &[], Duration::from_millis(300))
        .await
        .expect_err("timeout");
    assert_eq!(err.code, ErrorCode::Timeout, "{}", err.message);
    assert!(
        err.message.contains("no reply within 300 ms") && err.message.contains(&format!("{base}.slow")),
        "{}",
        err.message
    );
    assert!(started.elapsed() < Duration::from_secs(2));

    // Publishing: wildcards and queue groups are for subscribing.
    let published = dbdock_engines::publish(&target(), &echo, b"fire and forget", &headers, &Default::default())
        .await
        .expect("publish");
    assert_eq!(published.sequence, None);
    for bad in [format!("subject:{base}.*"), format!("subject:{base}.x@q")] {
        let what = WatchTarget::parse(&bad).expect("target");
        let err = dbdock_engines::publish(&target(), &what, b"x", &[], &Default::default()).await.expect_err(&bad);
        assert_eq!(err.code, ErrorCode::InvalidInput, "{bad}");
    }
}

/// A KV bucket made the way `create_key_value` makes one. That call first reads the
/// account info, which async-nats 0.51 cannot parse from nats-server 2.9 (the local test
/// server), so the bucket's stream is created directly.
async fn create_bucket(js: &jetstream::Context, bucket: &str, history: i64) -> kv::Store {
    js.create_stream(stream::Config {
        name: format!("KV_{bucket}"),
        subjects: vec![format!("$KV.{bucket}.>")],
        max_messages_per_subject: history,
        allow_rollup: true,
        deny_delete: true,
        allow_direct: true,
        discard: stream::DiscardPolicy::New,
        ..Default::default()
    })
    .await
    .expect("create the bucket's stream");
    js.get_key_value(bucket).await.expect("open the bucket")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kv_watch_sees_puts_and_deletes_and_get_reads_back() {
    let bucket = unique("kv");
    let client = raw(&nats_url()).await;
    let js = jetstream::new(client);
    let _ = js.delete_key_value(&bucket).await;
    let store = create_bucket(&js, &bucket, 5).await;

    let all = watch(&format!("kv:{bucket}"), 100).await;
    let config_only = watch(&format!("kv:{bucket}/cfg.*"), 100).await;
    store.put("a", "1".into()).await.expect("put");
    store.put("cfg.mode", "fast".into()).await.expect("put");
    store.delete("a").await.expect("delete");
    // A put through DB Dock itself: `publish` on kv:BUCKET/KEY.
    let put = WatchTarget::parse(&format!("kv:{bucket}/b")).expect("target");
    let published = dbdock_engines::publish(&target(), &put, b"2", &[], &Default::default()).await.expect("kv put");
    assert!(published.sequence.is_some());

    let events = messages(&all, 4, Duration::from_secs(5)).await;
    let seen: Vec<_> =
        events.iter().map(|e| (e.channel.as_str(), text(e), header(e, "operation").unwrap_or("?"))).collect();
    assert_eq!(
        seen,
        [
            ("a", "1".to_owned(), "PUT"),
            ("cfg.mode", "fast".to_owned(), "PUT"),
            ("a", String::new(), "DELETE"),
            ("b", "2".to_owned(), "PUT")
        ]
    );
    let revisions: Vec<u64> =
        events.iter().map(|e| header(e, "revision").and_then(|r| r.parse().ok()).expect("revision")).collect();
    assert!(revisions.windows(2).all(|w| w[0] < w[1]), "{revisions:?}");
    assert_eq!(revisions.last().copied(), published.sequence);
    assert!(events.iter().all(|e| e.server_ts.is_some()));
    let filtered = messages(&config_only, 2, Duration::from_millis(500)).await;
    assert_eq!(filtered.iter().map(|e| e.channel.as_str()).collect::<Vec<_>>(), ["cfg.mode"]);

    let b = nats::kv_get(&target(), &bucket, "b").await.expect("get").expect("b has a value");
    assert_eq!((b.value.as_slice(), b.operation.as_str()), (&b"2"[..], "PUT"));
    let a = nats::kv_get(&target(), &bucket, "a").await.expect("get").expect("a keeps its delete marker");
    assert_eq!(a.operation, "DELETE");
    assert!(nats::kv_get(&target(), &bucket, "never").await.expect("get").is_none());
    assert_eq!(nats::kv_keys(&target(), &bucket, 100).await.expect("keys"), ["b", "cfg.mode"]);
    let buckets = nats::kv_buckets(&target()).await.expect("buckets");
    assert!(buckets.iter().any(|b| b.bucket == bucket && b.history == 5), "{buckets:?}");
    let missing = nats::kv_get(&target(), &unique("nokv"), "a").await.expect_err("unknown bucket");
    assert_eq!(missing.code, ErrorCode::NotFound);
    assert!(missing.message.contains(&bucket), "{}", missing.message);

    all.stop().await;
    config_only.stop().await;
    js.delete_key_value(&bucket).await.expect("delete bucket");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_monitor_reconnects_and_resubscribes_after_a_server_restart() {
    let server = PrivateNats::start();
    let target = ConnectionTarget::parse(&server.url()).expect("url");
    let policy = ReconnectPolicy {
        base: Duration::from_millis(100),
        factor: 1.5,
        cap: Duration::from_millis(500),
        jitter: 0.3,
        max_attempts: 100,
        health_interval: Duration::from_secs(1),
    };
    let subject = unique("restart");
    let monitor =
        watch_on(&target, &format!("subject:{subject}"), MonitorOptions { reconnect: policy, ..options(1_000) }).await;

    let publisher = raw(&server.url()).await;
    publisher.publish(subject.clone(), "before".into()).await.expect("publish");
    publisher.flush().await.expect("flush");
    assert_eq!(messages(&monitor, 1, Duration::from_secs(5)).await.iter().map(text).collect::<Vec<_>>(), ["before"]);
    drop(publisher);

    server.kill();
    let seen = lifecycle_until(&monitor, ConnectionState::Reconnecting, Duration::from_secs(10)).await;
    assert!(seen.iter().any(|e| e.severity == dbdock_core::Severity::Warning));
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.start_again();
    let seen = lifecycle_until(&monitor, ConnectionState::Connected, Duration::from_secs(15)).await;
    let last = seen.last().map(text).unwrap_or_default();
    assert!(last.contains("reconnected") && last.contains("subscriptions restored"), "{last}");
    assert_eq!(monitor.status().state, ConnectionState::Connected);

    // Nothing is asked of the monitor: the subscription is back on the new server.
    let publisher = raw(&server.url()).await;
    for i in 0..3 {
        publisher.publish(subject.clone(), format!("after-{i}").into()).await.expect("publish");
    }
    publisher.flush().await.expect("flush");
    let after: Vec<String> = messages(&monitor, 3, Duration::from_secs(5)).await.iter().map(text).collect();
    assert_eq!(after, ["after-0", "after-1", "after-2"]);
    monitor.stop().await;
}

/// The count in the forwarder's slow-consumer warning ("… (N in all) …"), if there was one.
fn client_drops(last_error: Option<&str>) -> u64 {
    let Some(text) = last_error.filter(|t| t.contains("in all")) else { return 0 };
    let before = text.split(" in all").next().unwrap_or_default();
    before.rsplit('(').next().and_then(|n| n.trim().parse().ok()).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_stays_within_capacity_and_every_drop_is_counted() {
    const PUBLISHED: u64 = 50_000;
    const CAPACITY: usize = 1_000;
    let subject = unique("flood");
    let monitor = watch(&format!("subject:{subject}"), CAPACITY).await;
    let publisher = raw(&nats_url()).await;
    for i in 0..PUBLISHED {
        publisher.publish(subject.clone(), i.to_string().into()).await.expect("publish");
    }
    publisher.flush().await.expect("flush");

    // The reader reads nothing until everything is accounted for: delivered into the
    // monitor, or dropped by the client before it (reported with the exact count).
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        let status = monitor.status();
        assert!(status.buffered <= CAPACITY, "buffered {} > capacity {CAPACITY}", status.buffered);
        if status.events_total + client_drops(status.last_error.as_deref()) >= PUBLISHED || Instant::now() > deadline {
            break status;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let lost_in_client = client_drops(status.last_error.as_deref());
    assert_eq!(status.events_total + lost_in_client, PUBLISHED, "published = delivered + client drops: {status:?}");
    assert_eq!(status.buffered, CAPACITY);

    let events = monitor.read(usize::MAX, Duration::ZERO).await;
    let read: Vec<&Event> = events.iter().filter(|e| e.kind == EventKind::Message).collect();
    let status = monitor.status();
    assert_eq!(status.dropped, status.events_total - read.len() as u64, "dropped = delivered - read");
    if lost_in_client == 0 {
        // The ring keeps the freshest.
        assert_eq!(read.last().map(|e| text(e)), Some((PUBLISHED - 1).to_string()));
    }
    monitor.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_name_the_server_and_never_the_password() {
    // A refused port fails at once: no background retrying on the first connection.
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port");
    let refused = ConnectionTarget::parse(&format!("nats://127.0.0.1:{port}")).expect("url");
    let started = Instant::now();
    let what = WatchTarget::parse("subject:x").expect("target");
    let err = dbdock_engines::watch(refused.clone(), what.clone(), options(10)).await.err().expect("refused");
    assert_eq!(err.code, ErrorCode::ConnectionFailed, "{}", err.message);
    assert!(err.message.contains(&format!("127.0.0.1:{port}")), "{}", err.message);
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
    let err = dbdock_engines::publish(&refused, &what, b"x", &[], &Default::default()).await.expect_err("refused");
    assert_eq!(err.code, ErrorCode::ConnectionFailed);

    let server = PrivateNats::start_with_user("dock", "right-pass-123");
    let wrong = ConnectionTarget::parse(&format!("nats://dock@127.0.0.1:{}", server.port))
        .expect("url")
        .with_password(Some(Secret::new("wrong-pass-456")));
    let err = dbdock_engines::watch(wrong.clone(), what.clone(), options(10)).await.err().expect("wrong password");
    assert_eq!(err.code, ErrorCode::AuthFailed, "{}", err.message);
    assert!(!err.message.contains("wrong-pass-456"), "{}", err.message);
    assert!(err.message.contains(&format!("127.0.0.1:{}", server.port)), "{}", err.message);
    let err =
        dbdock_engines::request(&wrong, &what, b"x", &[], Duration::from_secs(1)).await.expect_err("wrong password");
    assert_eq!(err.code, ErrorCode::AuthFailed);
    let right = ConnectionTarget::parse(&server.url()).expect("url");
    let info = nats::server_info(&right).await.expect("server_info");
    assert!(info.auth_required && info.jetstream && !info.version.is_empty(), "{info:?}");
    assert_eq!(nats::server_info(&wrong).await.err().map(|e| e.code), Some(ErrorCode::AuthFailed));
    dbdock_engines::publish(&right, &what, b"x", &[], &Default::default()).await.expect("the right password works");
    let monitor = watch_on(&right, "subject:x.>", options(10)).await;
    monitor.stop().await;

    // A token: the password with no user (as the keyring keeps it), or the URL's user.
    let server = PrivateNats::start_with_token("tok-secret-789");
    let by_password = ConnectionTarget::parse(&server.url_without_password())
        .expect("url")
        .with_password(Some(Secret::new("tok-secret-789")));
    dbdock_engines::publish(&by_password, &what, b"x", &[], &Default::default()).await.expect("token as the password");
    let in_url = ConnectionTarget::parse(&server.url()).expect("url");
    dbdock_engines::publish(&in_url, &what, b"x", &[], &Default::default()).await.expect("token as the URL's user");
    let wrong = ConnectionTarget::parse(&format!("nats://tok-wrong-000@127.0.0.1:{}", server.port)).expect("url");
    let err = dbdock_engines::publish(&wrong, &what, b"x", &[], &Default::default()).await.expect_err("wrong token");
    assert_eq!(err.code, ErrorCode::AuthFailed, "{}", err.message);
    assert!(!err.message.contains("tok-wrong-000"), "{}", err.message);

    // Bad subjects are refused before anything is sent.
    for bad in ["a..b", "a b", "a.>.c", "a.b*"] {
        let what = WatchTarget::Subject { subject: bad.to_owned(), queue: None };
        let err = dbdock_engines::watch(target(), what, options(10)).await.err().expect(bad);
        assert_eq!(err.code, ErrorCode::InvalidInput, "{bad}: {}", err.message);
    }
}

/// async-nats drops messages itself when a subscription's channel is full (its slow
/// consumer); they never reach the monitor. Starve the monitor's runtime (one thread,
/// blocked) while another thread floods the subject: once the runtime runs again the
/// client takes everything from its socket faster than the forwarder can run, drops the
/// overflow, and the forwarder reports the exact count.
#[tokio::test(flavor = "current_thread")]
async fn drops_inside_the_client_are_reported_exactly() {
    const PUBLISHED: u64 = 150_000;
    let subject = unique("starved");
    let monitor = watch(&format!("subject:{subject}"), 1_000).await;
    let flood_subject = subject.clone();
    let publisher = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async {
            let client = raw(&nats_url()).await;
            for i in 0..PUBLISHED {
                client.publish(flood_subject.clone(), i.to_string().into()).await.expect("publish");
            }
            client.flush().await.expect("flush");
        });
    });
    // Blocks this test's only runtime thread: neither the client nor the forwarder runs.
    publisher.join().expect("publisher");
    std::thread::sleep(Duration::from_millis(300));

    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        let status = monitor.status();
        if status.events_total + client_drops(status.last_error.as_deref()) >= PUBLISHED || Instant::now() > deadline {
            break status;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let lost_in_client = client_drops(status.last_error.as_deref());
    assert!(lost_in_client > 0, "the starved client dropped nothing, so this proves nothing: {status:?}");
    assert_eq!(status.events_total + lost_in_client, PUBLISHED, "{status:?}");
    monitor.stop().await;
}
