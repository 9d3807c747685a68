//! The hand-written lexer of the read-only check: it lexes just enough SQL (strings,
//! quoted identifiers, comments, PostgreSQL dollar quoting, MySQL executable comments) to
//! see the keywords and function calls a statement really contains, so a refusal can say
//! *why*. Where a dialect's rule depends on a server setting, it lexes every way the server
//! could read the text, and where in doubt it reads *less* as string or comment, never
//! more (docs/safety.md, "the statement check").

use super::Dialect;
use crate::{Error, ErrorCode, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    /// Uppercased word, or the text of a quoted identifier (uppercased too).
    word: String,
    /// The next significant character is `(`: a function call.
    call: bool,
    quoted: bool,
}

#[derive(Debug, Default)]
struct Lexed {
    /// Tokens per statement (statements without tokens are dropped).
    statements: Vec<Vec<Token>>,
    /// A MySQL/MariaDB `/*! … */` or `/*M! … */` comment: code the server runs.
    executable_comment: bool,
    /// An `=` sign inside the statement (PRAGMA setters).
    assignments: Vec<bool>,
    /// A PostgreSQL `U&"…"` name.
    unicode_escaped_name: bool,
}

/// How strings behave; MySQL's depend on the server's sql_mode, so it is lexed both ways.
#[derive(Debug, Clone, Copy)]
struct Mode {
    backslash_escapes: bool,
    double_quote_is_string: bool,
    nested_comments: bool,
    hash_comments: bool,
    dollar_quotes: bool,
    bracket_identifiers: bool,
    /// MySQL: `--` starts a comment only when ASCII whitespace or a control character (or
    /// the end) follows; `1--1` is arithmetic there, and so is `--` before U+00A0.
    dash_comment_needs_space: bool,
    /// PostgreSQL: `E'…'` takes backslash escapes. Elsewhere `e'\'` is the name `e`
    /// followed by a plain string, so honouring the prefix there would hide code.
    e_strings: bool,
    /// `]]` inside a bracketed name is one `]` (SQL Server, SQLite).
    doubled_bracket_escape: bool,
}

fn modes(dialect: Dialect) -> Vec<Mode> {
    let base = Mode {
        backslash_escapes: false,
        double_quote_is_string: false,
        nested_comments: false,
        hash_comments: false,
        dollar_quotes: false,
        bracket_identifiers: false,
        dash_comment_needs_space: false,
        e_strings: false,
        doubled_bracket_escape: false,
    };
    match dialect {
        // standard_conforming_strings = off makes '…' take backslash escapes too: lex both.
        Dialect::Postgres => [false, true]
            .into_iter()
            .map(|escapes| Mode {
                nested_comments: true,
                dollar_quotes: true,
                e_strings: true,
                backslash_escapes: escapes,
                ..base
            })
            .collect(),
        // SQLite ends `[…]` at the first `]`; SQL Server reads `]]` as one `]`.
        Dialect::Sqlite => vec![Mode { bracket_identifiers: true, ..base }],
        Dialect::Mssql => {
            vec![Mode { bracket_identifiers: true, nested_comments: true, doubled_bracket_escape: true, ..base }]
        }
        Dialect::Mysql => [true, false]
            .into_iter()
            .flat_map(|escapes| {
                [true, false].into_iter().map(move |dq| Mode {
                    backslash_escapes: escapes,
                    double_quote_is_string: dq,
                    hash_comments: true,
                    dash_comment_needs_space: true,
                    ..base
                })
            })
            .collect(),
    }
}

