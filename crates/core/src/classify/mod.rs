//! The statement check: the first layer of DB Dock's read-only defence (docs/safety.md).
//!
//! A read-only statement must pass two independent readers: the hand-written lexer
//! ([`lexer`]), which sees strings, comments and quoted names the way each server does and
//! so can say *why* it refuses, and a full parser of the dialect ([`syntax`], sqlparser),
//! which must find exactly one statement of a reading kind. The two must also agree on
//! which dangerous words are code ([`differential`]). What either cannot read, or where
//! they disagree, is refused, never guessed. Neither is the last line: behind them the database engine
//! enforces read-only itself, connections are reset after each call, and the login can be
//! one that cannot write.

mod differential;
mod lexer;
mod preview;
mod syntax;
#[cfg(test)]
mod tests;

use crate::Result;

#[doc(hidden)]
pub use differential::differential_check;
pub use preview::{PreviewSql, plan_preview};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    Postgres,
    Mysql,
    Sqlite,
    Mssql,
}

/// A function a statement calls, as the parser read its name: unquoted parts in lower
/// case (PostgreSQL folds them so), quoted parts as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FunctionName {
    /// The schema, when the call names one (`pg_catalog.now()`).
    pub schema: Option<String>,
    pub name: String,
}

impl std::fmt::Display for FunctionName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.schema {
            Some(schema) => write!(f, "{schema}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// What the check learned of a statement it let through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadCheck {
    /// Every function the statement calls (expressions and FROM items), deduplicated, so
    /// an engine can ask its catalog about them (PostgreSQL's function policy).
    pub functions: Vec<FunctionName>,
    /// The statement is a query (SELECT, WITH … SELECT, VALUES): it can stand inside
    /// `SELECT … FROM (…)`, which engines use to have the server cut long values.
    pub is_query: bool,
}

/// Checks that `sql` is one statement that only reads, as both readers see it. The error
/// (`READ_ONLY_VIOLATION`, or `INVALID_INPUT` for text that is not SQL the dialect's
/// parser can read) names what was found.
pub fn check_read_only(dialect: Dialect, sql: &str) -> Result<ReadCheck> {
    match lexer::check_tokens(dialect, sql)? {
        lexer::LexedAs::ReportingPragma => Ok(ReadCheck::default()),
        lexer::LexedAs::Statement => {
            let checked = syntax::check_statement(dialect, sql)?;
            match differential::disagreement(dialect, sql) {
                None => Ok(checked),
                Some(words) => Err(lexer::violation(format!(
                    "DB Dock's two readers of this statement disagree on whether {words} is code (a string or \
                     comment one of them reads differently); rewrite it plainly"
                ))),
            }
        }
    }
}
