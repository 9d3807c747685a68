//! The Redis monitors against real servers: the local Redis (`DBDOCK_TEST_REDIS_URL`) for
//! pub/sub, keyspace notifications and streams, private `redis-server`s for a server that
//! dies and comes back and for passwords. Channel and key names carry the process id and
//! the test's name, so these tests run in parallel with each other and with anything else.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use dbdock_core::{
    ConnectionState, ConnectionTarget, ErrorCode, Event, EventKind, ReconnectPolicy, Secret, WatchTarget,
};
use dbdock_engines::{Monitor, MonitorOptions};
use dbdock_testkit::{PrivateRedis, redis_url};

fn unique(test: &str) -> String {
    format!("dbdock-test-{}-{test}", std::process::id())
}

fn target(url: &str) -> ConnectionTarget {
    ConnectionTarget::parse(url).unwrap()
}

/// A plain driver connection, to play the other clients of the server.
async fn raw(url: &str) -> redis::aio::MultiplexedConnection {
    let config = redis::AsyncConnectionConfig::new().set_response_timeout(None);
    redis::Client::open(url)
        .unwrap()
        .get_multiplexed_async_connection_with_config(&config)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to Redis at {url}: {e}"))
}

async fn run<T: redis::FromRedisValue>(con: &mut redis::aio::MultiplexedConnection, args: &[&str]) -> T {
    let mut command = redis::cmd(args[0]);
    for arg in &args[1..] {
        command.arg(*arg);
    }
    command.query_async(con).await.unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

/// The seeds' schedule, shortened so that the tests take seconds.
fn fast_policy() -> ReconnectPolicy {
    ReconnectPolicy {
        base: Duration::from_millis(100),
        factor: 1.5,
        cap: Duration::from_secs(1),
        jitter: 0.3,
        max_attempts: 20,
        health_interval: Duration::from_secs(1),
    }
}

async fn watch(url: &str, what: &str, capacity: usize) -> Monitor {
    let options = MonitorOptions { capacity, reconnect: fast_policy(), ..MonitorOptions::default() };
    dbdock_engines::watch(target(url), WatchTarget::parse(what).unwrap(), options)
        .await
        .unwrap_or_else(|e| panic!("watch {what} on Redis at {url}: {} {}", e.code, e.message))
}

fn messages(events: &[Event]) -> Vec<&Event> {
    events.iter().filter(|e| e.kind == EventKind::Message).collect()
}

fn text(event: &Event) -> String {
    String::from_utf8_lossy(&event.payload).into_owned()
}

/// Reads events until `done` says the events so far are enough; fails after `within`.
async fn read_until(monitor: &Monitor, within: Duration, done: impl Fn(&[Event]) -> bool) -> Vec<Event> {
    let deadline = Instant::now() + within;
    let mut events = Vec::new();
    while !done(&events) {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "not done within {within:?}; got {} events, last: {:?}", events.len(), events.last());
        events.extend(monitor.read(100_000, left.min(Duration::from_millis(200))).await);
    }
    events
}

