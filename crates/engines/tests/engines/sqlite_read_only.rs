//! Read-only SQLite calls through `Database::query` and `Database::execute`, on real
//! database files: what must be refused is refused and leaves the file, its directory and
//! the pooled connection as they were; ordinary reads still run; runaway statements stop
//! at the statement timeout or when the call is dropped; huge values fail fast or come
//! back cut.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use dbdock_core::{ConnectionTarget, Database, ErrorCode, QueryOptions, Value};
use dbdock_engines::OpenOptions;
use dbdock_testkit::{dir_listing, file_hash};

// The same table the unit tests in src/sqlite run through the guarded connection directly.
#[path = "../../src/sqlite/corpus.rs"]
mod corpus;

use corpus::{ALLOWED, REFUSED, SCHEMA};

struct Shop {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    path: PathBuf,
}

fn shop(extra: &str) -> Shop {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("shop.db");
    let conn = rusqlite::Connection::open(&path).expect("create the database");
    conn.execute_batch(SCHEMA).expect("schema");
    conn.execute_batch(extra).expect("extra setup");
    drop(conn);
    Shop { dir: dir.path().to_path_buf(), _dir: dir, path }
}

async fn open(path: &Path, options: OpenOptions) -> Box<dyn Database> {
    dbdock_engines::open(ConnectionTarget::sqlite_file(path), options).await.expect("open")
}

fn read_only() -> QueryOptions {
    QueryOptions { read_only: true, max_rows: Some(1000), ..QueryOptions::default() }
}

/// The databases the (single) pooled read-only connection has attached.
async fn attached(db: &dyn Database) -> Vec<Value> {
    let result = db.query("SELECT name FROM pragma_database_list", &[], &read_only()).await.expect("database_list");
    result.rows.into_iter().flatten().collect()
}

#[tokio::test]
async fn sqlite_refuses_every_corpus_input_through_query_and_execute() {
    let shop = shop("");
    // One connection, so the checks below look at the connection that ran each input.
    let db = open(&shop.path, OpenOptions { max_connections: 1, ..OpenOptions::default() }).await;
    let before = (file_hash(&shop.path), dir_listing(&shop.dir));
    for (class, text, _) in REFUSED {
        let sql = text.replace("{dir}", &shop.dir.display().to_string());
        let queried = db.query(&sql, &[], &read_only()).await;
        assert!(queried.is_err(), "[{class}] query ran {sql:?}: {queried:?}");
        let executed = db.execute(&sql, &[], &read_only()).await;
        assert!(executed.is_err(), "[{class}] execute ran {sql:?}: {executed:?}");
        assert_eq!((file_hash(&shop.path), dir_listing(&shop.dir)), before, "[{class}] {sql:?} changed the files");
        assert_eq!(attached(db.as_ref()).await, vec![Value::Text("main".into())], "[{class}] {sql:?}");
    }
    let temp = db.query("SELECT count(*) FROM sqlite_temp_master", &[], &read_only()).await.expect("temp schema");
    assert_eq!(temp.rows, vec![vec![Value::Int(0)]]);
}

#[tokio::test]
async fn sqlite_runs_legitimate_tricky_reads_read_only() {
    let shop = shop("");
    let db = open(&shop.path, OpenOptions::default()).await;
    let before = file_hash(&shop.path);
    for (sql, expected) in ALLOWED {
        let result = db.query(sql, &[], &read_only()).await.unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        if !expected.is_empty() {
            assert_eq!(serde_json::to_string(&result.rows).expect("json"), *expected, "{sql}");
        }
        let done = db.execute(sql, &[], &read_only()).await.unwrap_or_else(|e| panic!("execute {sql}: {e:?}"));
        assert_eq!(done.rows_affected, 0);
    }
    assert_eq!(file_hash(&shop.path), before);
    // Writes still go through the read-write (sqlx) path.
    let done = db.execute("UPDATE orders SET qty = qty + 1 WHERE id = ?1", &[1.into()], &QueryOptions::default()).await;
    assert_eq!(done.expect("write").rows_affected, 1);
}

const ENDLESS: &str = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";

#[tokio::test]
async fn sqlite_read_stops_at_the_statement_timeout_and_the_next_call_runs() {
    let shop = shop("");
    let options =
        OpenOptions { statement_timeout: Some(Duration::from_secs(1)), max_connections: 1, ..OpenOptions::default() };
    let db = open(&shop.path, options).await;
    let started = Instant::now();
    let error = db.query(ENDLESS, &[], &read_only()).await.expect_err("an endless CTE cannot finish");
    let took = started.elapsed();
    assert_eq!(error.code, ErrorCode::Timeout, "{}", error.message);
    assert!(took >= Duration::from_millis(950) && took < Duration::from_secs(3), "stopped after {took:?}");
    // The same (only) connection serves the next call at once.
    let started = Instant::now();
    let result = db.query("SELECT count(*) FROM orders", &[], &read_only()).await.expect("next call");
    let next = started.elapsed();
    assert_eq!(result.rows, vec![vec![Value::Int(4)]]);
    assert!(next < Duration::from_millis(500), "next call took {next:?}");
    println!("timed out after {took:?}; the next call took {next:?}");
    // The same through execute.
    let error = db.execute(ENDLESS, &[], &read_only()).await.expect_err("endless");
    assert_eq!(error.code, ErrorCode::Timeout);
}

