//! One read-only SQLite connection that SQLite itself keeps read-only, whatever the text
//! it is given, so that read-only holds even where the statement classifier
//! (`dbdock_core::check_read_only`) is wrong.
//!
//! This is rusqlite, not sqlx, because sqlx exposes neither an authorizer
//! (`sqlite3_set_authorizer`), nor a progress handler, nor the tail of a prepared
//! statement: sqlx runs every statement of a multi-statement string, so
//! `SELECT 1; PRAGMA query_only=0; CREATE TEMP VIEW …` would run all three. Both crates
//! link the same libsqlite3-sys, so it is one SQLite library in the process.
//!
//! What a connection enforces, all inside SQLite:
//! - opened `SQLITE_OPEN_READ_ONLY` (no create, no URI filename), `query_only=ON`,
//!   `SQLITE_LIMIT_ATTACHED` 0, defensive mode, ATTACH neither creating nor writing;
//! - an authorizer, installed before any caller's statement, that allows only SELECT,
//!   reads, recursive CTEs, functions that stay inside the database, and reporting
//!   pragmas. It runs while a statement is *prepared*, so it also stops what SQLite does
//!   at prepare time (`EXPLAIN PRAGMA query_only=0` flips the flag without running);
//! - one statement per call: text after the first statement is prepared only under a
//!   deny-everything authorizer, to learn that it is there, and then refused;
//! - `sqlite3_stmt_readonly` must hold (VACUUM has no authorizer action);
//! - a progress handler that stops the statement at the statement timeout or when the
//!   caller is gone;
//! - `SQLITE_LIMIT_LENGTH` of [`MAX_VALUE_BYTES`], so no single value can eat the memory.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use dbdock_core::{Column, Error, ErrorCode, QueryOptions, Value};
use rusqlite::config::DbConfig;
use rusqlite::fallible_iterator::FallibleIterator;
use rusqlite::hooks::{AuthAction, AuthContext, Authorization, TransactionOperation};
use rusqlite::limits::Limit;
use rusqlite::types::ValueRef;
use rusqlite::{Batch, Connection, OpenFlags, Statement};

use crate::rows::{check_param_count, one_line};

/// The largest string or blob a read-only statement may make or read (SQLite's
/// `SQLITE_LIMIT_LENGTH`, 1e9 by default). 64 MiB is far above any byte cap a caller sets
/// (MCP's default is a few hundred KiB) and above the values an ordinary read builds
/// (`group_concat`, `json_group_array` over a table), yet small enough that a pool of a
/// few connections, each holding a value and a copy or two of it, stays in the hundreds
/// of MiB: `randomblob(1e9)` fails before it allocates instead of after. The cost: a
/// stored cell larger than this cannot be read on a read-only call (SQLITE_TOOBIG).
pub(crate) const MAX_VALUE_BYTES: i32 = 64 * 1024 * 1024;

/// Virtual machine instructions between two looks at the clock and the cancel flag:
/// microseconds of work, so a stop is prompt, and rare enough to cost nothing measurable.
const PROGRESS_OPS: i32 = 1000;

/// The pragmas that only report, whatever their argument.
const REPORTING_PRAGMAS: &[&str] = &[
    "table_info",
    "table_xinfo",
    "table_list",
    "index_list",
    "index_info",
    "index_xinfo",
    "foreign_key_list",
    "foreign_key_check",
    "database_list",
    "collation_list",
    "function_list",
    "module_list",
    "pragma_list",
    "compile_options",
    "integrity_check",
    "quick_check",
];

/// The pragmas that report without an argument and set something with one.
const READ_WITHOUT_ARGUMENT_PRAGMAS: &[&str] = &[
    "user_version",
    "schema_version",
    "page_count",
    "page_size",
    "encoding",
    "freelist_count",
    "application_id",
    "data_version",
];

