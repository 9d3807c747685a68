//! Read-only calls on PostgreSQL and MariaDB against corpora of attacks, one table per
//! class (docs/safety.md): every input is refused through `query` and `execute`, the
//! database is the same afterwards, and a second connection finds nothing left behind.
//! The state classes also run past the statement check, to show that the engine's own
//! layers (the read-only transaction and the reset after it) hold by themselves.

use dbdock_core::{ConnectionTarget, Database, QueryOptions, Value};
use dbdock_engines::OpenOptions;
use dbdock_engines::mysql::Mysql;
use dbdock_engines::postgres::Postgres;
use dbdock_testkit::{TestDb, exec};

const READ_ONLY: QueryOptions = QueryOptions {
    read_only: true,
    max_rows: Some(200),
    max_bytes: Some(256 * 1024),
    cancellable: false,
    isolated: false,
};

/// One connection, so the call after an attack gets the very same session.
fn one_connection() -> OpenOptions {
    OpenOptions {
        max_connections: 1,
        statement_timeout: Some(std::time::Duration::from_secs(5)),
        ..OpenOptions::default()
    }
}

async fn text(db: &dyn Database, sql: &str) -> String {
    let result = db.query(sql, &[], &QueryOptions::default()).await.unwrap_or_else(|e| panic!("{sql}: {e:?}"));
    let plain = |v: &Value| match v {
        Value::Text(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        other => format!("{other:?}"),
    };
    result.rows.iter().map(|r| r.iter().map(plain).collect::<Vec<_>>().join("|")).collect::<Vec<_>>().join("\n")
}

/// Runs every input of every class through `query` and `execute` as read-only calls and
/// returns the ones that were not refused.
async fn let_through(db: &dyn Database, classes: &[(&str, &[&str])]) -> Vec<String> {
    let mut through = Vec::new();
    for (class, inputs) in classes {
        assert!(inputs.len() >= 5, "{class}: fewer than five inputs");
        for sql in *inputs {
            if let Ok(r) = db.query(sql, &[], &READ_ONLY).await {
                through.push(format!("{class} (query): {sql} -> {:?}", r.rows));
            }
            if let Ok(r) = db.execute(sql, &[], &READ_ONLY).await {
                through.push(format!("{class} (execute): {sql} -> {r:?}"));
            }
        }
    }
    through
}

const PG_SETUP: &[&str] = &[
    "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)",
    "INSERT INTO items VALUES (1, 'one'), (2, 'two'), (3, 'three')",
    "CREATE SEQUENCE seq",
    // A function the old name list never heard of: VOLATILE, it writes.
    "CREATE FUNCTION bump() RETURNS int LANGUAGE sql VOLATILE AS 'SELECT 1'",
    // Lies about its volatility and runs with its owner's rights.
    "CREATE FUNCTION owner_rights() RETURNS int LANGUAGE sql STABLE SECURITY DEFINER AS 'SELECT 1'",
    "CREATE FUNCTION full_name(a text, b text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT a || '' '' || b'",
];

/// Everything a read-only call could have changed, as one text.
const PG_FINGERPRINT: &str = "SELECT (SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM items) || ' / ' || \
     (SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')) || ' / ' || \
     (SELECT last_value::text || is_called::text FROM seq) || ' / ' || \
     (SELECT count(*)::text FROM pg_replication_slots) || ' / ' || (SELECT count(*)::text FROM pg_largeobject_metadata)";

#[tokio::test]
async fn postgres_read_only_corpus() {
    let test_db = TestDb::postgres("ro_corpus").await;
    let setup = dbdock_engines::open(ConnectionTarget::parse(&test_db.url).expect("url"), OpenOptions::default())
        .await
        .expect("PostgreSQL");
    for sql in PG_SETUP {
        exec(setup.as_ref(), sql).await;
    }
    let db = dbdock_engines::open(ConnectionTarget::parse(&test_db.url).expect("url"), one_connection())
        .await
        .expect("PostgreSQL");
    let before = text(setup.as_ref(), PG_FINGERPRINT).await;

    let classes: &[(&str, &[&str])] = &[
        (
            "writes and DDL",
            &[
                "DELETE FROM items",
                "WITH gone AS (DELETE FROM items RETURNING *) SELECT * FROM gone",
                "SELECT * INTO copy_of_items FROM items",
                "CREATE TABLE t2 AS SELECT 1",
                "TRUNCATE items",
                "COPY items TO '/tmp/dbdock_ro_items.csv'",
                "EXPLAIN ANALYZE DELETE FROM items",
            ],
        ),
        (
            "leaving the read-only transaction",
            &[
                "COMMIT",
                "SET TRANSACTION READ WRITE",
                "BEGIN READ WRITE",
                "SELECT set_config('default_transaction_read_only', 'off', false)",
                "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
                "END",
            ],
        ),
        (
            "lexer tricks",
            &[
                "SELECT 1 --x\r, pg_advisory_lock(1)",
                "SELECT U&\"\\0070g_advisory_lock\"(1)",
                "SELECT 'a\\', pg_advisory_lock(1), '\\'",
                "SELECT $a$ $b$ $a$, pg_advisory_lock(1) -- $b$",
                "SELECT /* /* */ pg_advisory_lock(1) */ 1, pg_advisory_lock(2)",
            ],
        ),
        (
            "side effects a read-only transaction lets through",
            &[
                "SELECT pg_advisory_lock(7)",
                "SELECT pg_try_advisory_lock_shared(7)",
                "SELECT pg_create_physical_replication_slot('dbdock_slot')",
                "SELECT * FROM pg_create_logical_replication_slot('dbdock_slot2', 'test_decoding')",
                "SELECT lo_creat(-1)",
                "SELECT pg_notify('ch', 'x')",
                "SELECT pg_terminate_backend(0)",
                "SELECT pg_stat_reset_shared('bgwriter')",
                "SELECT pg_logical_emit_message(false, 'x', 'y')",
                "SELECT setseed(0.5)",
            ],
        ),
        (
            "functions that run SQL given as text, and unknown names",
            &[
                "SELECT ts_stat('SELECT pg_advisory_lock(9)::text::tsvector')",
                "SELECT ts_rewrite('a'::tsquery, 'SELECT ''a''::tsquery, ''b''::tsquery')",
                "SELECT query_to_xml('SELECT pg_advisory_lock(9)', true, true, '')",
                "SELECT cursor_to_xml('c', 1, true, true, '')",
                "SELECT bump()",
                "SELECT public.bump()",
                "SELECT owner_rights()",
                "SELECT * FROM bump()",
                "SELECT nextval('seq')",
                "SELECT pg_catalog.nextval('seq')",
            ],
        ),
        (
            "server files",
            &[
                "SELECT pg_read_file('/etc/hostname')",
                "SELECT pg_ls_dir('.')",
                "SELECT lo_import('/etc/hostname')",
                "SELECT pg_stat_file('postgresql.conf')",
                "SELECT * FROM pg_read_binary_file('/etc/hostname')",
            ],
        ),
    ];
    let through = let_through(db.as_ref(), classes).await;
    assert!(through.is_empty(), "let through:\n{}", through.join("\n"));

    // Legitimate reads, including functions the policy must allow.
    for sql in [
        "SELECT full_name('a', 'b')",
        "SELECT random() < 2, clock_timestamp() IS NOT NULL, gen_random_uuid() IS NOT NULL",
        "SELECT pg_size_pretty(pg_total_relation_size('items'))",
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY id) FROM items",
        "SELECT $$ DELETE FROM items; COMMIT $$",
        "SELECT lower(name), count(*) OVER () FROM items WHERE name ~ 'o'",
    ] {
        db.query(sql, &[], &READ_ONLY).await.unwrap_or_else(|e| panic!("{sql} refused: {e:?}"));
    }

    assert_eq!(text(setup.as_ref(), PG_FINGERPRINT).await, before, "the database changed");
    assert!(!std::path::Path::new("/tmp/dbdock_ro_items.csv").exists(), "a file was written");
    drop(test_db);
}

