//! One contract for every `Database` engine: the same assertions on PostgreSQL, MariaDB,
//! SQLite, SQL Server (the pysqlbridge emulator) and MongoDB (the SecantusDB emulator) for
//! row caps and truncation, the byte cap, value types, read-only refusal, statement
//! timeouts and bad input. An engine that differs from the others fails here first.

use std::time::{Duration, Instant};

use dbdock_core::{ConnectionTarget, Database, ErrorCode, QueryOptions, Value};
use dbdock_engines::OpenOptions;
use dbdock_testkit::{SqlBridge, TestDb, exec};

const ROWS: i64 = 300;

/// How one engine says each thing the contract asks for.
struct Fixture {
    engine: &'static str,
    db: Box<dyn Database>,
    /// `id` (1..=ROWS) and `name` (`name-<id>`), ordered by id.
    select_all: &'static str,
    /// One integer: how many rows the table has.
    count: &'static str,
    /// A write the contract expects every read-only call to refuse.
    write: &'static str,
    /// A read that runs for many seconds, where the engine's server can run one.
    slow: Option<&'static str>,
    /// Text the server cannot run.
    malformed: &'static str,
    /// A read of a table that does not exist (MongoDB: of a command, since a collection
    /// that does not exist is simply empty).
    unknown_table: &'static str,
    /// Keeps a server or a file alive for as long as the fixture.
    _keep: Box<dyn std::any::Any + Send>,
}

fn timeout_options() -> OpenOptions {
    OpenOptions { statement_timeout: Some(Duration::from_secs(1)), ..OpenOptions::default() }
}

async fn open(url: &str, service: &str) -> Box<dyn Database> {
    let target = ConnectionTarget::parse(url).expect("url");
    dbdock_engines::open(target, timeout_options()).await.unwrap_or_else(|e| panic!("{service}: {e:?}"))
}

async fn postgres() -> Fixture {
    let test_db = TestDb::postgres("contract").await;
    let db = open(&test_db.url, "PostgreSQL at 127.0.0.1:5432").await;
    exec(db.as_ref(), "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)").await;
    exec(db.as_ref(), &format!("INSERT INTO items SELECT g, 'name-' || g FROM generate_series(1, {ROWS}) g")).await;
    Fixture {
        engine: "postgres",
        db,
        select_all: "SELECT id, name FROM items ORDER BY id",
        count: "SELECT count(*) FROM items",
        write: "DELETE FROM items",
        slow: Some("SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b"),
        malformed: "SELEC id FROM items",
        unknown_table: "SELECT * FROM no_such_table",
        _keep: Box::new(test_db),
    }
}

async fn mariadb() -> Fixture {
    let test_db = TestDb::mysql("contract").await;
    let db = open(&test_db.url, "MariaDB at 127.0.0.1:3306").await;
    exec(db.as_ref(), "CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL)").await;
    exec(db.as_ref(), &format!("INSERT INTO items SELECT seq, CONCAT('name-', seq) FROM seq_1_to_{ROWS}")).await;
    Fixture {
        engine: "mariadb",
        db,
        select_all: "SELECT id, name FROM items ORDER BY id",
        count: "SELECT COUNT(*) FROM items",
        write: "DELETE FROM items",
        slow: Some("SELECT COUNT(*) FROM seq_1_to_100000 a, seq_1_to_100000 b"),
        malformed: "SELEC id FROM items",
        unknown_table: "SELECT * FROM no_such_table",
        _keep: Box::new(test_db),
    }
}

async fn sqlite() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("contract.db");
    let target = ConnectionTarget::sqlite_file(&path);
    let options = OpenOptions { create_if_missing: true, ..timeout_options() };
    let db = dbdock_engines::open(target, options).await.expect("SQLite");
    exec(db.as_ref(), "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)").await;
    exec(
        db.as_ref(),
        &format!(
            "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {ROWS}) \
             INSERT INTO items SELECT n, 'name-' || n FROM g"
        ),
    )
    .await;
    Fixture {
        engine: "sqlite",
        db,
        select_all: "SELECT id, name FROM items ORDER BY id",
        count: "SELECT count(*) FROM items",
        write: "DELETE FROM items",
        slow: Some("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"),
        malformed: "SELEC id FROM items",
        unknown_table: "SELECT * FROM no_such_table",
        _keep: Box::new(dir),
    }
}

