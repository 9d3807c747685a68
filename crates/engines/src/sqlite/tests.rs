//! The guarded read-only connection on its own, with the statement classifier bypassed:
//! whatever text it is given, the database file, its directory and the pooled connection
//! are as they were.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use dbdock_core::{ErrorCode, QueryOptions, Value};
use dbdock_testkit::{dir_listing, file_hash};

use super::corpus::{ALLOWED, REFUSED, SCHEMA};
use super::read_pool::ReadPool;
use crate::OpenOptions;

struct Fixture {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    db: PathBuf,
    pool: ReadPool,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().to_path_buf();
    let db = path.join("shop.db");
    let conn = rusqlite::Connection::open(&db).expect("create the database");
    conn.execute_batch(SCHEMA).expect("schema");
    drop(conn);
    // One connection, so every check below looks at the connection that ran the input.
    let open =
        OpenOptions { max_connections: 1, statement_timeout: Some(Duration::from_secs(5)), ..OpenOptions::default() };
    let pool = ReadPool::new(db.clone(), &open);
    Fixture { _dir: dir, dir: path, db, pool }
}

fn read_only() -> QueryOptions {
    QueryOptions { read_only: true, max_rows: Some(1000), ..QueryOptions::default() }
}

fn json(rows: &[Vec<Value>]) -> String {
    serde_json::to_string(rows).expect("rows as JSON")
}

impl Fixture {
    fn sql(&self, text: &str) -> String {
        text.replace("{dir}", &self.dir.display().to_string())
    }

    async fn rows(&self, sql: &str) -> Vec<Vec<Value>> {
        self.pool.run(sql, &[], read_only(), true).await.unwrap_or_else(|e| panic!("{sql}: {e:?}")).rows
    }

    /// The attached databases the pooled connection has (only `main` unless something
    /// got through), and whether `query_only` is still on.
    async fn connection_state(&self) -> (Vec<Value>, bool) {
        let names = self.rows("SELECT name FROM pragma_database_list").await.into_iter().flatten().collect();
        let query_only = self.pool.with_idle(|c| c.query_only()).expect("a pooled connection");
        (names, query_only)
    }
}

#[tokio::test]
async fn every_refused_input_is_refused_by_sqlite_and_changes_nothing() {
    let f = fixture();
    let before = (file_hash(&f.db), dir_listing(&f.dir));
    let (mut codes, mut wrong) = (Vec::new(), Vec::new());
    for (class, text, expected) in REFUSED {
        let sql = f.sql(text);
        for collect in [true, false] {
            let error = match f.pool.run(&sql, &[], read_only(), collect).await {
                Ok(out) => panic!("[{class}] {sql:?} ran: {:?}", out.rows),
                Err(e) => e,
            };
            if error.code.as_str() != *expected {
                wrong.push(format!("[{class}] {sql:?}: {} {}", error.code, error.message));
            }
            if collect {
                codes.push(format!("{class:16} {:20} {sql:?}: {}", error.code, error.message));
            }
            assert_eq!((file_hash(&f.db), dir_listing(&f.dir)), before, "[{class}] {sql:?} changed the files");
            let (databases, query_only) = f.connection_state().await;
            assert_eq!(databases, vec![Value::Text("main".into())], "[{class}] {sql:?}");
            assert!(query_only, "[{class}] {sql:?} turned query_only off");
        }
    }
    // Nothing was created in the connection's temp schema (checked last: reading it opens
    // the temp database, which `database_list` would then list).
    assert_eq!(f.rows("SELECT count(*) FROM sqlite_temp_master").await, vec![vec![Value::Int(0)]]);
    println!("{}", codes.join("\n"));
    assert!(wrong.is_empty(), "refused with another code than expected:\n{}", wrong.join("\n"));
    let classes: BTreeSet<&str> = REFUSED.iter().map(|(c, _, _)| *c).collect();
    for class in classes {
        assert!(REFUSED.iter().filter(|(c, _, _)| *c == class).count() >= 5, "{class} needs five inputs");
    }
}

#[tokio::test]
async fn legitimate_tricky_reads_run() {
    let f = fixture();
    let before = file_hash(&f.db);
    for (sql, expected) in ALLOWED {
        let out = f.pool.run(sql, &[], read_only(), true).await.unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        if !expected.is_empty() {
            assert_eq!(json(&out.rows), *expected, "{sql}");
        }
        assert!(!out.columns.is_empty(), "{sql}");
        f.pool.run(sql, &[], read_only(), false).await.unwrap_or_else(|e| panic!("execute {sql}: {e:?}"));
    }
    assert!(ALLOWED.len() >= 15);
    assert_eq!(file_hash(&f.db), before);
}