#[tokio::test]
async fn postgres_session_state_does_not_outlive_a_call_even_past_the_checks() {
    let test_db = TestDb::postgres("ro_state").await;
    let target = ConnectionTarget::parse(&test_db.url).expect("url");
    let setup = dbdock_engines::open(target.clone(), OpenOptions::default()).await.expect("PostgreSQL");
    exec(setup.as_ref(), "CREATE TABLE items (id int)").await;
    let engine = Postgres::new(target, one_connection()).expect("engine");
    engine.connect().await.expect("connect");
    let pid = text(&engine, "SELECT pg_backend_pid()::text").await;
    let defaults = text(&engine, "SELECT current_setting('search_path') || current_setting('statement_timeout')").await;

    let attacks = [
        "SELECT pg_advisory_lock(42)",
        "SELECT pg_advisory_lock_shared(43)",
        "SELECT set_config('search_path', 'pg_temp', false)",
        "SELECT set_config('statement_timeout', '0', false)",
        "SELECT pg_try_advisory_lock(44), set_config('work_mem', '1GB', false)",
        "DECLARE leftover CURSOR WITH HOLD FOR SELECT 1",
    ];
    for sql in attacks {
        // Past the checks the statement may run: what matters is what it leaves.
        let _ = engine.query_past_the_checks(sql).await;
        assert_eq!(text(&engine, "SELECT pg_backend_pid()::text").await, pid, "{sql}: the session was replaced");
        let locks =
            text(setup.as_ref(), &format!("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = {pid}"))
                .await;
        assert_eq!(locks, "0", "{sql}: an advisory lock survived the call");
        let now = text(&engine, "SELECT current_setting('search_path') || current_setting('statement_timeout')").await;
        assert_eq!(now, defaults, "{sql}: a setting survived the call");
    }
    // A read-only transaction refuses writes by itself.
    for sql in ["INSERT INTO items VALUES (1)", "CREATE TABLE t2 (a int)", "SELECT nextval('x')", "DELETE FROM items"] {
        let e = engine.query_past_the_checks(sql).await.err();
        assert!(e.is_some(), "{sql} ran past the checks");
    }
    assert_eq!(text(setup.as_ref(), "SELECT count(*) FROM items").await, "0");
    assert_eq!(text(&engine, "SELECT count(*) FROM pg_cursors WHERE name <> ''").await, "0");
    drop(test_db);
}

