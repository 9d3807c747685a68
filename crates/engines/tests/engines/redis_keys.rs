//! The Redis key browser against real servers: a private `redis-server` holding a million
//! keys for the tree's first screen (which must not scan them all), and the local Redis for
//! every value type read a page at a time. Key names carry the process id and the test's
//! name, so these tests run beside each other and anything else.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use dbdock_core::{ConnectionTarget, Database, ErrorCode, KeyBrowser, KeyScan, PrefixQuery, ValueRequest};
use dbdock_engines::OpenOptions;
use dbdock_testkit::{PrivateRedis, redis_url};

/// The logical database these tests write in on the shared Redis.
const DB: u32 = 12;

fn unique(test: &str) -> String {
    format!("dbdock-keys-{}-{test}:", std::process::id())
}

async fn open(url: &str) -> Box<dyn Database> {
    dbdock_engines::open(ConnectionTarget::parse(url).unwrap(), OpenOptions::default())
        .await
        .unwrap_or_else(|e| panic!("cannot open Redis at {url}: {} {}", e.code, e.message))
}

async fn raw(url: &str, db: u32) -> redis::aio::MultiplexedConnection {
    let config = redis::AsyncConnectionConfig::new().set_response_timeout(None);
    let mut con = redis::Client::open(url)
        .unwrap()
        .get_multiplexed_async_connection_with_config(&config)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to Redis at {url}: {e}"));
    redis::cmd("SELECT").arg(db).query_async::<()>(&mut con).await.unwrap();
    con
}

/// Loads `count` string keys named by `name` in pipelined `MSET`s of ten thousand.
async fn load(con: &mut redis::aio::MultiplexedConnection, count: usize, name: impl Fn(usize) -> String) {
    for start in (0..count).step_by(10_000) {
        let mut mset = redis::cmd("MSET");
        for i in start..(start + 10_000).min(count) {
            mset.arg(name(i)).arg("v");
        }
        mset.query_async::<()>(con).await.unwrap();
    }
}

fn keys(db: &dyn Database) -> &dyn KeyBrowser {
    db.keys().expect("Redis browses keys")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_million_keys_show_their_first_level_from_a_bounded_scan_with_estimates() {
    let server = PrivateRedis::start();
    let mut con = raw(&server.url(), 0).await;
    // 500,000 users, 300,000 sessions, 199,990 cached pages and 10 keys of their own.
    load(&mut con, 1_000_000, |i| match i {
        0..500_000 => format!("user:{i}"),
        500_000..800_000 => format!("session:{i}"),
        800_000..999_990 => format!("cache:page:{i}"),
        _ => format!("single-{i}"),
    })
    .await;
    let db = open(&server.url()).await;
    let browser = keys(&*db);
    let top = browser.key_prefixes(&PrefixQuery::default()).await.unwrap();
    assert_eq!(top.total_keys, 1_000_000);
    assert!(!top.complete, "the first screen must not scan a million keys");
    assert!(top.seen < 40_000, "a level stops near its budget of 20,000 keys, saw {}", top.seen);
    assert!(top.covered > 0.0 && top.covered < 0.05, "covered {}", top.covered);
    let estimate = |name: &str| {
        let node = top.children.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("{name} in {top:?}"));
        assert!(!node.is_key);
        assert_eq!(node.types, vec!["string".to_owned()]);
        node.keys as f64 / top.covered
    };
    for (prefix, real) in [("user:", 500_000.0), ("session:", 300_000.0), ("cache:", 199_990.0)] {
        let off = (estimate(prefix) - real).abs() / real;
        assert!(off < 0.25, "{prefix} estimated {} for {real}", estimate(prefix));
    }
    // The fullest prefix first.
    assert_eq!(top.children[0].name, "user:");

    // Scanning on adds to what the first scan saw, and the cursor eventually ends.
    let next =
        browser.key_prefixes(&PrefixQuery { cursor: top.cursor.clone(), ..PrefixQuery::default() }).await.unwrap();
    assert!(next.covered > top.covered, "{} after {}", next.covered, top.covered);

    // A level under a prefix counts exactly once its scan has gone through (in as many
    // answers as the time bound makes it).
    let cache = whole_level(browser, "cache:").await;
    assert_eq!(cache.children.len(), 1);
    assert_eq!((cache.children[0].name.as_str(), cache.children[0].keys), ("cache:page:", 199_990));
    let pages = browser
        .key_prefixes(&PrefixQuery { prefix: "cache:page:".into(), budget: Some(5_000_000), ..PrefixQuery::default() })
        .await
        .unwrap();
    assert_eq!(pages.children.len(), dbdock_core::MAX_CHILDREN_SHOWN);
    assert!(pages.hidden > 0);
    if pages.complete {
        assert_eq!(pages.hidden, 199_990 - dbdock_core::MAX_CHILDREN_SHOWN as u64);
    }
    assert!(pages.children.iter().all(|c| c.is_key && c.types == ["string"]));
}