fn lex(sql: &str, mode: Mode) -> Lexed {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Lexed::default();
    let mut current: Vec<Token> = Vec::new();
    let mut assignment = false;
    let mut i = 0;
    let n = chars.len();
    let push = |tokens: &mut Vec<Token>, word: String, quoted: bool| {
        tokens.push(Token { word: word.to_uppercase(), call: false, quoted });
    };
    while i < n {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            c if c.is_whitespace() => i += 1,
            '-' if next == Some('-')
                && (!mode.dash_comment_needs_space
                    || chars.get(i + 2).is_none_or(|c| c.is_ascii_whitespace() || c.is_ascii_control())) =>
            {
                i = line_end(&chars, i);
            }
            '#' if mode.hash_comments => i = line_end(&chars, i),
            '/' if next == Some('*') => {
                let executable = matches!(chars.get(i + 2), Some('!'))
                    || (matches!(chars.get(i + 2), Some('M' | 'm')) && chars.get(i + 3) == Some(&'!'));
                if executable && mode.hash_comments {
                    out.executable_comment = true;
                }
                let mut depth = 1;
                i += 2;
                while i < n && depth > 0 {
                    if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                        depth -= 1;
                        i += 2;
                    } else if mode.nested_comments && chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                        depth += 1;
                        i += 2;
                    } else {
                        i += 1;
                    }
                }
            }
            '\'' => {
                // E'…' strings take backslash escapes in PostgreSQL.
                let e_prefix = mode.e_strings
                    && i > 0
                    && matches!(chars[i - 1], 'E' | 'e')
                    && current.last().is_some_and(|t| t.word == "E" && !t.quoted);
                if e_prefix {
                    current.pop();
                }
                i = skip_quoted(&chars, i, '\'', mode.backslash_escapes || e_prefix);
            }
            // PostgreSQL U&"…" names spell their letters as escapes (`U&"\0070g_sleep"`):
            // the name the server resolves is not the text DB Dock sees.
            '&' if mode.e_strings
                && next == Some('"')
                && current.last().is_some_and(|t| t.word == "U" && !t.quoted) =>
            {
                out.unicode_escaped_name = true;
                i += 1;
            }
            '"' if mode.double_quote_is_string => i = skip_quoted(&chars, i, '"', mode.backslash_escapes),
            '"' | '`' => {
                let end = skip_quoted(&chars, i, c, false);
                let inner: String = chars[i + 1..end.saturating_sub(1).max(i + 1)].iter().collect();
                push(&mut current, inner.replace(&format!("{c}{c}"), &c.to_string()), true);
                i = end;
            }
            '[' if mode.bracket_identifiers => {
                let end = if mode.doubled_bracket_escape {
                    skip_quoted(&chars, i, ']', false)
                } else {
                    chars[i..].iter().position(|&x| x == ']').map_or(n, |p| i + p + 1)
                };
                let inner: String = chars[i + 1..end.saturating_sub(1).max(i + 1)].iter().collect();
                push(&mut current, if mode.doubled_bracket_escape { inner.replace("]]", "]") } else { inner }, true);
                i = end;
            }
            '$' if mode.dollar_quotes && dollar_tag(&chars, i).is_some() => {
                let tag = dollar_tag(&chars, i).unwrap_or_default();
                let body_start = i + tag.len();
                let tag_chars: Vec<char> = tag.chars().collect();
                i = (body_start..n).find(|&j| chars[j..].starts_with(&tag_chars)).map_or(n, |j| j + tag_chars.len());
            }
            ';' => {
                if !current.is_empty() {
                    out.statements.push(std::mem::take(&mut current));
                    out.assignments.push(assignment);
                }
                assignment = false;
                i += 1;
            }
            '(' => {
                if let Some(last) = current.last_mut() {
                    last.call = true;
                }
                i += 1;
            }
            '=' => {
                assignment = true;
                i += 1;
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < n && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$') {
                    i += 1;
                }
                push(&mut current, chars[start..i].iter().collect(), false);
            }
            _ => i += 1,
        }
    }
    if !current.is_empty() {
        out.statements.push(current);
        out.assignments.push(assignment);
    }
    out
}

/// Index of the end of a `--` or `#` comment. PostgreSQL ends it at `\r` as well as `\n`;
/// ending it early everywhere only ever shows more text as code.
fn line_end(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() && chars[i] != '\n' && chars[i] != '\r' {
        i += 1;
    }
    i
}

/// Index just past the closing quote (or the end of input when unterminated).
fn skip_quoted(chars: &[char], start: usize, quote: char, backslash_escapes: bool) -> usize {
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' if backslash_escapes => i += 2,
            c if c == quote && chars.get(i + 1) == Some(&quote) => i += 2,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    chars.len()
}

/// `$tag$` or `$$` starting at `i` (not `$1`, a parameter).
fn dollar_tag(chars: &[char], i: usize) -> Option<String> {
    let mut j = i + 1;
    while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
        if j == i + 1 && chars[j].is_ascii_digit() {
            return None;
        }
        j += 1;
    }
    (chars.get(j) == Some(&'$')).then(|| chars[i..=j].iter().collect())
}

/// Statements a read-only connection may start with.
const READ_STARTS: &[&str] = &["SELECT", "WITH", "VALUES", "TABLE", "SHOW", "EXPLAIN", "DESCRIBE", "DESC"];

