//! The key browser's first screen on a database of 1,000,000 keys, against the raw driver,
//! in one run on a private `redis-server` (docs/redis.md, "Key browser"):
//!
//! 1. DB Dock: `databases()` and the top level of the tree (`key_prefixes`), as the app's
//!    first screen asks them;
//! 2. the raw driver doing the same work by hand: `INFO keyspace`, `DBSIZE`, a `SCAN` loop
//!    over 20,000 keys, and `TYPE` of three keys per prefix in one pipeline;
//! 3. the raw driver scanning every key to count prefixes: what a browser without a
//!    budget pays before it can show anything.
//!
//! Medians of several runs; ratios against (2). `cargo bench -p dbdock-engines --bench redis_keys`.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use dbdock_core::{ConnectionTarget, PrefixQuery};
use dbdock_engines::OpenOptions;
use dbdock_testkit::PrivateRedis;

const KEYS: usize = 1_000_000;
const RUNS: usize = 7;

async fn raw(url: &str) -> redis::aio::MultiplexedConnection {
    let config = redis::AsyncConnectionConfig::new().set_response_timeout(None);
    redis::Client::open(url).unwrap().get_multiplexed_async_connection_with_config(&config).await.unwrap()
}

async fn load(url: &str) {
    let mut con = raw(url).await;
    let prefixes = ["user:", "session:", "cache:page:", "order:", "cart:", "queue:", "lock:", "stats:daily:"];
    for start in (0..KEYS).step_by(10_000) {
        let mut mset = redis::cmd("MSET");
        for i in start..(start + 10_000).min(KEYS) {
            mset.arg(format!("{}{i}", prefixes[i % prefixes.len()])).arg("v");
        }
        mset.query_async::<()>(&mut con).await.unwrap();
    }
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

async fn time<F: AsyncFnMut()>(mut run: F) -> Duration {
    run().await; // warm
    let mut runs = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        run().await;
        runs.push(started.elapsed());
    }
    median(runs)
}

/// Counts by the first `:` of `keys`, three examples each.
fn group(keys: &[String], groups: &mut HashMap<String, (u64, Vec<String>)>) {
    for key in keys {
        let prefix = key.find(':').map_or(key.as_str(), |i| &key[..=i]);
        let entry = groups.entry(prefix.to_owned()).or_default();
        entry.0 += 1;
        if entry.1.len() < 3 {
            entry.1.push(key.clone());
        }
    }
}

async fn raw_first_screen(con: &mut redis::aio::MultiplexedConnection) -> usize {
    let _: String = redis::cmd("INFO").arg("keyspace").query_async(con).await.unwrap();
    let _: u64 = redis::cmd("DBSIZE").query_async(con).await.unwrap();
    let (mut cursor, mut seen, mut groups) = (0_u64, 0, HashMap::new());
    loop {
        let (next, keys): (u64, Vec<String>) =
            redis::cmd("SCAN").arg(cursor).arg("MATCH").arg("*").arg("COUNT").arg(1000).query_async(con).await.unwrap();
        seen += keys.len();
        group(&keys, &mut groups);
        cursor = next;
        if cursor == 0 || seen >= 20_000 {
            break;
        }
    }
    let mut pipe = redis::pipe();
    for (_, examples) in groups.values() {
        for key in examples {
            pipe.cmd("TYPE").arg(key);
        }
    }
    let _: Vec<String> = pipe.query_async(con).await.unwrap();
    groups.len()
}

async fn raw_full_scan(con: &mut redis::aio::MultiplexedConnection) -> usize {
    let (mut cursor, mut groups) = (0_u64, HashMap::new());
    loop {
        let (next, keys): (u64, Vec<String>) =
            redis::cmd("SCAN").arg(cursor).arg("COUNT").arg(1000).query_async(con).await.unwrap();
        group(&keys, &mut groups);
        cursor = next;
        if cursor == 0 {
            break;
        }
    }
    groups.len()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let server = PrivateRedis::start();
    let url = server.url();
    let loading = Instant::now();
    load(&url).await;
    println!("loaded {KEYS} keys in {:.1} s (pipelined MSETs)", loading.elapsed().as_secs_f64());

    let db = dbdock_engines::open(ConnectionTarget::parse(&url).unwrap(), OpenOptions::default()).await.unwrap();
    let browser = db.keys().unwrap();
    let mut shown = 0;
    let top = PrefixQuery::default();
    let dbdock = time(async || {
        let (level, _) = tokio::try_join!(browser.key_prefixes(&top), browser.databases()).unwrap();
        shown = level.children.len();
    })
    .await;
    let mut con = raw(&url).await;
    let by_hand = time(async || {
        raw_first_screen(&mut con).await;
    })
    .await;
    let full = time(async || {
        raw_full_scan(&mut con).await;
    })
    .await;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let ratio = |d: Duration| d.as_secs_f64() / by_hand.as_secs_f64();
    println!("first screen of the key tree, {KEYS} keys, median of {RUNS} runs:");
    println!("  dbdock key browser        {:>9.1} ms  {:>6.2}x  ({shown} prefixes)", ms(dbdock), ratio(dbdock));
    println!("  raw driver, same work     {:>9.1} ms  {:>6.2}x", ms(by_hand), 1.0);
    println!("  raw driver, full scan     {:>9.1} ms  {:>6.2}x", ms(full), ratio(full));
}
