//! A Redis reply as rows and columns (docs/redis.md, "Results"). The connection speaks
//! RESP3 where the server does, so the reply's own shape says what it is: a map is
//! `field`/`value` rows, a list of maps is a table with a column per field, a list of
//! pairs (`ZRANGE … WITHSCORES`, `XRANGE`) is two columns, a `SCAN` page is its keys with
//! the next cursor as a second result set, `INFO` is its fields, a single value is one row.

use dbdock_core::{Column, JsonText, QueryOptions, QueryResult, Value as Cell};
use redis::Value;

use crate::rows::RowCollector;

/// The rows of `reply` to the command named `name` (`command_name`), under `limits`.
pub fn to_result(name: &str, reply: Value, limits: &QueryOptions, started: std::time::Instant) -> QueryResult {
    let mut rows = RowCollector::new(*limits);
    let reply = match reply {
        Value::Attribute { data, .. } => *data,
        other => other,
    };
    let columns = match reply {
        Value::VerbatimString { text, .. } if name == "info" => info_fields(&text, &mut rows),
        Value::BulkString(bytes) if name == "info" => info_fields(&String::from_utf8_lossy(&bytes), &mut rows),
        Value::Array(page) if name.ends_with("scan") && is_scan_page(&page) => {
            return scan_page(name, page, rows, started);
        }
        Value::Map(entries) => {
            for (field, value) in entries {
                if !rows.offer(|| vec![cell(field), cell(value)]) {
                    break;
                }
            }
            names(&["field", "value"])
        }
        Value::Array(items) | Value::Set(items) => list(name, items, &mut rows),
        single => {
            rows.offer(|| vec![cell(single)]);
            names(&["value"])
        }
    };
    rows.into_result(columns, started)
}

/// A list: a table when its items are maps, two columns when they are pairs, else one.
fn list(name: &str, items: Vec<Value>, rows: &mut RowCollector) -> Vec<Column> {
    if !items.is_empty() && items.iter().all(|i| matches!(i, Value::Map(_))) {
        let mut fields: Vec<String> = Vec::new();
        let maps: Vec<Vec<(String, Value)>> = items
            .into_iter()
            .map(|item| match item {
                Value::Map(entries) => entries.into_iter().map(|(k, v)| (text(&k), v)).collect(),
                _ => Vec::new(),
            })
            .collect();
        for (field, _) in maps.iter().flatten() {
            if !fields.contains(field) {
                fields.push(field.clone());
            }
        }
        for mut map in maps {
            let keep = rows.offer(|| {
                fields
                    .iter()
                    .map(|f| map.iter().position(|(k, _)| k == f).map_or(Cell::Null, |i| cell(map.swap_remove(i).1)))
                    .collect()
            });
            if !keep {
                break;
            }
        }
        return fields.into_iter().map(|f| Column { name: f, type_name: "redis".into() }).collect();
    }
    let pairs = !items.is_empty() && items.iter().all(|i| matches!(i, Value::Array(p) if p.len() == 2));
    for item in items {
        let keep = match item {
            Value::Array(pair) if pairs => {
                let mut pair = pair.into_iter();
                rows.offer(|| pair.by_ref().map(cell).collect())
            }
            other => rows.offer(|| vec![cell(other)]),
        };
        if !keep {
            break;
        }
    }
    if pairs { names(pair_columns(name)) } else { names(&["value"]) }
}

fn pair_columns(name: &str) -> &'static [&'static str] {
    match name {
        n if n.starts_with('z') => &["member", "score"],
        "xrange" | "xrevrange" => &["id", "fields"],
        "hrandfield" => &["field", "value"],
        _ => &["key", "value"],
    }
}

/// `[cursor, [items…]]`
fn is_scan_page(page: &[Value]) -> bool {
    matches!(page, [Value::BulkString(_) | Value::SimpleString(_), Value::Array(_)])
}

/// A `SCAN`-family page: the items (field/value or member/score pairs for `HSCAN` and
/// `ZSCAN`), then the cursor to continue from as a second result set (`0`: the end).
fn scan_page(name: &str, page: Vec<Value>, mut rows: RowCollector, started: std::time::Instant) -> QueryResult {
    let mut page = page.into_iter();
    let (cursor, items) = (page.next().map(cell), page.next());
    let Some(Value::Array(items)) = items else { return rows.into_result(names(&["key"]), started) };
    let columns = match name {
        "hscan" | "zscan" => {
            let mut items = items.into_iter();
            while let (Some(a), Some(b)) = (items.next(), items.next()) {
                if !rows.offer(|| vec![cell(a), cell(b)]) {
                    break;
                }
            }
            names(if name == "hscan" { &["field", "value"] } else { &["member", "score"] })
        }
        _ => {
            for item in items {
                if !rows.offer(|| vec![cell(item)]) {
                    break;
                }
            }
            names(&[if name == "scan" { "key" } else { "member" }])
        }
    };
    let mut next = RowCollector::new(QueryOptions::default());
    next.offer(|| vec![cursor.unwrap_or(Cell::Null)]);
    rows.more.push(next.into_result(names(&["next_cursor"]), started));
    rows.into_result(columns, started)
}

/// `INFO`'s `field:value` lines as rows, each with its `# Section`.
fn info_fields(text: &str, rows: &mut RowCollector) -> Vec<Column> {
    let mut section = String::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(name) = line.strip_prefix('#') {
            section = name.trim().to_owned();
        } else if let Some((field, value)) = line.split_once(':') {
            let row = || vec![Cell::Text(section.clone()), Cell::Text(field.to_owned()), Cell::Text(value.to_owned())];
            if !rows.offer(row) {
                break;
            }
        }
    }
    names(&["section", "field", "value"])
}

