//! SQL Server's read-only defence against pysqlbridge: a corpus of attacks by class, each
//! refused through both `query` and `execute`, the served files unchanged; the
//! transaction tripwire; connections that never carry a read-only call's session state to
//! the next call; what the login may do. (The statement classifier is the first line;
//! the test prints the inputs that get past it, which then rely on the server side.)

use dbdock_core::{Database, Dialect, ErrorCode, QueryOptions, Value, check_read_only};
use dbdock_engines::OpenOptions;
use dbdock_testkit::SqlBridge;

const PEOPLE: &str = "id,name\n1,Ada\n2,Grace\n3,Edsger\n";

fn bridge() -> SqlBridge {
    SqlBridge::start(&[("people.csv", PEOPLE), ("t.csv", "a\n1\n")])
}

async fn open(bridge: &SqlBridge, max_connections: u32) -> Box<dyn Database> {
    let options = OpenOptions { max_connections, ..OpenOptions::default() };
    match dbdock_engines::open(bridge.target(), options).await {
        Ok(db) => db,
        Err(e) => panic!("cannot open pysqlbridge: {e:?}\n{}", bridge.log()),
    }
}

fn read_only() -> QueryOptions {
    QueryOptions { read_only: true, cancellable: true, ..QueryOptions::default() }
}

/// (class, statement).
const ATTACKS: &[(&str, &str)] = &[
    ("transaction smuggling", "SELECT 1 COMMIT"),
    ("transaction smuggling", "SELECT 1; COMMIT; BEGIN TRAN"),
    ("transaction smuggling", "SELECT 1 AS a COMMIT TRANSACTION BEGIN TRANSACTION"),
    ("transaction smuggling", "SELECT 1\nROLLBACK"),
    ("transaction smuggling", "SELECT 1 BEGIN TRAN"),
    ("transaction smuggling", "SELECT 1 COMMIT WORK"),
    ("transaction smuggling", "SELECT 1 IF 1 = 1 COMMIT"),
    ("transaction smuggling", "WITH a AS (SELECT 1 AS x) SELECT x FROM a COMMIT"),
    ("transaction smuggling", "SELECT name FROM people SAVE TRANSACTION s"),
    ("exec", "EXEC sp_who"),
    ("exec", "EXECUTE('DELETE FROM people')"),
    ("exec", "EXEC sp_executesql N'DELETE FROM people'"),
    ("exec", "EXEC master..xp_cmdshell 'dir'"),
    ("exec", "sp_who"),
    ("exec", "SELECT * FROM OPENROWSET('SQLNCLI', 'Server=x;Trusted_Connection=yes;', 'SELECT 1')"),
    ("exec", "SELECT * FROM OPENQUERY(lnk, 'DELETE FROM t')"),
    ("exec", "SELECT * FROM OPENDATASOURCE('SQLNCLI', 'Data Source=x').db.dbo.t"),
    ("exec", "SELECT * FROM people; xp_cmdshell 'dir'"),
    ("select into", "SELECT * INTO #copy FROM people"),
    ("select into", "SELECT * INTO copy FROM people"),
    ("select into", "SELECT id INTO dbo.copy FROM people WHERE 1 = 0"),
    ("select into", "SELECT *\nINTO\n#x FROM people"),
    ("select into", "WITH c AS (SELECT * FROM people) SELECT * INTO #y FROM c"),
    ("select into", "SELECT [id] INTO [#q] FROM people"),
    ("second statement", "SELECT 1 AS a DELETE FROM people"),
    ("second statement", "SELECT 1 AS a DROP TABLE people"),
    ("second statement", "SELECT * FROM people UPDATE people SET name = 'x'"),
    ("second statement", "SELECT 1 INSERT INTO people (id) VALUES (9)"),
    ("second statement", "SELECT 1 AS a TRUNCATE TABLE people"),
    ("second statement", "SELECT 1 SET NOEXEC ON"),
    ("second statement", "SELECT 1 SET IMPLICIT_TRANSACTIONS ON"),
    ("second statement", "SELECT 1 WAITFOR DELAY '00:00:05'"),
    ("second statement", "SELECT 1 DECLARE @x int"),
    ("bracketed names", "SELECT [a]]; DROP TABLE t; --]"),
    ("bracketed names", "SELECT [a]]] COMMIT SELECT [b]"),
    ("bracketed names", "SELECT 1 AS [x]]] DELETE FROM people --]"),
    ("bracketed names", "SELECT [a]]b] FROM people; DROP TABLE people"),
    ("bracketed names", "SELECT 1 AS [[x]] COMMIT"),
    ("bracketed names", "SELECT 1 AS [a]]]]] COMMIT --]"),
    ("bracketed names", "SELECT \"a\"\"\" COMMIT --\""),
    ("E'…' strings", "SELECT E'\\' COMMIT --' FROM people"),
    ("E'…' strings", "SELECT E'\\' DELETE FROM people --'"),
    ("E'…' strings", "SELECT E'\\' ; DROP TABLE people --'"),
    ("E'…' strings", "SELECT N'\\' COMMIT --'"),
    ("E'…' strings", "SELECT e'\\' BEGIN TRAN --'"),
    ("E'…' strings", "SELECT '\\' COMMIT --'"),
    ("next value for", "SELECT NEXT VALUE FOR dbo.seq"),
    ("next value for", "SELECT NEXT  VALUE\nFOR seq"),
    ("next value for", "SELECT id, NEXT VALUE FOR s OVER (ORDER BY id) FROM people"),
    ("next value for", "SELECT (NEXT VALUE FOR s) AS n"),
    ("next value for", "WITH x AS (SELECT NEXT VALUE FOR s AS n) SELECT n FROM x"),
    ("next value for", "SELECT next value for [s]"),
];