const MYSQL_FINGERPRINT: &str = "SELECT CONCAT((SELECT GROUP_CONCAT(id, ':', name ORDER BY id) FROM items), ' / ', \
     (SELECT GROUP_CONCAT(table_name ORDER BY table_name) FROM information_schema.tables WHERE table_schema = DATABASE()))";

#[tokio::test]
async fn mariadb_read_only_corpus() {
    let test_db = TestDb::mysql("ro_corpus").await;
    let setup = dbdock_engines::open(ConnectionTarget::parse(&test_db.url).expect("url"), OpenOptions::default())
        .await
        .expect("MariaDB");
    exec(setup.as_ref(), "CREATE TABLE items (id int PRIMARY KEY, name varchar(20) NOT NULL)").await;
    exec(setup.as_ref(), "INSERT INTO items VALUES (1, 'one'), (2, 'two'), (3, 'three')").await;
    let db = dbdock_engines::open(ConnectionTarget::parse(&test_db.url).expect("url"), one_connection())
        .await
        .expect("MariaDB");
    let before = text(setup.as_ref(), MYSQL_FINGERPRINT).await;

    let classes: &[(&str, &[&str])] = &[
        (
            "writes and DDL (DDL commits implicitly on MariaDB)",
            &[
                "DELETE FROM items",
                "CREATE TABLE t2 (a int)",
                "DROP TABLE items",
                "CREATE TEMPORARY TABLE items (id int)",
                "RENAME TABLE items TO items2",
                "REPLACE INTO items VALUES (1, 'x')",
            ],
        ),
        (
            "files",
            &[
                "SELECT * FROM items INTO OUTFILE '/tmp/dbdock_ro_out.txt'",
                "SELECT name FROM items LIMIT 1 INTO DUMPFILE '/tmp/dbdock_ro_dump.txt'",
                "SELECT LOAD_FILE('/etc/hostname')",
                "SELECT 1 --\u{a0}, LOAD_FILE('/etc/hostname')",
                "SELECT e'\\'; SELECT LOAD_FILE('/etc/hostname') -- '",
            ],
        ),
        (
            "session state",
            &[
                "SELECT @v := 5",
                "SET @v = 5",
                "SELECT 1 INTO @v",
                "SELECT GET_LOCK('dbdock', 0)",
                "SET SESSION sql_mode = ''",
                "SELECT 1 --\u{2003}, GET_LOCK('dbdock', 0)",
            ],
        ),
        (
            "tying up the server",
            &[
                "SELECT SLEEP(3)",
                "SELECT BENCHMARK(100000000, MD5('x'))",
                "SELECT MASTER_POS_WAIT('x', 1)",
                "SELECT 1 /*!, SLEEP(3) */",
                "SELECT 1 /*M! , SLEEP(3) */",
            ],
        ),
        (
            "lexer tricks",
            &[
                "SELECT 'a\\', GET_LOCK('x', 0), '\\'",
                "SELECT \"a\\\", SLEEP(3), \"\\\"",
                "SELECT 1 --\u{3000}INTO OUTFILE '/tmp/dbdock_ro_x.txt'",
                "SELECT 1 # x\r, GET_LOCK('a', 0)",
                "SELECT 1; DELETE FROM items",
            ],
        ),
    ];
    let through = let_through(db.as_ref(), classes).await;
    assert!(through.is_empty(), "let through:\n{}", through.join("\n"));
    assert_eq!(text(setup.as_ref(), MYSQL_FINGERPRINT).await, before, "the database changed");
    for file in ["/tmp/dbdock_ro_out.txt", "/tmp/dbdock_ro_dump.txt", "/tmp/dbdock_ro_x.txt"] {
        assert!(!std::path::Path::new(file).exists(), "{file} was written");
    }
    drop(test_db);
}

