//! Prepared statements stay bounded on a pooled connection when every call sends a new SQL
//! text (as AI clients do): the end of a session closes them in bulk, after the answer, so
//! no call waits for sqlx to evict one, and the server does not keep thousands of them.

use dbdock_core::{ConnectionTarget, Database, QueryOptions, Value};
use dbdock_engines::OpenOptions;
use dbdock_engines::postgres::Postgres;
use dbdock_testkit::TestDb;

/// The bound the engine keeps (`PREPARED_KEPT` in the pool), plus the two statements one
/// call can add (the statement and its server-side cut).
const BOUND: i64 = 64 + 2;

async fn prepared_count(db: &Postgres, options: &QueryOptions) -> i64 {
    let result = db.query("SELECT count(*) FROM pg_prepared_statements", &[], options).await.expect("count");
    match result.rows[0][0] {
        Value::Int(n) => n,
        ref other => panic!("count came back as {other:?}"),
    }
}

#[tokio::test]
async fn postgres_keeps_few_prepared_statements_when_every_text_is_new() {
    let test_db = TestDb::postgres("prepared").await;
    let target = ConnectionTarget::parse(&test_db.url).expect("url");
    // One connection: every call below runs in the very same session.
    let engine = Postgres::new(target, OpenOptions { max_connections: 1, ..OpenOptions::default() }).expect("engine");
    engine.connect().await.expect("PostgreSQL");
    let read_only = QueryOptions { read_only: true, ..QueryOptions::default() };
    let mut most = 0;
    for i in 0..300 {
        let options = if i % 3 == 0 { QueryOptions::default() } else { read_only };
        let result = engine.query(&format!("SELECT {i} AS n"), &[], &options).await.expect("query");
        assert_eq!(result.rows, vec![vec![Value::Int(i)]]);
        if i % 10 == 9 {
            most = most.max(prepared_count(&engine, &read_only).await);
        }
    }
    assert!(most > 10, "statements are cached at all (the most seen was {most})");
    assert!(most <= BOUND, "the connection held {most} prepared statements, more than {BOUND}");
    drop(test_db);
}
