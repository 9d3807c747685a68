//! `cargo bench -p dbdock-cli --bench mcp_roundtrip`: the cost of asking through MCP.
//!
//! One run, three ways to do the same small indexed PostgreSQL query, each on a warm,
//! persistent connection:
//! - raw sqlx (the floor),
//! - DB Dock's engine with the AI path's safety (read-only transaction, session id for
//!   cancellation, caps),
//! - a full MCP `execute-query` round trip through `dbdock mcp` over stdio (JSON-RPC,
//!   profile lookup, audit log write).
//!
//! Prints p50/p95 per way and the ratios to raw. Needs the local PostgreSQL
//! (DBDOCK_TEST_PG_URL overrides postgres://postgres@127.0.0.1:5432/postgres).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use dbdock_core::{ConnectionTarget, QueryOptions};
use sqlx::Connection;

const WARMUP: usize = 300;
const CALLS: usize = 3000;
const QUERY: &str = "SELECT id, name FROM dbdock_bench WHERE id = $1";

fn percentiles(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q) as usize].as_secs_f64() * 1000.0;
    (at(0.50), at(0.95))
}

fn main() {
    let admin =
        std::env::var("DBDOCK_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let url = runtime.block_on(async {
        let mut conn =
            sqlx::PgConnection::connect(&admin).await.unwrap_or_else(|e| panic!("PostgreSQL at {admin}: {e}"));
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'dbdock_bench')")
                .fetch_one(&mut conn)
                .await
                .unwrap();
        if !exists {
            sqlx::raw_sql("CREATE DATABASE dbdock_bench").execute(&mut conn).await.unwrap();
        }
        let mut url = url::Url::parse(&admin).unwrap();
        url.set_path("dbdock_bench");
        let mut conn = sqlx::PgConnection::connect(url.as_str()).await.unwrap();
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS dbdock_bench (id int PRIMARY KEY, name text NOT NULL);
             INSERT INTO dbdock_bench SELECT g, 'name ' || g FROM generate_series(1, 1000) g ON CONFLICT DO NOTHING;
             ANALYZE dbdock_bench;",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        url.to_string()
    });

    // 1. Raw sqlx on one connection.
    let raw = runtime.block_on(async {
        let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
        let mut samples = Vec::with_capacity(CALLS);
        for i in 0..WARMUP + CALLS {
            let started = Instant::now();
            let _row: (i32, String) =
                sqlx::query_as(QUERY).bind((i % 1000 + 1) as i32).fetch_one(&mut conn).await.unwrap();
            if i >= WARMUP {
                samples.push(started.elapsed());
            }
        }
        samples
    });

    // 2. The engine, with the AI path's safety on.
    let engine = runtime.block_on(async {
        let db = dbdock_engines::open(ConnectionTarget::parse(&url).unwrap(), dbdock_engines::OpenOptions::default())
            .await
            .unwrap();
        let options = QueryOptions {
            max_rows: Some(200),
            max_bytes: Some(256 * 1024),
            read_only: true,
            cancellable: true,
            isolated: false,
        };
        let mut samples = Vec::with_capacity(CALLS);
        for i in 0..WARMUP + CALLS {
            let started = Instant::now();
            let result = db.query(QUERY, &[serde_json::json!(i % 1000 + 1)], &options).await.unwrap();
            assert_eq!(result.row_count, 1);
            if i >= WARMUP {
                samples.push(started.elapsed());
            }
        }
        samples
    });

    // 3. MCP over stdio.
    let home = tempfile::tempdir().unwrap();
    let dbdock = env!("CARGO_BIN_EXE_dbdock");
    let added = Command::new(dbdock)
        .args(["profile", "add", "bench", "--url", &url])
        .env("DBDOCK_HOME", home.path())
        .output()
        .unwrap();
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let mut child = Command::new(dbdock)
        .arg("mcp")
        .env("DBDOCK_HOME", home.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let mut send = |text: String, expect_reply: bool, line: &mut String| {
        writeln!(stdin, "{text}").unwrap();
        stdin.flush().unwrap();
        if expect_reply {
            line.clear();
            stdout.read_line(line).unwrap();
        }
    };
    send(
        r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}"#.into(),
        true,
        &mut line,
    );
    send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#.into(), false, &mut line);
    let mut mcp = Vec::with_capacity(CALLS);
    for i in 0..WARMUP + CALLS {
        let request = serde_json::json!({"jsonrpc": "2.0", "id": i + 1, "method": "tools/call",
            "params": {"name": "execute-query", "arguments": {"connectionId": "bench", "query": QUERY, "params": [i % 1000 + 1]}}});
        let started = Instant::now();
        send(request.to_string(), true, &mut line);
        let elapsed = started.elapsed();
        assert!(line.contains("\"row_count\":1") && !line.contains("\"isError\":true"), "{line}");
        if i >= WARMUP {
            mcp.push(elapsed);
        }
    }
    // Closing stdin ends the session; the endpoint then exits. (The closure's borrow of
    // stdin ended with its last use.)
    drop(stdin);
    let _ = child.wait();

    let (raw50, raw95) = percentiles(raw);
    println!("{CALLS} calls each after {WARMUP} warm-up calls: {QUERY}");
    println!("{:<44} {:>9} {:>9} {:>8} {:>8}", "", "p50 ms", "p95 ms", "p50 ×", "p95 ×");
    println!("{:<44} {raw50:>9.3} {raw95:>9.3} {:>8.2} {:>8.2}", "raw sqlx, one connection (floor)", 1.0, 1.0);
    for (name, samples) in
        [("engine, AI safety (read-only tx, cancellable)", engine), ("MCP execute-query over stdio (+audit)", mcp)]
    {
        let (p50, p95) = percentiles(samples);
        println!("{name:<44} {p50:>9.3} {p95:>9.3} {:>8.2} {:>8.2}", p50 / raw50, p95 / raw95);
    }
}
