//! The two readers of the statement check held against each other: every dangerous word
//! sqlparser's tokenizer reads as code must be one the hand lexer read as code too. A word
//! only one of them sees is text one reader took for a string or comment: exactly the kind
//! of misreading an attack needs, so the check refuses such statements ([`disagreement`]),
//! and a bounded randomized test in the suite and `cargo fuzz run read_only_check` look for
//! statements the check lets through anyway ([`differential_check`]).

use sqlparser::dialect::{MsSqlDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::tokenizer::{Token, Tokenizer};

use super::{Dialect, check_read_only, lexer};

/// `Err` names the words the hand lexer missed in a statement the check let through.
pub fn differential_check(dialect: Dialect, sql: &str) -> Result<(), String> {
    if check_read_only(dialect, sql).is_err() {
        return Ok(());
    }
    match disagreement(dialect, sql) {
        None => Ok(()),
        Some(missed) => Err(format!("{dialect:?}: {sql:?} passed, but the hand lexer did not see {missed} as code")),
    }
}

/// The dangerous words sqlparser's tokenizer reads as code and the hand lexer does not
/// (or why the tokenizer could not read the text), if any.
pub(super) fn disagreement(dialect: Dialect, sql: &str) -> Option<String> {
    let tokens = match dialect {
        Dialect::Postgres => Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize(),
        Dialect::Mysql => Tokenizer::new(&MySqlDialect {}, sql).tokenize(),
        Dialect::Sqlite => Tokenizer::new(&SQLiteDialect {}, sql).tokenize(),
        Dialect::Mssql => Tokenizer::new(&MsSqlDialect {}, sql).tokenize(),
    };
    let tokens = match tokens {
        Ok(tokens) => tokens,
        Err(e) => return Some(format!("(the tokenizer failed: {e})")),
    };
    let lexed = lexer::code_words(dialect, sql);
    let missed: Vec<String> = tokens
        .into_iter()
        .filter_map(|t| match t {
            Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_uppercase()),
            _ => None,
        })
        .filter(|w| lexer::is_dangerous_word(dialect, w) && !lexed.contains(w))
        .collect();
    (!missed.is_empty()).then(|| missed.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pieces that make readers disagree: quotes, escapes, comment starts, prefixes, odd
    /// spaces, and the words an attack wants run.
    const FRAGMENTS: &[&str] = &[
        "SELECT ",
        "SELECT 1",
        " FROM t",
        ", ",
        " ",
        "'",
        "\"",
        "`",
        "[",
        "]",
        "]]",
        "\\",
        "E",
        "e",
        "U&",
        "N",
        "$$",
        "$a$",
        "--",
        "-- ",
        "--\u{a0}",
        "#",
        "/*",
        "*/",
        "/*!",
        "/*M!",
        "\n",
        "\r",
        "\u{2028}",
        "\u{a0}",
        ";",
        "(",
        ")",
        "x",
        "1",
        "=",
        ":=",
        "@v",
        "DELETE FROM t",
        "COMMIT",
        "INTO",
        " INTO OUTFILE 'f'",
        "pg_advisory_lock(1)",
        "GET_LOCK('a', 0)",
        "SLEEP(1)",
        "load_extension('x')",
        "xp_cmdshell('x')",
        "EXEC",
        "DROP TABLE t",
        "WITH",
        "AS",
        "UNION SELECT ",
        "CASE WHEN 1 THEN 2 END",
        "PRAGMA ",
        "query_only=0",
        "ATTACH 'x' AS y",
    ];

    #[test]
    fn the_readers_agree_on_random_statements() {
        // Bounded so it fits the test command: about 2 s. `cargo fuzz run read_only_check`
        // runs the same property unbounded.
        let mut rng = fastrand::Rng::with_seed(0xdb_d0c);
        let (mut disagreements, mut refused_for_disagreeing) = (Vec::new(), 0);
        for _ in 0..40_000 {
            let n = rng.usize(1..14);
            let mut sql = String::from(if rng.bool() { "SELECT " } else { "" });
            for _ in 0..n {
                sql.push_str(FRAGMENTS[rng.usize(..FRAGMENTS.len())]);
            }
            for dialect in [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite, Dialect::Mssql] {
                if let Err(e) = differential_check(dialect, &sql) {
                    disagreements.push(e);
                }
                refused_for_disagreeing += usize::from(disagreement(dialect, &sql).is_some());
            }
        }
        // How often the readers disagree on random text, for the record (--nocapture).
        println!("readers disagreed on {refused_for_disagreeing} of 160000 statements");
        disagreements.truncate(20);
        assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    }
}
