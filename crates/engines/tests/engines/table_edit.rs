//! The data editor's statements on real servers (PostgreSQL, MariaDB, SQLite): keyset
//! pages that read every row once, exact values written and read back (decimals, 64-bit
//! integers, bytes, NULL vs empty text) through an odd table name and a composite key,
//! the original-value guard turning a concurrent change into a conflict that commits
//! nothing, and a failing statement that rolls back the set. (SQL Server's statements are
//! checked as text in `dbdock_core`: its test server cannot write.)

#![allow(clippy::unwrap_used)]

use dbdock_core::{
    CellInput, ColumnFilter, Database, Dialect, ErrorCode, FilterOp, PageRequest, QueryOptions, RowChange, SortKey,
    TableInfo, Value, plan_changes, plan_page,
};
use dbdock_engines::OpenOptions;
use dbdock_testkit::{TestDb, exec};

const ROWS: i64 = 25;

struct Case {
    dialect: Dialect,
    db: Box<dyn Database>,
    /// An exact decimal the column keeps digit for digit.
    decimal: &'static str,
    _keep: Box<dyn std::any::Any + Send>,
}

async fn open(url: &str, service: &str) -> Box<dyn Database> {
    let target = dbdock_core::ConnectionTarget::parse(url).expect("url");
    dbdock_engines::open(target, OpenOptions::default()).await.unwrap_or_else(|e| panic!("{service}: {e:?}"))
}

async fn postgres() -> Case {
    let test_db = TestDb::postgres("table_edit").await;
    let db = open(&test_db.url, "PostgreSQL at 127.0.0.1:5432").await;
    exec(
        db.as_ref(),
        "CREATE TABLE \"odd \"\"t\"\" name\" (\"tenant id\" int NOT NULL, id bigint NOT NULL, amount numeric(20,2), \
         note varchar(20), raw bytea, PRIMARY KEY (\"tenant id\", id))",
    )
    .await;
    exec(
        db.as_ref(),
        &format!(
            "INSERT INTO \"odd \"\"t\"\" name\" SELECT g % 3, 9007199254740000 + g, g * 1.5, CASE WHEN g % 2 = 0 THEN \
             'even' ELSE '' END, NULL FROM generate_series(1, {ROWS}) g"
        ),
    )
    .await;
    Case { dialect: Dialect::Postgres, db, decimal: "123456789012345678.10", _keep: Box::new(test_db) }
}

async fn mariadb() -> Case {
    let test_db = TestDb::mysql("table_edit").await;
    let db = open(&test_db.url, "MariaDB at 127.0.0.1:3306").await;
    exec(
        db.as_ref(),
        "CREATE TABLE `odd \"t\" name` (`tenant id` INT NOT NULL, id BIGINT NOT NULL, amount DECIMAL(20,2), note \
         VARCHAR(20), raw BLOB, PRIMARY KEY (`tenant id`, id))",
    )
    .await;
    exec(
        db.as_ref(),
        &format!(
            "INSERT INTO `odd \"t\" name` SELECT seq % 3, 9007199254740000 + seq, seq * 1.5, IF(seq % 2 = 0, 'even', \
             ''), NULL FROM seq_1_to_{ROWS}"
        ),
    )
    .await;
    Case { dialect: Dialect::Mysql, db, decimal: "123456789012345678.10", _keep: Box::new(test_db) }
}

async fn sqlite() -> Case {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dbdock_core::ConnectionTarget::sqlite_file(dir.path().join("edit.db"));
    let options = OpenOptions { create_if_missing: true, ..OpenOptions::default() };
    let db = dbdock_engines::open(target, options).await.expect("SQLite");
    exec(
        db.as_ref(),
        "CREATE TABLE \"odd \"\"t\"\" name\" (\"tenant id\" INTEGER NOT NULL, id INTEGER NOT NULL, amount NUMERIC, \
         note TEXT, raw BLOB, PRIMARY KEY (\"tenant id\", id))",
    )
    .await;
    exec(
        db.as_ref(),
        &format!(
            "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {ROWS}) INSERT INTO \"odd \"\"t\"\" \
             name\" SELECT n % 3, 9007199254740000 + n, n * 1.5, CASE WHEN n % 2 = 0 THEN 'even' ELSE '' END, NULL FROM g"
        ),
    )
    .await;
    // SQLite keeps NUMERIC as a double: an exact decimal is one a double holds.
    Case { dialect: Dialect::Sqlite, db, decimal: "2.5", _keep: Box::new(dir) }
}

async fn table(case: &Case) -> TableInfo {
    case.db.table_schema("odd \"t\" name").await.expect("the table's schema")
}