/// Every keyword that starts a statement in one of the dialects. A first word outside
/// this list is not SQL DB Dock knows (a typo, most likely): still refused on a read-only
/// connection, but reported as bad input rather than as a write.
const STATEMENT_STARTS: &[&str] = &[
    "SELECT",
    "WITH",
    "VALUES",
    "TABLE",
    "SHOW",
    "EXPLAIN",
    "DESCRIBE",
    "DESC",
    "PRAGMA",
    "INSERT",
    "UPDATE",
    "DELETE",
    "MERGE",
    "UPSERT",
    "REPLACE",
    "TRUNCATE",
    "CREATE",
    "DROP",
    "ALTER",
    "RENAME",
    "GRANT",
    "REVOKE",
    "DENY",
    "COPY",
    "CALL",
    "EXEC",
    "EXECUTE",
    "DO",
    "LOCK",
    "UNLOCK",
    "VACUUM",
    "ANALYZE",
    "ANALYSE",
    "REINDEX",
    "CLUSTER",
    "REFRESH",
    "COMMENT",
    "SECURITY",
    "SET",
    "RESET",
    "BEGIN",
    "START",
    "COMMIT",
    "ROLLBACK",
    "END",
    "ABORT",
    "SAVEPOINT",
    "RELEASE",
    "PREPARE",
    "DEALLOCATE",
    "LISTEN",
    "NOTIFY",
    "UNLISTEN",
    "DISCARD",
    "LOAD",
    "ATTACH",
    "DETACH",
    "HANDLER",
    "IMPORT",
    "FLUSH",
    "KILL",
    "SHUTDOWN",
    "INSTALL",
    "UNINSTALL",
    "CHECKPOINT",
    "OPTIMIZE",
    "REPAIR",
    "CHECK",
    "CHECKSUM",
    "CACHE",
    "PURGE",
    "USE",
    "FETCH",
    "MOVE",
    "CLOSE",
    "DECLARE",
    "REASSIGN",
    "CHANGE",
    "STOP",
    "XA",
    "BINLOG",
    "DBCC",
    "BACKUP",
    "RESTORE",
    "BULK",
    "OPEN",
    "WAITFOR",
    "SIGNAL",
    "RESIGNAL",
    "GET",
    "IF",
    "WHILE",
    "RETURN",
    "GO",
];