async fn read_messages(monitor: &Monitor, count: usize, within: Duration) -> Vec<Event> {
    read_until(monitor, within, |events| messages(events).len() >= count).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_channel_messages_arrive_in_order_without_drops() {
    let url = redis_url();
    let channel = unique("ten-thousand");
    let monitor = watch(&url, &format!("channel:{channel}"), 20_000).await;
    let first = monitor.read(1, Duration::from_secs(5)).await;
    assert_eq!(first[0].state, Some(ConnectionState::Connected), "{first:?}");
    assert!(text(&first[0]).contains(&format!("SUBSCRIBE {channel}")), "{}", text(&first[0]));

    let mut publisher = raw(&url).await;
    let mut pipe = redis::pipe();
    for i in 0..10_000 {
        pipe.cmd("PUBLISH").arg(&channel).arg(i.to_string()).ignore();
    }
    pipe.query_async::<()>(&mut publisher).await.unwrap();

    let events = read_messages(&monitor, 10_000, Duration::from_secs(30)).await;
    let received = messages(&events);
    assert_eq!(received.len(), 10_000);
    for (i, event) in received.iter().enumerate() {
        assert_eq!(text(event), i.to_string());
        assert_eq!(event.channel, channel);
        assert_eq!(event.sequence, received[0].sequence + i as u64, "sequence gap at {i}");
    }
    let status = monitor.status();
    assert_eq!((status.dropped, status.events_total), (0, 10_000));

    // Stopping unsubscribes: the server has no subscriber left on the channel.
    let started = Instant::now();
    monitor.stop().await;
    assert!(started.elapsed() < Duration::from_secs(3), "stop took {:?}", started.elapsed());
    let counts: Vec<redis::Value> = run(&mut publisher, &["PUBSUB", "NUMSUB", &channel]).await;
    assert_eq!(counts.get(1), Some(&redis::Value::Int(0)), "{counts:?}");
}

#[tokio::test]
async fn patterns_match_exactly_what_the_glob_says() {
    let url = redis_url();
    let p = unique("patterns");
    let cases = [
        (
            format!("{p}.orders.*"),
            vec![format!("{p}.orders.eu"), format!("{p}.orders.us")],
            vec![format!("{p}.order.x"), format!("{p}.ordersX"), format!("x{p}.orders.eu")],
        ),
        (
            format!("{p}.h?llo"),
            vec![format!("{p}.hello"), format!("{p}.hallo")],
            vec![format!("{p}.hllo"), format!("{p}.heello")],
        ),
        (
            format!("{p}.[abc]x"),
            vec![format!("{p}.ax"), format!("{p}.cx")],
            vec![format!("{p}.dx"), format!("{p}.abx")],
        ),
    ];
    let mut publisher = raw(&url).await;
    for (glob, matching, other) in cases {
        let monitor = watch(&url, &format!("pattern:{glob}"), 1_000).await;
        for channel in other.iter().chain(&matching) {
            let _: i64 = run(&mut publisher, &["PUBLISH", channel, "m"]).await;
        }
        // The last matching channel again marks the end: everything published before it is in.
        let end = matching.last().unwrap().clone();
        let _: i64 = run(&mut publisher, &["PUBLISH", &end, "end"]).await;
        let events =
            read_until(&monitor, Duration::from_secs(10), |e| messages(e).iter().any(|m| text(m) == "end")).await;
        let got: BTreeSet<String> = messages(&events).iter().map(|m| m.channel.clone()).collect();
        assert_eq!(got, matching.iter().cloned().collect::<BTreeSet<_>>(), "pattern {glob}");
        monitor.stop().await;
    }
}

/// Puts `notify-keyspace-events` back as it was, even when the test fails.
struct RestoreKeyspaceSetting {
    url: String,
    previous: String,
}

impl Drop for RestoreKeyspaceSetting {
    fn drop(&mut self) {
        let client = redis::Client::open(self.url.as_str()).unwrap();
        let mut con = client.get_connection().unwrap();
        redis::cmd("CONFIG")
            .arg("SET")
            .arg("notify-keyspace-events")
            .arg(&self.previous)
            .query::<()>(&mut con)
            .unwrap();
    }
}

#[tokio::test]
async fn keyspace_is_refused_until_enabled_then_reports_key_and_operation() {
    let url = redis_url();
    let mut admin = raw(&url).await;
    let setting: Vec<String> = run(&mut admin, &["CONFIG", "GET", "notify-keyspace-events"]).await;
    let _restore = RestoreKeyspaceSetting { url: url.clone(), previous: setting[1].clone() };
    let () = run(&mut admin, &["CONFIG", "SET", "notify-keyspace-events", ""]).await;

    let prefix = unique("keyspace");
    let what = WatchTarget::Keyspace(format!("{prefix}:*"));
    let refused = dbdock_engines::watch(target(&url), what.clone(), MonitorOptions::default()).await.err().unwrap();
    assert_eq!(refused.code, ErrorCode::InvalidInput);
    assert!(refused.message.contains("CONFIG SET notify-keyspace-events KEA"), "{}", refused.message);
    assert!(refused.message.contains("--enable-keyspace-events"), "{}", refused.message);
    let unchanged: Vec<String> = run(&mut admin, &["CONFIG", "GET", "notify-keyspace-events"]).await;
    assert_eq!(unchanged[1], "", "refusing must not change the server");

    let previous = dbdock_redis_enable(&url).await;
    assert_eq!(previous, "");
    let monitor = watch(&url, &what.to_string(), 1_000).await;
    let start = read_until(&monitor, Duration::from_secs(5), |e| e.len() >= 2).await;
    assert_eq!(start[0].state, Some(ConnectionState::Connected));
    let warning = start.iter().find(|e| e.severity == dbdock_core::Severity::Warning).unwrap();
    assert!(text(warning).contains("was ''"), "{}", text(warning));

    let key = format!("{prefix}:a");
    let () = run(&mut admin, &["SET", &key, "1"]).await;
    let _: i64 = run(&mut admin, &["EXPIRE", &key, "100"]).await;
    let _: i64 = run(&mut admin, &["DEL", &key]).await;
    let () = run(&mut admin, &["SET", &format!("other-{prefix}:a"), "1"]).await;
    let _: i64 = run(&mut admin, &["DEL", &format!("other-{prefix}:a")]).await;
    let end = format!("{prefix}:end");
    let () = run(&mut admin, &["SET", &end, "1"]).await;
    let _: i64 = run(&mut admin, &["DEL", &end]).await;
    let events = read_until(&monitor, Duration::from_secs(10), |e| {
        messages(e).iter().any(|m| text(m) == "del" && m.channel == end)
    })
    .await;
    let got: Vec<(String, String)> = messages(&events).iter().map(|m| (m.channel.clone(), text(m))).collect();
    let want: Vec<(String, String)> = [(&key, "set"), (&key, "expire"), (&key, "del"), (&end, "set"), (&end, "del")]
        .into_iter()
        .map(|(k, op)| (k.clone(), op.to_owned()))
        .collect();
    assert_eq!(got, want);
    monitor.stop().await;
}

async fn dbdock_redis_enable(url: &str) -> String {
    dbdock_engines::redis::enable_keyspace_events(&target(url)).await.unwrap()
}

#[tokio::test]
async fn keyspace_says_so_when_config_is_not_permitted() {
    let server = PrivateRedis::start();
    let mut admin = raw(&server.url()).await;
    let () = run(&mut admin, &["ACL", "SETUSER", "watcher", "on", ">watcher-pw", "~*", "&*", "+@all", "-config"]).await;
    let watcher = format!("redis://watcher:watcher-pw@127.0.0.1:{}", server.port);

    let denied = dbdock_engines::redis::enable_keyspace_events(&target(&watcher)).await.err().unwrap();
    assert_eq!(denied.code, ErrorCode::PermissionDenied, "{}", denied.message);
    assert!(denied.message.contains("may not run CONFIG"), "{}", denied.message);

    // Watching still works, with a warning that the setting could not be checked.
    let monitor = watch(&watcher, "keyspace:*", 100).await;
    let start = read_until(&monitor, Duration::from_secs(5), |e| e.len() >= 2).await;
    assert!(start.iter().any(|e| text(e).contains("cannot check notify-keyspace-events")), "{start:?}");
    monitor.stop().await;
}

#[tokio::test]
async fn a_stream_tail_delivers_new_entries_in_order_with_their_fields() {
    let url = redis_url();
    let key = unique("stream-tail");
    let mut con = raw(&url).await;
    let _: String = run(&mut con, &["XADD", &key, "*", "payload", "before the monitor"]).await;
    let monitor = watch(&url, &format!("stream:{key}"), 1_000).await;

    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(
            run::<String>(&mut con, &["XADD", &key, "*", "payload", &format!("entry {i}"), "k", &i.to_string()]).await,
        );
    }
    ids.push(run::<String>(&mut con, &["XADD", &key, "*", "b", "2", "a", "1"]).await);
    let published = dbdock_engines::publish(
        &target(&url),
        &WatchTarget::Stream(key.clone()),
        b"from dbdock",
        &[("trace".to_owned(), "t-1".to_owned())],
        &Default::default(),
    )
    .await
    .unwrap();
    assert_eq!((published.receivers, published.sequence), (None, None));

    let events = read_messages(&monitor, 5, Duration::from_secs(10)).await;
    let got = messages(&events);
    assert_eq!(got.len(), 5, "{got:?}");
    for (i, event) in got[..3].iter().enumerate() {
        assert_eq!(event.channel, key);
        assert_eq!(text(event), format!("entry {i}"));
        assert_eq!(event.headers, vec![("k".to_owned(), i.to_string())]);
        let millis: i64 = ids[i].split('-').next().unwrap().parse().unwrap();
        let expected = chrono::DateTime::from_timestamp_millis(millis).unwrap();
        assert_eq!(
            event.server_ts.as_deref(),
            Some(expected.to_rfc3339_opts(chrono::SecondsFormat::Millis, true).as_str())
        );
    }
    assert_eq!(text(got[3]), r#"{"b":"2","a":"1"}"#);
    assert_eq!(got[3].json, Some(serde_json::json!({"b": "2", "a": "1"})));
    assert_eq!(text(got[4]), "from dbdock");
    assert_eq!(got[4].headers, vec![("trace".to_owned(), "t-1".to_owned())]);
    monitor.stop().await;
    let _: i64 = run(&mut con, &["DEL", &key]).await;
}

#[tokio::test]
async fn stream_lag_reports_undelivered_and_unacknowledged_entries_per_group() {
    let url = redis_url();
    let key = unique("stream-lag");
    let mut con = raw(&url).await;
    for i in 0..10 {
        let _: String = run(&mut con, &["XADD", &key, "*", "payload", &i.to_string()]).await;
    }
    let () = run(&mut con, &["XGROUP", "CREATE", &key, "billing", "0"]).await;
    let () = run(&mut con, &["XGROUP", "CREATE", &key, "idle", "$"]).await;
    let read: redis::streams::StreamReadReply =
        run(&mut con, &["XREADGROUP", "GROUP", "billing", "c1", "COUNT", "4", "STREAMS", &key, ">"]).await;
    assert_eq!(read.keys[0].ids.len(), 4);
    let first_id = read.keys[0].ids[0].id.clone();
    let _: i64 = run(&mut con, &["XACK", &key, "billing", &first_id]).await;

    let t = target(&url);
    let billing = dbdock_engines::stream_lag(&t, &key, Some("billing")).await.unwrap();
    assert_eq!(billing.len(), 1);
    assert_eq!((billing[0].consumer.as_str(), billing[0].pending, billing[0].ack_pending), ("billing", Some(6), 3));
    assert!(billing[0].last_delivered.is_some());
    let all = dbdock_engines::stream_lag(&t, &key, None).await.unwrap();
    assert_eq!(
        all.iter().map(|g| (g.consumer.as_str(), g.pending)).collect::<Vec<_>>(),
        [("billing", Some(6)), ("idle", Some(0))]
    );

    let unknown = dbdock_engines::stream_lag(&t, &key, Some("nobody")).await.err().unwrap();
    assert_eq!(unknown.code, ErrorCode::NotFound);
    assert!(unknown.message.contains("billing, idle"), "{}", unknown.message);
    let missing = dbdock_engines::stream_lag(&t, &unique("no-such-stream"), None).await.err().unwrap();
    assert_eq!(missing.code, ErrorCode::NotFound, "{}", missing.message);
    let _: i64 = run(&mut con, &["DEL", &key]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_monitor_reconnects_and_resubscribes_when_the_server_comes_back() {
    let server = PrivateRedis::start();
    let url = server.url();
    let monitor = watch(&url, "channel:events", 100_000).await;

    // A publisher that keeps going until the server dies under it.
    let mut publisher = raw(&url).await;
    let flow = tokio::spawn(async move {
        let mut sent = 0_u64;
        while redis::cmd("PUBLISH")
            .arg("events")
            .arg(format!("before {sent}"))
            .query_async::<i64>(&mut publisher)
            .await
            .is_ok()
        {
            sent += 1;
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        sent
    });
    let mut seen = read_messages(&monitor, 50, Duration::from_secs(10)).await;
    server.kill();
    let sent_before = tokio::time::timeout(Duration::from_secs(10), flow).await.unwrap().unwrap();
    assert!(sent_before >= 50);

    seen.extend(
        read_until(&monitor, Duration::from_secs(10), |e| {
            e.iter().any(|e| e.state == Some(ConnectionState::Reconnecting))
        })
        .await,
    );
    let reconnecting = seen.iter().find(|e| e.state == Some(ConnectionState::Reconnecting)).unwrap();
    assert!(text(reconnecting).contains("connection lost"), "{}", text(reconnecting));
    // Every message that reached the monitor before the crash was delivered, in order.
    let before = messages(&seen);
    assert!(before.len() >= 50);
    assert!(before.iter().enumerate().all(|(i, m)| text(m) == format!("before {i}")));

    tokio::time::sleep(Duration::from_millis(300)).await;
    server.start_again();
    let back = read_until(&monitor, Duration::from_secs(15), |e| {
        e.iter().any(|e| e.state == Some(ConnectionState::Connected))
    })
    .await;
    let connected = back.iter().find(|e| e.state == Some(ConnectionState::Connected)).unwrap();
    assert!(text(connected).contains("resubscribed to SUBSCRIBE events after"), "{}", text(connected));
    assert_eq!(monitor.status().state, ConnectionState::Connected);

    let mut publisher = raw(&url).await;
    for i in 0..10 {
        let receivers: i64 = run(&mut publisher, &["PUBLISH", "events", &format!("after {i}")]).await;
        assert_eq!(receivers, 1, "the monitor is subscribed again");
    }
    let after = read_messages(&monitor, 10, Duration::from_secs(10)).await;
    let after: Vec<String> = messages(&after).iter().map(|m| text(m)).collect();
    assert_eq!(after, (0..10).map(|i| format!("after {i}")).collect::<Vec<_>>());
    monitor.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_keeps_the_buffer_bounded_and_counts_exactly_what_was_dropped() {
    const PUBLISHED: u64 = 50_000;
    const CAPACITY: usize = 1_000;
    let url = redis_url();
    let channel = unique("flood");
    let monitor = watch(&url, &format!("channel:{channel}"), CAPACITY).await;
    let mut publisher = raw(&url).await;
    let mut pipe = redis::pipe();
    for i in 0..PUBLISHED {
        pipe.cmd("PUBLISH").arg(&channel).arg(i.to_string());
    }
    let receivers: Vec<i64> = pipe.query_async(&mut publisher).await.unwrap();
    assert!(receivers.iter().all(|r| *r == 1), "every message went to the monitor's subscription");

    // Nobody reads: wait until the monitor has taken in every message, checking the bound.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = monitor.status();
        assert!(status.buffered <= CAPACITY, "{status:?}");
        if status.events_total == PUBLISHED {
            break;
        }
        assert!(Instant::now() < deadline, "the monitor took in only {} of {PUBLISHED}", status.events_total);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let status = monitor.status();
    assert_eq!(status.buffered, CAPACITY);

    let drained = monitor.read(usize::MAX, Duration::ZERO).await;
    let received = messages(&drained);
    assert_eq!(monitor.status().dropped, PUBLISHED - received.len() as u64);
    assert_eq!(received.len(), CAPACITY);
    // What is left is the freshest, in order.
    for (i, event) in received.iter().enumerate() {
        assert_eq!(text(event), (PUBLISHED as usize - CAPACITY + i).to_string());
    }
    monitor.stop().await;
}

#[tokio::test]
async fn a_refused_port_fails_fast_and_a_wrong_password_is_auth_failed_without_the_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let started = Instant::now();
    let refused = dbdock_engines::watch(
        target(&format!("redis://127.0.0.1:{port}")),
        WatchTarget::Channel("x".into()),
        MonitorOptions::default(),
    )
    .await
    .err()
    .unwrap();
    assert_eq!(refused.code, ErrorCode::ConnectionFailed, "{}", refused.message);
    assert!(refused.message.contains(&format!("127.0.0.1:{port}")), "{}", refused.message);
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());

    let server = PrivateRedis::start_with_password("the-right-one");
    let wrong = target(&server.url_without_password()).with_password(Some(Secret::new("wr0ng-s3cret-pw")));
    for what in [WatchTarget::Channel("x".into()), WatchTarget::Stream("s".into())] {
        let denied = dbdock_engines::watch(wrong.clone(), what, MonitorOptions::default()).await.err().unwrap();
        assert_eq!(denied.code, ErrorCode::AuthFailed, "{}", denied.message);
        assert!(!denied.message.contains("wr0ng-s3cret-pw"), "{}", denied.message);
        assert!(denied.message.contains(&format!("127.0.0.1:{}", server.port)), "{}", denied.message);
    }
    let lag = dbdock_engines::stream_lag(&wrong, "s", None).await.err().unwrap();
    assert_eq!(lag.code, ErrorCode::AuthFailed, "{}", lag.message);

    // With the right password, all is well; publishing to a pattern is refused.
    let right = target(&server.url());
    let published = dbdock_engines::publish(&right, &WatchTarget::Channel("x".into()), b"hi", &[], &Default::default())
        .await
        .unwrap();
    assert_eq!(published.receivers, Some(0));
    let pattern = dbdock_engines::publish(&right, &WatchTarget::Pattern("x.*".into()), b"hi", &[], &Default::default())
        .await
        .err()
        .unwrap();
    assert_eq!(pattern.code, ErrorCode::InvalidInput);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_tail_resumes_after_the_server_comes_back() {
    let server = PrivateRedis::start();
    let url = server.url();
    let monitor = watch(&url, "stream:jobs", 1_000).await;
    let mut con = raw(&url).await;
    let _: String = run(&mut con, &["XADD", "jobs", "*", "payload", "one"]).await;
    let mut seen = read_messages(&monitor, 1, Duration::from_secs(10)).await;

    server.kill();
    seen.extend(
        read_until(&monitor, Duration::from_secs(10), |e| {
            e.iter().any(|e| e.state == Some(ConnectionState::Reconnecting))
        })
        .await,
    );
    server.start_again();
    seen.extend(
        read_until(&monitor, Duration::from_secs(15), |e| {
            e.iter().any(|e| e.state == Some(ConnectionState::Connected))
        })
        .await,
    );
    let connected = seen.iter().rev().find(|e| e.state == Some(ConnectionState::Connected)).unwrap();
    assert!(text(connected).contains("tailing stream:jobs again after entry"), "{}", text(connected));

    // The restarted server kept nothing (no persistence); what is added now still arrives.
    let mut con = raw(&url).await;
    let _: String = run(&mut con, &["XADD", "jobs", "*", "payload", "two"]).await;
    seen.extend(read_messages(&monitor, 1, Duration::from_secs(10)).await);
    let got: Vec<String> = messages(&seen).iter().map(|m| text(m)).collect();
    assert_eq!(got, ["one", "two"]);
    monitor.stop().await;
}
