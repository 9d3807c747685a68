//! The SQL Server engine against a real SQL Server: what the pysqlbridge emulator of the main
//! suite cannot show — writes and their row counts, DDL, every wire type decoded exactly,
//! keys, indexes, views, identities and defaults from the `sys` catalog, the read-only
//! transaction really rolled back, the statement timeout cancelling the request on the
//! server, and the login errors.
//!
//! Every test here is `#[ignore]`d: the real-servers workflow (.github/workflows/services.yml)
//! runs them with `--run-ignored only`, a SQL Server service container and
//! `DBDOCK_TEST_MSSQL_URL` / `DBDOCK_TEST_MSSQL_PASSWORD`. Run without those variables they
//! fail, never pass silently. Each test works in a database of its own
//! (`dbdock_t_<test>_<pid>`), dropped at the end, also when the test fails.

use std::time::{Duration, Instant};

use dbdock_core::{
    ConnectionTarget, Database, Engine, Error, ErrorCode, ForeignKeyInfo, IndexInfo, QueryOptions, QueryResult, Secret,
    TableInfo, TableKind, Value,
};
use dbdock_engines::OpenOptions;
use serde_json::json;

const MISSING: &str = "these tests need a real SQL Server: set DBDOCK_TEST_MSSQL_URL (e.g. \
                       sqlserver://sa@127.0.0.1:1433/master?trustServerCertificate=true) and DBDOCK_TEST_MSSQL_PASSWORD \
                       (the login's password), as the real-servers workflow (.github/workflows/services.yml) does";

/// Where the server is, from the environment.
#[derive(Clone)]
struct Env {
    url: url::Url,
    password: String,
}

fn env() -> Env {
    let Some(text) = std::env::var("DBDOCK_TEST_MSSQL_URL").ok().filter(|u| !u.trim().is_empty()) else {
        panic!("{MISSING}");
    };
    let target = ConnectionTarget::parse(&text)
        .unwrap_or_else(|e| panic!("DBDOCK_TEST_MSSQL_URL is not a connection URL ({e}); {MISSING}"));
    assert_eq!(target.engine(), Engine::Mssql, "DBDOCK_TEST_MSSQL_URL must name a SQL Server; {MISSING}");
    let password = std::env::var("DBDOCK_TEST_MSSQL_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
        .or_else(|| target.password().map(|p| p.expose().to_owned()));
    let Some(password) = password else { panic!("DBDOCK_TEST_MSSQL_PASSWORD is not set; {MISSING}") };
    let url = target.url().cloned().unwrap_or_else(|| panic!("{MISSING}"));
    Env { url, password }
}

impl Env {
    /// The server's URL on `database` (the URL's own database when `None`), with the password.
    fn target(&self, database: Option<&str>) -> ConnectionTarget {
        self.target_with_password(database, &self.password)
    }

    fn target_with_password(&self, database: Option<&str>, password: &str) -> ConnectionTarget {
        let mut url = self.url.clone();
        if let Some(database) = database {
            url.set_path(&format!("/{database}"));
        }
        ConnectionTarget::parse(url.as_str())
            .expect("the test server's URL parses")
            .with_password(Some(Secret::new(password)))
    }
}

/// Drops `name` if it exists, closing every connection to it first.
fn drop_sql(name: &str) -> String {
    format!(
        "IF DB_ID(N'{name}') IS NOT NULL BEGIN ALTER DATABASE [{name}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; \
         DROP DATABASE [{name}]; END"
    )
}

/// A database of the test's own, and an administrator's connection on the URL's database
/// (`master`) to create, watch and drop it.
struct Server {
    env: Env,
    admin: Box<dyn Database>,
    name: String,
    dropped: bool,
}

async fn open_target(target: ConnectionTarget, options: OpenOptions) -> Box<dyn Database> {
    let shown = target.redacted();
    dbdock_engines::open(target, options).await.unwrap_or_else(|e| panic!("cannot open {shown}: [{}] {e}", e.code))
}

async fn server(test: &str) -> Server {
    let env = env();
    let admin_options = OpenOptions { statement_timeout: Some(Duration::from_secs(120)), ..OpenOptions::default() };
    let admin = open_target(env.target(None), admin_options).await;
    let name = format!("dbdock_t_{test}_{}", std::process::id());
    exec(admin.as_ref(), &drop_sql(&name)).await;
    exec(admin.as_ref(), &format!("CREATE DATABASE [{name}]")).await;
    Server { env, admin, name, dropped: false }
}

impl Server {
    async fn open(&self) -> Box<dyn Database> {
        self.open_with(OpenOptions::default()).await
    }

    async fn open_with(&self, options: OpenOptions) -> Box<dyn Database> {
        open_target(self.env.target(Some(&self.name)), options).await
    }

    fn admin(&self) -> &dyn Database {
        self.admin.as_ref()
    }

    async fn done(mut self) {
        exec(self.admin(), &drop_sql(&self.name)).await;
        self.dropped = true;
        self.admin.disconnect().await;
    }
}

impl Drop for Server {
    /// A failed test still drops its database: on a runtime of its own, as the test's runtime
    /// is unwinding.
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        let (target, name) = (self.env.target(None), self.name.clone());
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            runtime.block_on(async move {
                if let Ok(admin) = dbdock_engines::open(target, OpenOptions::default()).await {
                    let _ = admin.execute(&drop_sql(&name), &[], &QueryOptions::default()).await;
                    admin.disconnect().await;
                }
            });
        })
        .join();
    }
}

fn read_only() -> QueryOptions {
    QueryOptions { read_only: true, cancellable: true, ..QueryOptions::default() }
}

fn fail(sql: &str, e: &Error) -> ! {
    panic!("{sql}: [{}] {}", e.code, e.message)
}

async fn exec(db: &dyn Database, sql: &str) -> u64 {
    exec_with(db, sql, &[]).await
}

async fn exec_with(db: &dyn Database, sql: &str, params: &[serde_json::Value]) -> u64 {
    match db.execute(sql, params, &QueryOptions::default()).await {
        Ok(done) => done.rows_affected,
        Err(e) => fail(sql, &e),
    }
}

async fn query(db: &dyn Database, sql: &str, params: &[serde_json::Value]) -> QueryResult {
    db.query(sql, params, &QueryOptions::default()).await.unwrap_or_else(|e| fail(sql, &e))
}

async fn rows(db: &dyn Database, sql: &str, params: &[serde_json::Value]) -> Vec<Vec<Value>> {
    query(db, sql, params).await.rows
}

