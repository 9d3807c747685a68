//! Result values as the grid gets them: a kind and the exact text. Numbers travel as
//! text so 64-bit integers and decimals stay exact in JavaScript; NULL is `null`, never
//! an empty string.

use dbdock_core::{Error, JsonText, Result, Value};
use serde::{Deserialize, Serialize};
use specta::Type;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum CellKind {
    Bool,
    Int,
    Float,
    Decimal,
    Text,
    Json,
    Bytes,
    Date,
    Time,
    Timestamp,
    Uuid,
    Array,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Cell {
    pub k: CellKind,
    pub v: String,
}

pub fn cell(value: &Value) -> Option<Cell> {
    let k = match value {
        Value::Null => return None,
        Value::Bool(_) => CellKind::Bool,
        Value::Int(_) | Value::UInt(_) => CellKind::Int,
        Value::Float(_) => CellKind::Float,
        Value::Decimal(_) => CellKind::Decimal,
        Value::Text(_) => CellKind::Text,
        Value::Bytes(_) => CellKind::Bytes,
        Value::Json(_) => CellKind::Json,
        Value::Date(_) => CellKind::Date,
        Value::Time(_) => CellKind::Time,
        Value::Timestamp(_) | Value::TimestampTz(_) => CellKind::Timestamp,
        Value::Uuid(_) => CellKind::Uuid,
        Value::Array(_) => CellKind::Array,
    };
    Some(Cell { k, v: value.display_text().unwrap_or_default() })
}

/// A cell back from the grid (an original value, a keyset cursor, an edit) as the typed
/// value it stands for: the inverse of [`cell`]. Text that is not a value of its kind
/// (`12x` as an integer, JSON that does not parse) is refused with the reason.
pub fn value_of(cell: Option<&Cell>) -> Result<Value> {
    let Some(Cell { k, v }) = cell else { return Ok(Value::Null) };
    let bad = |what: &str| Error::invalid_input(format!("'{v}' is not {what}"));
    let text = v.clone();
    Ok(match k {
        CellKind::Bool => match v.trim().to_ascii_lowercase().as_str() {
            "true" | "t" | "1" => Value::Bool(true),
            "false" | "f" | "0" => Value::Bool(false),
            _ => return Err(bad("true or false")),
        },
        CellKind::Int => match (v.trim().parse::<i64>(), v.trim().parse::<u64>()) {
            (Ok(i), _) => Value::Int(i),
            (_, Ok(u)) => Value::UInt(u),
            _ => return Err(bad("a whole number")),
        },
        CellKind::Float => Value::Float(v.trim().parse().map_err(|_| bad("a number"))?),
        CellKind::Decimal if is_decimal(v.trim()) => Value::Decimal(v.trim().to_owned()),
        CellKind::Decimal => return Err(bad("a decimal number")),
        CellKind::Text => Value::Text(text),
        // An array travels as the JSON the grid shows for it.
        CellKind::Json | CellKind::Array => Value::Json(JsonText::parse(v).ok_or_else(|| bad("valid JSON"))?),
        CellKind::Bytes => {
            let digits = v.trim().strip_prefix("\\x").ok_or_else(|| bad("bytes in \\x… hex notation"))?;
            Value::Bytes(dbdock_core::parse_hex(digits).ok_or_else(|| bad("bytes in \\x… hex notation"))?)
        }
        CellKind::Date => Value::Date(text),
        CellKind::Time => Value::Time(text),
        CellKind::Timestamp => Value::Timestamp(text),
        CellKind::Uuid => Value::Uuid(text),
    })
}

/// `-12.340`, `7`, `.5`, or the non-finite words PostgreSQL's numeric has.
fn is_decimal(text: &str) -> bool {
    if matches!(text, "NaN" | "Infinity" | "-Infinity") {
        return true;
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    !(whole.is_empty() && fraction.is_empty()) && whole.chars().chain(fraction.chars()).all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_numbers_null_and_empty_text() {
        assert_eq!(
            cell(&Value::Int(9_007_199_254_740_993)),
            Some(Cell { k: CellKind::Int, v: "9007199254740993".into() })
        );
        assert_eq!(cell(&Value::Null), None);
        assert_eq!(cell(&Value::Text(String::new())), Some(Cell { k: CellKind::Text, v: String::new() }));
        assert_eq!(cell(&Value::Decimal("1.10".into())).map(|c| c.v), Some("1.10".into()));
    }
}