#[tokio::test]
async fn sqlite_read_dropped_midway_frees_its_connection() {
    let shop = shop("");
    // No statement timeout: only the drop can stop it. One connection: the next call
    // cannot start until the dropped one has really stopped.
    let db = open(&shop.path, OpenOptions { max_connections: 1, ..OpenOptions::default() }).await;
    let dropped = tokio::time::timeout(Duration::from_millis(300), db.query(ENDLESS, &[], &read_only())).await;
    assert!(dropped.is_err(), "the statement should still have been running: {dropped:?}");
    let started = Instant::now();
    let next = tokio::time::timeout(Duration::from_secs(2), db.query("SELECT 1", &[], &read_only())).await;
    let took = started.elapsed();
    assert_eq!(next.expect("the connection was freed").expect("next call").rows, vec![vec![Value::Int(1)]]);
    assert!(took < Duration::from_millis(500), "next call took {took:?}");
    println!("the call after a dropped one took {took:?}");
}

/// Peak resident memory of this process so far, in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

#[tokio::test]
async fn sqlite_huge_values_fail_fast_with_a_code() {
    let shop = shop("");
    let db = open(&shop.path, OpenOptions::default()).await;
    let too_big = |sql: &'static str| {
        let db = db.as_ref();
        async move {
            let started = Instant::now();
            let error = db.query(sql, &[], &read_only()).await.expect_err("too big");
            assert_eq!(error.code, ErrorCode::QueryFailed, "{sql}: {}", error.message);
            assert!(error.message.contains("64 MiB"), "{sql}: {}", error.message);
            assert!(started.elapsed() < Duration::from_secs(2), "{sql} took {:?}", started.elapsed());
        }
    };
    // A gigabyte asked for: refused before it is allocated.
    let peak_before = peak_rss();
    for sql in ["SELECT randomblob(1e9)", "SELECT length(randomblob(1e9))", "SELECT zeroblob(1e9)"] {
        too_big(sql).await;
    }
    // SQLite's printf() does not report a result over the length limit: it gives NULL,
    // as fast and with as little memory.
    let started = Instant::now();
    let result = db.query("SELECT printf('%.*c', 1000000000, 'x')", &[], &read_only()).await.expect("printf");
    assert_eq!(result.rows, vec![vec![Value::Null]]);
    assert!(started.elapsed() < Duration::from_secs(2), "printf took {:?}", started.elapsed());
    let grown = peak_rss().saturating_sub(peak_before);
    println!("peak resident memory grew by {} MiB for the 1e9-byte values", grown / (1024 * 1024));
    assert!(grown < 128 * 1024 * 1024, "peak memory grew by {grown} bytes");
    // Values that are built under the limit but whose next step would pass it.
    for sql in ["SELECT hex(randomblob(40000000))", "SELECT replace(printf('%.*c', 40000000, 'x'), 'x', 'xy')"] {
        too_big(sql).await;
    }
}

#[tokio::test]
async fn sqlite_huge_cell_comes_back_cut_under_the_byte_cap() {
    let shop = shop("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);");
    let conn = rusqlite::Connection::open(&shop.path).expect("open");
    conn.execute("INSERT INTO notes VALUES (1, ?1)", ["x".repeat(5_000_000)]).expect("insert");
    drop(conn);
    let db = open(&shop.path, OpenOptions::default()).await;
    let cap = 256 * 1024;
    let options = QueryOptions { max_bytes: Some(cap), ..read_only() };
    for sql in ["SELECT id, body FROM notes", "SELECT 1 AS id, printf('%.*c', 5000000, 'x') AS body"] {
        let result = db.query(sql, &[], &options).await.expect("query");
        assert!(result.truncated, "{sql}");
        assert_eq!(result.rows.len(), 1);
        let Value::Text(cell) = &result.rows[0][1] else { panic!("{sql}: {:?}", result.rows[0][1]) };
        assert!(cell.len() <= cap && cell.ends_with("…[cut: 5000000 bytes in all]"), "{sql}: {} bytes", cell.len());
        assert_eq!(result.columns[1].type_name, "TEXT");
    }
}
