//! The text a model reads for a query result: a header line of column names and types,
//! then one line per row, cells separated by tabs (docs/architecture.md, "What the model
//! reads"). A model pays for every token of it, so nothing is repeated per row (JSON would
//! quote every string and bracket every row), yet it is exact:
//! - NULL is `NULL`; numbers keep their digits; bytes are `\x` and hex;
//! - a text that could be read as something else (empty, `NULL`, starting with a quote,
//!   holding a tab, a line break or another control character, or with spaces at either
//!   end) is written as a JSON string, and so is JSON text holding a control character.

use std::fmt::Write as _;

use dbdock_core::{Column, Value as Cell};

/// `name:type` per column, tab-separated, ending in a line break.
pub(crate) fn header(columns: &[Column]) -> String {
    let mut out = String::new();
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        push_text(&mut out, &column.name);
        out.push(':');
        push_text(&mut out, &column.type_name);
    }
    out.push('\n');
    out
}

/// Appends one row's line, line break included.
pub(crate) fn push_row(out: &mut String, row: &[Cell]) {
    for (i, cell) in row.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        push_cell(out, cell);
    }
    out.push('\n');
}

fn push_cell(out: &mut String, cell: &Cell) {
    match cell {
        Cell::Null => out.push_str("NULL"),
        Cell::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Cell::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Cell::UInt(u) => {
            let _ = write!(out, "{u}");
        }
        Cell::Text(text) => push_text(out, text),
        Cell::Json(json) => push_text(out, json.as_str()),
        // The rest never hold a tab or a line break; their display text is exact.
        other => out.push_str(&other.display_text().unwrap_or_default()),
    }
}

/// `text` as it is when it cannot be misread, else as a JSON string.
fn push_text(out: &mut String, text: &str) {
    let plain = !text.is_empty()
        && text != "NULL"
        && !text.starts_with('"')
        && !text.starts_with(char::is_whitespace)
        && !text.ends_with(char::is_whitespace)
        && !text.chars().any(char::is_control);
    if plain {
        out.push_str(text);
    } else {
        // Serializing a string cannot fail.
        let _ = write!(out, "{}", serde_json::Value::String(text.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use dbdock_core::JsonText;

    use super::*;

    fn line(row: &[Cell]) -> String {
        let mut out = String::new();
        push_row(&mut out, row);
        out
    }

    #[test]
    fn plain_cells_are_written_as_they_are() {
        let row = [
            Cell::Int(-7),
            Cell::UInt(18_446_744_073_709_551_615),
            Cell::Float(1.5),
            Cell::Decimal("12345678901234567890.10".into()),
            Cell::Text("name 1".into()),
            Cell::Bool(true),
            Cell::Null,
            Cell::Bytes(vec![0, 255]),
            Cell::Json(JsonText::parse(r#"{"a": [1.10, "x"]}"#).unwrap()),
            Cell::TimestampTz("2026-12-07T00:00:00+00:00".into()),
        ];
        assert_eq!(
            line(&row),
            "-7\t18446744073709551615\t1.5\t12345678901234567890.10\tname 1\ttrue\tNULL\t\\x00ff\t{\"a\": [1.10, \
             \"x\"]}\t2026-12-07T00:00:00+00:00\n"
        );
    }

    #[test]
    fn texts_that_could_be_misread_are_quoted() {
        for (text, written) in [
            ("", r#""""#),
            ("NULL", r#""NULL""#),
            ("\"quoted\"", r#""\"quoted\"""#),
            ("a\tb", r#""a\tb""#),
            ("two\nlines", r#""two\nlines""#),
            (" padded", r#"" padded""#),
            ("bell\u{7}", r#""bell\u0007""#),
        ] {
            assert_eq!(line(&[Cell::Text(text.into())]), format!("{written}\n"), "{text:?}");
        }
        // Not ambiguous: kept as is.
        assert_eq!(line(&[Cell::Text("null".into()), Cell::Text("a \"b\"".into())]), "null\ta \"b\"\n");
    }

    #[test]
    fn header_names_columns_and_types() {
        let columns = [
            Column { name: "id".into(), type_name: "int4".into() },
            Column { name: "odd name\t".into(), type_name: "text".into() },
        ];
        assert_eq!(header(&columns), "id:int4\t\"odd name\\t\":text\n");
    }
}
