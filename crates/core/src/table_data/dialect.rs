//! What differs between the SQL dialects in the editor's statements: quoting, placeholders,
//! and how a value travels to a column of a given type and is compared with it exactly
//! (docs/data-editor.md, "Values").
//!
//! The rule: a value is a parameter, and the server converts it to the column's type.
//! PostgreSQL gets text and `CAST(… AS <declared type>)` (every type's input function is
//! exact). MySQL/MariaDB and SQL Server convert text implicitly to most types, but
//! compare a string with a number as floating point (MySQL) and compare text under
//! case-insensitive collations: their comparisons cast to the exact type or compare
//! bytes. SQLite has storage classes, not column types: its parameters take the storage
//! class of the value itself.

use crate::{ColumnInfo, Dialect, Value};

/// Text around an inner expression: `CAST(` … ` AS numeric)`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Wrap {
    before: String,
    after: String,
}

impl Wrap {
    fn bare() -> Self {
        Wrap::default()
    }

    fn around(before: impl Into<String>, after: impl Into<String>) -> Self {
        Wrap { before: before.into(), after: after.into() }
    }

    pub(super) fn apply(&self, inner: &str) -> String {
        format!("{}{inner}{}", self.before, self.after)
    }
}

pub(super) fn quote(dialect: Dialect, name: &str) -> String {
    match dialect {
        Dialect::Postgres | Dialect::Sqlite => format!("\"{}\"", name.replace('"', "\"\"")),
        Dialect::Mysql => format!("`{}`", name.replace('`', "``")),
        Dialect::Mssql => format!("[{}]", name.replace(']', "]]")),
    }
}

/// The `n`th (from 1) parameter's placeholder.
pub(super) fn placeholder(dialect: Dialect, n: usize) -> String {
    match dialect {
        Dialect::Postgres => format!("${n}"),
        Dialect::Mysql | Dialect::Sqlite => "?".to_owned(),
        Dialect::Mssql => format!("@P{n}"),
    }
}

/// How `value` goes where a value of `column` goes (`assign`: where it is stored, by `SET` or
/// `INSERT`): the expression around its placeholder and the parameter itself.
pub(super) fn typed(dialect: Dialect, column: &ColumnInfo, value: &Value, assign: bool) -> (Wrap, serde_json::Value) {
    let ty = column.type_name.trim();
    let lower = ty.to_ascii_lowercase();
    match dialect {
        Dialect::Postgres if lower.ends_with("[]") => (
            // Arrays travel as the JSON DB Dock shows them (one dimension of scalars).
            Wrap::around("ARRAY(SELECT jsonb_array_elements_text(CAST(", format!(" AS jsonb)))::{ty}")),
            text(value),
        ),
        // An explicit cast to `varchar(n)` or `bit(n)` cuts a longer value without a word;
        // where a value is stored, the column's own assignment rules must refuse it instead.
        Dialect::Postgres if assign && pg_length_limited(&lower) => {
            let base = if lower.starts_with("bit") || lower.starts_with("varbit") { "bit varying" } else { "text" };
            (Wrap::around("CAST(", format!(" AS {base})")), text(value))
        }
        Dialect::Postgres => (Wrap::around("CAST(", format!(" AS {ty})")), text(value)),
        Dialect::Mysql => match mysql_class(&lower) {
            MysqlClass::Integer { unsigned } => {
                (Wrap::around("CAST(", if unsigned { " AS UNSIGNED)" } else { " AS SIGNED)" }), numeric_text(value))
            }
            MysqlClass::Decimal => (Wrap::around("CAST(", format!(" AS DECIMAL{})", precision(&lower))), text(value)),
            MysqlClass::Float => (Wrap::around("CAST(", " AS DOUBLE)"), text(value)),
            MysqlClass::Binary => (Wrap::around("UNHEX(", ")"), hex(value, "")),
            MysqlClass::Json => (Wrap::around("CAST(", " AS JSON)"), text(value)),
            MysqlClass::Text | MysqlClass::Other => (Wrap::bare(), text(value)),
        },
        Dialect::Sqlite => match value {
            Value::Int(i) => (Wrap::bare(), (*i).into()),
            Value::UInt(u) => (Wrap::bare(), (*u).into()),
            Value::Bool(b) => (Wrap::bare(), i64::from(*b).into()),
            Value::Float(f) if f.is_finite() => {
                (Wrap::bare(), serde_json::Number::from_f64(*f).map_or_else(|| text(value), serde_json::Value::Number))
            }
            Value::Bytes(_) => (Wrap::around("unhex(", ")"), hex(value, "")),
            _ => (Wrap::bare(), text(value)),
        },
        Dialect::Mssql if mssql_binary(&lower) => (Wrap::around("CONVERT(varbinary(max), ", ", 1)"), hex(value, "0x")),
        Dialect::Mssql => (Wrap::bare(), text(value)),
    }
}