/// Every row the request's filters pass, read page by page (keyset), as display text.
async fn read_all(case: &Case, info: &TableInfo, mut request: PageRequest) -> Vec<Vec<Option<String>>> {
    let mut all = Vec::new();
    loop {
        let plan = plan_page(case.dialect, info, &request).expect("page plan");
        assert!(plan.paging.keyset, "{:?}", plan.paging);
        let page = case.db.query(&plan.statement.sql, &plan.statement.params, &QueryOptions::default()).await.unwrap();
        let Some(last) = page.rows.last() else { break };
        let positions: Vec<usize> =
            plan.order.iter().map(|k| info.columns.iter().position(|c| c.name == k.column).unwrap()).collect();
        request.after = Some(positions.iter().map(|&i| last[i].clone()).collect());
        let full = page.rows.len() == request.limit as usize;
        all.extend(page.rows.iter().map(|r| r.iter().map(Value::display_text).collect::<Vec<_>>()));
        if !full {
            break;
        }
    }
    all
}

fn row_of(rows: &[Vec<Option<String>>], tenant: &str, id: &str) -> Vec<Option<String>> {
    rows.iter()
        .find(|r| r[0].as_deref() == Some(tenant) && r[1].as_deref() == Some(id))
        .cloned()
        .unwrap_or_else(|| panic!("no row ({tenant}, {id})"))
}

/// The row as the page read it, typed again (what the app hands back as `original`).
async fn original(case: &Case, info: &TableInfo, tenant: i64, id: i64) -> Vec<Value> {
    let filters = vec![
        ColumnFilter { column: "tenant id".into(), op: FilterOp::Eq, values: vec![tenant.to_string()] },
        ColumnFilter { column: "id".into(), op: FilterOp::Eq, values: vec![id.to_string()] },
    ];
    let plan = plan_page(case.dialect, info, &PageRequest { filters, limit: 2, ..Default::default() }).unwrap();
    let page = case.db.query(&plan.statement.sql, &plan.statement.params, &QueryOptions::default()).await.unwrap();
    assert_eq!(page.rows.len(), 1, "one row ({tenant}, {id})");
    page.rows.into_iter().next().unwrap()
}

