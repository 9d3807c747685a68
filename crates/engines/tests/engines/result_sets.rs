//! A statement that answers with several result sets: a MariaDB procedure and a SQL Server
//! batch (the pysqlbridge emulator). Every set comes back (`QueryResult::more`), each under
//! its own columns and caps.

use dbdock_core::{QueryOptions, Value};
use dbdock_engines::OpenOptions;
use dbdock_testkit::{SqlBridge, TestDb, exec};

fn texts(rows: &[Vec<Value>]) -> Vec<Vec<Option<String>>> {
    rows.iter().map(|r| r.iter().map(Value::display_text).collect()).collect()
}

#[tokio::test]
async fn a_mariadb_procedure_returns_every_result_set() {
    let test_db = TestDb::mysql("result_sets").await;
    let target = dbdock_core::ConnectionTarget::parse(&test_db.url).expect("url");
    let db = dbdock_engines::open(target, OpenOptions::default()).await.expect("MariaDB at 127.0.0.1:3306");
    exec(db.as_ref(), "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(10))").await;
    exec(db.as_ref(), "INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')").await;
    exec(
        db.as_ref(),
        "CREATE PROCEDURE three_sets() BEGIN SELECT id FROM t ORDER BY id; SELECT name, id * 10 AS tens FROM t WHERE \
         id = 2; SELECT COUNT(*) AS n FROM t; END",
    )
    .await;
    let limits = QueryOptions { max_rows: Some(2), ..QueryOptions::default() };
    let result = db.query("CALL three_sets()", &[], &limits).await.expect("CALL");
    assert_eq!(result.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["id"]);
    assert_eq!(texts(&result.rows), [[Some("1".into())], [Some("2".into())]]);
    assert!(result.truncated, "the first set has 3 rows over a cap of 2");
    assert_eq!(result.more.len(), 2, "{:?}", result.more);
    assert_eq!(result.more[0].columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["name", "tens"]);
    assert_eq!(texts(&result.more[0].rows), [[Some("b".into()), Some("20".into())]]);
    assert!(!result.more[0].truncated);
    assert_eq!(texts(&result.more[1].rows), [[Some("3".into())]]);

    // A plain query has one set, as before.
    let plain = db.query("SELECT name FROM t ORDER BY id", &[], &QueryOptions::default()).await.expect("SELECT");
    assert_eq!(plain.row_count, 3);
    assert!(plain.more.is_empty());
}

#[tokio::test]
async fn a_sql_server_batch_returns_every_result_set() {
    let bridge = SqlBridge::start(&[("people.csv", "id,name\n1,Ada\n2,Grace\n")]);
    let db = match dbdock_engines::open(bridge.target(), OpenOptions::default()).await {
        Ok(db) => db,
        Err(e) => panic!("cannot open the bridge: {e:?}\n{}", bridge.log()),
    };
    let batch = "SELECT name FROM people WHERE id = 1; SELECT id, name FROM people ORDER BY id";
    let result =
        db.query(batch, &[], &QueryOptions::default()).await.unwrap_or_else(|e| panic!("{e:?}\n{}", bridge.log()));
    assert_eq!(texts(&result.rows), [[Some("Ada".into())]]);
    assert_eq!(result.more.len(), 1, "{result:?}");
    assert_eq!(result.more[0].columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["id", "name"]);
    assert_eq!(result.more[0].row_count, 2);
}