/// Data-changing keywords; caught anywhere (writable CTEs, `EXPLAIN ANALYZE DELETE`,
/// `FOR UPDATE`) unless used as a function (`INSERT(…)`, `REPLACE(…)` in MySQL).
const DML: &[&str] = &["INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "REPLACE", "TRUNCATE"];

/// T-SQL runs statements written one after another with no `;` between them, so in a
/// read-only call any of these words starts a second statement after the SELECT (a `COMMIT`
/// that would end the rolled-back transaction around it, a `DROP` after that). All are
/// reserved words in T-SQL: they cannot be names unless quoted, so refusing them costs no
/// read.
const MSSQL_STATEMENT_WORDS: &[&str] = &[
    "ALTER",
    "BACKUP",
    "BEGIN",
    "BREAK",
    "BULK",
    "CHECKPOINT",
    "CLOSE",
    "COMMIT",
    "CONTINUE",
    "CREATE",
    "DBCC",
    "DEALLOCATE",
    "DECLARE",
    "DENY",
    "DROP",
    "GOTO",
    "GRANT",
    "IF",
    "KILL",
    "OPEN",
    "PRINT",
    "RAISERROR",
    "READTEXT",
    "RECONFIGURE",
    "RESTORE",
    "RETURN",
    "REVERT",
    "REVOKE",
    "ROLLBACK",
    "SAVE",
    "SET",
    "SETUSER",
    "SHUTDOWN",
    "UPDATETEXT",
    "USE",
    "WAITFOR",
    "WHILE",
    "WRITETEXT",
];

/// SQLite pragmas that only report, even with an argument (`PRAGMA table_info(t)`).
pub(super) const REPORTING_PRAGMAS: &[&str] = &[
    "TABLE_INFO",
    "TABLE_XINFO",
    "TABLE_LIST",
    "INDEX_LIST",
    "INDEX_INFO",
    "INDEX_XINFO",
    "FOREIGN_KEY_LIST",
    "FOREIGN_KEY_CHECK",
    "DATABASE_LIST",
    "COLLATION_LIST",
    "FUNCTION_LIST",
    "MODULE_LIST",
    "PRAGMA_LIST",
    "COMPILE_OPTIONS",
    "INTEGRITY_CHECK",
    "QUICK_CHECK",
];

/// SQLite pragmas that report without an argument and change something with one.
pub(super) const SETTING_PRAGMAS: &[&str] = &[
    "USER_VERSION",
    "SCHEMA_VERSION",
    "PAGE_COUNT",
    "PAGE_SIZE",
    "ENCODING",
    "FREELIST_COUNT",
    "APPLICATION_ID",
    "DATA_VERSION",
];

/// Whether a SQLite `PRAGMA [schema.]name[(arg)| = value]` only reads.
fn pragma_reads(tokens: &[Token], has_assignment: bool) -> bool {
    // The pragma's name is the last word before an argument (or the last word).
    let words = &tokens[1..];
    let Some(name) = words.iter().find(|t| t.call).or_else(|| words.last()) else { return false };
    let with_argument = name.call || has_assignment;
    REPORTING_PRAGMAS.contains(&name.word.as_str()) && !has_assignment
        || SETTING_PRAGMAS.contains(&name.word.as_str()) && !with_argument
}

/// Functions with side effects (or that read the server's files), by dialect.
pub(super) fn forbidden_function(dialect: Dialect, name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let n = lower.as_str();
    let reason = match dialect {
        Dialect::Postgres => match n {
            "nextval" | "setval" => "changes a sequence",
            "pg_terminate_backend" | "pg_cancel_backend" => "stops other sessions",
            "pg_reload_conf" | "pg_rotate_logfile" | "pg_switch_wal" | "pg_create_restore_point" | "pg_promote" => {
                "changes the server"
            }
            "lo_import" | "lo_export" | "lo_unlink" | "lo_create" | "lo_creat" | "lo_put" | "lo_from_bytea"
            | "lo_truncate" | "lowrite" | "lo_open" => "touches large objects or server files",
            "set_config" => "changes session settings",
            "pg_notify" => "sends notifications",
            "query_to_xml" | "query_to_xml_and_xmlschema" | "query_to_xmlschema" | "cursor_to_xml" => {
                "runs SQL given as a string, which DB Dock cannot check"
            }
            "pg_read_file" | "pg_read_binary_file" | "pg_ls_dir" | "pg_stat_file" => "reads the server's files",
            "pg_file_write" | "pg_file_rename" | "pg_file_unlink" | "pg_logical_emit_message" => "writes on the server",
            n if n.starts_with("dblink") => "runs statements on another server",
            n if n.starts_with("pg_advisory") || n.starts_with("pg_try_advisory") => "takes locks",
            n if n.starts_with("pg_stat_reset") => "resets statistics",
            _ => return None,
        },
        Dialect::Mysql => match n {
            "load_file" => "reads the server's files",
            "nextval" | "setval" | "lastval" => "changes a sequence",
            "sleep" | "benchmark" => "ties up the server",
            "get_lock" | "release_lock" | "release_all_locks" | "master_pos_wait" | "source_pos_wait" => {
                "takes locks or waits"
            }
            _ => return None,
        },
        Dialect::Sqlite => match n {
            "load_extension" | "writefile" | "readfile" | "edit" | "fts3_tokenizer" => "reaches outside the database",
            _ => return None,
        },
        Dialect::Mssql => match n {
            "openquery" | "openrowset" | "opendatasource" => "runs statements on another server",
            "xp_cmdshell" | "sp_executesql" => "runs arbitrary commands",
            _ => return None,
        },
    };
    Some(reason)
}

pub(super) fn violation(reason: String) -> Error {
    Error::new(
        ErrorCode::ReadOnlyViolation,
        format!(
            "{reason}. This connection is read-only: ask the user to allow writes for the profile if a change is really needed"
        ),
    )
}

/// What the lexer found a statement to be, when it let it through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LexedAs {
    /// A statement for the parser to read as well.
    Statement,
    /// A SQLite `PRAGMA` that only reports (sqlparser cannot read `PRAGMA table_info(t)`;
    /// the engine's authorizer is what holds there: docs/safety.md).
    ReportingPragma,
}

/// Checks that `sql`, as the hand lexer reads it in every way the server might, is one
/// statement that only reads. The error (`READ_ONLY_VIOLATION`) names what was found.
pub(super) fn check_tokens(dialect: Dialect, sql: &str) -> Result<LexedAs> {
    let mut kind = LexedAs::Statement;
    for mode in modes(dialect) {
        kind = check_lexed(dialect, &lex(sql, mode))?;
    }
    Ok(kind)
}