/// Functions that reach outside the database (files, shared libraries, raw pointers,
/// other SQL text). Most are not compiled into this SQLite (the shell's `readfile`,
/// `writefile`, `edit`; the `eval` and `sha3_query` extensions), so they fail as unknown
/// functions before the authorizer sees them; they are listed so that linking them in
/// later cannot open a hole.
const DENIED_FUNCTIONS: &[&str] = &[
    "load_extension",
    "readfile",
    "writefile",
    "edit",
    "lsmode",
    "fts3_tokenizer",
    "fts5",
    "eval",
    "sha3_query",
    "sqlite_dbpage",
    "sqlite_dbdata",
    "sqlite_dbptr",
    "zipfile",
    "zipfile_cds",
    "sqlar_compress",
    "sqlar_uncompress",
];

/// Table-valued functions and virtual tables that reach outside the database or its
/// pages (none is compiled in today; see [`DENIED_FUNCTIONS`]).
const DENIED_TABLES: &[&str] = &["fsdir", "zipfile", "sqlite_dbpage", "sqlite_dbdata", "sqlite_dbptr"];

/// What the authorizer allows. `Err` describes the refused action for the caller.
pub(crate) fn judge(action: &AuthAction<'_>) -> Result<(), String> {
    let is = |list: &[&str], name: &str| list.iter().any(|n| n.eq_ignore_ascii_case(name));
    Err(match *action {
        AuthAction::Select | AuthAction::Recursive => return Ok(()),
        AuthAction::Read { table_name, .. } if !is(DENIED_TABLES, table_name) => return Ok(()),
        AuthAction::Read { table_name, .. } => format!("reading {table_name}, which reaches outside the database"),
        AuthAction::Function { function_name } if !is(DENIED_FUNCTIONS, function_name) => return Ok(()),
        AuthAction::Function { function_name } => {
            format!("the function {function_name}(), which reaches outside the database")
        }
        AuthAction::Pragma { pragma_name, pragma_value } => {
            if is(REPORTING_PRAGMAS, pragma_name)
                || (pragma_value.is_none() && is(READ_WITHOUT_ARGUMENT_PRAGMAS, pragma_name))
            {
                return Ok(());
            }
            match pragma_value {
                Some(value) => format!("PRAGMA {pragma_name} = {value}"),
                None => format!("PRAGMA {pragma_name} (not a reporting pragma)"),
            }
        }
        AuthAction::Insert { table_name } => format!("INSERT into {table_name}"),
        AuthAction::Update { table_name, .. } => format!("UPDATE of {table_name}"),
        AuthAction::Delete { table_name } => format!("DELETE from {table_name}"),
        AuthAction::CreateTable { table_name } => format!("CREATE TABLE {table_name}"),
        AuthAction::CreateTempTable { table_name } => format!("CREATE TEMP TABLE {table_name}"),
        AuthAction::CreateView { view_name } => format!("CREATE VIEW {view_name}"),
        AuthAction::CreateTempView { view_name } => format!("CREATE TEMP VIEW {view_name}"),
        AuthAction::CreateIndex { index_name, .. } => format!("CREATE INDEX {index_name}"),
        AuthAction::CreateTempIndex { index_name, .. } => format!("CREATE TEMP INDEX {index_name}"),
        AuthAction::CreateTrigger { trigger_name, .. } => format!("CREATE TRIGGER {trigger_name}"),
        AuthAction::CreateTempTrigger { trigger_name, .. } => format!("CREATE TEMP TRIGGER {trigger_name}"),
        AuthAction::CreateVtable { table_name, .. } => format!("CREATE VIRTUAL TABLE {table_name}"),
        AuthAction::DropTable { table_name } => format!("DROP TABLE {table_name}"),
        AuthAction::DropTempTable { table_name } => format!("DROP TEMP TABLE {table_name}"),
        AuthAction::DropView { view_name } => format!("DROP VIEW {view_name}"),
        AuthAction::DropTempView { view_name } => format!("DROP TEMP VIEW {view_name}"),
        AuthAction::DropIndex { index_name, .. } => format!("DROP INDEX {index_name}"),
        AuthAction::DropTempIndex { index_name, .. } => format!("DROP TEMP INDEX {index_name}"),
        AuthAction::DropTrigger { trigger_name, .. } => format!("DROP TRIGGER {trigger_name}"),
        AuthAction::DropTempTrigger { trigger_name, .. } => format!("DROP TEMP TRIGGER {trigger_name}"),
        AuthAction::DropVtable { table_name, .. } => format!("DROP of the virtual table {table_name}"),
        AuthAction::AlterTable { table_name, .. } => format!("ALTER TABLE {table_name}"),
        AuthAction::Attach { filename } => format!("ATTACH '{filename}'"),
        AuthAction::Detach { database_name } => format!("DETACH {database_name}"),
        AuthAction::Transaction { operation } => format!("{} (transaction control)", transaction_word(operation)),
        AuthAction::Savepoint { operation, savepoint_name } => {
            format!("{} {savepoint_name} (savepoints)", savepoint_word(operation))
        }
        AuthAction::Analyze { table_name } => format!("ANALYZE {table_name}"),
        AuthAction::Reindex { index_name } => format!("REINDEX {index_name}"),
        AuthAction::Unknown { code, .. } => format!("an action SQLite codes as {code}"),
        _ => format!("{action:?}"),
    })
}

