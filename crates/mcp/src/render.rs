//! How results and errors reach the model: a text block (what every client shows the
//! model) and the same data as `structuredContent` (for clients that read it).

use dbdock_core::{Error, QueryResult};
use rmcp::model::{CallToolResult, ContentBlock};
use serde::Serialize;
use serde_json::{Value, json};

/// A successful tool outcome before it becomes a `CallToolResult`.
pub struct Rendered {
    pub text: String,
    pub structured: Value,
    pub rows: Option<u64>,
    pub bytes: Option<u64>,
}

impl Rendered {
    pub fn json(value: &impl Serialize) -> Rendered {
        let structured = serde_json::to_value(value).unwrap_or(Value::Null);
        let text = serde_json::to_string_pretty(&structured).unwrap_or_default();
        Rendered { bytes: Some(text.len() as u64), text, structured, rows: None }
    }

    pub fn query(result: &QueryResult, max_rows: u64, max_bytes: u64) -> Rendered {
        let mut structured = serde_json::to_value(result).unwrap_or(Value::Null);
        let mut text = serde_json::to_string(result).unwrap_or_default();
        if result.truncated {
            let hint = format!(
                "The result was cut at {} rows (the cap is {max_rows} rows or {max_bytes} bytes). Page with LIMIT and \
                 OFFSET, select fewer columns, or filter more narrowly to see the rest.",
                result.row_count
            );
            text.push_str("\n\n");
            text.push_str(&hint);
            structured["hint"] = Value::String(hint);
        }
        Rendered { bytes: Some(text.len() as u64), text, structured, rows: Some(result.row_count as u64) }
    }

    pub fn into_result(self) -> CallToolResult {
        let mut result = CallToolResult::success(vec![ContentBlock::text(self.text)]);
        if self.structured.is_object() {
            result.structured_content = Some(self.structured);
        }
        result
    }
}

/// A failed call: `isError: true`, the stable code first so a model can act on it.
pub fn error_result(error: &Error) -> CallToolResult {
    let mut result = CallToolResult::error(vec![ContentBlock::text(format!("{}: {}", error.code, error.message))]);
    result.structured_content = Some(json!({ "error": error }));
    result
}
