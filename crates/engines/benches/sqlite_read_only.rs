//! `cargo bench -p dbdock-engines --bench sqlite_read_only`: what SQLite's read-only guard
//! costs (docs/safety.md). One run, the same small indexed SELECT three ways, each on warm
//! connections: raw rusqlite (the floor), DB Dock's engine without read-only, and the
//! guarded read-only path (authorizer, progress handler, a blocking-pool hop). Prints the
//! mean per call and the ratios to raw.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use dbdock_core::{ConnectionTarget, Database, QueryOptions};
use dbdock_engines::OpenOptions;

const CALLS: u32 = 5000;
const SQL: &str = "SELECT id, qty, note FROM orders WHERE customer_id = ?1 ORDER BY id LIMIT 10";

async fn mean(db: &dyn Database, options: &QueryOptions) -> Duration {
    let started = Instant::now();
    for i in 0..CALLS {
        let result = db.query(SQL, &[serde_json::json!(i % 500 + 1)], options).await.expect("read");
        assert!(!result.rows.is_empty());
    }
    started.elapsed() / CALLS
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.db");
    let raw = rusqlite::Connection::open(&path).expect("create");
    raw.execute_batch(
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, qty INTEGER, note TEXT);
         CREATE INDEX orders_by_customer ON orders (customer_id);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 20000)
         INSERT INTO orders SELECT i, i % 500 + 1, i % 7, 'n' || i FROM n;",
    )
    .expect("data");

    let started = Instant::now();
    let mut statement = raw.prepare(SQL).expect("prepare");
    for i in 0..CALLS {
        let rows: Vec<(i64, i64, String)> = statement
            .query_map([i64::from(i % 500 + 1)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert!(!rows.is_empty());
    }
    let floor = started.elapsed() / CALLS;

    // Current-thread, as the CLI and the MCP server in it run.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (plain, guarded) = runtime.block_on(async {
        let db =
            dbdock_engines::open(ConnectionTarget::sqlite_file(&path), OpenOptions::default()).await.expect("open");
        let plain_options = QueryOptions { max_rows: Some(1000), ..QueryOptions::default() };
        let read_only = QueryOptions { read_only: true, ..plain_options };
        // Warm both paths (connections opened, statements cached), then measure.
        mean(db.as_ref(), &plain_options).await;
        mean(db.as_ref(), &read_only).await;
        (mean(db.as_ref(), &plain_options).await, mean(db.as_ref(), &read_only).await)
    });
    let row = |label: &str, d: Duration| {
        println!("{label:<48} {:>9.1} µs {:>7.2}×", d.as_secs_f64() * 1e6, d.as_secs_f64() / floor.as_secs_f64());
    };
    println!("{CALLS} calls each: {SQL}");
    row("raw rusqlite, one connection (floor)", floor);
    row("engine, plain (sqlx)", plain);
    row("engine, read-only (guarded rusqlite)", guarded);
}