fn transaction_word(op: TransactionOperation) -> &'static str {
    match op {
        TransactionOperation::Begin => "BEGIN",
        TransactionOperation::Release => "COMMIT",
        TransactionOperation::Rollback => "ROLLBACK",
        _ => "a transaction statement",
    }
}

fn savepoint_word(op: TransactionOperation) -> &'static str {
    match op {
        TransactionOperation::Begin => "SAVEPOINT",
        TransactionOperation::Release => "RELEASE",
        TransactionOperation::Rollback => "ROLLBACK TO",
        _ => "a savepoint statement",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AuthMode {
    /// [`judge`] decides.
    Policy,
    /// Everything is refused: while the text after the first statement is prepared only
    /// to learn whether it holds a statement.
    DenyAll,
    /// Tests read `PRAGMA query_only` back through the same connection.
    #[cfg(test)]
    AllowAll,
}

struct AuthState {
    mode: AuthMode,
    /// The first action refused during this call, for the error message.
    denied: Option<String>,
}

/// Why the progress handler stopped a statement.
const STOPPED_NOT: u8 = 0;
const STOPPED_TIMEOUT: u8 = 1;
const STOPPED_CANCELLED: u8 = 2;

/// One call's controls, shared with the async side: the caller sets `cancelled` when it
/// drops the call; the progress handler records why it stopped the statement.
#[derive(Default)]
pub(crate) struct CallControl {
    cancelled: AtomicBool,
    stopped: AtomicU8,
}

impl CallControl {
    pub(crate) fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }
}

/// The call a connection is running, as its progress handler sees it.
struct Active {
    call: Arc<CallControl>,
    deadline: Option<Instant>,
}