fn names(names: &[&str]) -> Vec<Column> {
    names.iter().map(|n| Column { name: (*n).to_owned(), type_name: "redis".into() }).collect()
}

/// One value as a cell: text where it is UTF-8, bytes where not, numbers as numbers,
/// nested replies as JSON.
fn cell(value: Value) -> Cell {
    match value {
        Value::Nil => Cell::Null,
        Value::Int(n) => Cell::Int(n),
        Value::Double(f) => Cell::Float(f),
        Value::Boolean(b) => Cell::Bool(b),
        Value::Okay => Cell::Text("OK".into()),
        Value::SimpleString(s) => Cell::Text(s),
        Value::VerbatimString { text, .. } => Cell::Text(text),
        Value::BulkString(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Cell::Text(text),
            Err(e) => Cell::Bytes(e.into_bytes()),
        },
        Value::Attribute { data, .. } => cell(*data),
        nested @ (Value::Array(_) | Value::Set(_) | Value::Map(_) | Value::Push { .. }) => {
            Cell::Json(JsonText::from_value(&json(nested)))
        }
        Value::ServerError(e) => Cell::Text(format!("(error) {e}")),
        other => Cell::Text(format!("{other:?}")),
    }
}

/// A nested reply as JSON: maps as objects (keys as text), lists and sets as arrays.
fn json(value: Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        Value::Nil => J::Null,
        Value::Int(n) => n.into(),
        Value::Double(f) => f.into(),
        Value::Boolean(b) => b.into(),
        Value::Array(items) | Value::Set(items) | Value::Push { data: items, .. } => {
            J::Array(items.into_iter().map(json).collect())
        }
        Value::Map(entries) => J::Object(entries.into_iter().map(|(k, v)| (text(&k), json(v))).collect()),
        Value::Attribute { data, .. } => json(*data),
        other => J::String(text(&other)),
    }
}

/// A key or scalar as text (lossy for bytes: only used for names and nested values).
fn text(value: &Value) -> String {
    match value {
        Value::BulkString(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        Value::SimpleString(s) | Value::VerbatimString { text: s, .. } => s.clone(),
        Value::Int(n) => n.to_string(),
        Value::Double(f) => f.to_string(),
        Value::Okay => "OK".into(),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    fn run(name: &str, reply: Value, max_rows: Option<usize>) -> QueryResult {
        let limits = QueryOptions { max_rows, ..QueryOptions::default() };
        to_result(name, reply, &limits, std::time::Instant::now())
    }

    fn header(result: &QueryResult) -> Vec<&str> {
        result.columns.iter().map(|c| c.name.as_str()).collect()
    }

    #[test]
    fn each_reply_shape_has_its_table() {
        let map = run("hgetall", Value::Map(vec![(bulk("name"), bulk("Ada")), (bulk("age"), Value::Int(36))]), None);
        assert_eq!(header(&map), ["field", "value"]);
        assert_eq!(map.rows[1], [Cell::Text("age".into()), Cell::Int(36)]);

        let scores = run("zrange", Value::Array(vec![Value::Array(vec![bulk("a"), Value::Double(1.5)])]), None);
        assert_eq!(header(&scores), ["member", "score"]);
        assert_eq!(scores.rows[0][1], Cell::Float(1.5));

        let groups = Value::Array(vec![
            Value::Map(vec![(bulk("name"), bulk("g1")), (bulk("pending"), Value::Int(2))]),
            Value::Map(vec![(bulk("name"), bulk("g2")), (bulk("lag"), Value::Int(7))]),
        ]);
        let table = run("xinfo|groups", groups, None);
        assert_eq!(header(&table), ["name", "pending", "lag"]);
        assert_eq!(table.rows[1], [Cell::Text("g2".into()), Cell::Null, Cell::Int(7)]);

        let binary = run("get", Value::BulkString(vec![0xff, 0]), None);
        assert_eq!(binary.rows, [[Cell::Bytes(vec![0xff, 0])]]);
        assert_eq!(run("get", Value::Nil, None).rows, [[Cell::Null]]);
    }

    #[test]
    fn a_scan_page_carries_its_cursor_and_rows_are_capped() {
        let page = Value::Array(vec![bulk("17"), Value::Array((0..5).map(|i| bulk(&format!("k{i}"))).collect())]);
        let result = run("scan", page, Some(3));
        assert_eq!(header(&result), ["key"]);
        assert_eq!((result.rows.len(), result.truncated), (3, true));
        assert_eq!(result.more[0].rows, [[Cell::Text("17".into())]]);

        let hscan = Value::Array(vec![bulk("0"), Value::Array(vec![bulk("f"), bulk("v")])]);
        assert_eq!(run("hscan", hscan, None).rows, [[Cell::Text("f".into()), Cell::Text("v".into())]]);
    }

    #[test]
    fn info_is_its_fields_by_section() {
        let info =
            run("info", bulk("# Server\r\nredis_version:7.0.15\r\n\r\n# Clients\r\nconnected_clients:3\r\n"), None);
        assert_eq!(header(&info), ["section", "field", "value"]);
        assert_eq!(info.rows[1], ["Clients", "connected_clients", "3"].map(|s| Cell::Text(s.into())));
    }
}
