//! How results and errors reach the model: a text block (what every client shows the
//! model, compact: [`table`] for rows) and the same data as JSON in `structuredContent`
//! (for clients that read it).
//!
//! The byte cap of a profile holds for what goes out, encoded: the rows' JSON in
//! `structuredContent` plus their lines escaped inside the text block, where a control
//! character costs up to 13 bytes (docs/safety.md). Only the fixed envelope of the
//! JSON-RPC message and the result's keys are outside it.

mod schema;
mod table;

use dbdock_core::{Column, Error, MAX_ERROR_MESSAGE_BYTES, QueryResult, Value as Cell, cap_text};
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
    /// `value` as `structuredContent`, and as compact JSON text: indentation would cost
    /// the model tokens and tell it nothing.
    pub fn json(value: &impl Serialize) -> Rendered {
        let structured = serde_json::to_value(value).unwrap_or(Value::Null);
        let text = serde_json::to_string(&structured).unwrap_or_default();
        Rendered::new(text, structured)
    }

    /// A schema search: its matches as lines (see [`schema`]), the JSON as `structuredContent`.
    pub fn schema_search(result: &dbdock_app::SchemaSearchResult) -> Rendered {
        let structured = serde_json::to_value(result).unwrap_or(Value::Null);
        Rendered::new(schema::search_text(result), structured)
    }

    fn new(text: String, structured: Value) -> Rendered {
        let mut rendered = Rendered { text, structured, rows: None, bytes: None };
        rendered.bytes = Some(rendered.encoded_len() as u64);
        rendered
    }

    /// Bytes of the text block and `structuredContent` as JSON puts them on the wire.
    pub fn encoded_len(&self) -> usize {
        let structured = if self.structured.is_object() { json_len(&self.structured) } else { 0 };
        escaped_len(&self.text) + structured
    }

    /// A query result whose encoded form fits `max_bytes`: whole rows while they fit; when
    /// not even the first does, that row with its long values cut. The text is the compact
    /// table of [`table`]; `structuredContent` has the rows as JSON arrays.
    pub fn query(result: &QueryResult, max_rows: u64, max_bytes: u64) -> Rendered {
        let budget = usize::try_from(max_bytes).unwrap_or(usize::MAX);
        let header = table::header(&result.columns);
        // What a result costs besides its rows, at its longest (cut, with the hint, and
        // the most digits the row count can have), so that whole rows are counted once.
        let shell = |truncated| {
            let frame = Frame::of(result, &[], result.rows.len(), truncated, max_rows, max_bytes);
            escaped_len(&header) + escaped_len(&frame.footer) + json_len(&frame.structured())
        };
        let reserve = shell(true).max(shell(false));
        let (mut used, mut lines, mut fitting, mut rows_json) = (reserve, String::new(), 0, 0);
        for row in &result.rows {
            let start = lines.len();
            table::push_row(&mut lines, row);
            // The row's JSON and a comma in structuredContent, its line in the text block.
            let row_json = json_len(row);
            used += row_json + 1 + escaped_len(&lines[start..]) - 2;
            if used > budget {
                lines.truncate(start);
                break;
            }
            fitting += 1;
            rows_json += row_json;
        }
        let cut;
        let rows = match (fitting, result.rows.first()) {
            (0, Some(first)) => {
                cut = [cut_row(first, budget.saturating_sub(reserve))];
                table::push_row(&mut lines, &cut[0]);
                rows_json = json_len(&cut[0]);
                &cut[..]
            }
            _ => &result.rows[..fitting],
        };
        let truncated = result.truncated || rows.len() < result.rows.len();
        let frame = Frame::of(result, rows, rows.len(), truncated, max_rows, max_bytes);
        // The encoded size from the parts already measured, not from another pass over every
        // row: the frame without its rows, plus the rows' JSON and the commas between them.
        // (A JSON cell is counted as the server wrote it; `structuredContent` re-spaces it.)
        let rowless = json_len(&Structured { rows: &[], ..frame.structured() });
        let structured_len = rowless + rows_json + rows.len().saturating_sub(1);
        let text = header + &lines + &frame.footer;
        let bytes = (escaped_len(&text) + structured_len) as u64;
        let structured = serde_json::to_value(frame.structured()).unwrap_or(Value::Null);
        Rendered { text, structured, rows: Some(rows.len() as u64), bytes: Some(bytes) }
    }

    pub fn into_result(self) -> CallToolResult {
        let mut result = CallToolResult::success(vec![ContentBlock::text(self.text)]);
        if self.structured.is_object() {
            result.structured_content = Some(self.structured);
        }
        result
    }
}