impl Active {
    /// Whether to interrupt the statement now (and why, recorded on the call).
    fn should_stop(&self) -> bool {
        let reason = if self.call.cancelled.load(Ordering::Relaxed) {
            STOPPED_CANCELLED
        } else if self.deadline.is_some_and(|d| Instant::now() >= d) {
            STOPPED_TIMEOUT
        } else {
            return false;
        };
        let _ = self.call.stopped.compare_exchange(STOPPED_NOT, reason, Ordering::SeqCst, Ordering::SeqCst);
        true
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What a read returned: its columns and, for a query, its rows under the caps.
#[derive(Debug, Default)]
pub(crate) struct ReadOutcome {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Value>>,
    pub truncated: bool,
}

/// A connection opened and guarded as the module says.
pub(crate) struct GuardedConn {
    conn: Connection,
    auth: Arc<Mutex<AuthState>>,
    active: Arc<Mutex<Option<Active>>>,
}

impl GuardedConn {
    /// Opens `path` read-only and installs every guard before anyone else's statement.
    pub(crate) fn open(path: &Path) -> Result<GuardedConn, Error> {
        let fail = |e: rusqlite::Error| {
            let error = map_error(e, None, None);
            let code = if error.code == ErrorCode::QueryFailed { ErrorCode::ConnectionFailed } else { error.code };
            Error::new(code, format!("cannot open {} read-only: {}", path.display(), error.message))
        };
        // No SQLITE_OPEN_CREATE and no SQLITE_OPEN_URI. This SQLite is built with
        // SQLITE_USE_URI, which reads any name starting with `file:` as a URI (whose
        // `?mode=rwc` could create a file), so a relative name gets a `./` first.
        let conn = Connection::open_with_flags(
            plain_filename(path),
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(fail)?;
        // Another process (the desktop app, an MCP endpoint) may be writing.
        conn.busy_timeout(Duration::from_secs(5)).map_err(fail)?;
        conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 0).map_err(fail)?;
        conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES).map_err(fail)?;
        for (option, on) in [
            (DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true),
            (DbConfig::SQLITE_DBCONFIG_ENABLE_ATTACH_CREATE, false),
            (DbConfig::SQLITE_DBCONFIG_ENABLE_ATTACH_WRITE, false),
            (DbConfig::SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, false),
        ] {
            conn.set_db_config(option, on).map_err(fail)?;
        }
        // Our own statement, before the authorizer (which refuses it) is in place.
        conn.execute_batch("PRAGMA query_only = ON").map_err(fail)?;

        let auth = Arc::new(Mutex::new(AuthState { mode: AuthMode::Policy, denied: None }));
        let hook_state = Arc::clone(&auth);
        conn.authorizer(Some(move |ctx: AuthContext<'_>| {
            let mut state = lock(&hook_state);
            match state.mode {
                AuthMode::DenyAll => return Authorization::Deny,
                #[cfg(test)]
                AuthMode::AllowAll => return Authorization::Allow,
                AuthMode::Policy => {}
            }
            match judge(&ctx.action) {
                Ok(()) => Authorization::Allow,
                Err(what) => {
                    state.denied.get_or_insert_with(|| match ctx.database_name {
                        Some(db) if db != "main" => format!("{what} (in the {db} database)"),
                        _ => what,
                    });
                    Authorization::Deny
                }
            }
        }))
        .map_err(fail)?;

        let active: Arc<Mutex<Option<Active>>> = Arc::new(Mutex::new(None));
        let hook_active = Arc::clone(&active);
        conn.progress_handler(PROGRESS_OPS, Some(move || lock(&hook_active).as_ref().is_some_and(Active::should_stop)))
            .map_err(fail)?;
        Ok(GuardedConn { conn, auth, active })
    }

    /// Whether the connection can serve another call (no transaction left open).
    pub(crate) fn reusable(&self) -> bool {
        self.conn.is_autocommit()
    }

    /// Runs one read. `collect` reads the rows (a query); otherwise they are stepped
    /// through and dropped (an execute).
    pub(crate) fn run(
        &self,
        call: &Arc<CallControl>,
        timeout: Option<Duration>,
        sql: &str,
        params: &[serde_json::Value],
        limits: QueryOptions,
        collect: bool,
    ) -> Result<ReadOutcome, Error> {
        {
            let mut auth = lock(&self.auth);
            auth.mode = AuthMode::Policy;
            auth.denied = None;
        }
        // The clock starts when the statement does, not while the call waited its turn.
        // (A timeout too long to add to the clock is none.)
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        *lock(&self.active) = Some(Active { call: Arc::clone(call), deadline });
        let outcome = self.run_statement(sql, params, limits, collect).map_err(|e| match e {
            Failure::Sqlite(e) => map_error(e, lock(&self.auth).denied.take(), Some((call, timeout))),
            Failure::Refused(e) => e,
        });
        *lock(&self.active) = None;
        outcome
    }

