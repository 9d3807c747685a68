use serde::Serialize;

use crate::Value;

/// A result column: its name as the server reported it and the engine's type name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub type_name: String,
}

/// The rows a query returned. Rows are arrays aligned with `columns`, so duplicate column
/// names survive. `truncated` is true only when the server had more rows (or bytes) than
/// the caps allowed; it is learned by reading one row past the cap, never guessed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryResult {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Value>>,
    pub row_count: usize,
    pub truncated: bool,
    /// Wall time from sending the statement to holding the last row, in milliseconds.
    pub elapsed_ms: f64,
}