/// `EXPLAIN PRAGMA query_only = 0` turns query_only off while the statement is only
/// being prepared; the authorizer, which also runs while preparing, stops it.
#[tokio::test]
async fn explain_pragma_is_stopped_at_prepare_time() {
    let f = fixture();
    // Without the guard: preparing alone (never stepping) turns the flag off.
    let plain = rusqlite::Connection::open_with_flags(&f.db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    plain.execute_batch("PRAGMA query_only = ON").expect("query_only");
    let flag = |c: &rusqlite::Connection| c.query_row("PRAGMA query_only", [], |r| r.get::<_, i64>(0)).expect("read");
    assert_eq!(flag(&plain), 1);
    drop(plain.prepare("EXPLAIN PRAGMA query_only = 0").expect("prepare"));
    assert_eq!(flag(&plain), 0, "the hole this test is about has closed in SQLite itself");

    // With the guard: refused while preparing, and the flag stays on.
    f.rows("SELECT 1").await;
    let error = f.pool.run("EXPLAIN PRAGMA query_only = 0", &[], read_only(), true).await.expect_err("refused");
    assert_eq!(error.code, ErrorCode::ReadOnlyViolation);
    assert!(error.message.contains("PRAGMA query_only = 0"), "{}", error.message);
    assert_eq!(f.pool.with_idle(|c| c.query_only()), Some(true));
}

#[tokio::test]
async fn values_decode_by_storage_class_as_on_the_sqlx_path() {
    let f = fixture();
    let out = f
        .pool
        .run(
            "SELECT id, qty * 1.5, note, x'00ff', CAST(x'ff' AS TEXT), NULL, data FROM orders WHERE id = 3",
            &[],
            read_only(),
            true,
        )
        .await
        .expect("query");
    let types: Vec<&str> = out.columns.iter().map(|c| c.type_name.as_str()).collect();
    // Declared types as sqlx names them; expressions by their first value's class.
    assert_eq!(types, ["INTEGER", "REAL", "TEXT", "BLOB", "TEXT", "NULL", "TEXT"]);
    assert_eq!(
        out.rows,
        vec![vec![
            Value::Int(3),
            Value::Float(7.5),
            Value::Null,
            Value::Bytes(vec![0, 0xff]),
            // Text that is not valid UTF-8 comes back as bytes.
            Value::Bytes(vec![0xff]),
            Value::Null,
            Value::Text(r#"{"k": "c", "n": []}"#.into()),
        ]]
    );
    // Parameters bind as on the sqlx path: booleans as integers, objects as JSON text.
    let params = [serde_json::json!(true), serde_json::json!({"a": 1}), serde_json::json!(2.5)];
    let out = f.pool.run("SELECT ?1, ?2, ?3", &params, read_only(), true).await.expect("params");
    assert_eq!(json(&out.rows), r#"[[1,"{\"a\":1}",2.5]]"#);
    let error = f.pool.run("SELECT ?1, ?2", &params[..1], read_only(), true).await.expect_err("count");
    assert_eq!(error.code, ErrorCode::InvalidInput);
}

#[tokio::test]
async fn caps_follow_the_row_collector_rules() {
    let f = fixture();
    let capped = QueryOptions { max_rows: Some(2), ..read_only() };
    let out = f.pool.run("SELECT id FROM orders ORDER BY id", &[], capped, true).await.expect("rows");
    assert_eq!((out.rows.len(), out.truncated), (2, true));
    let exact = QueryOptions { max_rows: Some(4), ..read_only() };
    let out = f.pool.run("SELECT id FROM orders ORDER BY id", &[], exact, true).await.expect("rows");
    assert_eq!((out.rows.len(), out.truncated), (4, false));
    // The first row alone is over the byte cap: it comes back cut, marked with its size.
    let tiny = QueryOptions { max_bytes: Some(1024), ..read_only() };
    let out =
        f.pool.run("SELECT 1, printf('%.*c', 5000000, 'é'), randomblob(5000)", &[], tiny, true).await.expect("cut");
    assert!(out.truncated);
    let Value::Text(cell) = &out.rows[0][1] else { panic!("{:?}", out.rows[0][1]) };
    assert!(cell.len() < 1024 && cell.ends_with("[cut: 10000000 bytes in all]"), "{}", cell.len());
    let Value::Bytes(blob) = &out.rows[0][2] else { panic!("{:?}", out.rows[0][2]) };
    assert_eq!(blob.len(), 1024 / 3 / 2);
    // A later row over the cap ends the result without it.
    let small = QueryOptions { max_bytes: Some(100), ..read_only() };
    let out =
        f.pool.run("SELECT 'short' UNION ALL SELECT printf('%.*c', 500, 'x')", &[], small, true).await.expect("x");
    assert_eq!((out.rows.len(), out.truncated), (1, true));
}

#[tokio::test]
async fn a_missing_file_is_not_found_and_not_created() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("missing.db");
    let pool = ReadPool::new(db.clone(), &OpenOptions::default());
    let error = pool.run("SELECT 1", &[], read_only(), true).await.expect_err("missing");
    assert_eq!(error.code, ErrorCode::NotFound, "{}", error.message);
    assert!(!db.exists());
}

#[tokio::test]
async fn a_wal_database_is_read_while_another_connection_writes_and_after() {
    let f = fixture();
    let writer = rusqlite::Connection::open(&f.db).expect("writer");
    let mode: String = writer.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).expect("wal");
    assert_eq!(mode, "wal");
    writer.execute("INSERT INTO customers VALUES (9, 'Barbara')", []).expect("insert");
    assert_eq!(f.rows("SELECT name FROM customers WHERE id = 9").await, vec![vec![Value::Text("Barbara".into())]]);
    drop(writer);
    f.pool.close();
    let files = dir_listing(&f.dir);
    assert_eq!(f.rows("SELECT count(*) FROM customers").await, vec![vec![Value::Int(4)]], "{files:?}");
}

#[tokio::test]
async fn a_timeout_too_long_for_the_clock_is_no_timeout() {
    let f = fixture();
    let open = OpenOptions { statement_timeout: Some(Duration::MAX), ..OpenOptions::default() };
    let pool = ReadPool::new(f.db.clone(), &open);
    let out = pool.run("SELECT 1", &[], read_only(), true).await.expect("runs");
    assert_eq!(out.rows, vec![vec![Value::Int(1)]]);
}
