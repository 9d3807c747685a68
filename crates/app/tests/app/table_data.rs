//! The data editor through the workspace, on a SQLite file: pages chained by their
//! cursor, the exact count under a filter, a commit, a conflict, and a table without a key
//! that pages by OFFSET and refuses edits with the reason.

use dbdock_app::Workspace;
use dbdock_core::{CellInput, ColumnFilter, ConnectionTarget, ErrorCode, FilterOp, PageRequest, RowChange, Value};
use dbdock_store::{Home, NewProfile, Store};

async fn workspace() -> (std::sync::Arc<Workspace>, tempfile::TempDir) {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("shop.db");
    {
        let target = ConnectionTarget::sqlite_file(&file);
        let options = dbdock_engines::OpenOptions { create_if_missing: true, ..Default::default() };
        let db = dbdock_engines::open(target, options).await.unwrap();
        for sql in [
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT NOT NULL, total NUMERIC)",
            "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 1000) INSERT INTO orders SELECT \
             n, CASE WHEN n % 4 = 0 THEN 'open' ELSE 'closed' END, n * 2 FROM g",
            "CREATE TABLE log (line TEXT)",
            "INSERT INTO log VALUES ('a'), ('b'), ('c')",
        ] {
            dbdock_testkit::exec(db.as_ref(), sql).await;
        }
        db.disconnect().await;
    }
    let store = Store::open(Home::at(home.path())).await.unwrap();
    store.add_profile(NewProfile::new("shop", ConnectionTarget::sqlite_file(&file))).await.unwrap();
    (Workspace::new(store), home)
}

fn open_orders() -> Vec<ColumnFilter> {
    vec![ColumnFilter { column: "status".into(), op: FilterOp::Eq, values: vec!["open".into()] }]
}

#[tokio::test]
async fn pages_chain_by_their_cursor_and_the_count_agrees() {
    let (workspace, _home) = workspace().await;
    let mut request = PageRequest { filters: open_orders(), limit: 100, ..Default::default() };
    let mut ids = Vec::new();
    loop {
        let page = workspace.table_page("shop", "orders", &request).await.unwrap();
        assert!(page.paging.keyset);
        assert_eq!(page.key, Ok(vec!["id".to_owned()]));
        assert!(page.filter.contains("'open'"), "{}", page.filter);
        ids.extend(page.rows.iter().map(|r| r[0].clone()));
        assert_eq!(page.has_more, page.next.is_some());
        match page.next {
            Some(next) => request.after = Some(next),
            None => break,
        }
    }
    assert_eq!(ids.len(), 250);
    assert_eq!(ids.first(), Some(&Value::Int(4)));
    assert_eq!(ids.last(), Some(&Value::Int(1000)));
    assert_eq!(workspace.count_table_rows("shop", "orders", &open_orders()).await.unwrap(), 250);
    let too_big = PageRequest { limit: dbdock_app::MAX_PAGE_ROWS + 1, ..Default::default() };
    assert_eq!(workspace.table_page("shop", "orders", &too_big).await.unwrap_err().code, ErrorCode::InvalidInput);
}

#[tokio::test]
async fn a_commit_applies_every_change_or_none() {
    let (workspace, _home) = workspace().await;
    let page = workspace.table_page("shop", "orders", &PageRequest { limit: 2, ..Default::default() }).await.unwrap();
    let close = |original: Vec<Value>| RowChange::Update {
        original,
        set: vec![("status".into(), CellInput::Value(Value::Text("shipped".into())))],
    };
    let review = workspace.plan_table_changes("shop", "orders", &[close(page.rows[0].clone())]).await.unwrap();
    assert_eq!(
        review[0].statement.display,
        "UPDATE \"orders\" SET \"status\" = 'shipped' WHERE \"id\" = 1 AND \"status\" = 'closed'"
    );
    let applied = workspace.apply_table_changes("shop", "orders", &[close(page.rows[0].clone())]).await.unwrap();
    assert!(applied.outcome.committed);
    // The same row again, from the stale read: a conflict, and the other row is untouched.
    let applied = workspace
        .apply_table_changes("shop", "orders", &[close(page.rows[1].clone()), close(page.rows[0].clone())])
        .await
        .unwrap();
    assert!(!applied.outcome.committed);
    assert_eq!(applied.outcome.conflicts, [1]);
    let shipped = vec![ColumnFilter { column: "status".into(), op: FilterOp::Eq, values: vec!["shipped".into()] }];
    assert_eq!(workspace.count_table_rows("shop", "orders", &shipped).await.unwrap(), 1);
}

#[tokio::test]
async fn a_table_without_a_key_pages_by_offset_and_refuses_edits() {
    let (workspace, _home) = workspace().await;
    let page = workspace.table_page("shop", "log", &PageRequest { limit: 2, ..Default::default() }).await.unwrap();
    assert!(!page.paging.keyset);
    assert!(page.paging.note.as_deref().unwrap_or_default().contains("OFFSET"));
    assert!(page.has_more && page.next.is_none());
    let reason = page.key.unwrap_err();
    assert!(reason.contains("no primary key"), "{reason}");
    let second = PageRequest { offset: 2, limit: 2, ..Default::default() };
    let page = workspace.table_page("shop", "log", &second).await.unwrap();
    assert_eq!(page.rows, vec![vec![Value::Text("c".into())]]);
    assert!(!page.has_more);
    let delete = RowChange::Delete { original: vec![Value::Text("a".into())] };
    let err = workspace.apply_table_changes("shop", "log", &[delete]).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
}