    fn run_statement(
        &self,
        sql: &str,
        params: &[serde_json::Value],
        limits: QueryOptions,
        collect: bool,
    ) -> Result<ReadOutcome, Failure> {
        // SQLite stops reading at a NUL: text after one would be silently ignored.
        if sql.contains('\0') {
            return Err(Error::invalid_input("the statement contains a NUL character").into());
        }
        let mut batch = Batch::new(&self.conn, sql);
        let Some(mut statement) = batch.next()? else {
            return Err(Error::invalid_input("the statement is empty").into());
        };
        // The rest of the text is prepared, never run, under an authorizer that refuses
        // everything, only to learn whether SQLite finds another statement in it (an error
        // counts as one). SQLite's own tokenizer decides, so no lexer of ours can be fooled.
        lock(&self.auth).mode = AuthMode::DenyAll;
        let rest = batch.next().map(|next| next.is_none());
        lock(&self.auth).mode = AuthMode::Policy;
        if rest != Ok(true) {
            return Err(violation(
                "found more than one statement; send one statement per call (nothing was run)".into(),
            )
            .into());
        }
        // VACUUM (and VACUUM INTO, which writes a new file) has no authorizer action.
        if !statement.readonly() {
            return Err(violation(
                "SQLite reports that this statement is not read-only (VACUUM, VACUUM INTO, DROP …); a read-only \
                 connection runs only reads"
                    .into(),
            )
            .into());
        }
        check_param_count(statement.parameter_count(), params.len(), "?, ?1, :name")?;
        bind_params(&mut statement, params)?;
        let mut columns: Vec<Column> = statement
            .columns()
            .iter()
            .map(|c| Column { name: c.name().to_owned(), type_name: declared_type(c.decl_type()).to_owned() })
            .collect();
        let mut rows = statement.raw_query();
        if !collect {
            while rows.next()?.is_some() {}
            return Ok(ReadOutcome { columns, ..ReadOutcome::default() });
        }
        let mut collector = Collector::new(limits);
        while let Some(row) = rows.next()? {
            if !collector.offer(row, &mut columns)? {
                break;
            }
        }
        Ok(ReadOutcome { columns, rows: collector.rows, truncated: collector.truncated })
    }

    /// The value of `PRAGMA query_only` (which the authorizer refuses to callers).
    #[cfg(test)]
    pub(crate) fn query_only(&self) -> bool {
        lock(&self.auth).mode = AuthMode::AllowAll;
        let on = self.conn.query_row("PRAGMA query_only", [], |r| r.get::<_, i64>(0));
        lock(&self.auth).mode = AuthMode::Policy;
        on.is_ok_and(|v| v == 1)
    }
}

/// A file name SQLite will not read as a URI.
fn plain_filename(path: &Path) -> PathBuf {
    if path.is_absolute() { path.to_path_buf() } else { Path::new(".").join(path) }
}

enum Failure {
    Sqlite(rusqlite::Error),
    Refused(Error),
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Self {
        Failure::Sqlite(e)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Refused(e)
    }
}

fn violation(message: String) -> Error {
    Error::new(ErrorCode::ReadOnlyViolation, message)
}