async fn mssql() -> Fixture {
    let csv: String = std::iter::once("id,name".to_owned())
        .chain((1..=ROWS).map(|i| format!("{i},name-{i}")))
        .collect::<Vec<_>>()
        .join("\n");
    let bridge = SqlBridge::start(&[("items.csv", &csv)]);
    let db = match dbdock_engines::open(bridge.target(), timeout_options()).await {
        Ok(db) => db,
        Err(e) => panic!("the SQL Server emulator (pysqlbridge): {e:?}\n{}", bridge.log()),
    };
    Fixture {
        engine: "mssql",
        db,
        select_all: "SELECT id, name FROM items ORDER BY id",
        count: "SELECT COUNT(*) FROM items",
        write: "DELETE FROM items",
        // The emulator has no statement that runs long (no WAITFOR, no large joins).
        slow: None,
        // The emulator shrugs off a misspelt keyword; a statement cut short it refuses.
        malformed: "SELECT id FROM items WHERE",
        unknown_table: "SELECT * FROM no_such_table",
        _keep: Box::new(bridge),
    }
}

async fn mongodb() -> Fixture {
    let test_db = TestDb::mongodb("contract").await;
    let db = open(&test_db.url, "MongoDB (SecantusDB at 127.0.0.1:27017)").await;
    let docs: Vec<String> = (1..=ROWS).map(|i| format!("{{id: {i}, name: 'name-{i}'}}")).collect();
    exec(db.as_ref(), &format!("db.items.insertMany([{}])", docs.join(", "))).await;
    Fixture {
        engine: "mongodb",
        db,
        select_all: "db.items.find({}, {_id: 0, id: 1, name: 1}).sort({id: 1})",
        count: "db.items.countDocuments({})",
        write: "db.items.deleteMany({})",
        // The emulator runs no server-side JavaScript and nothing else that is slow.
        slow: None,
        malformed: "db.items.find({id: })",
        unknown_table: "db.runCommand({noSuchCommand: 1})",
        _keep: Box::new(test_db),
    }
}

async fn count(f: &Fixture) -> Value {
    let result =
        f.db.query(f.count, &[], &QueryOptions::default()).await.unwrap_or_else(|e| panic!("{}: {e:?}", f.engine));
    let value = result.rows[0].last().cloned().unwrap_or(Value::Null);
    // MongoDB's count comes back as a document field; the SQL engines as a column.
    match value {
        Value::Json(j) => serde_json::from_str::<serde_json::Value>(j.as_str())
            .ok()
            .and_then(|v| v.as_i64().or_else(|| v.get("n").and_then(serde_json::Value::as_i64)))
            .map_or(Value::Json(j), Value::Int),
        other => other,
    }
}

fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Json(j) => j.as_str().parse().ok(),
        _ => None,
    }
}