/// A query result's rows with what is said once about them: the text block's last line,
/// and the fields of `structuredContent`.
struct Frame<'a> {
    result: &'a QueryResult,
    rows: &'a [Vec<Cell>],
    row_count: usize,
    truncated: bool,
    hint: Option<String>,
    footer: String,
}

/// `structuredContent` of a query: [`QueryResult`]'s fields over borrowed rows, plus the hint.
#[derive(Serialize)]
struct Structured<'a> {
    columns: &'a [Column],
    rows: &'a [Vec<Cell>],
    row_count: usize,
    truncated: bool,
    elapsed_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    more: &'a [QueryResult],
}

impl<'a> Frame<'a> {
    fn of(
        result: &'a QueryResult,
        rows: &'a [Vec<Cell>],
        row_count: usize,
        truncated: bool,
        max_rows: u64,
        max_bytes: u64,
    ) -> Frame<'a> {
        let hint = truncated.then(|| {
            format!(
                "The result was cut at {row_count} rows (the cap is {max_rows} rows or {max_bytes} bytes). Page with \
                 LIMIT and OFFSET, select fewer columns, or filter more narrowly to see the rest."
            )
        });
        let mut footer = match &hint {
            Some(hint) => format!("({row_count} rows, cut) {hint}"),
            None if row_count == 1 => "(1 row)".to_owned(),
            None => format!("({row_count} rows)"),
        };
        // A later result set (a procedure's next one, a Redis SCAN's next cursor) follows
        // in the same form; being part of the frame, it counts against the byte cap
        // before the first set's rows do.
        for set in &result.more {
            footer.push('\n');
            footer.push_str(&table::header(&set.columns));
            set.rows.iter().for_each(|row| table::push_row(&mut footer, row));
            footer.push_str(&match set.row_count {
                1 => "(1 row)".to_owned(),
                n => format!("({n} rows)"),
            });
        }
        Frame { result, rows, row_count, truncated, hint, footer }
    }

    fn structured(&self) -> Structured<'_> {
        Structured {
            columns: &self.result.columns,
            rows: self.rows,
            row_count: self.row_count,
            truncated: self.truncated,
            elapsed_ms: self.result.elapsed_ms,
            hint: self.hint.as_deref(),
            more: &self.result.more,
        }
    }
}

/// What `value` costs in a tool result: its JSON in `structuredContent` and the same JSON
/// escaped inside the text block.
pub fn encoded_cost(value: &impl Serialize) -> usize {
    let text = serde_json::to_string(value).unwrap_or_default();
    text.len() + escaped_len(&text).saturating_sub(2)
}

/// Bytes of `value` as compact JSON, counted without keeping the text.
fn json_len(value: &impl Serialize) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

/// Bytes of `text` as a JSON string, quotes included.
fn escaped_len(text: &str) -> usize {
    text.chars().map(char_json_len).sum::<usize>() + 2
}

/// Bytes serde_json writes for `c` inside a string.
fn char_json_len(c: char) -> usize {
    match c {
        '"' | '\\' | '\n' | '\r' | '\t' | '\u{08}' | '\u{0c}' => 2,
        c if (c as u32) < 0x20 => 6,
        c => c.len_utf8(),
    }
}