async fn scalar(db: &dyn Database, sql: &str, params: &[serde_json::Value]) -> Value {
    let rows = rows(db, sql, params).await;
    rows.first().and_then(|r| r.first()).cloned().unwrap_or_else(|| panic!("{sql}: no rows"))
}

fn int(v: &Value) -> i64 {
    match v {
        Value::Int(n) => *n,
        other => panic!("expected an integer, got {other:?}"),
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn dec(s: &str) -> Value {
    Value::Decimal(s.to_owned())
}

/// Polls `sql` (one integer) on `db` until it gives `want`, for at most `within`.
async fn wait_for(db: &dyn Database, sql: &str, params: &[serde_json::Value], want: i64, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let got = int(&scalar(db, sql, params).await);
        if got == want {
            return;
        }
        assert!(Instant::now() < deadline, "{sql} {params:?}: still {got} after {within:?}, expected {want}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
#[ignore = "needs a real SQL Server: DBDOCK_TEST_MSSQL_URL (the real-servers workflow)"]
async fn writes_report_rows_affected_and_ddl_runs() {
    let server = server("writes").await;
    let db = server.open_with(OpenOptions { max_connections: 1, ..OpenOptions::default() }).await;
    let db = db.as_ref();
    let ddl = "CREATE TABLE dbo.notes (id int IDENTITY(1,1) NOT NULL PRIMARY KEY, body nvarchar(100) NULL, \
               n int NOT NULL CONSTRAINT df_notes_n DEFAULT (0))";
    assert_eq!(exec(db, ddl).await, 0);
    let insert = "INSERT INTO dbo.notes (body, n) VALUES (@P1, 1), (@P2, 2), (N'third', 3)";
    assert_eq!(exec_with(db, insert, &[json!("first"), json!("second")]).await, 3);
    assert_eq!(exec_with(db, "UPDATE dbo.notes SET n = n * 10 WHERE n >= @P1", &[json!(2)]).await, 2);
    assert_eq!(exec(db, "UPDATE dbo.notes SET n = 0 WHERE 1 = 0").await, 0);
    assert_eq!(exec_with(db, "DELETE FROM dbo.notes WHERE body = @P1", &[json!("first")]).await, 1);
    // Several statements in one call: their counts add up (1 + 2 + 1).
    let batch = "INSERT INTO dbo.notes (body) VALUES (N'a'); INSERT INTO dbo.notes (body) VALUES (N'b'), (N'c'); \
                 DELETE FROM dbo.notes WHERE body = N'a'";
    assert_eq!(exec(db, batch).await, 4);
    assert_eq!(
        rows(db, "SELECT body, n FROM dbo.notes ORDER BY body", &[]).await,
        [
            vec![text("b"), Value::Int(0)],
            vec![text("c"), Value::Int(0)],
            vec![text("second"), Value::Int(20)],
            vec![text("third"), Value::Int(30)],
        ]
    );

    // A write's DONE token comes before the rows: the first result set is the SELECT's. Six
    // identities were taken so far (1 to 6).
    let inserted = query(
        db,
        "INSERT INTO dbo.notes (body) VALUES (@P1); SELECT CAST(SCOPE_IDENTITY() AS int) AS id",
        &[json!("with id")],
    )
    .await;
    assert_eq!(inserted.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["id"]);
    assert_eq!(inserted.rows, [[Value::Int(7)]]);
    // Only the first result set comes back, but every statement of the call runs.
    let first =
        query(db, "SELECT COUNT(*) AS n FROM dbo.notes; DELETE FROM dbo.notes WHERE id = 7; SELECT 42 AS ignored", &[])
            .await;
    assert_eq!(first.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["n"]);
    assert_eq!(first.rows, [[Value::Int(5)]]);
    assert_eq!(scalar(db, "SELECT COUNT(*) FROM dbo.notes", &[]).await, Value::Int(4));

    // DDL: a column, an index, a table dropped.
    assert_eq!(exec(db, "ALTER TABLE dbo.notes ADD tag varchar(10) NULL").await, 0);
    assert_eq!(exec(db, "CREATE INDEX ix_notes_tag ON dbo.notes (tag)").await, 0);
    let notes = db.table_schema("dbo.notes").await.unwrap_or_else(|e| fail("table_schema(dbo.notes)", &e));
    let tag = notes.columns.iter().find(|c| c.name == "tag").expect("the new column");
    assert_eq!((tag.type_name.as_str(), tag.nullable), ("varchar(10)", true));
    assert!(
        notes.indexes.iter().any(|i| i.name == "ix_notes_tag" && i.columns == ["tag"] && !i.unique && !i.primary),
        "{:?}",
        notes.indexes
    );
    assert_eq!(exec(db, "CREATE TABLE dbo.log (a int NOT NULL)").await, 0);
    assert_eq!(exec(db, "DROP TABLE dbo.notes").await, 0);
    let tables = db.list_tables().await.unwrap_or_else(|e| fail("list_tables", &e));
    assert_eq!(tables.iter().map(ToString::to_string).collect::<Vec<_>>(), ["dbo.log"]);

    // Transactions: whole ones run; one left open is rolled back and reported.
    assert_eq!(exec(db, "BEGIN TRANSACTION; INSERT INTO dbo.log (a) VALUES (1); COMMIT").await, 1);
    assert_eq!(exec(db, "BEGIN TRANSACTION; INSERT INTO dbo.log (a) VALUES (2); ROLLBACK").await, 1);
    let e = db
        .execute("BEGIN TRANSACTION; INSERT INTO dbo.log (a) VALUES (3)", &[], &QueryOptions::default())
        .await
        .expect_err("a transaction left open is refused");
    // The engine's own INVALID_INPUT, or SQL Server's error 266 (the transaction count changed
    // across sp_executesql): either way the connection is closed and the server rolls back.
    assert!(matches!(e.code, ErrorCode::InvalidInput | ErrorCode::QueryFailed), "{e}");
    assert!(e.message.to_lowercase().contains("transaction"), "{e}");
    let observer = server.open().await;
    assert_eq!(
        rows(observer.as_ref(), "SELECT a FROM dbo.log ORDER BY a", &[]).await,
        [[Value::Int(1)]],
        "the rolled-back and the abandoned inserts left nothing"
    );
    assert_eq!(scalar(db, "SELECT @@TRANCOUNT", &[]).await, Value::Int(0));

    // Server errors keep their meaning.
    let e = db.execute("INSERT INTO dbo.log (a) VALUES (NULL)", &[], &QueryOptions::default()).await.expect_err("NULL");
    assert_eq!(e.code, ErrorCode::QueryFailed, "{e}");
    assert!(e.message.contains("515"), "{e}");
    let e = db
        .execute("INSERT INTO dbo.log (a) VALUES (@P1)", &[json!("not a number")], &QueryOptions::default())
        .await
        .expect_err("conversion");
    assert_eq!(e.code, ErrorCode::InvalidInput, "{e}");
    assert!(e.message.contains("245"), "{e}");
    let e = db.execute("DELETE FROM dbo.nope", &[], &QueryOptions::default()).await.expect_err("unknown table");
    assert_eq!(e.code, ErrorCode::QueryFailed, "{e}");
    assert!(e.message.contains("208") && e.message.contains("dbo.nope"), "{e}");
    // The connection is still good after each of them.
    assert_eq!(scalar(db, "SELECT COUNT(*) FROM dbo.log", &[]).await, Value::Int(1));

    observer.disconnect().await;
    db.disconnect().await;
    server.done().await;
}

#[tokio::test]
#[ignore = "needs a real SQL Server: DBDOCK_TEST_MSSQL_URL (the real-servers workflow)"]
async fn every_type_round_trips_exactly() {
    let server = server("types").await;
    let db = server.open().await;
    let db = db.as_ref();
    exec(
        db,
        "CREATE TABLE dbo.types (
            id int NOT NULL PRIMARY KEY,
            dec38 decimal(38,10) NULL,
            num numeric(10,2) NULL,
            cash money NULL,
            small_cash smallmoney NULL,
            big bigint NULL,
            tiny tinyint NULL,
            small smallint NULL,
            flag bit NULL,
            day date NULL,
            clock time(7) NULL,
            stamp datetime2(7) NULL,
            zoned datetimeoffset(7) NULL,
            small_stamp smalldatetime NULL,
            legacy datetime NULL,
            guid uniqueidentifier NULL,
            bytes varbinary(16) NULL,
            blob varbinary(max) NULL,
            label nvarchar(50) NULL,
            long_text nvarchar(max) NULL,
            latin varchar(20) NULL,
            doc xml NULL,
            ratio float NULL,
            approx real NULL
        )",
    )
    .await;
    let inserted = exec(
        db,
        "INSERT INTO dbo.types VALUES
         (1, 1234567890123456789012345678.1234567890, 12345678.90, 1234.5678, 214748.3647,
          9007199254740993, 255, 32767, 1, '2024-02-29', '13:05:09.1234567', '2024-02-29T13:05:09.1234567',
          '2024-02-29T23:30:00.1234567+02:00', '2024-02-29T13:05:00', '2024-02-29T13:05:09.997',
          '6F9619FF-8B86-D011-B42D-00C04FC964FF', 0x00FF10AB, 0x0102030405, N'Zoë Ünïcode ✓ 😀 日本語',
          REPLICATE(CAST(N'Zoë ✓ ' AS nvarchar(max)), 2000), 'café', N'<r a=\"1\"><i>Zoë &amp; ✓</i></r>',
          0.1, 0.1),
         (2, -0.0000000001, -12.30, -99999999999.9999, -214748.3648,
          -9223372036854775808, 0, -32768, 0, '0001-01-01', '00:00:00', '9999-12-31T23:59:59.9999999',
          '2024-03-01T01:15:00.5-05:30', '1900-01-01T00:00:00', '1753-01-01T00:00:00.003',
          '00000000-0000-0000-0000-000000000000', 0x, 0x, N'', N'', '', N'<e/>',
          -1.5e300, -2.5),
         (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
          NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
    )
    .await;
    assert_eq!(inserted, 3);

    let result = query(db, "SELECT * FROM dbo.types ORDER BY id", &[]).await;
    let names: Vec<&str> = result.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "id",
            "dec38",
            "num",
            "cash",
            "small_cash",
            "big",
            "tiny",
            "small",
            "flag",
            "day",
            "clock",
            "stamp",
            "zoned",
            "small_stamp",
            "legacy",
            "guid",
            "bytes",
            "blob",
            "label",
            "long_text",
            "latin",
            "doc",
            "ratio",
            "approx"
        ]
    );
    // The wire type names. The wire does not tell decimal from numeric everywhere, nor
    // smallmoney or smalldatetime from their wider kin in a nullable column.
    let expected_types: [&[&str]; 24] = [
        &["int"],
        &["decimal", "numeric"],
        &["decimal", "numeric"],
        &["money"],
        &["money", "smallmoney"],
        &["bigint"],
        &["tinyint"],
        &["smallint"],
        &["bit"],
        &["date"],
        &["time"],
        &["datetime2"],
        &["datetimeoffset"],
        &["smalldatetime", "datetime"],
        &["datetime"],
        &["uniqueidentifier"],
        &["varbinary"],
        &["varbinary"],
        &["nvarchar"],
        &["nvarchar"],
        &["varchar"],
        &["xml"],
        &["float"],
        &["real"],
    ];
    for (column, allowed) in result.columns.iter().zip(expected_types) {
        assert!(
            allowed.contains(&column.type_name.as_str()),
            "{}: {} not in {allowed:?}",
            column.name,
            column.type_name
        );
    }

    let row1 = vec![
        Value::Int(1),
        dec("1234567890123456789012345678.1234567890"),
        dec("12345678.90"),
        dec("1234.5678"),
        dec("214748.3647"),
        Value::Int(9_007_199_254_740_993),
        Value::Int(255),
        Value::Int(32767),
        Value::Bool(true),
        Value::Date("2024-02-29".into()),
        Value::Time("13:05:09.1234567".into()),
        Value::Timestamp("2024-02-29T13:05:09.1234567".into()),
        Value::TimestampTz("2024-02-29T23:30:00.1234567+02:00".into()),
        Value::Timestamp("2024-02-29T13:05:00".into()),
        Value::Timestamp("2024-02-29T13:05:09.997".into()),
        Value::Uuid("6F9619FF-8B86-D011-B42D-00C04FC964FF".into()),
        Value::Bytes(vec![0x00, 0xFF, 0x10, 0xAB]),
        Value::Bytes(vec![1, 2, 3, 4, 5]),
        text("Zoë Ünïcode ✓ 😀 日本語"),
        text(&"Zoë ✓ ".repeat(2000)),
        text("café"),
        text("<r a=\"1\"><i>Zoë &amp; ✓</i></r>"),
        Value::Float(0.1),
        Value::Float(0.1),
    ];
    let row2 = vec![
        Value::Int(2),
        dec("-0.0000000001"),
        dec("-12.30"),
        dec("-99999999999.9999"),
        dec("-214748.3648"),
        Value::Int(i64::MIN),
        Value::Int(0),
        Value::Int(-32768),
        Value::Bool(false),
        Value::Date("0001-01-01".into()),
        Value::Time("00:00:00.0000000".into()),
        Value::Timestamp("9999-12-31T23:59:59.9999999".into()),
        Value::TimestampTz("2024-03-01T01:15:00.5000000-05:30".into()),
        Value::Timestamp("1900-01-01T00:00:00".into()),
        Value::Timestamp("1753-01-01T00:00:00.003".into()),
        Value::Uuid("00000000-0000-0000-0000-000000000000".into()),
        Value::Bytes(Vec::new()),
        Value::Bytes(Vec::new()),
        text(""),
        text(""),
        text(""),
        text("<e />"),
        Value::Float(-1.5e300),
        Value::Float(-2.5),
    ];
    let mut row3 = vec![Value::Null; 24];
    row3[0] = Value::Int(3);
    assert_eq!(result.rows.len(), 3);
    for (i, (got, want)) in result.rows.iter().zip([row1, row2, row3]).enumerate() {
        for ((column, got), want) in names.iter().zip(got).zip(&want) {
            assert_eq!(got, want, "row {}, column {column}", i + 1);
        }
    }

    // Parameters arrive as the types they are and compare exactly.
    let found = |column: &str, value: serde_json::Value| {
        let sql = format!("SELECT id FROM dbo.types WHERE {column} = @P1 ORDER BY id");
        async move { rows(db, &sql, &[value]).await }
    };
    assert_eq!(found("big", json!(9_007_199_254_740_993_i64)).await, [[Value::Int(1)]]);
    assert_eq!(found("big", json!(9_007_199_254_740_992_i64)).await, Vec::<Vec<Value>>::new());
    assert_eq!(
        rows(
            db,
            "SELECT id FROM dbo.types WHERE dec38 = CAST(@P1 AS decimal(38,10))",
            &[json!("1234567890123456789012345678.1234567890")]
        )
        .await,
        [[Value::Int(1)]]
    );
    assert_eq!(found("guid", json!("6f9619ff-8b86-d011-b42d-00c04fc964ff")).await, [[Value::Int(1)]]);
    assert_eq!(found("label", json!("Zoë Ünïcode ✓ 😀 日本語")).await, [[Value::Int(1)]]);
    assert_eq!(found("flag", json!(false)).await, [[Value::Int(2)]]);
    assert_eq!(found("label", json!("")).await, [[Value::Int(2)]], "an empty string is not NULL");
    assert_eq!(rows(db, "SELECT id FROM dbo.types WHERE label IS NULL", &[]).await, [[Value::Int(3)]]);
    let echoed = query(
        db,
        "SELECT CAST(@P1 AS decimal(38,10)) AS d, @P2 AS big, @P3 AS huge, @P4 AS yes, @P5 AS nothing, \
         @P6 AS label, CAST(@P7 AS datetimeoffset(3)) AS at, @P8 AS ratio",
        &[
            json!("-9999999999999999999999999999.9999999999"),
            json!(i64::MAX),
            json!(u64::MAX),
            json!(true),
            json!(null),
            json!("Zoë ✓"),
            json!("2024-02-29T23:30:00.123+02:00"),
            json!(0.1),
        ],
    )
    .await;
    assert_eq!(
        echoed.rows,
        [[
            dec("-9999999999999999999999999999.9999999999"),
            Value::Int(i64::MAX),
            dec("18446744073709551615"),
            Value::Bool(true),
            Value::Null,
            text("Zoë ✓"),
            Value::TimestampTz("2024-02-29T23:30:00.123+02:00".into()),
            Value::Float(0.1),
        ]]
    );

    // The declared types, as DDL writes them.
    let table = db.table_schema("types").await.unwrap_or_else(|e| fail("table_schema(types)", &e));
    let declared: Vec<(&str, &str)> = table.columns.iter().map(|c| (c.name.as_str(), c.type_name.as_str())).collect();
    assert_eq!(
        declared,
        [
            ("id", "int"),
            ("dec38", "decimal(38,10)"),
            ("num", "numeric(10,2)"),
            ("cash", "money"),
            ("small_cash", "smallmoney"),
            ("big", "bigint"),
            ("tiny", "tinyint"),
            ("small", "smallint"),
            ("flag", "bit"),
            ("day", "date"),
            ("clock", "time"),
            ("stamp", "datetime2"),
            ("zoned", "datetimeoffset"),
            ("small_stamp", "smalldatetime"),
            ("legacy", "datetime"),
            ("guid", "uniqueidentifier"),
            ("bytes", "varbinary(16)"),
            ("blob", "varbinary(max)"),
            ("label", "nvarchar(50)"),
            ("long_text", "nvarchar(max)"),
            ("latin", "varchar(20)"),
            ("doc", "xml"),
            ("ratio", "float"),
            ("approx", "real"),
        ]
    );

    db.disconnect().await;
    server.done().await;
}

#[tokio::test]
#[ignore = "needs a real SQL Server: DBDOCK_TEST_MSSQL_URL (the real-servers workflow)"]
async fn schema_shows_keys_indexes_views_identities_and_defaults() {
    let server = server("schema").await;
    let db = server.open().await;
    let db = db.as_ref();
    // CREATE SCHEMA and CREATE VIEW must each be alone in their batch.
    for sql in [
        "CREATE SCHEMA sales",
        "CREATE TABLE dbo.customers (
            id int IDENTITY(1,1) NOT NULL CONSTRAINT pk_customers PRIMARY KEY,
            email nvarchar(200) NOT NULL CONSTRAINT uq_customers_email UNIQUE,
            name nvarchar(100) NULL,
            created_at datetime2(3) NOT NULL CONSTRAINT df_customers_created DEFAULT (SYSUTCDATETIME()),
            status varchar(10) NOT NULL CONSTRAINT df_customers_status DEFAULT ('active')
         );
         CREATE INDEX ix_customers_name ON dbo.customers (name);
         CREATE TABLE dbo.orders (id int IDENTITY(100,5) NOT NULL PRIMARY KEY, note nvarchar(20) NULL);",
        "CREATE TABLE sales.orders (
            order_no int NOT NULL,
            region char(2) NOT NULL,
            customer_id int NOT NULL,
            total decimal(12,2) NOT NULL CONSTRAINT df_orders_total DEFAULT (0),
            total_with_tax AS (total * 1.2),
            CONSTRAINT pk_orders PRIMARY KEY (region, order_no),
            CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES dbo.customers (id) ON DELETE CASCADE
         );
         CREATE INDEX ix_orders_customer ON sales.orders (customer_id, total);
         CREATE TABLE sales.lines (
            region char(2) NOT NULL,
            order_no int NOT NULL,
            line int NOT NULL,
            qty smallint NOT NULL,
            CONSTRAINT pk_lines PRIMARY KEY (region, order_no, line),
            CONSTRAINT fk_lines_order FOREIGN KEY (region, order_no) REFERENCES sales.orders (region, order_no)
                ON UPDATE CASCADE
         );",
        "CREATE VIEW sales.big_orders AS SELECT order_no, region, total FROM sales.orders WHERE total > 100",
        "EXEC sys.sp_addextendedproperty @name = N'MS_Description', @value = N'People who buy', \
         @level0type = N'SCHEMA', @level0name = N'dbo', @level1type = N'TABLE', @level1name = N'customers'",
        "EXEC sys.sp_addextendedproperty @name = N'MS_Description', @value = N'Where receipts go', \
         @level0type = N'SCHEMA', @level0name = N'dbo', @level1type = N'TABLE', @level1name = N'customers', \
         @level2type = N'COLUMN', @level2name = N'email'",
        "INSERT INTO dbo.customers (email, name) VALUES (N'ada@example.com', N'Ada'), (N'grace@example.com', NULL);
         INSERT INTO sales.orders (order_no, region, customer_id, total) VALUES (1, 'EU', 1, 150.00), (2, 'US', 2, 20.00);",
    ] {
        exec(db, sql).await;
    }

    let tables = db.list_tables().await.unwrap_or_else(|e| fail("list_tables", &e));
    let listed: Vec<(String, TableKind)> = tables.iter().map(|t| (t.to_string(), t.kind)).collect();
    assert_eq!(
        listed,
        [
            ("dbo.customers".to_owned(), TableKind::Table),
            ("dbo.orders".to_owned(), TableKind::Table),
            ("sales.big_orders".to_owned(), TableKind::View),
            ("sales.lines".to_owned(), TableKind::Table),
            ("sales.orders".to_owned(), TableKind::Table),
        ]
    );

    let customers = db.table_schema("customers").await.unwrap_or_else(|e| fail("table_schema(customers)", &e));
    assert_eq!((customers.schema.as_deref(), customers.name.as_str()), (Some("dbo"), "customers"));
    assert_eq!(customers.kind, TableKind::Table);
    let columns: Vec<(&str, &str, bool, bool)> =
        customers.columns.iter().map(|c| (c.name.as_str(), c.type_name.as_str(), c.nullable, c.primary_key)).collect();
    assert_eq!(
        columns,
        [
            ("id", "int", false, true),
            ("email", "nvarchar(200)", false, false),
            ("name", "nvarchar(100)", true, false),
            ("created_at", "datetime2(3)", false, false),
            ("status", "varchar(10)", false, false),
        ]
    );
    let default = |t: &TableInfo, column: &str| {
        t.columns.iter().find(|c| c.name == column).and_then(|c| c.default.clone()).map(|d| d.to_lowercase())
    };
    assert_eq!(default(&customers, "id").as_deref(), Some("identity(1,1)"));
    assert!(default(&customers, "created_at").is_some_and(|d| d.contains("sysutcdatetime()")), "{customers:?}");
    assert!(default(&customers, "status").is_some_and(|d| d.contains("'active'")), "{customers:?}");
    assert_eq!(default(&customers, "name"), None);
    assert_eq!(customers.primary_key, ["id"]);
    assert_eq!(
        customers.indexes,
        [
            IndexInfo { name: "ix_customers_name".into(), columns: vec!["name".into()], unique: false, primary: false },
            IndexInfo { name: "pk_customers".into(), columns: vec!["id".into()], unique: true, primary: true },
            IndexInfo {
                name: "uq_customers_email".into(),
                columns: vec!["email".into()],
                unique: true,
                primary: false
            },
        ]
    );
    assert!(customers.foreign_keys.is_empty());
    assert_eq!(customers.comment.as_deref(), Some("People who buy"));
    let email = customers.columns.iter().find(|c| c.name == "email").expect("email");
    assert_eq!(email.comment.as_deref(), Some("Where receipts go"));
    assert_eq!(customers.estimated_rows, Some(2));

    let dbo_orders = db.table_schema("dbo.orders").await.unwrap_or_else(|e| fail("table_schema(dbo.orders)", &e));
    assert_eq!(default(&dbo_orders, "id").as_deref(), Some("identity(100,5)"));
    assert_eq!(dbo_orders.primary_key, ["id"]);

    let orders = db.table_schema("sales.orders").await.unwrap_or_else(|e| fail("table_schema(sales.orders)", &e));
    assert_eq!(orders.schema.as_deref(), Some("sales"));
    let columns: Vec<(&str, bool)> = orders.columns.iter().map(|c| (c.name.as_str(), c.primary_key)).collect();
    assert_eq!(
        columns,
        [("order_no", true), ("region", true), ("customer_id", false), ("total", false), ("total_with_tax", false)]
    );
    assert_eq!(orders.columns[1].type_name, "char(2)");
    assert_eq!(orders.columns[3].type_name, "decimal(12,2)");
    assert!(default(&orders, "total").is_some_and(|d| d.contains('0')), "{orders:?}");
    assert!(
        default(&orders, "total_with_tax").is_some_and(|d| d.starts_with("as ") && d.contains("[total]")),
        "a computed column shows its expression: {orders:?}"
    );
    // The key in key order, not column order.
    assert_eq!(orders.primary_key, ["region", "order_no"]);
    assert_eq!(
        orders.indexes,
        [
            IndexInfo {
                name: "ix_orders_customer".into(),
                columns: vec!["customer_id".into(), "total".into()],
                unique: false,
                primary: false
            },
            IndexInfo {
                name: "pk_orders".into(),
                columns: vec!["region".into(), "order_no".into()],
                unique: true,
                primary: true
            },
        ]
    );
    assert_eq!(
        orders.foreign_keys,
        [ForeignKeyInfo {
            name: Some("fk_orders_customer".into()),
            columns: vec!["customer_id".into()],
            referenced_schema: Some("dbo".into()),
            referenced_table: "customers".into(),
            referenced_columns: vec!["id".into()],
            on_update: Some("NO ACTION".into()),
            on_delete: Some("CASCADE".into()),
        }]
    );
    assert_eq!(orders.estimated_rows, Some(2));

    let lines = db.table_schema("sales.lines").await.unwrap_or_else(|e| fail("table_schema(sales.lines)", &e));
    assert_eq!(lines.primary_key, ["region", "order_no", "line"]);
    assert_eq!(
        lines.foreign_keys,
        [ForeignKeyInfo {
            name: Some("fk_lines_order".into()),
            columns: vec!["region".into(), "order_no".into()],
            referenced_schema: Some("sales".into()),
            referenced_table: "orders".into(),
            referenced_columns: vec!["region".into(), "order_no".into()],
            on_update: Some("CASCADE".into()),
            on_delete: Some("NO ACTION".into()),
        }]
    );
    assert_eq!(lines.estimated_rows, Some(0));

    let view = db.table_schema("big_orders").await.unwrap_or_else(|e| fail("table_schema(big_orders)", &e));
    assert_eq!(view.kind, TableKind::View);
    let columns: Vec<(&str, &str)> = view.columns.iter().map(|c| (c.name.as_str(), c.type_name.as_str())).collect();
    assert_eq!(columns, [("order_no", "int"), ("region", "char(2)"), ("total", "decimal(12,2)")]);
    assert!(view.primary_key.is_empty() && view.indexes.is_empty() && view.foreign_keys.is_empty());
    assert_eq!(view.estimated_rows, None);

    // `orders` is in both schemas.
    let e = db.table_schema("orders").await.expect_err("ambiguous");
    assert_eq!(e.code, ErrorCode::NotFound, "{e}");
    assert!(e.message.contains("dbo.orders") && e.message.contains("sales.orders"), "{e}");
    let e = db.table_schema("nope").await.expect_err("unknown");
    assert_eq!(e.code, ErrorCode::NotFound, "{e}");

    // The whole schema says the same as the tables one by one.
    let schema = db.schema().await.unwrap_or_else(|e| fail("schema", &e));
    assert_eq!(schema.database, server.name);
    let names: Vec<String> = schema.tables.iter().map(|t| t.table_ref().to_string()).collect();
    assert_eq!(names, ["dbo.customers", "dbo.orders", "sales.big_orders", "sales.lines", "sales.orders"]);
    for table in &schema.tables {
        let one = db.table_schema(&table.table_ref().to_string()).await.unwrap_or_else(|e| fail("table_schema", &e));
        assert_eq!(&one, table);
    }
    let version = db.server_version().await.unwrap_or_else(|e| fail("server_version", &e));
    assert!(version.contains("Microsoft SQL Server"), "{version}");

    db.disconnect().await;
    server.done().await;
}

