use std::fmt::Write as _;

use serde::ser::{Serialize, Serializer};

/// One cell of a query result, typed so that nothing is lost on the way to JSON.
///
/// JSON form (the contract of `dbdock query --format json`, MCP results and the UI):
/// integers of any width are JSON numbers written exactly (a reader that parses them as
/// doubles loses digits above 2^53; the column type says when to read them as big
/// integers); decimals are strings with every digit; non-finite floats are the strings
/// `"NaN"`, `"Infinity"`, `"-Infinity"`; bytes are a `"\x…"` hex string (PostgreSQL's
/// notation); dates and times are ISO 8601 strings; JSON columns are embedded as JSON.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    /// An exact decimal in plain notation (`-12.3400`), or `NaN`/`Infinity` where the engine has them.
    Decimal(String),
    Text(String),
    Bytes(Vec<u8>),
    Json(JsonText),
    /// `YYYY-MM-DD`
    Date(String),
    /// `HH:MM:SS[.ffffff]`, possibly with an offset or, for intervals, a duration text.
    Time(String),
    /// `YYYY-MM-DDTHH:MM:SS[.ffffff]` with no zone.
    Timestamp(String),
    /// `YYYY-MM-DDTHH:MM:SS[.ffffff]+HH:MM`
    TimestampTz(String),
    Uuid(String),
    Array(Vec<Value>),
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The text a person sees in a grid or a CSV cell. NULL is `None`, so callers can tell
    /// it apart from an empty string.
    pub fn display_text(&self) -> Option<String> {
        Some(match self {
            Value::Null => return None,
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::UInt(u) => u.to_string(),
            Value::Float(f) => float_text(*f),
            Value::Decimal(s)
            | Value::Text(s)
            | Value::Date(s)
            | Value::Time(s)
            | Value::Timestamp(s)
            | Value::TimestampTz(s)
            | Value::Uuid(s) => s.clone(),
            Value::Bytes(b) => hex_text(b),
            Value::Json(j) => j.as_str().to_owned(),
            Value::Array(items) => serde_json::to_string(items).unwrap_or_else(|_| String::from("[…]")),
        })
    }

    /// Approximate size in bytes of the value's JSON form, for byte caps.
    pub fn approx_size(&self) -> usize {
        match self {
            Value::Null => 4,
            Value::Bool(_) => 5,
            Value::Int(_) | Value::UInt(_) | Value::Float(_) => 20,
            Value::Decimal(s)
            | Value::Text(s)
            | Value::Date(s)
            | Value::Time(s)
            | Value::Timestamp(s)
            | Value::TimestampTz(s)
            | Value::Uuid(s) => s.len() + 2,
            Value::Bytes(b) => b.len() * 2 + 4,
            Value::Json(j) => j.as_str().len(),
            Value::Array(items) => items.iter().map(|v| v.approx_size() + 1).sum::<usize>() + 2,
        }
    }
}

/// JSON text exactly as the server sent it. Kept as text, not parsed into numbers, so a
/// JSON document holding `12345678901234567890123` or `1.10` comes back digit for digit.
#[derive(Debug, Clone)]
pub struct JsonText(Box<serde_json::value::RawValue>);

impl JsonText {
    /// `None` when `text` is not valid JSON.
    pub fn parse(text: &str) -> Option<Self> {
        serde_json::value::RawValue::from_string(text.trim().to_owned()).ok().map(JsonText)
    }

    pub fn from_value(value: &serde_json::Value) -> Self {
        let text = value.to_string();
        // Serializing a `serde_json::Value` always yields valid JSON.
        JsonText::parse(&text).unwrap_or_else(|| JsonText(serde_json::value::RawValue::NULL.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        self.0.get()
    }
}

impl PartialEq for JsonText {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

/// Hex digits (an even number of them) as bytes: the inverse of [`hex_text`] after its `\x`.
pub fn parse_hex(digits: &str) -> Option<Vec<u8>> {
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    (0..digits.len()).step_by(2).map(|i| u8::from_str_radix(digits.get(i..i + 2)?, 16).ok()).collect()
}

/// `\x` followed by lowercase hex, as PostgreSQL prints bytea.
pub(crate) fn hex_text(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 + bytes.len() * 2);
    s.push_str("\\x");
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn float_text(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity".into() } else { "-Infinity".into() }
    } else {
        // Debug keeps a float looking like one (`998.0`, not `998`), shortest round-trip digits.
        format!("{f:?}")
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_none(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::UInt(u) => s.serialize_u64(*u),
            Value::Float(f) if f.is_finite() => s.serialize_f64(*f),
            Value::Float(f) => s.serialize_str(&float_text(*f)),
            Value::Decimal(t)
            | Value::Text(t)
            | Value::Date(t)
            | Value::Time(t)
            | Value::Timestamp(t)
            | Value::TimestampTz(t)
            | Value::Uuid(t) => s.serialize_str(t),
            Value::Bytes(b) => s.serialize_str(&hex_text(b)),
            Value::Json(j) => j.0.serialize(s),
            Value::Array(items) => items.serialize(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_form_is_faithful() {
        let row = vec![
            Value::Null,
            Value::Int(9_007_199_254_740_993),
            Value::UInt(u64::MAX),
            Value::Decimal("12345678901234567890.0123456789".into()),
            Value::Float(f64::NAN),
            Value::Bytes(vec![0xff, 0x00, 0xfe]),
            Value::Json(
                JsonText::parse(r#"{"a": [1, 12345678901234567890123]}"#)
                    .unwrap_or_else(|| JsonText::from_value(&json!(null))),
            ),
            Value::Array(vec![Value::Int(1), Value::Null]),
        ];
        let text = serde_json::to_string(&row).unwrap_or_default();
        assert_eq!(
            text,
            r#"[null,9007199254740993,18446744073709551615,"12345678901234567890.0123456789","NaN","\\xff00fe",{"a": [1, 12345678901234567890123]},[1,null]]"#
        );
    }

    #[test]
    fn null_has_no_display_text_but_empty_text_does() {
        assert_eq!(Value::Null.display_text(), None);
        assert_eq!(Value::Text(String::new()).display_text(), Some(String::new()));
    }
}