/// What a read-only call may answer to an attack: DB Dock's refusal, or (for an input the
/// classifier let through) the tripwire's or the server's error.
fn refused_well(code: ErrorCode, passed_classifier: bool) -> bool {
    matches!(code, ErrorCode::ReadOnlyViolation | ErrorCode::InvalidInput)
        || (passed_classifier && code == ErrorCode::QueryFailed)
}

#[tokio::test]
async fn mssql_read_only_corpus_is_refused_and_changes_nothing() {
    let bridge = bridge();
    let db = open(&bridge, 2).await;
    let before = (bridge.data_file("people.csv"), bridge.data_file("t.csv"));
    let mut per_class = std::collections::BTreeMap::<&str, usize>::new();
    let (mut wrong, mut past_classifier) = (Vec::new(), Vec::new());
    for (class, sql) in ATTACKS {
        *per_class.entry(class).or_default() += 1;
        let passed = check_read_only(Dialect::Mssql, sql).is_ok();
        if passed {
            past_classifier.push(format!("[{class}] {sql}"));
        }
        let queried = db.query(sql, &[], &read_only()).await.map(|r| format!("{:?}", r.rows));
        let executed = db.execute(sql, &[], &read_only()).await.map(|o| format!("{o:?}"));
        for (how, outcome) in [("query", queried), ("execute", executed)] {
            if passed {
                past_classifier.push(format!("    {how}: {:?}", outcome.as_ref().map_err(|e| (e.code, &e.message))));
            }
            match outcome {
                Err(e) if refused_well(e.code, passed) => {}
                Err(e) => wrong.push(format!("[{class}] {how} {sql}: [{}] {}", e.code, e.message)),
                Ok(ran) => wrong.push(format!("[{class}] {how} {sql}: RAN: {ran}")),
            }
        }
    }
    eprintln!("inputs the classifier lets through ({}):\n{}", past_classifier.len(), past_classifier.join("\n"));
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(per_class.values().all(|n| *n >= 5), "{per_class:?}");
    assert_eq!((bridge.data_file("people.csv"), bridge.data_file("t.csv")), before, "a served file changed");
    // Still answering, nothing left open.
    let n = db.query("SELECT COUNT(*) FROM people", &[], &read_only()).await.expect("a read");
    assert_eq!(n.rows[0][0], Value::Int(3));
}

#[tokio::test]
async fn mssql_read_only_calls_never_share_a_session() {
    let bridge = bridge();
    // One connection at most: were it pooled, every call would get the same session.
    let db = open(&bridge, 1).await;
    let spid = "SELECT @@SPID AS spid, CAST(@@TRANCOUNT AS int) AS depth";
    let first = db.query(spid, &[], &read_only()).await.expect("read");
    // Inside the call DB Dock's transaction is open, and only it.
    assert_eq!(first.rows[0][1], Value::Int(1), "{:?}", first.rows);
    // A temporary table made by a write (a session's state) is gone for a later read-only
    // call, and one a read-only call could make would be gone for every later call.
    db.execute("CREATE TABLE #left_behind (a int)", &[], &QueryOptions::default()).await.expect("create");
    let e = db.query("SELECT a FROM #left_behind", &[], &read_only()).await;
    assert!(e.is_err(), "a read-only call saw the session state an earlier call left: {e:?}");
    // A write after a read-only call finds no transaction left open.
    let depth = db.query("SELECT CAST(@@TRANCOUNT AS int)", &[], &QueryOptions::default()).await.expect("read");
    assert_eq!(depth.rows[0][0], Value::Int(0));
}

#[tokio::test]
async fn mssql_login_access_on_a_server_that_cannot_say_is_unsupported() {
    let bridge = bridge();
    let db = open(&bridge, 1).await;
    let e = db.login_access().await.expect_err("pysqlbridge has no IS_ROLEMEMBER");
    assert_eq!(e.code, ErrorCode::Unsupported, "{e}");
    assert!(!e.message.contains(bridge.password()), "{e}");
}