/// A level scanned to its end, its answers' counts added up as the app does.
async fn whole_level(browser: &dyn KeyBrowser, prefix: &str) -> dbdock_core::PrefixLevel {
    let query = PrefixQuery { prefix: prefix.into(), budget: Some(5_000_000), ..PrefixQuery::default() };
    let mut level = browser.key_prefixes(&query).await.unwrap();
    while !level.complete {
        let next = browser.key_prefixes(&PrefixQuery { cursor: level.cursor.clone(), ..query.clone() }).await.unwrap();
        for child in next.children {
            match level.children.iter_mut().find(|c| c.name == child.name) {
                Some(known) => known.keys += child.keys,
                None => level.children.push(child),
            }
        }
        (level.complete, level.cursor, level.seen) = (next.complete, next.cursor, level.seen + next.seen);
    }
    level
}

#[tokio::test]
async fn every_value_type_is_read_a_page_at_a_time() {
    let url = format!("{}/{DB}", redis_url().trim_end_matches('/'));
    let p = unique("values");
    let mut con = raw(&redis_url(), DB).await;
    let big = "x".repeat(100_000);
    let mut pipe = redis::pipe();
    pipe.cmd("SET").arg(format!("{p}big")).arg(&big).ignore();
    pipe.cmd("SET").arg(format!("{p}json")).arg(r#"{"a":[1,2]}"#).arg("PX").arg(600_000).ignore();
    pipe.cmd("SET").arg(format!("{p}binary")).arg(&[0xff_u8, 0x00, 0x10][..]).ignore();
    for i in 0..250 {
        pipe.cmd("HSET").arg(format!("{p}hash")).arg(format!("f{i}")).arg(i).ignore();
        pipe.cmd("RPUSH").arg(format!("{p}list")).arg(format!("e{i}")).ignore();
        pipe.cmd("ZADD").arg(format!("{p}zset")).arg(i).arg(format!("m{i}")).ignore();
        pipe.cmd("XADD").arg(format!("{p}stream")).arg(format!("1-{}", i + 1)).arg("n").arg(i).ignore();
    }
    for i in 0..150 {
        pipe.cmd("SADD").arg(format!("{p}set")).arg(format!("s{i}")).ignore();
    }
    pipe.query_async::<()>(&mut con).await.unwrap();
    let db = open(&url).await;
    let browser = keys(&*db);
    let page = |key: &str, cursor: Option<String>| ValueRequest {
        db: DB,
        key: format!("{p}{key}"),
        cursor,
        count: Some(100),
        ..ValueRequest::default()
    };

    // A string in 64 KiB pages; JSON said to be JSON; bytes that are not UTF-8 in hex.
    let first = browser.key_value(&page("big", None)).await.unwrap();
    assert_eq!((first.key_type.as_str(), first.total), ("string", Some(100_000)));
    assert_eq!(first.entries[0].value.text.len(), 16 * 1024, "one entry shows at most 16 KiB");
    assert_eq!(first.next.as_deref(), Some("65536"));
    let rest = browser.key_value(&page("big", first.next.clone())).await.unwrap();
    assert_eq!(rest.next, None);
    assert!(browser.key_value(&page("json", None)).await.unwrap().entries[0].value.json);
    let binary = browser.key_value(&page("binary", None)).await.unwrap();
    assert_eq!((binary.entries[0].value.text.as_str(), binary.entries[0].value.hex), ("ff0010", true));

    // A hash and a set by cursor: every field once, whatever the pages.
    for (key, total) in [("hash", 250), ("set", 150)] {
        let (mut seen, mut cursor) = (BTreeSet::new(), None);
        loop {
            let p = browser.key_value(&page(key, cursor)).await.unwrap();
            assert_eq!(p.total, Some(total));
            for e in &p.entries {
                seen.insert(e.field.clone().unwrap_or_else(|| e.value.text.clone()));
            }
            cursor = p.next;
            if cursor.is_none() {
                break;
            }
        }
        assert_eq!(seen.len(), total as usize, "{key}");
    }
    let matching = browser
        .key_value(&ValueRequest { pattern: Some("f1?".into()), count: Some(1000), ..page("hash", None) })
        .await
        .unwrap();
    assert_eq!(matching.entries.len(), 10);

    // A list by index, forwards and from the end.
    let l1 = browser.key_value(&page("list", None)).await.unwrap();
    let l3 = browser.key_value(&page("list", Some("200".into()))).await.unwrap();
    assert_eq!((l1.entries.len(), l1.next.as_deref()), (100, Some("100")));
    assert_eq!((l3.entries.len(), l3.next.as_deref(), l3.entries[0].index), (50, None, Some(200)));
    let back = browser.key_value(&ValueRequest { reverse: true, ..page("list", None) }).await.unwrap();
    assert_eq!((back.entries[0].index, back.entries[0].value.text.as_str()), (Some(249), "e249"));

    // A sorted set by rank with scores, from the end, and by score.
    let z = browser.key_value(&page("zset", Some("100".into()))).await.unwrap();
    assert_eq!((z.entries[0].value.text.as_str(), z.entries[0].score), ("m100", Some(100.0)));
    let top = browser.key_value(&ValueRequest { reverse: true, ..page("zset", None) }).await.unwrap();
    assert_eq!(top.entries[0].value.text, "m249");
    let scored = browser
        .key_value(&ValueRequest { score_range: Some(("(10".into(), "20".into())), ..page("zset", None) })
        .await
        .unwrap();
    assert_eq!(
        scored.entries.iter().map(|e| e.score.unwrap() as i64).collect::<Vec<_>>(),
        (11..=20).collect::<Vec<_>>()
    );

    // A stream by id: the next page starts after the last id shown.
    let s1 = browser.key_value(&page("stream", None)).await.unwrap();
    assert_eq!(s1.next.as_deref(), Some("1-100"));
    let s2 = browser.key_value(&page("stream", s1.next.clone())).await.unwrap();
    assert_eq!(s2.entries[0].field.as_deref(), Some("1-101"));
    assert_eq!(s2.entries[0].value.text, r#"{"n":"100"}"#);
    let newest = browser.key_value(&ValueRequest { reverse: true, ..page("stream", None) }).await.unwrap();
    assert_eq!(newest.entries[0].field.as_deref(), Some("1-250"));

    // The stream's groups: one consumer read 10 entries and acknowledged 4.
    let stream = format!("{p}stream");
    redis::cmd("XGROUP").arg("CREATE").arg(&stream).arg("billing").arg("0").query_async::<()>(&mut con).await.unwrap();
    redis::cmd("XGROUP").arg("CREATE").arg(&stream).arg("audit").arg("$").query_async::<()>(&mut con).await.unwrap();
    let read: redis::Value = redis::cmd("XREADGROUP")
        .arg("GROUP")
        .arg("billing")
        .arg("worker-1")
        .arg("COUNT")
        .arg(10)
        .arg("STREAMS")
        .arg(&stream)
        .arg(">")
        .query_async(&mut con)
        .await
        .unwrap();
    assert_ne!(read, redis::Value::Nil);
    redis::cmd("XACK")
        .arg(&stream)
        .arg("billing")
        .arg("1-1")
        .arg("1-2")
        .arg("1-3")
        .arg("1-4")
        .query_async::<()>(&mut con)
        .await
        .unwrap();
    let groups = browser.stream_groups(DB, &stream).await.unwrap();
    let billing = groups.iter().find(|g| g.name == "billing").unwrap();
    assert_eq!((billing.pending, billing.lag, billing.last_delivered_id.as_str()), (6, Some(240), "1-10"));
    assert_eq!(billing.consumers.len(), 1);
    assert_eq!((billing.consumers[0].name.as_str(), billing.consumers[0].pending), ("worker-1", 6));
    let audit = groups.iter().find(|g| g.name == "audit").unwrap();
    assert_eq!((audit.pending, audit.lag, audit.consumers.len()), (0, Some(0), 0));
    let not_a_stream = browser.stream_groups(DB, &format!("{p}hash")).await.unwrap_err();
    assert_eq!(not_a_stream.code, ErrorCode::InvalidInput);

    // Facts: type, TTL, memory, encoding, length.
    let info = browser.key_info(DB, &format!("{p}json")).await.unwrap();
    assert_eq!((info.key_type.as_str(), info.length), ("string", Some(11)));
    assert!(info.ttl_ms.is_some_and(|t| t > 0 && t <= 600_000));
    assert!(info.memory_bytes.is_some_and(|m| m > 0));
    assert!(info.encoding.is_some());
    assert_eq!(browser.key_info(DB, &format!("{p}hash")).await.unwrap().ttl_ms, None);
    let gone = browser.key_info(DB, &format!("{p}nothing")).await.unwrap_err();
    assert_eq!(gone.code, ErrorCode::NotFound);
    let bad = browser.key_value(&page("list", Some("x".into()))).await.unwrap_err();
    assert_eq!(bad.code, ErrorCode::InvalidInput);
}

#[tokio::test]
async fn levels_nest_by_delimiter_escape_glob_characters_and_reach_other_databases() {
    let p = unique("tree");
    let mut con = raw(&redis_url(), DB).await;
    let names = ["a:b:1", "a:b:2", "a:c", "w[1]:x", "w[1]:y", "w1:z", "plain"];
    let mut pipe = redis::pipe();
    for name in names {
        pipe.cmd("SET").arg(format!("{p}{name}")).arg("v").ignore();
    }
    pipe.cmd("HSET").arg(format!("{p}a:h")).arg("f").arg("v").ignore();
    pipe.query_async::<()>(&mut con).await.unwrap();
    // The profile selects database 0; the browser reads DB without moving it.
    let db = open(&redis_url()).await;
    let browser = keys(&*db);
    let level = |prefix: String| PrefixQuery { db: DB, prefix, budget: Some(5_000_000), ..PrefixQuery::default() };
    let top = browser.key_prefixes(&level(p.clone())).await.unwrap();
    assert!(top.complete);
    let shown: Vec<(&str, bool, u64)> = top.children.iter().map(|c| (c.label.as_str(), c.is_key, c.keys)).collect();
    assert_eq!(shown, vec![("a:", false, 4), ("w[1]:", false, 2), ("w1:", false, 1), ("plain", true, 1)]);
    let a = browser.key_prefixes(&level(format!("{p}a:"))).await.unwrap();
    let a_shown: Vec<(&str, bool)> = a.children.iter().map(|c| (c.label.as_str(), c.is_key)).collect();
    assert_eq!(a_shown, vec![("b:", false), ("c", true), ("h", true)]);
    assert_eq!(a.children.iter().find(|c| c.label == "h").unwrap().types, vec!["hash".to_owned()]);
    // `[1]` is a character class to SCAN: the prefix is escaped, so w1:z is not under w[1]:.
    let w = browser.key_prefixes(&level(format!("{p}w[1]:"))).await.unwrap();
    assert_eq!(w.children.iter().map(|c| c.label.as_str()).collect::<Vec<_>>(), vec!["x", "y"]);
    let typed =
        browser.key_prefixes(&PrefixQuery { key_type: Some("hash".into()), ..level(format!("{p}a:")) }).await.unwrap();
    assert_eq!(typed.children.iter().map(|c| c.label.as_str()).collect::<Vec<_>>(), vec!["h"]);

    let dbs = browser.databases().await.unwrap();
    assert!(dbs.iter().any(|d| d.index == DB && d.keys >= 8));
    assert!((0..16).all(|i| dbs.iter().any(|d| d.index == i)));
    assert_eq!(browser.default_db(), 0);
    // The profile's own database is untouched: commands still run there.
    let result = db.query("DBSIZE", &[], &dbdock_core::QueryOptions::default()).await.unwrap();
    let scan = KeyScan { db: DB, pattern: Some(format!("{p}a:*")), count: Some(100), ..KeyScan::default() };
    let page = browser.scan_keys(&scan).await.unwrap();
    let mut found: Vec<String> = page.keys.iter().map(|k| k.name.trim_start_matches(&p).to_owned()).collect();
    found.sort();
    assert_eq!(found, vec!["a:b:1", "a:b:2", "a:c", "a:h"]);
    assert!(!result.rows.is_empty());
}