#[tokio::test]
async fn mariadb_session_state_does_not_outlive_a_call_even_past_the_checks() {
    let test_db = TestDb::mysql("ro_state").await;
    let target = ConnectionTarget::parse(&test_db.url).expect("url");
    let setup = dbdock_engines::open(target.clone(), OpenOptions::default()).await.expect("MariaDB");
    exec(setup.as_ref(), "CREATE TABLE items (id int)").await;
    let engine = Mysql::new(target, one_connection()).expect("engine");
    engine.connect().await.expect("connect");
    for sql in [
        "SELECT GET_LOCK('dbdock_a', 0)",
        "SELECT @leftover := 5",
        "SELECT GET_LOCK('dbdock_b', 0), @other := 'x'",
        "SELECT IS_FREE_LOCK('dbdock_a'), @third := 1",
        "SELECT GET_LOCK('dbdock_c', 0)",
    ] {
        let _ = engine.query_past_the_checks(sql).await;
        // The reset runs right after the answer, before the (only) connection is reused:
        // the next call through the engine starts once it is done (docs/safety.md, layer 4).
        let vars = text(&engine, "SELECT @leftover IS NULL AND @other IS NULL AND @third IS NULL").await;
        assert_eq!(vars, "1", "{sql}: a user variable survived the call");
        let observed = text(
            setup.as_ref(),
            "SELECT IS_USED_LOCK('dbdock_a') IS NULL AND IS_USED_LOCK('dbdock_b') IS NULL AND IS_USED_LOCK('dbdock_c') IS NULL",
        )
        .await;
        assert_eq!(observed, "1", "{sql}: a named lock survived the call");
    }
    for sql in ["INSERT INTO items VALUES (1)", "UPDATE items SET id = 2", "DELETE FROM items"] {
        assert!(engine.query_past_the_checks(sql).await.is_err(), "{sql} ran past the checks");
    }
    assert_eq!(text(setup.as_ref(), "SELECT COUNT(*) FROM items").await, "0");
    drop(test_db);
}

/// Peak resident memory of this test process (each nextest test runs in its own).
fn peak_rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmHWM");
    kib / 1024
}

#[tokio::test]
async fn postgres_cuts_huge_values_on_the_server() {
    let test_db = TestDb::postgres("ro_cut").await;
    // Building a 900 MB value takes the server seconds on a busy 2-core machine.
    let options = OpenOptions { statement_timeout: Some(std::time::Duration::from_secs(120)), ..one_connection() };
    let db =
        dbdock_engines::open(ConnectionTarget::parse(&test_db.url).expect("url"), options).await.expect("PostgreSQL");
    // 900 MB in one cell: read whole, it would cost DB Dock 900 MB.
    let result =
        db.query("SELECT 42 AS n, repeat('x', 900000000) AS big, 'small' AS s", &[], &READ_ONLY).await.expect("query");
    assert!(result.truncated, "a cut value makes the result truncated");
    assert_eq!(result.rows[0][0], Value::Int(42));
    let Value::Text(big) = &result.rows[0][1] else { panic!("{:?}", result.rows[0][1]) };
    assert!(big.ends_with("…[cut: 900000000 bytes in all]"), "{}", &big[big.len().saturating_sub(60)..]);
    assert!(big.len() < 300 * 1024, "{} bytes came back", big.len());
    assert_eq!(result.rows[0][2], Value::Text("small".into()));
    let peak = peak_rss_mib();
    assert!(peak < 200, "peak RSS {peak} MiB");
    // Values that fit come back whole and typed; order and parameters survive the wrapping.
    let result = db
        .query(
            "SELECT n, repeat('y', n) AS s, '{\"a\": 1}'::jsonb AS j FROM generate_series(3, 1, -1) n WHERE n <= $1 -- trailing",
            &[serde_json::json!(3)],
            &READ_ONLY,
        )
        .await
        .expect("query");
    assert!(!result.truncated);
    assert_eq!(result.rows.len(), 3);
    assert_eq!(result.rows[0][0], Value::Int(3));
    assert_eq!(result.rows[0][1], Value::Text("yyy".into()));
    assert_eq!(result.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["n", "s", "j"]);
    assert!(matches!(result.rows[0][2], Value::Json(_)), "{:?}", result.rows[0][2]);
    drop(test_db);
}