/// How `column` is compared exactly with `value` (not NULL): the expression around the
/// column's name, the one around the placeholder, and the parameter.
pub(super) fn compared(dialect: Dialect, column: &ColumnInfo, value: &Value) -> (Wrap, Wrap, serde_json::Value) {
    let lower = column.type_name.trim().to_ascii_lowercase();
    match dialect {
        // No equality operator (json, xml, geometry): compare their text, which DB Dock
        // read exactly as the server wrote it.
        Dialect::Postgres
            if matches!(
                lower.as_str(),
                "json" | "xml" | "point" | "line" | "lseg" | "box" | "path" | "polygon" | "circle"
            ) =>
        {
            (Wrap::around("CAST(", " AS text)"), Wrap::bare(), text(value))
        }
        Dialect::Postgres if lower.ends_with("[]") => {
            (Wrap::around("to_jsonb(", ")"), Wrap::around("CAST(", " AS jsonb)"), text(value))
        }
        // Case- and pad-insensitive collations would let `'Abc'` match `'abc '`.
        Dialect::Mysql if mysql_class(&lower) == MysqlClass::Text => {
            (Wrap::around("CAST(", " AS BINARY)"), Wrap::around("CAST(", " AS BINARY)"), text(value))
        }
        Dialect::Mssql if matches!(lower.as_str(), "text" | "ntext" | "xml") => {
            (Wrap::around("CAST(", " AS nvarchar(max))"), Wrap::bare(), text(value))
        }
        Dialect::Mssql if lower == "image" => {
            let (wrap, param) = typed(dialect, column, value, false);
            (Wrap::around("CAST(", " AS varbinary(max))"), wrap, param)
        }
        Dialect::Mssql if ["char", "varchar", "nchar", "nvarchar"].iter().any(|t| base_name(&lower) == *t) => {
            (Wrap::around("", " COLLATE Latin1_General_100_BIN2"), Wrap::bare(), text(value))
        }
        _ => {
            let (wrap, param) = typed(dialect, column, value, false);
            (Wrap::bare(), wrap, param)
        }
    }
}

/// PostgreSQL character and bit string types with a length.
fn pg_length_limited(lower: &str) -> bool {
    lower.starts_with("character")
        || lower.starts_with("bit")
        || matches!(base_name(lower), "varchar" | "char" | "bpchar" | "varbit")
}

/// The type name without its length, precision or modifiers: `varchar(20)` → `varchar`.
fn base_name(lower: &str) -> &str {
    lower.split(['(', ' ']).next().unwrap_or(lower)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MysqlClass {
    Integer { unsigned: bool },
    Decimal,
    Float,
    Binary,
    Json,
    Text,
    Other,
}

fn mysql_class(lower: &str) -> MysqlClass {
    match base_name(lower) {
        "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint" => {
            MysqlClass::Integer { unsigned: lower.contains("unsigned") }
        }
        "decimal" | "numeric" | "dec" | "fixed" => MysqlClass::Decimal,
        "float" | "double" | "real" => MysqlClass::Float,
        "binary" | "varbinary" | "tinyblob" | "blob" | "mediumblob" | "longblob" => MysqlClass::Binary,
        "json" => MysqlClass::Json,
        "char" | "varchar" | "tinytext" | "text" | "mediumtext" | "longtext" | "enum" | "set" => MysqlClass::Text,
        _ => MysqlClass::Other,
    }
}

fn mssql_binary(lower: &str) -> bool {
    matches!(base_name(lower), "binary" | "varbinary" | "image" | "timestamp" | "rowversion")
}

/// `(10,2)` from `decimal(10,2) unsigned`; MySQL's default precision when none is given.
fn precision(lower: &str) -> String {
    match (lower.find('('), lower.find(')')) {
        (Some(open), Some(close)) if open < close => lower[open..=close].to_owned(),
        _ => "(10,0)".to_owned(),
    }
}

/// The value as text (NULL stays null): the exact text DB Dock shows for it.
fn text(value: &Value) -> serde_json::Value {
    value.display_text().map_or(serde_json::Value::Null, serde_json::Value::String)
}

/// Booleans as `1`/`0` for engines that store them as integers.
fn numeric_text(value: &Value) -> serde_json::Value {
    match value {
        Value::Bool(b) => serde_json::Value::String(u8::from(*b).to_string()),
        other => text(other),
    }
}

/// Bytes as hex digits after `prefix`. A text value in `\x…` notation is read as those
/// bytes; any other text stands for its UTF-8 bytes.
fn hex(value: &Value, prefix: &str) -> serde_json::Value {
    let bytes: Vec<u8> = match value {
        Value::Null => return serde_json::Value::Null,
        Value::Bytes(b) => b.clone(),
        other => {
            let shown = other.display_text().unwrap_or_default();
            match shown.strip_prefix("\\x").and_then(crate::value::parse_hex) {
                Some(b) => b,
                None => shown.into_bytes(),
            }
        }
    };
    let shown = crate::value::hex_text(&bytes);
    serde_json::Value::String(format!("{prefix}{}", shown.strip_prefix("\\x").unwrap_or(&shown)))
}

/// A parameter written as a literal of the dialect, for display.
pub(super) fn literal(dialect: Dialect, value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "NULL".to_owned(),
        serde_json::Value::String(s) => {
            let quoted = s.replace('\'', "''");
            match dialect {
                // MySQL reads backslashes in string literals as escapes.
                Dialect::Mysql => format!("'{}'", quoted.replace('\\', "\\\\")),
                Dialect::Mssql => format!("N'{quoted}'"),
                Dialect::Postgres | Dialect::Sqlite => format!("'{quoted}'"),
            }
        }
        other => other.to_string(),
    }
}