/// Sets up `dbo.accounts`, a procedure that writes to it and a sequence.
async fn accounts(db: &dyn Database) {
    for sql in [
        "CREATE TABLE dbo.accounts (id int NOT NULL PRIMARY KEY, owner nvarchar(20) NOT NULL, balance decimal(10,2) NOT NULL);
         INSERT INTO dbo.accounts (id, owner, balance) VALUES (1, N'ada', 10.00), (2, N'grace', 20.00);",
        "CREATE SEQUENCE dbo.counter AS bigint START WITH 1",
        "CREATE PROCEDURE dbo.bump AS UPDATE dbo.accounts SET balance = balance + 1",
    ] {
        exec(db, sql).await;
    }
}

/// What a write would change: the rows, the sequence, the user objects.
async fn snapshot(db: &dyn Database) -> Vec<Vec<Value>> {
    rows(
        db,
        "SELECT (SELECT COUNT(*) FROM dbo.accounts) AS n, (SELECT SUM(balance) FROM dbo.accounts) AS total, \
         (SELECT MAX(owner) FROM dbo.accounts) AS owner, \
         (SELECT CAST(current_value AS bigint) FROM sys.sequences WHERE name = N'counter') AS counter, \
         (SELECT COUNT(*) FROM sys.objects WHERE is_ms_shipped = 0) AS objects",
        &[],
    )
    .await
}