async fn contract(case: Case) {
    let engine = format!("{:?}", case.dialect);
    let info = table(&case).await;
    assert_eq!(info.primary_key, ["tenant id", "id"], "{engine}");

    // Keyset pages of 4 rows read each of the 25 rows once, in key order, and a filtered,
    // sorted (descending) read agrees with the filter.
    let all = read_all(&case, &info, PageRequest { limit: 4, ..Default::default() }).await;
    assert_eq!(all.len(), ROWS as usize, "{engine}");
    let keys: Vec<(i64, i64)> = all
        .iter()
        .map(|r| (r[0].as_ref().unwrap().parse().unwrap(), r[1].as_ref().unwrap().parse().unwrap()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(keys, sorted, "{engine}: every row once, in key order");
    let evens = read_all(
        &case,
        &info,
        PageRequest {
            filters: vec![ColumnFilter { column: "note".into(), op: FilterOp::Eq, values: vec!["even".into()] }],
            sort: vec![SortKey { column: "id".into(), descending: true }],
            limit: 5,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(evens.len(), 12, "{engine}");
    let ids: Vec<&str> = evens.iter().map(|r| r[1].as_deref().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{engine}: descending by id: {ids:?}");

    // Exact values through an update keyed by the composite key: a decimal, NULL for '',
    // bytes for NULL, a 64-bit integer key past 2^53.
    let row = original(&case, &info, 1, 9_007_199_254_740_001).await;
    let update = RowChange::Update {
        original: row,
        set: vec![
            ("amount".into(), CellInput::Value(Value::Decimal(case.decimal.into()))),
            ("note".into(), CellInput::Value(Value::Null)),
            ("raw".into(), CellInput::Value(Value::Bytes(vec![0, 0xff, b'\'']))),
        ],
    };
    let insert = RowChange::Insert {
        values: vec![
            ("tenant id".into(), CellInput::Value(Value::Int(9))),
            ("id".into(), CellInput::Value(Value::Int(1))),
            ("note".into(), CellInput::Value(Value::Text(String::new()))),
            ("amount".into(), CellInput::Default),
        ],
    };
    let delete = RowChange::Delete { original: original(&case, &info, 2, 9_007_199_254_740_002).await };
    let set = plan_changes(case.dialect, &info, &[update, insert, delete]).unwrap();
    let outcome = case.db.apply_changes(&set).await.unwrap_or_else(|e| panic!("{engine}: {e:?}"));
    assert!(outcome.committed, "{engine}: {outcome:?}");
    assert_eq!(outcome.rows_affected, [1, 1, 1], "{engine}");
    let all = read_all(&case, &info, PageRequest { limit: 100, ..Default::default() }).await;
    assert_eq!(all.len(), ROWS as usize, "{engine}: one inserted, one deleted");
    let edited = row_of(&all, "1", "9007199254740001");
    assert_eq!(edited[2].as_deref(), Some(case.decimal), "{engine}: the decimal exactly");
    assert_eq!(edited[3], None, "{engine}: NULL, not empty text");
    assert_eq!(edited[4].as_deref(), Some("\\x00ff27"), "{engine}: the bytes");
    let inserted = row_of(&all, "9", "1");
    assert_eq!((inserted[2].clone(), inserted[3].as_deref()), (None, Some("")), "{engine}: empty text, not NULL");
    assert!(!all.iter().any(|r| r[1].as_deref() == Some("9007199254740002")), "{engine}: deleted");

    // Someone changes a row between the read and the commit: the guard matches no row, the
    // set rolls back whole (the other row's edit too), and the conflict names the statement.
    let stale = original(&case, &info, 1, 9_007_199_254_740_004).await;
    let fresh = original(&case, &info, 1, 9_007_199_254_740_007).await;
    let q = |s: &str| match case.dialect {
        Dialect::Mysql => format!("`{s}`"),
        _ => format!("\"{}\"", s.replace('"', "\"\"")),
    };
    exec(case.db.as_ref(), &format!("UPDATE {} SET note = 'theirs' WHERE id = 9007199254740004", q("odd \"t\" name")))
        .await;
    let edit = |original: Vec<Value>| RowChange::Update {
        original,
        set: vec![("note".into(), CellInput::Value(Value::Text("mine".into())))],
    };
    let set = plan_changes(case.dialect, &info, &[edit(fresh), edit(stale)]).unwrap();
    let outcome = case.db.apply_changes(&set).await.unwrap();
    assert!(!outcome.committed, "{engine}");
    assert_eq!(outcome.conflicts, [1], "{engine}");
    assert_eq!(outcome.rows_affected, [1, 0], "{engine}");
    let all = read_all(&case, &info, PageRequest { limit: 100, ..Default::default() }).await;
    assert_eq!(row_of(&all, "1", "9007199254740004")[3].as_deref(), Some("theirs"), "{engine}");
    assert_ne!(row_of(&all, "1", "9007199254740007")[3].as_deref(), Some("mine"), "{engine}: rolled back");

    // A statement that fails (a duplicate key) rolls back the statements before it.
    let row = original(&case, &info, 0, 9_007_199_254_740_003).await;
    let update =
        RowChange::Update { original: row, set: vec![("note".into(), CellInput::Value(Value::Text("x".into())))] };
    let duplicate = RowChange::Insert {
        values: vec![
            ("tenant id".into(), CellInput::Value(Value::Int(9))),
            ("id".into(), CellInput::Value(Value::Int(1))),
        ],
    };
    let set = plan_changes(case.dialect, &info, &[update, duplicate]).unwrap();
    let err = case.db.apply_changes(&set).await.unwrap_err();
    assert!(err.message.starts_with("statement 2 of 2 failed"), "{engine}: {err:?}");
    assert_ne!(err.code, ErrorCode::Internal, "{engine}");
    let all = read_all(&case, &info, PageRequest { limit: 100, ..Default::default() }).await;
    assert_ne!(row_of(&all, "0", "9007199254740003")[3].as_deref(), Some("x"), "{engine}: rolled back");

    // A value too long for its column is refused by the server, never cut to fit by a cast
    // (SQLite has no lengths to enforce).
    if case.dialect != Dialect::Sqlite {
        let row = original(&case, &info, 0, 9_007_199_254_740_003).await;
        let long = RowChange::Update {
            original: row,
            set: vec![("note".into(), CellInput::Value(Value::Text("y".repeat(30))))],
        };
        let err = case.db.apply_changes(&plan_changes(case.dialect, &info, &[long]).unwrap()).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput, "{engine}: {err:?}");
    }
}

#[tokio::test]
async fn postgres_pages_and_changes() {
    contract(postgres().await).await;
}

#[tokio::test]
async fn mariadb_pages_and_changes() {
    contract(mariadb().await).await;
}

#[tokio::test]
async fn sqlite_pages_and_changes() {
    contract(sqlite().await).await;
}
