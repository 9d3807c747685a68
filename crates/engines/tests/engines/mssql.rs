//! The SQL Server engine against pysqlbridge, a TDS server that serves CSV and JSON files as
//! read-only tables behind a TLS login (no SQL Server installs here). It speaks the protocol
//! tiberius speaks to SQL Server; what it cannot show (writes to real tables, decimal and
//! date wire types, keys and indexes) is covered by the engine's unit tests.

use std::time::Duration;

use dbdock_core::{ConnectionTarget, Database, ErrorCode, QueryOptions, Secret, TableKind, Value};
use dbdock_engines::OpenOptions;
use dbdock_testkit::SqlBridge;
use serde_json::json;

const PEOPLE: &str = "id,name,score,joined\n1,Ada,99.5,2024-01-15\n2,Grace,87.25,2023-12-31\n3,Edsger,,2020-02-29\n";

/// Non-ASCII text, a whole number past 2^53, an empty string beside a NULL.
const ITEMS: &str = r#"[
  {"id": 1, "label": "Zoë Ünïcode ✓", "big": 9007199254740993, "price": 1.5, "note": ""},
  {"id": 2, "label": "plain", "big": -5, "price": null, "note": null},
  {"id": 3, "label": "it's", "big": 0, "price": 2.25, "note": "x"}
]"#;

fn bridge() -> SqlBridge {
    SqlBridge::start(&[("people.csv", PEOPLE), ("items.json", ITEMS)])
}

async fn open_with(bridge: &SqlBridge, options: OpenOptions) -> Box<dyn Database> {
    match dbdock_engines::open(bridge.target(), options).await {
        Ok(db) => db,
        Err(e) => panic!("cannot open the bridge: {e:?}\n{}", bridge.log()),
    }
}

async fn open(bridge: &SqlBridge) -> Box<dyn Database> {
    open_with(bridge, OpenOptions::default()).await
}

fn read_only() -> QueryOptions {
    QueryOptions { read_only: true, cancellable: true, ..QueryOptions::default() }
}

async fn scalar(db: &dyn Database, sql: &str) -> Value {
    let result = db.query(sql, &[], &QueryOptions::default()).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    result.rows[0][0].clone()
}

#[tokio::test]
async fn mssql_wrong_password_is_auth_failed_and_never_echoed() {
    let bridge = bridge();
    let target =
        ConnectionTarget::parse(&bridge.url()).expect("url").with_password(Some(Secret::new("Wr0ng-Secret-Pw")));
    let e = dbdock_engines::open(target, OpenOptions::default()).await.err().expect("refused");
    assert_eq!(e.code, ErrorCode::AuthFailed, "{e}");
    assert!(e.message.contains("Login failed") && e.message.contains("18456"), "{e}");
    assert!(!e.message.contains("Wr0ng-Secret-Pw") && !e.message.contains(bridge.password()), "{e}");
}

#[tokio::test]
async fn mssql_refused_connection_names_the_address() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port");
    let target = ConnectionTarget::parse(&format!("sqlserver://sa@127.0.0.1:{port}/db?trustServerCertificate=true"))
        .expect("url")
        .with_password(Some(Secret::new("pw")));
    let e = dbdock_engines::open(target, OpenOptions::default()).await.err().expect("refused");
    assert_eq!(e.code, ErrorCode::ConnectionFailed, "{e}");
    assert!(e.message.contains(&format!("127.0.0.1:{port}")), "{e}");
}

#[tokio::test]
async fn mssql_untrusted_certificate_is_refused_with_a_hint() {
    let bridge = bridge();
    // Certificate validation is on unless the URL says otherwise; the bridge's certificate
    // is self-signed, as SQL Server's default one is.
    let target = ConnectionTarget::parse(&bridge.url_without_options())
        .expect("url")
        .with_password(Some(Secret::new(bridge.password())));
    let e = dbdock_engines::open(target, OpenOptions::default()).await.err().expect("refused");
    assert_eq!(e.code, ErrorCode::ConnectionFailed, "{e}");
    assert!(e.message.contains("trustServerCertificate=true"), "{e}");
    assert!(!e.message.contains(bridge.password()), "{e}");
}