#[tokio::test]
#[ignore = "needs a real SQL Server: DBDOCK_TEST_MSSQL_URL (the real-servers workflow)"]
async fn read_only_refuses_writes_and_escapes() {
    let server = server("refusals").await;
    let setup = server.open().await;
    accounts(setup.as_ref()).await;
    let before = snapshot(setup.as_ref()).await;
    assert_eq!(before[0][..3], [Value::Int(2), dec("30.00"), text("grace")]);

    let db = server.open_with(OpenOptions { max_connections: 1, ..OpenOptions::default() }).await;
    let db = db.as_ref();
    for sql in [
        "INSERT INTO dbo.accounts (id, owner, balance) VALUES (3, N'eve', 1)",
        "UPDATE dbo.accounts SET balance = 0",
        "DELETE FROM dbo.accounts",
        "MERGE dbo.accounts AS t USING (SELECT 1 AS id) AS s ON t.id = s.id WHEN MATCHED THEN DELETE;",
        "TRUNCATE TABLE dbo.accounts",
        "EXEC dbo.bump",
        "EXECUTE dbo.bump",
        "EXEC sp_executesql N'UPDATE dbo.accounts SET balance = 0'",
        "EXEC xp_cmdshell 'id'",
        "SELECT * FROM OPENROWSET('SQLNCLI', 'Server=(local);Trusted_Connection=yes;', 'UPDATE dbo.accounts SET balance = 0')",
        "SELECT * INTO dbo.stolen FROM dbo.accounts",
        "SELECT * INTO #stolen FROM dbo.accounts",
        "SELECT NEXT VALUE FOR dbo.counter AS n",
        "SELECT 1 AS a COMMIT",
        "SELECT 1 AS a COMMIT TRANSACTION",
        "SELECT 1 AS a COMMIT UPDATE dbo.accounts SET balance = 0",
        "SELECT 1 AS a ROLLBACK",
        "SELECT 1 AS a; UPDATE dbo.accounts SET balance = 0",
        "SELECT 1 AS a DROP TABLE dbo.accounts",
        "SELECT 1 AS a SET IMPLICIT_TRANSACTIONS ON",
        "WITH x AS (SELECT * FROM dbo.accounts) UPDATE x SET balance = 0",
        "DROP TABLE dbo.accounts",
        "CREATE TABLE dbo.sneaky (a int)",
    ] {
        let e = db.query(sql, &[], &read_only()).await.expect_err(sql);
        assert_eq!(e.code, ErrorCode::ReadOnlyViolation, "query {sql}: {e}");
        assert!(e.message.contains("read-only"), "{sql}: {e}");
        let e = db.execute(sql, &[], &read_only()).await.expect_err(sql);
        assert_eq!(e.code, ErrorCode::ReadOnlyViolation, "execute {sql}: {e}");
    }
    // A procedure called without EXEC (T-SQL allows it first in a batch) is not a read either,
    // whatever the classifier calls it.
    for sql in ["sp_executesql N'UPDATE dbo.accounts SET balance = 0'", "dbo.bump"] {
        let e = db.query(sql, &[], &read_only()).await.expect_err(sql);
        assert!(matches!(e.code, ErrorCode::ReadOnlyViolation | ErrorCode::InvalidInput), "{sql}: {e}");
    }

    assert_eq!(snapshot(setup.as_ref()).await, before, "nothing changed");
    assert_eq!(
        scalar(setup.as_ref(), "SELECT COUNT(*) FROM sys.objects WHERE name = N'stolen'", &[]).await,
        Value::Int(0)
    );
    // Reads still run.
    let read = db.query("SELECT owner FROM dbo.accounts ORDER BY id", &[], &read_only()).await.expect("a read");
    assert_eq!(read.rows, [[text("ada")], [text("grace")]]);
    let read = db
        .query("SELECT balance FROM dbo.accounts WHERE owner = @P1", &[json!("grace")], &read_only())
        .await
        .expect("a read with a parameter");
    assert_eq!(read.rows, [[dec("20.00")]]);

    db.disconnect().await;
    setup.disconnect().await;
    server.done().await;
}

