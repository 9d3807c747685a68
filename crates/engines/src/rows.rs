//! What every engine shares, whatever its driver: collecting rows under row and byte caps,
//! and the small text helpers its error messages use.
// A build with no engine at all uses none of it.
#![cfg_attr(
    not(any(
        feature = "sqlite",
        feature = "postgres",
        feature = "mysql",
        feature = "mssql",
        feature = "mongodb",
        feature = "redis",
        feature = "nats"
    )),
    allow(dead_code)
)]

use dbdock_core::{ConnectionTarget, JsonText, QueryOptions, Value};

pub(crate) fn host_port(target: &ConnectionTarget) -> String {
    match target.url() {
        Some(url) => {
            let host = url.host_str().unwrap_or("?");
            match url.port().or_else(|| target.engine().default_port()) {
                Some(port) => format!("{host}:{port}"),
                None => host.to_owned(),
            }
        }
        None => target.to_string(),
    }
}

pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Refuses a call whose parameter count differs from the statement's placeholders, with a
/// message that names the engine's placeholder syntax.
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql", feature = "mssql"))]
pub(crate) fn check_param_count(expected: usize, given: usize, placeholders: &str) -> dbdock_core::Result<()> {
    if expected == given {
        return Ok(());
    }
    Err(dbdock_core::Error::invalid_input(format!(
        "the statement has {expected} parameter placeholder(s) ({placeholders}) but {given} value(s) were given"
    )))
}

/// Collects decoded rows until a cap is reached. It is told about one row past a cap so
/// that `truncated` is a fact, not a guess.
pub(crate) struct RowCollector {
    limits: QueryOptions,
    pub rows: Vec<Vec<Value>>,
    bytes: usize,
    pub truncated: bool,
    /// Read every row to the end (keeping only what fits the caps), counting them in
    /// `seen`: a dry run's `RETURNING` rows are its row count.
    count_all: bool,
    pub seen: u64,
    /// The result sets after the first, where the engine reads them (`QueryResult::more`).
    pub more: Vec<dbdock_core::QueryResult>,
}

impl RowCollector {
    pub fn new(limits: QueryOptions) -> Self {
        RowCollector {
            limits,
            rows: Vec::new(),
            bytes: 0,
            truncated: false,
            count_all: false,
            seen: 0,
            more: Vec::new(),
        }
    }

    /// A collector with the same caps, for a later result set of the same statement.
    pub fn for_next_set(&self) -> Self {
        RowCollector::new(self.limits)
    }

    /// A collector that reads to the end and counts every row, keeping those under the caps.
    pub fn counting(limits: QueryOptions) -> Self {
        RowCollector { count_all: true, ..RowCollector::new(limits) }
    }

    /// The result: these rows under `columns`, timed from `started`.
    pub fn into_result(
        self,
        columns: Vec<dbdock_core::Column>,
        started: std::time::Instant,
    ) -> dbdock_core::QueryResult {
        dbdock_core::QueryResult {
            columns,
            row_count: self.rows.len(),
            rows: self.rows,
            truncated: self.truncated,
            elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
            more: self.more,
        }
    }

    /// Offers the next row the server sent; returns whether to keep reading. A row past
    /// the row cap is not decoded: that it exists is what makes `truncated` true.
    pub fn offer(&mut self, decode: impl FnOnce() -> Vec<Value>) -> bool {
        self.seen += 1;
        if self.truncated || self.limits.max_rows.is_some_and(|m| self.rows.len() >= m) {
            self.truncated = true;
            return self.count_all;
        }
        self.push(decode()) || self.count_all
    }

    /// Adds a row; returns whether to keep reading.
    fn push(&mut self, mut row: Vec<Value>) -> bool {
        let size: usize = row.iter().map(|v| v.approx_size() + 1).sum::<usize>() + 2;
        if let Some(max) = self.limits.max_bytes
            && self.bytes + size > max
        {
            self.truncated = true;
            if self.rows.is_empty() {
                // One row alone is over the cap: send it cut, so the caller sees its shape.
                cut_row(&mut row, max);
                self.rows.push(row);
            }
            return false;
        }
        self.bytes += size;
        self.rows.push(row);
        true
    }
}

/// Shortens the long values of a row so that it fits in about `budget` bytes.
fn cut_row(row: &mut [Value], budget: usize) {
    let per_value = (budget / row.len().max(1)).max(16);
    for value in row.iter_mut() {
        if value.approx_size() <= per_value {
            continue;
        }
        *value = match std::mem::replace(value, Value::Null) {
            Value::Bytes(mut b) => {
                b.truncate(per_value / 2);
                Value::Bytes(b)
            }
            Value::Json(j) => Value::Text(cut_text(j.as_str(), per_value)),
            Value::Text(t) => Value::Text(cut_text(&t, per_value)),
            Value::Array(items) => Value::Json(JsonText::from_value(&serde_json::Value::String(cut_text(
                &serde_json::to_string(&items).unwrap_or_default(),
                per_value,
            )))),
            other => other,
        };
    }
}

fn cut_text(text: &str, max: usize) -> String {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…[cut: {} bytes in all]", &text[..end], text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_cap_reports_truncation_only_when_a_row_is_past_the_cap() {
        let limits = QueryOptions { max_rows: Some(2), ..QueryOptions::default() };
        // Exactly as many rows as the cap: all of them, not truncated.
        let mut c = RowCollector::new(limits);
        for i in 0..2 {
            assert!(c.offer(|| vec![Value::Int(i)]));
        }
        assert!(!c.truncated);
        // One more row arrives: it is not taken, and now the result is truncated.
        let mut decoded = false;
        assert!(!c.offer(|| {
            decoded = true;
            vec![Value::Int(2)]
        }));
        assert!(c.truncated && !decoded);
        assert_eq!(c.rows.len(), 2);
    }

    #[test]
    fn byte_cap_cuts_a_huge_single_value() {
        let limits = QueryOptions { max_bytes: Some(1024), ..QueryOptions::default() };
        let mut c = RowCollector::new(limits);
        let keep_going = c.offer(|| vec![Value::Int(1), Value::Text("é".repeat(5_000_000))]);
        assert!(!keep_going);
        assert!(c.truncated);
        let cell = c.rows[0][1].display_text().unwrap_or_default();
        assert!(cell.len() < 2048, "{}", cell.len());
        assert!(cell.ends_with("[cut: 10000000 bytes in all]"));
    }
}
