//! The data editor's pages on a 1,000,000-row PostgreSQL table, beside the raw driver in
//! one run: `cargo bench -p dbdock-engines --bench keyset_pages` (PostgreSQL at
//! 127.0.0.1:5432, or `DBDOCK_TEST_PG_ADMIN_URL`).
//!
//! Page 1 and page 5,000 (200 rows a page) by keyset, as the data tab reads them, and page
//! 5,000 by OFFSET for contrast. Each statement runs through DB Dock's engine (prepare, bind,
//! decode every value exactly) and through plain sqlx with the same text and parameters;
//! the table prints the median of `BENCH_RUNS` runs (default 30) and the ratio.

use std::time::Instant;

use dbdock_core::{Database, PageRequest, QueryOptions, SqlStatement, Value, plan_page};
use dbdock_testkit::{TestDb, exec};
use sqlx::{Connection, Executor};

const ROWS: i64 = 1_000_000;
const PAGE: u32 = 200;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(run());
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

async fn raw_ms(conn: &mut sqlx::PgConnection, statement: &SqlStatement, runs: usize) -> f64 {
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..=runs {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(statement.sql.clone()));
        for p in &statement.params {
            query = query.bind(p.as_str().map(str::to_owned));
        }
        let started = Instant::now();
        let rows = conn.fetch_all(query).await.expect("raw page");
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(rows.len(), PAGE as usize);
    }
    samples.remove(0);
    median(samples)
}

async fn dbdock_ms(db: &dyn Database, statement: &SqlStatement, runs: usize) -> f64 {
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..=runs {
        let started = Instant::now();
        let page = db.query(&statement.sql, &statement.params, &QueryOptions::default()).await.expect("page");
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(page.rows.len(), PAGE as usize);
    }
    samples.remove(0);
    median(samples)
}

async fn run() {
    let runs: usize = std::env::var("BENCH_RUNS").ok().and_then(|n| n.parse().ok()).unwrap_or(30);
    let test_db = TestDb::postgres("keyset_bench").await;
    let db = dbdock_engines::open(dbdock_core::ConnectionTarget::parse(&test_db.url).expect("URL"), Default::default())
        .await
        .expect("PostgreSQL at 127.0.0.1:5432");
    let started = Instant::now();
    exec(
        db.as_ref(),
        "CREATE TABLE big (id bigint PRIMARY KEY, status text NOT NULL, total numeric(12,2), created timestamptz, note text)",
    )
    .await;
    exec(
        db.as_ref(),
        &format!(
            "INSERT INTO big SELECT g, (ARRAY['open','closed','shipped'])[g % 3 + 1], g * 0.37, \
             '2026-01-01'::timestamptz + g * interval '1 minute', 'row ' || g FROM generate_series(1, {ROWS}) g"
        ),
    )
    .await;
    exec(db.as_ref(), "ANALYZE big").await;
    println!(
        "keyset_pages: {ROWS} rows loaded in {:.1} s; {PAGE} rows a page, median of {runs} runs",
        started.elapsed().as_secs_f64()
    );
    let info = db.table_schema("big").await.expect("schema");
    let first = plan_page(dbdock_core::Dialect::Postgres, &info, &PageRequest { limit: PAGE, ..Default::default() })
        .expect("page 1");
    let cursor = i64::from(PAGE) * 4_999;
    let later = plan_page(
        dbdock_core::Dialect::Postgres,
        &info,
        &PageRequest { after: Some(vec![Value::Int(cursor)]), limit: PAGE, ..Default::default() },
    )
    .expect("page 5,000");
    let mut offset = first.statement.clone();
    offset.sql.push_str(&format!(" OFFSET {cursor}"));

    let mut raw = sqlx::PgConnection::connect(&test_db.url).await.expect("raw connection");
    println!("{:<30} {:>10} {:>12} {:>8}", "page", "raw ms", "DB Dock ms", "ratio");
    for (name, statement) in
        [("1 (keyset)", &first.statement), ("5,000 (keyset)", &later.statement), ("5,000 (OFFSET, contrast)", &offset)]
    {
        let raw_ms = raw_ms(&mut raw, statement, runs).await;
        let ours = dbdock_ms(db.as_ref(), statement, runs).await;
        println!("{name:<30} {raw_ms:>10.3} {ours:>12.3} {:>8.2}", ours / raw_ms);
    }
    let _ = raw.close().await;
    db.disconnect().await;
}