#[tokio::test]
#[ignore = "needs a real SQL Server: DBDOCK_TEST_MSSQL_URL (the real-servers workflow)"]
async fn read_only_calls_leave_no_transaction_or_lock_behind() {
    let server = server("rollback").await;
    // One connection, so every call below runs on the same session.
    let db = server.open_with(OpenOptions { max_connections: 1, ..OpenOptions::default() }).await;
    let db = db.as_ref();
    accounts(db).await;
    let observer = server.open().await;
    let observer = observer.as_ref();
    let spid = int(&scalar(db, "SELECT CAST(@@SPID AS int)", &[]).await);
    // Every other session in the test database: a read-only call runs on a connection of
    // its own, closed afterwards, so it is gone by the time these look.
    let open_transactions = "SELECT COUNT(*) FROM sys.dm_exec_sessions WHERE database_id = DB_ID() \
                             AND session_id <> @@SPID AND open_transaction_count > 0";
    let locks = "SELECT COUNT(*) FROM sys.dm_tran_locks WHERE resource_database_id = DB_ID() \
                 AND request_session_id <> @@SPID AND resource_type <> N'DATABASE'";

    // HOLDLOCK keeps its shared locks until the transaction ends: none may be left after the call.
    let result = db
        .query(
            "SELECT CAST(@@SPID AS int) AS spid, @@TRANCOUNT AS depth, COUNT(*) AS n FROM dbo.accounts WITH (HOLDLOCK)",
            &[],
            &read_only(),
        )
        .await
        .expect("a read-only read");
    assert_eq!(result.rows[0][1..], [Value::Int(1), Value::Int(2)], "the read ran inside DB Dock's transaction");
    assert_ne!(int(&result.rows[0][0]), spid, "a read-only call runs on a session of its own, not a pooled one");
    wait_for(observer, open_transactions, &[], 0, Duration::from_secs(5)).await;
    wait_for(observer, locks, &[], 0, Duration::from_secs(5)).await;
    // Nothing blocks a writer on another connection.
    assert_eq!(
        exec(observer, "SET LOCK_TIMEOUT 2000; UPDATE dbo.accounts SET balance = balance WHERE id = 1").await,
        1
    );

    // A read that fails half-way (a conversion error after taking locks) leaves nothing either.
    let e = db
        .query("SELECT id FROM dbo.accounts WITH (HOLDLOCK) WHERE CAST(owner AS int) = 0", &[], &read_only())
        .await
        .expect_err("a conversion error");
    assert_eq!(e.code, ErrorCode::InvalidInput, "{e}");
    assert!(e.message.contains("245"), "{e}");
    wait_for(observer, open_transactions, &[], 0, Duration::from_secs(5)).await;
    wait_for(observer, locks, &[], 0, Duration::from_secs(5)).await;
    assert_eq!(
        exec(observer, "SET LOCK_TIMEOUT 2000; UPDATE dbo.accounts SET balance = balance WHERE id = 2").await,
        1
    );

    // A read cut short by the row cap (an attention cancels the rest) too.
    let capped = db
        .query(
            "SELECT TOP (5000) a.name FROM sys.all_objects a CROSS JOIN sys.all_objects b",
            &[],
            &QueryOptions { max_rows: Some(10), ..read_only() },
        )
        .await
        .expect("capped");
    assert_eq!((capped.row_count, capped.truncated), (10, true));
    wait_for(observer, open_transactions, &[], 0, Duration::from_secs(5)).await;
    assert_eq!(scalar(db, "SELECT @@TRANCOUNT", &[]).await, Value::Int(0));
    assert_eq!(scalar(db, "SELECT COUNT(*) FROM dbo.accounts", &[]).await, Value::Int(2));

    // A write call capped in its first result set still runs its later statements.
    exec(db, "CREATE TABLE dbo.marks (a int NOT NULL)").await;
    let capped = db
        .query(
            "SELECT TOP (100) name FROM sys.all_objects; INSERT INTO dbo.marks (a) VALUES (1)",
            &[],
            &QueryOptions { max_rows: Some(5), ..QueryOptions::default() },
        )
        .await
        .expect("capped write");
    assert_eq!((capped.row_count, capped.truncated), (5, true));
    assert_eq!(scalar(observer, "SELECT COUNT(*) FROM dbo.marks", &[]).await, Value::Int(1));

    observer.disconnect().await;
    db.disconnect().await;
    server.done().await;
}

