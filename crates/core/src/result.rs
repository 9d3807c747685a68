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
    /// The result sets after the first, in order, where one statement gives several (a
    /// SQL Server batch, a MySQL/MariaDB procedure). Only the user's own statements read
    /// them; each has its own caps and no `more` of its own.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub more: Vec<QueryResult>,
}

impl QueryResult {
    /// The result as CSV: a header of column names, then the rows as people see them.
    /// NULL is an empty field; an empty string is `""`, so the two stay apart.
    pub fn write_csv(&self, out: impl std::io::Write) -> std::io::Result<()> {
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(self.columns.iter().map(|c| c.name.as_str())).map_err(std::io::Error::other)?;
        for row in &self.rows {
            csv.write_record(row.iter().map(|v| v.display_text().unwrap_or_default()))
                .map_err(std::io::Error::other)?;
        }
        csv.flush()
    }
}