/// What one character of a cell costs in a tool result: escaped once in
/// `structuredContent`, and that escape escaped again in the text block.
fn char_cost(c: char) -> usize {
    let once = char_json_len(c);
    let twice = match c {
        '"' | '\\' => 4,
        '\n' | '\r' | '\t' | '\u{08}' | '\u{0c}' => 3,
        c if (c as u32) < 0x20 => 7,
        c => c.len_utf8(),
    };
    once + twice
}

/// A copy of `row` whose long values are cut so that it costs about `budget` bytes.
fn cut_row(row: &[Cell], budget: usize) -> Vec<Cell> {
    let per_value = (budget / row.len().max(1)).max(64);
    row.iter()
        .map(|value| {
            if encoded_cost(value) <= per_value {
                return value.clone();
            }
            match value {
                Cell::Bytes(b) => Cell::Bytes(b[..(per_value / 4).min(b.len())].to_vec()),
                Cell::Text(t) | Cell::Decimal(t) => Cell::Text(cut_cell_text(t, per_value)),
                Cell::Json(j) => Cell::Text(cut_cell_text(j.as_str(), per_value)),
                other => Cell::Text(cut_cell_text(&other.display_text().unwrap_or_default(), per_value)),
            }
        })
        .collect()
}

/// `text` cut so that it costs at most `budget` bytes, with the note the engines use
/// (`…[cut: N bytes in all]`), keeping an engine's note when the engine cut it first.
fn cut_cell_text(text: &str, budget: usize) -> String {
    let (body, note) = match text.rfind("…[cut: ") {
        Some(at) if text.ends_with(" bytes in all]") => (&text[..at], text[at..].to_owned()),
        _ => (text, format!("…[cut: {} bytes in all]", text.len())),
    };
    let note_cost: usize = note.chars().map(char_cost).sum();
    let mut left = budget.saturating_sub(note_cost + 4);
    let mut end = 0;
    for (i, c) in body.char_indices() {
        let cost = char_cost(c);
        if cost > left {
            break;
        }
        left -= cost;
        end = i + c.len_utf8();
    }
    format!("{}{note}", &body[..end])
}

/// The text a client gets for a failed call: the stable code first, the message cut to
/// [`MAX_ERROR_MESSAGE_BYTES`].
pub fn error_text(error: &Error) -> String {
    format!("{}: {}", error.code, cap_text(&error.message, MAX_ERROR_MESSAGE_BYTES))
}