#[tokio::test]
#[ignore = "needs a real SQL Server: DBDOCK_TEST_MSSQL_URL (the real-servers workflow)"]
async fn statement_timeout_cancels_the_request_on_the_server() {
    let server = server("timeout").await;
    let options =
        OpenOptions { statement_timeout: Some(Duration::from_secs(1)), max_connections: 1, ..OpenOptions::default() };
    let db = server.open_with(options).await;
    let db = db.as_ref();
    let admin = server.admin();
    let name = json!(server.name);
    // Requests and open transactions in the test database (the admin's own run in master).
    let requests = "SELECT COUNT(*) FROM sys.dm_exec_requests WHERE database_id = DB_ID(@P1)";
    let open_transactions =
        "SELECT COUNT(*) FROM sys.dm_exec_sessions WHERE database_id = DB_ID(@P1) AND open_transaction_count > 0";
    let session = "SELECT COUNT(*) FROM sys.dm_exec_sessions WHERE session_id = @P1 AND database_id = DB_ID(@P2)";

    for (sql, options) in [
        ("WAITFOR DELAY '00:00:30'", QueryOptions::default()),
        // A read-only read (inside DB Dock's transaction, on a connection of its own) that
        // would run for minutes.
        (
            "SELECT COUNT_BIG(*) AS n FROM sys.all_objects a CROSS JOIN sys.all_objects b CROSS JOIN sys.all_objects c",
            read_only(),
        ),
    ] {
        let pooled = int(&scalar(db, "SELECT CAST(@@SPID AS int)", &[]).await);
        let watch = async {
            tokio::time::sleep(Duration::from_millis(500)).await;
            int(&scalar(admin, requests, std::slice::from_ref(&name)).await)
        };
        let started = Instant::now();
        let (outcome, running) = tokio::join!(db.query(sql, &[], &options), watch);
        let elapsed = started.elapsed();
        assert_eq!(running, 1, "{sql} was running on the server half a second in");
        let e = outcome.expect_err("timed out");
        assert_eq!(e.code, ErrorCode::Timeout, "{sql}: {e}");
        assert!(elapsed < Duration::from_secs(5), "{sql}: the timeout took {elapsed:?}");
        // The request is cancelled and its connection closed (which also ends the transaction).
        wait_for(admin, requests, std::slice::from_ref(&name), 0, Duration::from_secs(10)).await;
        wait_for(admin, open_transactions, std::slice::from_ref(&name), 0, Duration::from_secs(10)).await;
        if !options.read_only {
            wait_for(admin, session, &[json!(pooled), name.clone()], 0, Duration::from_secs(10)).await;
        }
        // The next call gets a fresh connection and works.
        assert_eq!(scalar(db, "SELECT @@TRANCOUNT", &[]).await, Value::Int(0));
    }

    db.disconnect().await;
    server.done().await;
}