#[tokio::test]
async fn mssql_lists_and_describes_tables() {
    let bridge = bridge();
    let db = open(&bridge).await;
    let tables = db.list_tables().await.expect("list");
    let names: Vec<String> = tables.iter().map(ToString::to_string).collect();
    assert_eq!(names, ["dbo.items", "dbo.people"]);
    assert!(tables.iter().all(|t| t.kind == TableKind::Table));

    let people = db.table_schema("people").await.expect("people");
    assert_eq!((people.schema.as_deref(), people.name.as_str()), (Some("dbo"), "people"));
    let columns: Vec<(&str, &str)> = people.columns.iter().map(|c| (c.name.as_str(), c.type_name.as_str())).collect();
    assert_eq!(columns, [("id", "int"), ("name", "nvarchar(6)"), ("score", "float"), ("joined", "nvarchar(10)")]);
    assert!(people.columns.iter().all(|c| c.nullable && !c.primary_key));

    let items = db.table_schema("dbo.items").await.expect("items");
    let big = items.columns.iter().find(|c| c.name == "big").expect("big");
    assert_eq!(big.type_name, "bigint");

    let e = db.table_schema("nope").await.expect_err("unknown");
    assert_eq!(e.code, ErrorCode::NotFound, "{e}");

    let schema = db.schema().await.expect("schema");
    assert_eq!(schema.database, "pysqlbridge");
    assert_eq!(schema.tables.len(), 2);
    assert_eq!(schema.tables[1].columns.len(), 4);
    assert!(db.server_version().await.expect("version").contains("SQL Server"));
}

#[tokio::test]
async fn mssql_parameterized_select_returns_typed_rows() {
    let bridge = bridge();
    let db = open(&bridge).await;
    let result = db
        .query(
            "SELECT id, label, big, price, note FROM items WHERE id >= @P1 AND label <> @P2 ORDER BY id",
            &[json!(1), json!("it's")],
            &read_only(),
        )
        .await
        .expect("query");
    let types: Vec<(&str, &str)> = result.columns.iter().map(|c| (c.name.as_str(), c.type_name.as_str())).collect();
    assert_eq!(
        types,
        [("id", "int"), ("label", "nvarchar"), ("big", "bigint"), ("price", "float"), ("note", "nvarchar")]
    );
    assert_eq!(
        result.rows,
        [
            vec![
                Value::Int(1),
                Value::Text("Zoë Ünïcode ✓".into()),
                Value::Int(9_007_199_254_740_993),
                Value::Float(1.5),
                Value::Text(String::new())
            ],
            vec![Value::Int(2), Value::Text("plain".into()), Value::Int(-5), Value::Null, Value::Null],
        ]
    );
    assert!(!result.truncated);

    // Dates and times arrive as ISO 8601; a NULL parameter compares as NULL.
    let result = db
        .query(
            "SELECT CAST(@P1 AS datetime) AS at, CAST(1 AS bit) AS yes, @P2 AS nothing",
            &[json!("2024-02-29T13:05:09.997"), json!(null)],
            &read_only(),
        )
        .await
        .expect("query");
    assert_eq!(result.rows[0], [Value::Timestamp("2024-02-29T13:05:09.997".into()), Value::Bool(true), Value::Null]);

    let e = db.query("SELECT @P1, @P2", &[json!(1)], &read_only()).await.expect_err("one value short");
    assert_eq!(e.code, ErrorCode::InvalidInput, "{e}");
    assert!(e.message.contains("@P1"), "{e}");
    let e = db.query("SELECT * FROM nope", &[], &read_only()).await.expect_err("unknown table");
    assert_eq!(e.code, ErrorCode::QueryFailed, "{e}");
    assert!(e.message.contains("nope") && e.message.contains("208"), "{e}");
}

#[tokio::test]
async fn mssql_row_and_byte_caps_truncate() {
    let rows: String = (1..=50).map(|i| format!("{i},row number {i}\n")).collect();
    let bridge = SqlBridge::start(&[("many.csv", &format!("n,text\n{rows}"))]);
    // One connection: every call after a cut-short one must find it clean (or replaced).
    let db = open_with(&bridge, OpenOptions { max_connections: 1, ..OpenOptions::default() }).await;
    let sql = "SELECT n, text FROM many ORDER BY n";
    for options in [
        QueryOptions { max_rows: Some(10), ..read_only() },
        QueryOptions { max_rows: Some(10), ..QueryOptions::default() },
    ] {
        let result = db.query(sql, &[], &options).await.expect("capped");
        assert_eq!(result.row_count, 10);
        assert!(result.truncated);
        assert_eq!(result.rows[9][0], Value::Int(10));
    }
    let all = db.query(sql, &[], &QueryOptions { max_rows: Some(50), ..read_only() }).await.expect("all");
    assert_eq!((all.row_count, all.truncated), (50, false));
    let bytes = db.query(sql, &[], &QueryOptions { max_bytes: Some(200), ..read_only() }).await.expect("bytes");
    assert!(bytes.truncated && bytes.row_count < 10, "{}", bytes.row_count);
    assert_eq!(scalar(db.as_ref(), "SELECT COUNT(*) FROM many").await, Value::Int(50));
    assert_eq!(scalar(db.as_ref(), "SELECT @@TRANCOUNT").await, Value::Int(0));
}

