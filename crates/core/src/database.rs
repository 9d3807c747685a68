use async_trait::async_trait;
use serde::Serialize;

use crate::{
    ChangeOutcome, ConnectionTarget, Engine, GuardedStatement, QueryResult, Result, SchemaInfo, TableInfo, TableRef,
    WritePreview,
};

/// How one statement runs: caps on its result (`None` means no cap) and what the engine
/// must enforce. (The statement time limit belongs to the connection: the engines ask the
/// server to enforce it.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueryOptions {
    /// At most this many rows come back; one more is read to learn whether to say `truncated`.
    pub max_rows: Option<usize>,
    /// At most about this many bytes of row data (JSON size) come back; a single row over
    /// the cap comes back with its long values cut.
    pub max_bytes: Option<usize>,
    /// Only reads may run, and the database engine enforces it (a read-only transaction,
    /// a read-only connection), behind the statement classifier.
    pub read_only: bool,
    /// If the caller drops the call before it finishes (a timeout, a client's cancel), the
    /// engine cancels the statement on the server. Costs one round trip per call where the
    /// engine must first learn the session's id.
    pub cancellable: bool,
    /// Nothing the statement leaves in its session (an open transaction, `SET`, locks)
    /// reaches a later call: the connection is closed afterwards instead of going back to
    /// the pool. For writes on behalf of an AI client.
    pub isolated: bool,
}

/// What the login a connection uses may do, as the server itself reports it. Read-only
/// AI access is strongest when the login cannot write at all (docs/safety.md, "least
/// privilege").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LoginAccess {
    /// The login (user, role) the server sees.
    pub login: String,
    /// The login can change data or schema somewhere in this database.
    pub can_write: bool,
    /// What the server said that decided it, one short item each (`superuser`,
    /// `INSERT on public.orders`, `role db_datawriter`); at most a handful.
    pub evidence: Vec<String>,
}

/// What a write statement did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ExecOutcome {
    pub rows_affected: u64,
}

/// A connection to a SQL database (docs/architecture.md, "The `Database` trait"). Parameters are always
/// bound by the server, never spliced into the text; they arrive as JSON values (from MCP
/// or the CLI) and each engine converts them to the type the statement expects.
#[async_trait]
pub trait Database: Send + Sync {
    fn engine(&self) -> Engine;

    /// The target this connection was opened on (its `Display` is redacted).
    fn target(&self) -> &ConnectionTarget;

    /// Opens the connection (or pool) and checks that the server answers and accepts the
    /// credentials. Idempotent.
    async fn connect(&self) -> Result<()>;

    /// Closes every connection. Later calls reconnect.
    async fn disconnect(&self);

    /// Runs one statement and returns its rows, within `limits`.
    async fn query(&self, sql: &str, params: &[serde_json::Value], limits: &QueryOptions) -> Result<QueryResult>;

    /// Runs one statement for its effect.
    async fn execute(&self, sql: &str, params: &[serde_json::Value], limits: &QueryOptions) -> Result<ExecOutcome>;

    /// Every user table and view (names only: cheap even with thousands of tables).
    async fn list_tables(&self) -> Result<Vec<TableRef>>;

    /// One table in full. `name` may be qualified (`schema.table`); an unknown or ambiguous
    /// name is `NOT_FOUND` with the candidates named.
    async fn table_schema(&self, name: &str) -> Result<TableInfo>;

    /// Every user table and view in full.
    async fn schema(&self) -> Result<SchemaInfo>;

    /// The server's version string (`PostgreSQL 15.4 …`, `10.11.6-MariaDB`, `3.45.1`).
    async fn server_version(&self) -> Result<String>;

    /// What the connection's login may do (whether it can write). Engines that cannot
    /// tell say so with `UNSUPPORTED`.
    async fn login_access(&self) -> Result<LoginAccess> {
        Err(crate::Error::unsupported(format!("{} cannot report what its login may do", self.engine())))
    }

    /// The server's plan for one read-only statement, without running it. Engines whose
    /// capabilities have no `explain` say so with `UNSUPPORTED`.
    async fn explain(&self, sql: &str, params: &[serde_json::Value], limits: &QueryOptions) -> Result<QueryResult> {
        let _ = (sql, params, limits);
        Err(crate::Error::unsupported(format!(
            "{} shows no plans through DB Dock; explain works on {}",
            self.engine().spec().label,
            Engine::labels_where(|c| c.explain)
        )))
    }

    /// What the write `sql` would do, for the user deciding whether to approve it: run in
    /// a transaction that is always rolled back, where the engine can (docs/safety.md,
    /// "Approval"). A dry run that fails is a preview with its `error`, not an `Err`.
    async fn preview(&self, sql: &str, params: &[serde_json::Value]) -> WritePreview {
        let _ = (sql, params);
        WritePreview::not_run(format!(
            "{} writes are not dry-run: decide on the statement itself",
            self.engine().spec().label
        ))
    }

    /// Runs `statements` in one transaction on the user's connection (the data editor's
    /// Commit): it commits only if every statement ran and each affected the rows it
    /// expects; a statement that fails rolls everything back and is the error (its message
    /// names the statement), and rows that conflict are reported with nothing committed.
    /// The connection is closed afterwards rather than reused, so nothing of a half-run
    /// set outlives a dropped call (docs/data-editor.md).
    async fn apply_changes(&self, statements: &[GuardedStatement]) -> Result<ChangeOutcome> {
        let _ = statements;
        Err(crate::Error::unsupported(format!("{} tables are not edited through DB Dock", self.engine().spec().label)))
    }

    /// Its keys to browse, on a key-value server (Redis); `None` elsewhere.
    fn keys(&self) -> Option<&dyn crate::KeyBrowser> {
        None
    }

    /// A cheap round trip that proves the connection works.
    async fn ping(&self) -> Result<()> {
        self.query("SELECT 1", &[], &QueryOptions { max_rows: Some(1), ..QueryOptions::default() }).await.map(|_| ())
    }
}

/// Picks the one table a user-typed name means, or explains why there is none.
pub fn resolve_table<'a>(tables: &'a [TableRef], wanted: &str) -> Result<&'a TableRef> {
    let matches: Vec<&TableRef> = tables.iter().filter(|t| t.matches(wanted)).collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(crate::Error::not_found(format!("no table or view named '{wanted}'{}", suggestion(tables, wanted)))),
        many => Err(crate::Error::not_found(format!(
            "'{wanted}' is ambiguous: it matches {}; qualify it with the schema",
            many.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        ))),
    }
}

fn suggestion(tables: &[TableRef], wanted: &str) -> String {
    let needle = wanted.rsplit('.').next().unwrap_or(wanted).to_lowercase();
    let close: Vec<String> = tables
        .iter()
        .filter(|t| {
            let n = t.name.to_lowercase();
            n.contains(&needle) || needle.contains(&n)
        })
        .take(5)
        .map(ToString::to_string)
        .collect();
    if close.is_empty() { String::new() } else { format!(" (did you mean {}?)", close.join(", ")) }
}