#[tokio::test]
#[ignore = "needs a real SQL Server: DBDOCK_TEST_MSSQL_URL (the real-servers workflow)"]
async fn wrong_database_is_not_found_and_wrong_password_is_auth_failed() {
    let env = env();
    let missing = format!("dbdock_t_missing_{}", std::process::id());
    let e =
        dbdock_engines::open(env.target(Some(&missing)), OpenOptions::default()).await.err().expect("no such database");
    // Error 4060 (the database does not exist, or the login may not use it) is NOT_FOUND.
    assert_eq!(e.code, ErrorCode::NotFound, "{e}");
    assert!(e.message.contains("4060") && e.message.contains(&missing), "{e}");
    assert!(!e.message.contains(&env.password), "{e}");

    let wrong = "Wr0ng-Passw0rd-dbdock!";
    let e = dbdock_engines::open(env.target_with_password(None, wrong), OpenOptions::default())
        .await
        .err()
        .expect("wrong password");
    assert_eq!(e.code, ErrorCode::AuthFailed, "{e}");
    assert!(e.message.contains("18456"), "{e}");
    assert!(!e.message.contains(wrong) && !e.message.contains(&env.password), "{e}");

    // The right password still works (the failure locked nothing out).
    let db = open_target(env.target(None), OpenOptions::default()).await;
    db.ping().await.unwrap_or_else(|e| fail("ping", &e));
    db.disconnect().await;
}