async fn check(f: Fixture) {
    let engine = f.engine;
    let ro = QueryOptions { read_only: true, ..QueryOptions::default() };

    // Types and order.
    let all = f.db.query(f.select_all, &[], &QueryOptions { max_rows: Some(1000), ..ro }).await;
    let all = all.unwrap_or_else(|e| panic!("{engine}: {e:?}"));
    assert_eq!(all.rows.len(), ROWS as usize, "{engine}: every row");
    assert!(!all.truncated, "{engine}: nothing was cut");
    let names: Vec<&str> = all.columns.iter().map(|c| c.name.as_str()).collect();
    assert!(names.contains(&"id") && names.contains(&"name"), "{engine}: columns {names:?}");
    let (id, name) = (names.iter().position(|n| *n == "id"), names.iter().position(|n| *n == "name"));
    let (id, name) = (id.unwrap_or_default(), name.unwrap_or_default());
    assert_eq!(int(&all.rows[0][id]), Some(1), "{engine}: {:?}", all.rows[0]);
    assert_eq!(int(&all.rows[ROWS as usize - 1][id]), Some(ROWS), "{engine}: ordered");
    assert_eq!(all.rows[6][name], Value::Text("name-7".into()), "{engine}: text");

    // The row cap: exactly the cap, and `truncated` because more rows exist.
    let capped = f.db.query(f.select_all, &[], &QueryOptions { max_rows: Some(10), ..ro }).await;
    let capped = capped.unwrap_or_else(|e| panic!("{engine}: {e:?}"));
    assert_eq!(capped.rows.len(), 10, "{engine}: the row cap");
    assert!(capped.truncated, "{engine}: the row cap says so");
    let exact = f.db.query(f.select_all, &[], &QueryOptions { max_rows: Some(ROWS as usize), ..ro }).await;
    assert!(
        !exact.unwrap_or_else(|e| panic!("{engine}: {e:?}")).truncated,
        "{engine}: a cap equal to the rows cuts nothing"
    );

    // The byte cap.
    let small =
        f.db.query(f.select_all, &[], &QueryOptions { max_bytes: Some(1000), max_rows: Some(1000), ..ro }).await;
    let small = small.unwrap_or_else(|e| panic!("{engine}: {e:?}"));
    assert!(small.truncated, "{engine}: the byte cap says so");
    assert!(
        !small.rows.is_empty() && small.rows.len() < ROWS as usize,
        "{engine}: {} rows under 1000 bytes",
        small.rows.len()
    );
    let bytes: usize = small.rows.iter().flatten().map(|v| serde_json::to_string(&v).map_or(0, |s| s.len())).sum();
    assert!(bytes <= 1000, "{engine}: {bytes} bytes of values under a 1000-byte cap");

    // Read-only refusal, through both calls, and nothing changed.
    let before = count(&f).await;
    for (call, outcome) in [
        ("query", f.db.query(f.write, &[], &ro).await.map(|_| ())),
        ("execute", f.db.execute(f.write, &[], &ro).await.map(|_| ())),
    ] {
        let e = outcome.err().unwrap_or_else(|| panic!("{engine}: a read-only {call} ran {}", f.write));
        assert_eq!(e.code, ErrorCode::ReadOnlyViolation, "{engine} ({call}): {e:?}");
    }
    assert_eq!(count(&f).await, before, "{engine}: the refused write changed the data");
    assert_eq!(int(&before), Some(ROWS), "{engine}: {before:?}");

    // The statement timeout, enforced where the server can run something slow.
    if let Some(slow) = f.slow {
        let started = Instant::now();
        let e = f.db.query(slow, &[], &ro).await.err().unwrap_or_else(|| panic!("{engine}: the slow read finished"));
        assert_eq!(e.code, ErrorCode::Timeout, "{engine}: {e:?}");
        assert!(started.elapsed() < Duration::from_secs(15), "{engine}: {:?}", started.elapsed());
        assert_eq!(count(&f).await, before, "{engine}: the connection works after a timeout");
    }

    // Bad input: one coded line, never a panic.
    for (what, sql, codes) in [
        ("malformed", f.malformed, &[ErrorCode::QueryFailed, ErrorCode::InvalidInput][..]),
        ("unknown name", f.unknown_table, &[ErrorCode::NotFound, ErrorCode::QueryFailed, ErrorCode::Unsupported][..]),
    ] {
        for options in [QueryOptions::default(), ro] {
            let e = f.db.query(sql, &[], &options).await.err().unwrap_or_else(|| panic!("{engine}: {what} ran"));
            // On a read-only call, what DB Dock cannot tell is a read is refused as such.
            let refused_unread = options.read_only && e.code == ErrorCode::ReadOnlyViolation;
            assert!(
                codes.contains(&e.code) || refused_unread,
                "{engine} ({what}, read_only {}): {e:?}",
                options.read_only
            );
            // The first line says what is wrong (MongoDB's parser adds the text and a caret).
            let first = e.message.lines().next().unwrap_or_default();
            assert!(first.len() > 10, "{engine} ({what}): {:?}", e.message);
        }
    }
}

#[tokio::test]
async fn contract_postgres() {
    check(postgres().await).await;
}

#[tokio::test]
async fn contract_mariadb() {
    check(mariadb().await).await;
}

#[tokio::test]
async fn contract_sqlite() {
    check(sqlite().await).await;
}

#[tokio::test]
async fn contract_mssql_emulator() {
    check(mssql().await).await;
}

#[tokio::test]
async fn contract_mongodb_emulator() {
    check(mongodb().await).await;
}
