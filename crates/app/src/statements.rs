//! Running a statement the user typed. Only a statement DB Dock knows to be a read may be
//! sent a second time after a broken connection (`LiveConnection::query` does that);
//! anything else — a write, a procedure call, text the check cannot read, any MongoDB
//! command — goes to the server once, because it may have run before the connection broke
//! (docs/reconnect-policy.md).

use dbdock_core::{Dialect, Engine, Error, QueryOptions, QueryResult, Result, check_read_only};

use crate::OpenConnection;

/// What DB Dock knows of a statement before running it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementKind {
    /// Its engine's read-only check passes it: safe to repeat.
    Read,
    /// A write, or anything the check does not vouch for.
    Other,
}

pub fn statement_kind(engine: Engine, sql: &str) -> StatementKind {
    match engine.spec().dialect {
        Some(dialect) if check_read_only(dialect, sql).is_ok() => StatementKind::Read,
        _ => StatementKind::Other,
    }
}

impl OpenConnection {
    /// Runs one statement and returns its rows (none for most writes). A read may be
    /// repeated once after a broken connection; anything else never is.
    pub async fn run_statement(
        &self,
        sql: &str,
        params: &[serde_json::Value],
        options: &QueryOptions,
    ) -> Result<QueryResult> {
        match statement_kind(self.profile.engine, sql) {
            StatementKind::Read => self.live.query(sql, params, options).await,
            StatementKind::Other => self.live.query_once(sql, params, options).await,
        }
    }

    /// The server's plan for one read-only statement, without running it.
    pub async fn explain(
        &self,
        sql: &str,
        params: &[serde_json::Value],
        options: &QueryOptions,
    ) -> Result<QueryResult> {
        self.live.database().explain(sql, params, options).await
    }

    /// The plan of `sql` as the server measured it by running it: PostgreSQL
    /// `EXPLAIN (ANALYZE, FORMAT JSON)`, MariaDB `ANALYZE FORMAT=JSON`. The statement runs,
    /// with its effects, as the user's own (the face asks first), and is sent once.
    pub async fn explain_analyze(&self, sql: &str, options: &QueryOptions) -> Result<QueryResult> {
        let text = match self.profile.engine.spec().dialect {
            Some(Dialect::Postgres) => format!("EXPLAIN (ANALYZE, FORMAT JSON) {sql}"),
            Some(Dialect::Mysql) => format!("ANALYZE FORMAT=JSON {sql}"),
            _ => {
                return Err(Error::unsupported(format!(
                    "{} gives no measured plans; the plan without running is available",
                    self.profile.engine.spec().label
                )));
            }
        };
        self.live.query_once(&text, &[], options).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_statements_the_check_passes_are_reads() {
        assert_eq!(statement_kind(Engine::Postgres, "SELECT 1"), StatementKind::Read);
        assert_eq!(statement_kind(Engine::Postgres, "INSERT INTO t VALUES (1)"), StatementKind::Other);
        assert_eq!(statement_kind(Engine::Sqlite, "DELETE FROM t"), StatementKind::Other);
        assert_eq!(statement_kind(Engine::Mysql, "not sql at all"), StatementKind::Other);
        assert_eq!(statement_kind(Engine::Mongodb, "db.users.find({})"), StatementKind::Other);
    }
}