fn check_lexed(dialect: Dialect, lexed: &Lexed) -> Result<LexedAs> {
    if lexed.unicode_escaped_name {
        return Err(violation(
            "the statement contains a U&\"…\" name spelled with Unicode escapes, which hides what it names; write the \
             name plainly"
                .into(),
        ));
    }
    if lexed.executable_comment {
        return Err(violation(
            "the statement contains a /*! … */ executable comment, which the server runs as code".into(),
        ));
    }
    match lexed.statements.len() {
        0 => return Err(Error::invalid_input("the statement is empty")),
        1 => {}
        n => return Err(violation(format!("found {n} statements; send one statement per call"))),
    }
    let tokens = &lexed.statements[0];
    let first = tokens.first().map(|t| t.word.as_str()).unwrap_or_default();
    let pragma_ok = dialect == Dialect::Sqlite
        && first == "PRAGMA"
        && pragma_reads(tokens, lexed.assignments.first().copied().unwrap_or(false));
    if !STATEMENT_STARTS.contains(&first) {
        return Err(Error::invalid_input(format!(
            "'{first}' does not start a SQL statement (a typo?); on this read-only connection run one SELECT, WITH … SELECT, \
             VALUES, SHOW, EXPLAIN or DESCRIBE statement"
        )));
    }
    if !READ_STARTS.contains(&first) && !pragma_ok {
        return Err(violation(format!(
            "'{first}' is not a read: a read-only connection runs only SELECT, WITH … SELECT, VALUES, SHOW, EXPLAIN and DESCRIBE"
        )));
    }
    let mut case_depth = 0usize;
    for (i, token) in tokens.iter().enumerate() {
        let word = token.word.as_str();
        if token.quoted {
            if token.call
                && let Some(reason) = forbidden_function(dialect, word)
            {
                return Err(violation(format!("{} {reason}", word.to_ascii_lowercase())));
            }
            continue;
        }
        match word {
            "CASE" => case_depth += 1,
            "END" if case_depth > 0 => case_depth -= 1,
            w if DML.contains(&w) && !token.call => {
                return Err(violation(format!("the statement contains {w}, which changes data")));
            }
            "INTO" => return Err(violation("SELECT … INTO writes its result somewhere".into())),
            // FOR SHARE, FOR KEY SHARE (FOR UPDATE is caught as UPDATE).
            "SHARE" if i > 0 && matches!(tokens[i - 1].word.as_str(), "FOR" | "KEY") => {
                return Err(violation("FOR SHARE takes row locks".into()));
            }
            "LOCK" if tokens.get(i + 1).is_some_and(|t| t.word == "IN") => {
                return Err(violation("LOCK IN SHARE MODE takes row locks".into()));
            }
            "EXEC" | "EXECUTE" if dialect == Dialect::Mssql => {
                return Err(violation("EXEC runs a procedure, which may change data".into()));
            }
            w if dialect == Dialect::Mssql && i > 0 && MSSQL_STATEMENT_WORDS.contains(&w) => {
                return Err(violation(format!(
                    "{w} starts another statement (T-SQL needs no `;` between statements); send one SELECT per call"
                )));
            }
            "NEXT"
                if dialect == Dialect::Mssql
                    && tokens.get(i + 1).is_some_and(|t| t.word == "VALUE" && !t.quoted)
                    && tokens.get(i + 2).is_some_and(|t| t.word == "FOR" && !t.quoted) =>
            {
                return Err(violation("NEXT VALUE FOR changes a sequence".into()));
            }
            _ => {}
        }
        if token.call
            && let Some(reason) = forbidden_function(dialect, word)
        {
            return Err(violation(format!("{} {reason}", word.to_ascii_lowercase())));
        }
    }
    Ok(if pragma_ok { LexedAs::ReportingPragma } else { LexedAs::Statement })
}

/// The unquoted words the lexer reads as code, in any of the ways it reads the text.
pub(super) fn code_words(dialect: Dialect, sql: &str) -> std::collections::BTreeSet<String> {
    modes(dialect)
        .into_iter()
        .flat_map(|mode| lex(sql, mode).statements.into_iter().flatten())
        .filter(|t| !t.quoted)
        .map(|t| t.word)
        .collect()
}

/// A word that, run as code, would make a statement more than a read.
pub(super) fn is_dangerous_word(dialect: Dialect, word: &str) -> bool {
    (STATEMENT_STARTS.contains(&word) && !READ_STARTS.contains(&word))
        || DML.contains(&word)
        || word == "INTO"
        || (dialect == Dialect::Mssql && MSSQL_STATEMENT_WORDS.contains(&word))
        || forbidden_function(dialect, word).is_some()
}
