//! A `Database` that counts what is asked of it, and can be told to fail.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use dbdock_app::Workspace;
use dbdock_core::{
    ConnectionTarget, Database, Engine, Error, ExecOutcome, QueryOptions, QueryResult, Result, SchemaInfo, TableInfo,
    TableRef,
};
use dbdock_engines::OpenOptions;
use dbdock_store::{Home, NewProfile, Store};

/// What every fake of one workspace saw.
#[derive(Default)]
pub struct Seen {
    pub opened: AtomicU32,
    pub connects: AtomicU32,
    pub disconnects: AtomicU32,
    /// Statements sent to the server (a `ping` is not one).
    pub statements: AtomicU32,
    /// The next statement fails as a broken connection would.
    pub break_next: AtomicBool,
    /// How long `connect` takes, in milliseconds.
    pub connect_ms: AtomicU32,
    pub options: Mutex<Vec<OpenOptions>>,
}

pub struct Fake {
    target: ConnectionTarget,
    seen: Arc<Seen>,
}

#[async_trait]
impl Database for Fake {
    fn engine(&self) -> Engine {
        self.target.engine()
    }
    fn target(&self) -> &ConnectionTarget {
        &self.target
    }
    async fn connect(&self) -> Result<()> {
        let wait = self.seen.connect_ms.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(u64::from(wait))).await;
        self.seen.connects.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
    async fn disconnect(&self) {
        self.seen.disconnects.fetch_add(1, Ordering::SeqCst);
    }
    async fn query(&self, _sql: &str, _params: &[serde_json::Value], _limits: &QueryOptions) -> Result<QueryResult> {
        self.seen.statements.fetch_add(1, Ordering::SeqCst);
        if self.seen.break_next.swap(false, Ordering::SeqCst) {
            return Err(Error::connection_failed("the server closed the connection"));
        }
        Ok(QueryResult { columns: vec![], rows: vec![], row_count: 0, truncated: false, elapsed_ms: 0.0, more: vec![] })
    }
    async fn execute(&self, _sql: &str, _params: &[serde_json::Value], _limits: &QueryOptions) -> Result<ExecOutcome> {
        self.seen.statements.fetch_add(1, Ordering::SeqCst);
        Ok(ExecOutcome { rows_affected: 1 })
    }
    async fn list_tables(&self) -> Result<Vec<TableRef>> {
        Ok(vec![])
    }
    async fn table_schema(&self, name: &str) -> Result<TableInfo> {
        Err(Error::not_found(name))
    }
    async fn schema(&self) -> Result<SchemaInfo> {
        Ok(SchemaInfo { database: "fake".into(), tables: vec![] })
    }
    async fn server_version(&self) -> Result<String> {
        Ok("Fake 1".into())
    }
    async fn ping(&self) -> Result<()> {
        Ok(())
    }
}

/// A workspace on a temporary home whose connections are fakes, with one profile `shop`.
pub async fn workspace() -> (Arc<Workspace>, Arc<Seen>, tempfile::TempDir) {
    let home = tempfile::tempdir().unwrap();
    let store = Store::open(Home::at(home.path())).await.unwrap();
    let target = ConnectionTarget::sqlite_file(home.path().join("shop.db"));
    store.add_profile(NewProfile::new("shop", target)).await.unwrap();
    let seen = Arc::new(Seen::default());
    let counting = Arc::clone(&seen);
    let workspace = Workspace::with_opener(
        store,
        Arc::new(move |target, options| {
            counting.opened.fetch_add(1, Ordering::SeqCst);
            counting.options.lock().unwrap().push(options);
            Ok(Box::new(Fake { target, seen: Arc::clone(&counting) }) as Box<dyn Database>)
        }),
    );
    (workspace, seen, home)
}
