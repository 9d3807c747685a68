//! Result values as the grid gets them: a kind and the exact text. Numbers travel as
//! text so 64-bit integers and decimals stay exact in JavaScript; NULL is `null`, never
//! an empty string.

use dbdock_core::Value;
use serde::Serialize;
use specta::Type;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
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