/// JSON parameters as SQLite values, as the sqlx path binds them.
fn bind_params(statement: &mut Statement<'_>, params: &[serde_json::Value]) -> Result<(), Failure> {
    for (i, p) in params.iter().enumerate() {
        let index = i + 1;
        let bound = match p {
            serde_json::Value::Null => statement.raw_bind_parameter(index, rusqlite::types::Null),
            serde_json::Value::Bool(b) => statement.raw_bind_parameter(index, i64::from(*b)),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(v) => statement.raw_bind_parameter(index, v),
                None => statement.raw_bind_parameter(index, n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => statement.raw_bind_parameter(index, s.as_str()),
            other => statement.raw_bind_parameter(index, other.to_string()),
        };
        bound.map_err(|e| Error::invalid_input(format!("parameter {index}: {}", one_line(&e.to_string()))))?;
    }
    Ok(())
}

/// A column's type as sqlx names it from the declared type (its `FromStr` for
/// `DataType`), so results look as they did on the sqlx path; `NULL` when there is no
/// declared type or sqlx would not know it, to be named by the first value instead.
pub(crate) fn declared_type(declared: Option<&str>) -> &'static str {
    let Some(declared) = declared else { return "NULL" };
    let s = declared.to_ascii_lowercase();
    match s.as_str() {
        "int4" | "int8" => "INTEGER",
        "boolean" | "bool" => "BOOLEAN",
        "date" => "DATE",
        "time" => "TIME",
        "datetime" | "timestamp" => "DATETIME",
        _ if s.contains("int") => "INTEGER",
        _ if s.contains("char") || s.contains("clob") || s.contains("text") => "TEXT",
        _ if s.contains("blob") => "BLOB",
        _ if s.contains("real") || s.contains("floa") || s.contains("doub") => "REAL",
        _ => "NULL",
    }
}

/// One cell as SQLite holds it, not yet copied.
enum Cell<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    /// A blob, or text that is not valid UTF-8 (`text` says which).
    Bytes {
        bytes: &'a [u8],
        text: bool,
    },
}

impl<'a> Cell<'a> {
    fn of(value: ValueRef<'a>) -> Cell<'a> {
        match value {
            ValueRef::Null => Cell::Null,
            ValueRef::Integer(i) => Cell::Int(i),
            ValueRef::Real(f) => Cell::Real(f),
            ValueRef::Text(bytes) => match std::str::from_utf8(bytes) {
                Ok(s) => Cell::Text(s),
                Err(_) => Cell::Bytes { bytes, text: true },
            },
            ValueRef::Blob(bytes) => Cell::Bytes { bytes, text: false },
        }
    }

    /// The storage class, as the sqlx path named it.
    fn class(&self) -> &'static str {
        match self {
            Cell::Null => "NULL",
            Cell::Int(_) => "INTEGER",
            Cell::Real(_) => "REAL",
            Cell::Text(_) | Cell::Bytes { text: true, .. } => "TEXT",
            Cell::Bytes { text: false, .. } => "BLOB",
        }
    }

    /// `Value::approx_size` of the value this cell becomes, without making it.
    fn size(&self) -> usize {
        match self {
            Cell::Null => 4,
            Cell::Int(_) | Cell::Real(_) => 20,
            Cell::Text(s) => s.len() + 2,
            Cell::Bytes { bytes, .. } => bytes.len() * 2 + 4,
        }
    }

    fn value(&self) -> Value {
        match self {
            Cell::Null => Value::Null,
            Cell::Int(i) => Value::Int(*i),
            Cell::Real(f) => Value::Float(*f),
            Cell::Text(s) => Value::Text((*s).to_owned()),
            Cell::Bytes { bytes, .. } => Value::Bytes(bytes.to_vec()),
        }
    }

    /// The value cut to about `max` bytes, copying only what is kept: what `rows.rs`'s
    /// `cut_row` would make of the whole value.
    fn cut_value(&self, max: usize) -> Value {
        if self.size() <= max {
            return self.value();
        }
        match self {
            Cell::Text(s) => {
                let mut end = max.min(s.len());
                while !s.is_char_boundary(end) {
                    end -= 1;
                }
                Value::Text(format!("{}…[cut: {} bytes in all]", &s[..end], s.len()))
            }
            Cell::Bytes { bytes, .. } => Value::Bytes(bytes[..(max / 2).min(bytes.len())].to_vec()),
            other => other.value(),
        }
    }
}