#[tokio::test]
async fn mssql_read_only_refuses_writes_and_escapes() {
    let bridge = bridge();
    let db = open_with(&bridge, OpenOptions { max_connections: 1, ..OpenOptions::default() }).await;
    for sql in [
        "EXEC sp_who",
        "EXEC sp_executesql N'DELETE FROM people'",
        "EXEC xp_cmdshell 'dir'",
        "SELECT * FROM OPENROWSET('SQLNCLI', 'Server=x;Trusted_Connection=yes;', 'SELECT 1')",
        "SELECT * INTO #copy FROM people",
        "INSERT INTO people (id, name) VALUES (4, 'Barbara')",
        "UPDATE people SET name = 'x'",
        "DELETE FROM people",
        "DROP TABLE people",
        "SELECT 1 AS a COMMIT",
        "SELECT 1 AS a; DELETE FROM people",
        "SELECT 1 AS a DROP TABLE people",
    ] {
        let e = db.query(sql, &[], &read_only()).await.expect_err(sql);
        assert_eq!(e.code, ErrorCode::ReadOnlyViolation, "{sql}: {e}");
        let e = db.execute(sql, &[], &read_only()).await.expect_err(sql);
        assert_eq!(e.code, ErrorCode::ReadOnlyViolation, "{sql}: {e}");
    }
    // Reads still run, inside a transaction that is rolled back: nothing is left open.
    let result = db.query("SELECT COUNT(*) AS n FROM people", &[], &read_only()).await.expect("read");
    assert_eq!(result.rows[0][0], Value::Int(3));
    assert_eq!(scalar(db.as_ref(), "SELECT @@TRANCOUNT").await, Value::Int(0));
    assert_eq!(scalar(db.as_ref(), "SELECT MAX(name) FROM people").await, Value::Text("Grace".into()));
}

#[tokio::test]
async fn mssql_writes_run_and_may_not_leave_a_transaction_open() {
    let bridge = bridge();
    let db = open_with(&bridge, OpenOptions { max_connections: 1, ..OpenOptions::default() }).await;
    // pysqlbridge writes only to a session's temporary tables, and its DONE tokens carry no
    // row counts for writes (SQL Server's do; tiberius sums them). It also keeps a temporary
    // table past the sp_executesql that made it (SQL Server drops it there), so each call
    // makes its own.
    let batch = "CREATE TABLE #t (a int); INSERT INTO #t (a) VALUES (1), (2); UPDATE #t SET a = 3 WHERE a = @P1";
    db.execute(batch, &[json!(1)], &QueryOptions::default()).await.expect("execute");
    let result = db
        .query(
            &format!("{}; SELECT a FROM #t2 ORDER BY a", batch.replace("#t", "#t2")),
            &[json!(1)],
            &QueryOptions::default(),
        )
        .await
        .expect("a write, then its rows");
    assert_eq!(result.rows, [[Value::Int(2)], [Value::Int(3)]]);
    let done = db
        .execute("BEGIN TRANSACTION; CREATE TABLE #u (a int); COMMIT", &[], &QueryOptions::default())
        .await
        .expect("a whole transaction");
    assert_eq!(done.rows_affected, 0);
    let e = db.execute("BEGIN TRANSACTION", &[], &QueryOptions::default()).await.expect_err("left open");
    assert_eq!(e.code, ErrorCode::InvalidInput, "{e}");
    assert_eq!(scalar(db.as_ref(), "SELECT @@TRANCOUNT").await, Value::Int(0));
}

#[tokio::test]
async fn mssql_statement_timeout_cancels_and_the_next_call_works() {
    let bridge = bridge();
    let options = OpenOptions { statement_timeout: Some(Duration::from_millis(300)), ..OpenOptions::default() };
    let db = open_with(&bridge, options).await;
    // About five seconds of work on pysqlbridge.
    let slow = "DECLARE @i int = 0 WHILE @i < 20000 SET @i += 1 SELECT @i AS i";
    let started = std::time::Instant::now();
    let e = db.query(slow, &[], &QueryOptions::default()).await.expect_err("timed out");
    assert_eq!(e.code, ErrorCode::Timeout, "{e}");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert_eq!(scalar(db.as_ref(), "SELECT COUNT(*) FROM people").await, Value::Int(3));
    // Disconnecting closes the pool; the next call connects again.
    db.disconnect().await;
    db.ping().await.expect("ping after disconnect");
}
