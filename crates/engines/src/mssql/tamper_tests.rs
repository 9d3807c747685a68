//! The tripwire against pysqlbridge, with the classifier out of the way: statements that
//! end, nest or replace DB Dock's read-only transaction, sent straight to the session the
//! read-only path wraps them in. (Through `Database::query` the classifier refuses them
//! first; this proves the server-side check on its own.)

use dbdock_core::{ErrorCode, QueryOptions};
use dbdock_testkit::SqlBridge;

use super::Mssql;
use crate::OpenOptions;
use crate::rows::RowCollector;

async fn run_unclassified(db: &Mssql, sql: &str) -> dbdock_core::Result<()> {
    let options = QueryOptions { read_only: true, ..QueryOptions::default() };
    let mut collector = RowCollector::new(options);
    let mut lease = db.pool.acquire_fresh().await?;
    db.session(&mut lease, sql, &[], &options, crate::shell::Output::Rows(&mut collector)).await.map(drop)
}

#[tokio::test]
async fn mssql_tripwire_catches_a_smuggled_end_or_nesting_of_the_transaction() {
    let bridge = SqlBridge::start(&[("people.csv", "id,name\n1,Ada\n")]);
    let db = Mssql::new(bridge.target(), OpenOptions::default()).expect("settings");
    run_unclassified(&db, "SELECT name FROM people").await.expect("an honest read passes");
    for smuggled in [
        "SELECT name FROM people COMMIT",
        "SELECT name FROM people; COMMIT TRANSACTION",
        "SELECT name FROM people ROLLBACK",
        "SELECT name FROM people BEGIN TRAN",
        "SELECT name FROM people; BEGIN TRANSACTION; BEGIN TRANSACTION",
        "COMMIT; SELECT name FROM people",
    ] {
        let e = run_unclassified(&db, smuggled).await.expect_err(smuggled);
        assert_eq!(e.code, ErrorCode::ReadOnlyViolation, "{smuggled}: {e}");
        assert!(e.message.contains("tampered"), "{smuggled}: {e}");
    }
    // pysqlbridge has no CURRENT_TRANSACTION_ID(), so only the depth is compared there: a
    // transaction ended and begun again keeps it. (SQL Server 2016 and later tell the two
    // transactions apart by id: `services.yml` runs `mssql_server` against one.)
    assert!(!db.transaction_ids_known_available());
    run_unclassified(&db, "SELECT name FROM people COMMIT BEGIN TRAN").await.expect("undetectable by depth alone");
}