/// `crate::rows::RowCollector`'s rules (a row past the row cap is not decoded but makes
/// the result truncated; a row over the byte cap ends it, and comes back cut when it is
/// the first), applied to rows still inside SQLite so that a huge cell is measured where
/// it lies and only the part that is kept is copied.
struct Collector {
    limits: QueryOptions,
    rows: Vec<Vec<Value>>,
    bytes: usize,
    truncated: bool,
}

impl Collector {
    fn new(limits: QueryOptions) -> Self {
        Collector { limits, rows: Vec::new(), bytes: 0, truncated: false }
    }

    /// Offers the next row; returns whether to keep reading. A decoded row also names
    /// the columns without a declared type by the class of their first non-NULL value.
    fn offer(&mut self, row: &rusqlite::Row<'_>, columns: &mut [Column]) -> rusqlite::Result<bool> {
        if self.limits.max_rows.is_some_and(|m| self.rows.len() >= m) {
            self.truncated = true;
            return Ok(false);
        }
        let cells = (0..columns.len()).map(|i| row.get_ref(i).map(Cell::of)).collect::<rusqlite::Result<Vec<_>>>()?;
        for (column, cell) in columns.iter_mut().zip(&cells) {
            if column.type_name == "NULL" && !matches!(cell, Cell::Null) {
                cell.class().clone_into(&mut column.type_name);
            }
        }
        let size: usize = cells.iter().map(|c| c.size() + 1).sum::<usize>() + 2;
        if let Some(max) = self.limits.max_bytes
            && self.bytes + size > max
        {
            self.truncated = true;
            if self.rows.is_empty() {
                // One row alone is over the cap: send it cut, so the caller sees its shape.
                let per_value = (max / cells.len().max(1)).max(16);
                self.rows.push(cells.iter().map(|c| c.cut_value(per_value)).collect());
            }
            return Ok(false);
        }
        self.bytes += size;
        self.rows.push(cells.iter().map(Cell::value).collect());
        Ok(true)
    }
}

/// SQLite's primary result codes as DB Dock codes; the message decides where the code is
/// too coarse (SQLITE_ERROR). Shared with the sqlx path.
pub(crate) fn code_for(code: i32, message: &str) -> Option<ErrorCode> {
    Some(match code & 0xff {
        8 => ErrorCode::ReadOnlyViolation, // SQLITE_READONLY
        5 | 6 => ErrorCode::Timeout,       // SQLITE_BUSY, SQLITE_LOCKED
        9 => ErrorCode::Cancelled,         // SQLITE_INTERRUPT
        14 => ErrorCode::NotFound,         // SQLITE_CANTOPEN
        23 => ErrorCode::PermissionDenied, // SQLITE_AUTH
        26 => ErrorCode::InvalidInput,     // SQLITE_NOTADB
        _ if message.starts_with("no such table") || message.starts_with("no such column") => ErrorCode::NotFound,
        _ if message.starts_with("attempt to write a readonly database") => ErrorCode::ReadOnlyViolation,
        _ => return None,
    })
}