/// A failed call: `isError: true`, the stable code first so a model can act on it.
pub fn error_result(error: &Error) -> CallToolResult {
    let capped = Error::new(error.code, cap_text(&error.message, MAX_ERROR_MESSAGE_BYTES));
    let mut result = CallToolResult::error(vec![ContentBlock::text(error_text(error))]);
    result.structured_content = Some(json!({ "error": capped }));
    result
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use dbdock_core::{Column, ErrorCode};

    use super::*;

    fn wire_len(rendered: Rendered) -> usize {
        serde_json::to_string(&rendered.into_result()).unwrap().len()
    }

    fn result_of(cells: Vec<Vec<Cell>>) -> QueryResult {
        QueryResult {
            columns: vec![Column { name: "a".into(), type_name: "text".into() }],
            row_count: cells.len(),
            rows: cells,
            truncated: false,
            elapsed_ms: 1.0,
            more: vec![],
        }
    }

    /// The fixed part the cap does not count: the keys of a CallToolResult.
    const ENVELOPE: usize = 128;

    #[test]
    fn escaping_heavy_rows_stay_under_the_cap_when_encoded() {
        for cell in ["\u{1}".repeat(500), "\"\\".repeat(300), "é€😀".repeat(200), "plain text ".repeat(50)] {
            let rows = (0..1000).map(|_| vec![Cell::Text(cell.clone())]).collect();
            let rendered = Rendered::query(&result_of(rows), 10_000, 64 * 1024);
            let rows = rendered.rows.unwrap();
            assert!(rows > 0 && rows < 1000, "{rows}");
            let wire = wire_len(rendered);
            assert!(wire <= 64 * 1024 + ENVELOPE, "{wire} bytes for {:?}", &cell[..4]);
            assert!(wire > 48 * 1024, "the cap is used, not wasted: {wire}");
        }
    }

    #[test]
    fn one_huge_escaping_heavy_value_is_cut_to_fit() {
        let huge = "\u{1}\"x".repeat(100_000);
        let rendered = Rendered::query(&result_of(vec![vec![Cell::Text(huge)]]), 200, 16 * 1024);
        assert_eq!(rendered.rows, Some(1));
        let cell = rendered.structured["rows"][0][0].as_str().unwrap().to_owned();
        assert!(cell.ends_with("…[cut: 300000 bytes in all]"), "{}", &cell[cell.len() - 40..]);
        assert!(wire_len(rendered) <= 16 * 1024 + ENVELOPE);
        // An engine's note survives a second cut.
        let engine_cut = format!("{}…[cut: 9999999 bytes in all]", "\u{1}".repeat(50_000));
        let rendered = Rendered::query(&result_of(vec![vec![Cell::Text(engine_cut)]]), 200, 8 * 1024);
        assert!(rendered.structured["rows"][0][0].as_str().unwrap().ends_with("…[cut: 9999999 bytes in all]"));
        assert!(wire_len(rendered) <= 8 * 1024 + ENVELOPE);
    }

    #[test]
    fn the_counted_size_is_the_encoded_size() {
        let cells = ["plain", "", "\u{1}\"\\\n\t", "é€😀", "NULL"];
        for n in [0, 1, 2, 17] {
            let rows: Vec<Vec<Cell>> = (0..n).map(|i| vec![Cell::Text(cells[i % cells.len()].into())]).collect();
            for max_bytes in [64 * 1024, 300, 40] {
                let rendered = Rendered::query(&result_of(rows.clone()), 10, max_bytes);
                assert_eq!(rendered.bytes, Some(rendered.encoded_len() as u64), "{n} rows, cap {max_bytes}");
            }
        }
        let mixed = QueryResult {
            columns: vec![
                Column { name: "n".into(), type_name: "int8".into() },
                Column { name: "b".into(), type_name: "bytea".into() },
            ],
            rows: vec![vec![Cell::Int(-7), Cell::Bytes(vec![0, 255])], vec![Cell::Null, Cell::Float(0.1)]],
            row_count: 2,
            truncated: true,
            elapsed_ms: 0.25,
            more: vec![],
        };
        let rendered = Rendered::query(&mixed, 2, 1 << 20);
        assert_eq!(rendered.bytes, Some(rendered.encoded_len() as u64));
    }

    #[test]
    fn a_later_result_set_follows_the_first_and_is_counted() {
        let mut page = result_of(vec![vec![Cell::Text("user:1".into())], vec![Cell::Text("user:2".into())]]);
        let mut cursor = result_of(vec![vec![Cell::Text("17".into())]]);
        cursor.columns[0].name = "next_cursor".into();
        page.more.push(cursor);
        let rendered = Rendered::query(&page, 200, 1024);
        assert!(rendered.text.ends_with("(2 rows)\nnext_cursor:text\n17\n(1 row)"), "{}", rendered.text);
        assert_eq!(rendered.structured["more"][0]["rows"][0][0], "17");
        assert_eq!(rendered.bytes, Some(rendered.encoded_len() as u64));
    }

    #[test]
    fn small_results_are_whole() {
        let rendered = Rendered::query(&result_of(vec![vec![Cell::Text("a\u{1}".into())]]), 200, 1024);
        assert_eq!(rendered.structured["truncated"], false);
        assert_eq!(rendered.structured["rows"][0][0], "a\u{1}");
    }

    #[test]
    fn error_messages_are_capped() {
        let error = Error::new(ErrorCode::QueryFailed, "é".repeat(10_000));
        let result = error_result(&error);
        let text = serde_json::to_string(&result).unwrap();
        assert!(text.len() < 3 * MAX_ERROR_MESSAGE_BYTES, "{}", text.len());
        assert!(text.contains("more bytes]"));
    }
}