#[tokio::test]
#[ignore = "needs a real SQL Server: DBDOCK_TEST_MSSQL_URL (the real-servers workflow)"]
async fn login_access_tells_an_administrator_from_a_reader() {
    let server = server("access").await;
    let admin = server.open().await;
    let access = admin.login_access().await.unwrap_or_else(|e| fail("login_access", &e));
    assert!(access.can_write, "{access:?}");
    assert!(access.evidence.iter().any(|e| e == "server role sysadmin"), "{access:?}");

    // A login whose only role is db_datareader.
    let login = format!("dbdock_reader_{}", std::process::id());
    let password = format!("Rd-{}-pw!X", std::process::id());
    exec(server.admin(), &format!("CREATE LOGIN [{login}] WITH PASSWORD = N'{password}', CHECK_POLICY = OFF")).await;
    exec(
        admin.as_ref(),
        &format!("CREATE USER [{login}] FOR LOGIN [{login}]; ALTER ROLE db_datareader ADD MEMBER [{login}]"),
    )
    .await;
    let mut url = server.env.url.clone();
    url.set_path(&format!("/{}", server.name));
    let _ = url.set_username(&login);
    let target = ConnectionTarget::parse(url.as_str()).expect("url").with_password(Some(Secret::new(password.clone())));
    let reader = open_target(target, OpenOptions::default()).await;
    let access = reader.login_access().await.unwrap_or_else(|e| fail("login_access", &e));
    reader.disconnect().await;
    admin.disconnect().await;
    let outcome = std::panic::catch_unwind(|| {
        assert_eq!(access.login, login);
        assert!(!access.can_write, "{access:?}");
    });
    server.done().await;
    // The login lives in master: dropped after the database (and its user) is gone.
    let env = env();
    let master = open_target(env.target(None), OpenOptions::default()).await;
    exec(master.as_ref(), &format!("DROP LOGIN [{login}]")).await;
    master.disconnect().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

#[tokio::test]
#[ignore = "needs a real SQL Server: DBDOCK_TEST_MSSQL_URL (the real-servers workflow)"]
async fn a_transaction_replaced_behind_the_classifier_is_caught_by_its_id() {
    let server = server("tripwire").await;
    let db = server.open().await;
    exec(db.as_ref(), "CREATE TABLE dbo.e (E int); INSERT INTO dbo.e (E) VALUES (1)").await;
    // T-SQL reads `E'\'` as the column E with the alias '\', then COMMIT and BEGIN TRAN; a
    // lexer that knows PostgreSQL's E'…' strings reads one string. Either DB Dock's
    // classifier refuses it, or the tripwire sees DB Dock's transaction replaced (same
    // depth, another CURRENT_TRANSACTION_ID()): READ_ONLY_VIOLATION both ways.
    for sql in ["SELECT E'\\' FROM dbo.e COMMIT BEGIN TRAN --'", "SELECT E'\\' FROM dbo.e COMMIT --'"] {
        let e = db.query(sql, &[], &read_only()).await.expect_err(sql);
        assert_eq!(e.code, ErrorCode::ReadOnlyViolation, "{sql}: {e}");
    }
    db.disconnect().await;
    server.done().await;
}