/// A rusqlite error as a DB Dock error. `denied` is what the authorizer refused during
/// the call; `call` says why the progress handler stopped it, and the timeout it had.
fn map_error(e: rusqlite::Error, denied: Option<String>, call: Option<(&Arc<CallControl>, Option<Duration>)>) -> Error {
    let (code, message) = match e {
        rusqlite::Error::SqliteFailure(err, message) => (err.extended_code, message.unwrap_or_else(|| err.to_string())),
        rusqlite::Error::SqlInputError { error, msg, .. } => (error.extended_code, msg),
        rusqlite::Error::MultipleStatement => {
            return violation("found more than one statement; send one statement per call (nothing was run)".into());
        }
        rusqlite::Error::InvalidParameterCount(given, expected) => {
            return Error::invalid_input(format!(
                "the statement has {expected} parameter placeholder(s) (?, ?1, :name) but {given} value(s) were given"
            ));
        }
        other => return Error::query_failed(one_line(&other.to_string())),
    };
    let message = one_line(&message);
    // The authorizer refused something, while preparing the statement or a statement it
    // runs inside (a pragma table function). SQLite reports most refusals as SQLITE_AUTH
    // but a refused function as a plain SQLITE_ERROR, so what the authorizer recorded
    // decides.
    if denied.is_some() || code & 0xff == 23 {
        return violation(format!(
            "a read-only connection refused {}: only SELECT, WITH … SELECT, VALUES, EXPLAIN and reporting pragmas \
             (table_info, index_list, …) run here",
            denied.as_deref().unwrap_or("an action that is not a read")
        ));
    }
    match code & 0xff {
        // SQLITE_INTERRUPT: our progress handler stopped it.
        9 => match call {
            Some((call, timeout)) if call.stopped.load(Ordering::SeqCst) == STOPPED_TIMEOUT => Error::timeout(format!(
                "the statement ran longer than the statement timeout ({}) and was stopped",
                timeout.map_or_else(|| "?".to_owned(), |t| format!("{t:?}"))
            )),
            _ => Error::new(ErrorCode::Cancelled, "the call was cancelled and its statement stopped"),
        },
        // SQLITE_TOOBIG
        18 => Error::query_failed(format!(
            "a value would be larger than {} MiB, the size limit of read-only SQLite calls ({message}); ask for less, \
             e.g. with substr() or length()",
            MAX_VALUE_BYTES / (1024 * 1024)
        )),
        // SQLITE_NOMEM
        7 => Error::query_failed(format!("SQLite ran out of memory ({message})")),
        _ => Error::new(code_for(code, &message).unwrap_or(ErrorCode::QueryFailed), message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_types_are_named_as_sqlx_names_them() {
        for (declared, name) in [
            (Some("INTEGER"), "INTEGER"),
            (Some("INT4"), "INTEGER"),
            (Some("BIGINT"), "INTEGER"),
            (Some("VARCHAR(20)"), "TEXT"),
            (Some("CLOB"), "TEXT"),
            (Some("BLOB"), "BLOB"),
            (Some("DOUBLE PRECISION"), "REAL"),
            (Some("BOOLEAN"), "BOOLEAN"),
            (Some("DATE"), "DATE"),
            (Some("TIMESTAMP"), "DATETIME"),
            (Some("NUMERIC"), "NULL"),
            (Some("DECIMAL(10,2)"), "NULL"),
            (None, "NULL"),
        ] {
            assert_eq!(declared_type(declared), name, "{declared:?}");
        }
    }

    #[test]
    fn the_policy_allows_reads_and_reporting_pragmas_only() {
        let pragma = |name, value| AuthAction::Pragma { pragma_name: name, pragma_value: value };
        assert!(judge(&AuthAction::Select).is_ok());
        assert!(judge(&AuthAction::Recursive).is_ok());
        assert!(judge(&AuthAction::Read { table_name: "t", column_name: "c" }).is_ok());
        assert!(judge(&AuthAction::Function { function_name: "json_extract" }).is_ok());
        assert!(judge(&pragma("TABLE_INFO", Some("t"))).is_ok());
        assert!(judge(&pragma("user_version", None)).is_ok());
        assert!(judge(&AuthAction::Function { function_name: "LOAD_EXTENSION" }).is_err());
        assert_eq!(judge(&pragma("user_version", Some("5"))), Err("PRAGMA user_version = 5".to_owned()));
        assert!(judge(&pragma("journal_mode", None)).is_err());
        assert!(judge(&pragma("query_only", Some("0"))).is_err());
        assert!(judge(&AuthAction::Attach { filename: "x.db" }).is_err());
        assert!(judge(&AuthAction::CreateTempView { view_name: "v" }).is_err());
        assert!(judge(&AuthAction::Transaction { operation: TransactionOperation::Begin }).is_err());
        assert!(judge(&AuthAction::Unknown { code: 99, arg1: None, arg2: None }).is_err());
    }
}
