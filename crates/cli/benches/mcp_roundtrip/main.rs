//! `cargo bench -p dbdock-cli --bench mcp_roundtrip`: the cost of asking through MCP.
//!
//! One run, three ways to do the same small indexed PostgreSQL query, each on a warm,
//! persistent connection:
//! - raw sqlx (the floor),
//! - DB Dock's engine with the AI path's safety (read-only transaction, session id for
//!   cancellation, caps),
//! - a full MCP `execute-query` round trip through `dbdock mcp` over stdio (JSON-RPC,
//!   profile lookup, audit log write),
//! - the same MCP server in this process on an in-memory pipe, timing each stage of a call
//!   (`dbdock_core::stage!` spans: profile check, audit row, pool acquire, begin, statement,
//!   render, audit enqueue; the rest is JSON-RPC decoding, encoding and the pipe).
//!
//! Prints p50/p95 per way, the ratios to raw, and the per-stage breakdown. Needs the local PostgreSQL
//! (DBDOCK_TEST_PG_URL overrides postgres://postgres@127.0.0.1:5432/postgres).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod stages;

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

    // 4. The same server in process, stage by stage.
    let stage_times = stages::StageTimes::install();
    let (in_process, stages) = runtime.block_on(in_process_calls(home.path(), &stage_times));

    let (raw50, raw95) = percentiles(raw);
    println!("{CALLS} calls each after {WARMUP} warm-up calls: {QUERY}");
    println!("{:<44} {:>9} {:>9} {:>8} {:>8}", "", "p50 ms", "p95 ms", "p50 ×", "p95 ×");
    println!("{:<44} {raw50:>9.3} {raw95:>9.3} {:>8.2} {:>8.2}", "raw sqlx, one connection (floor)", 1.0, 1.0);
    let in_process_mean = mean_ms(&in_process);
    for (name, samples) in [
        ("engine, AI safety (read-only tx, cancellable)", engine),
        ("MCP execute-query over stdio (+audit)", mcp),
        ("MCP execute-query in process (pipe)", in_process),
    ] {
        let (p50, p95) = percentiles(samples);
        println!("{name:<44} {p50:>9.3} {p95:>9.3} {:>8.2} {:>8.2}", p50 / raw50, p95 / raw95);
    }
    println!();
    println!("Stages of the in-process call (mean of {CALLS} calls; nested stages are inside their parent):");
    println!("{:<44} {:>9} {:>9} {:>8}", "", "p50 ms", "mean ms", "share");
    let mut on_path = 0.0;
    for (stage, parent, after) in STAGES {
        let Some(samples) = stages.get(stage) else { continue };
        let mean = mean_ms(samples);
        let (p50, _) = percentiles(samples.clone());
        if parent.is_none() && !after {
            on_path += mean;
        }
        let label = match (parent, after) {
            (_, true) => format!("{stage} (after the answer, off the path)"),
            (Some(parent), _) => format!("  {stage} (in {parent})"),
            (None, _) => stage.to_string(),
        };
        println!("{label:<44} {p50:>9.3} {mean:>9.3} {:>7.0}%", mean / in_process_mean * 100.0);
    }
    let rest = in_process_mean - on_path;
    println!(
        "{:<44} {:>9} {rest:>9.3} {:>7.0}%",
        "rest: JSON-RPC decode/encode, dispatch, pipe",
        "",
        rest / in_process_mean * 100.0
    );
}

/// The stages the breakdown shows, in call order: (span name, the stage it runs inside,
/// whether it runs after the answer).
const STAGES: &[(&str, Option<&str>, bool)] = &[
    ("profile", None, false),
    ("audit_start", None, false),
    ("open", None, false),
    ("acquire", None, false),
    ("begin", None, false),
    ("statement", None, false),
    ("render", None, false),
    ("audit_enqueue", None, false),
    ("end", None, true),
];

fn mean_ms(samples: &[Duration]) -> f64 {
    samples.iter().map(Duration::as_secs_f64).sum::<f64>() / samples.len().max(1) as f64 * 1000.0
}

/// The MCP server of `home` in this process, on an in-memory pipe, called like step 3;
/// returns the round trips and each stage's samples (warm-up calls left out).
async fn in_process_calls(
    home: &std::path::Path,
    stage_times: &stages::StageTimes,
) -> (Vec<Duration>, std::collections::BTreeMap<&'static str, Vec<Duration>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let store = dbdock_store::Store::open(dbdock_store::Home::at(home)).await.unwrap();
    let endpoint = dbdock_mcp::Endpoint::new(store, dbdock_mcp::EndpointConfig::default());
    let (client, server) = tokio::io::duplex(1 << 20);
    let (server_read, server_write) = tokio::io::split(server);
    let shutdown = tokio_util::sync::CancellationToken::new();
    let serving = tokio::spawn(dbdock_mcp::serve_pipe(endpoint, server_read, server_write, shutdown.clone()));
    let (client_read, mut client_write) = tokio::io::split(client);
    let mut lines = tokio::io::BufReader::new(client_read).lines();
    let mut call = async |text: String, expect_reply: bool| {
        client_write.write_all(text.as_bytes()).await.unwrap();
        client_write.write_all(b"\n").await.unwrap();
        client_write.flush().await.unwrap();
        if expect_reply { lines.next_line().await.unwrap().unwrap_or_default() } else { String::new() }
    };
    call(
        r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}"#.into(),
        true,
    )
    .await;
    call(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#.into(), false).await;
    let mut samples = Vec::with_capacity(CALLS);
    for i in 0..WARMUP + CALLS {
        if i == WARMUP {
            stage_times.take();
        }
        let request = serde_json::json!({"jsonrpc": "2.0", "id": i + 1, "method": "tools/call",
            "params": {"name": "execute-query", "arguments": {"connectionId": "bench", "query": QUERY, "params": [i % 1000 + 1]}}});
        let started = Instant::now();
        let line = call(request.to_string(), true).await;
        let elapsed = started.elapsed();
        assert!(line.contains("\"row_count\":1") && !line.contains("\"isError\":true"), "{line}");
        if i >= WARMUP {
            samples.push(elapsed);
        }
    }
    // The last call's reset runs after its answer: give it time to be counted.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let stages = stage_times.take();
    shutdown.cancel();
    let _ = serving.await;
    (samples, stages)
}
