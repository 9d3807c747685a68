//! Dropping a running call (a client's cancel, a caller's timeout) cancels the statement
//! on the server, not only the wait for it.

use std::time::Duration;

use dbdock_core::{ConnectionTarget, Database, QueryOptions, Value};
use dbdock_engines::OpenOptions;
use dbdock_testkit::{TestDb, mysql_admin_url, pg_admin_url};

async fn open(url: &str) -> Box<dyn Database> {
    // One connection: the call after a cancelled one gets the very same session.
    let options = OpenOptions { max_connections: 1, ..OpenOptions::default() };
    dbdock_engines::open(ConnectionTarget::parse(url).expect("url"), options).await.expect("open")
}

/// Polls `count_sql` on `observer` until it returns 0, for at most `within`.
async fn gone(observer: &dyn Database, count_sql: &str, within: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let result = observer.query(count_sql, &[], &QueryOptions::default()).await.expect("observe");
        if result.rows[0][0] == Value::Int(0) {
            return true;
        }
        if tokio::time::Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn drop_midway(db: &dyn Database, sql: &str, options: QueryOptions) {
    let outcome = tokio::time::timeout(Duration::from_millis(400), db.query(sql, &[], &options)).await;
    assert!(outcome.is_err(), "the statement should still have been running: {outcome:?}");
}

#[tokio::test]
async fn postgres_statement_is_cancelled_when_the_call_is_dropped() {
    let db = open(&pg_admin_url()).await;
    let observer = open(&pg_admin_url()).await;
    let options = QueryOptions { read_only: true, cancellable: true, ..QueryOptions::default() };
    // Seconds of pure reading (pg_sleep is VOLATILE, so read-only calls refuse it).
    let long_read =
        "SELECT count(*), 'dbdock-cancel-probe' FROM generate_series(1, 100000) a, generate_series(1, 100000) b";
    drop_midway(db.as_ref(), long_read, options).await;
    let count = "SELECT count(*)::int8 FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%dbdock-cancel-probe%' AND pid <> pg_backend_pid()";
    assert!(gone(observer.as_ref(), count, Duration::from_secs(2)).await, "the statement still runs on the server");
    // The pooled connection is clean for the next caller (its read-only transaction was rolled back).
    let next = db
        .query("SELECT current_setting('transaction_read_only')", &[], &QueryOptions::default())
        .await
        .expect("next query");
    assert_eq!(next.rows[0][0], Value::Text("off".into()));
}

#[tokio::test]
async fn mysql_statement_is_cancelled_when_the_call_is_dropped() {
    let test_db = TestDb::mysql("cancel").await;
    let db = open(&test_db.url).await;
    let observer = open(&mysql_admin_url()).await;
    let count = "SELECT count(*) FROM information_schema.processlist WHERE info LIKE '%dbdock-cancel-probe%' AND id <> CONNECTION_ID()";
    // A plain call (SLEEP is refused on read-only connections) …
    let options = QueryOptions { cancellable: true, ..QueryOptions::default() };
    drop_midway(db.as_ref(), "SELECT SLEEP(30), 'dbdock-cancel-probe'", options).await;
    assert!(gone(observer.as_ref(), count, Duration::from_secs(2)).await, "SLEEP still runs on the server");
    // … and a read-only one: a slow cross join inside START TRANSACTION READ ONLY.
    let read_only = QueryOptions { read_only: true, cancellable: true, ..QueryOptions::default() };
    let slow = "SELECT count(*), 'dbdock-cancel-probe' FROM information_schema.columns a, information_schema.columns b, information_schema.columns c";
    drop_midway(db.as_ref(), slow, read_only).await;
    assert!(gone(observer.as_ref(), count, Duration::from_secs(2)).await, "the read-only statement still runs");
    let next = db.query("SELECT @@in_transaction", &[], &QueryOptions::default()).await.expect("next query");
    assert_eq!(next.rows[0][0], Value::UInt(0), "the read-only transaction was left open");
    test_db.drop().await;
}
