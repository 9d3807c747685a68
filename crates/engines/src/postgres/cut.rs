//! Long values cut by the server, not after they arrived: sqlx reads each row whole, so a
//! single `repeat('x', 900000000)` would cost DB Dock 900 MB before the byte cap could cut
//! it. Read-only queries under a byte cap are wrapped so that PostgreSQL sends any
//! variable-length value larger than the cap as its first characters plus a note of its
//! size, and everything else unchanged (docs/safety.md, "limits").

use dbdock_core::Value;
use sqlx::postgres::{PgRow, PgTypeInfo};
use sqlx::{Row, TypeInfo};

/// Where an original column's value is in the wrapped statement's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Slot {
    /// Sent as it is (a fixed-size type).
    Plain(usize),
    /// The value when it fits, else NULL; then the cut text in the next column.
    Cuttable(usize),
}

/// Types whose values have a fixed, small size: never worth a cut.
fn fixed_size(ty: &PgTypeInfo) -> bool {
    matches!(
        ty.name(),
        "BOOL"
            | "INT2"
            | "INT4"
            | "INT8"
            | "OID"
            | "FLOAT4"
            | "FLOAT8"
            | "MONEY"
            | "DATE"
            | "TIME"
            | "TIMETZ"
            | "TIMESTAMP"
            | "TIMESTAMPTZ"
            | "INTERVAL"
            | "UUID"
            | "\"CHAR\""
    )
}

/// The wrapped statement and where each original column went, or `None` when every
/// column is fixed-size (nothing to cut) or there are no columns.
pub(super) fn wrap(sql: &str, types: &[PgTypeInfo], cap: usize) -> Option<(String, Vec<Slot>)> {
    if types.is_empty() || types.iter().all(fixed_size) {
        return None;
    }
    // What is left of a cut value fits the row's share of the cap even at four bytes a
    // character, so the cap's own cutting (rows.rs) leaves it, and its size note, alone.
    let keep = (cap / (4 * types.len())).max(16);
    let mut select = Vec::with_capacity(types.len() * 2);
    let mut slots = Vec::with_capacity(types.len());
    for (i, ty) in types.iter().enumerate() {
        let c = format!("q.c{i}");
        if fixed_size(ty) {
            slots.push(Slot::Plain(select.len()));
            select.push(c);
        } else {
            slots.push(Slot::Cuttable(select.len()));
            // pg_column_size is the datum's size as it is held: no copy, no text output.
            select.push(format!("CASE WHEN pg_catalog.pg_column_size({c}) <= {cap} THEN {c} END"));
            select.push(format!(
                "CASE WHEN pg_catalog.pg_column_size({c}) > {cap} THEN pg_catalog.left({c}::text, {keep}) || '…[cut: ' \
                 || pg_catalog.octet_length({c}::text) || ' bytes in all]' END"
            ));
        }
    }
    let aliases: Vec<String> = (0..types.len()).map(|i| format!("c{i}")).collect();
    // The statement's own text is kept whole inside the parentheses, after a newline so
    // a trailing `--` comment in it cannot swallow the closing parenthesis.
    // The statement's own text is kept whole inside the parentheses, after a newline so
    // a trailing `--` comment in it cannot swallow the closing parenthesis.
    let body = sql.trim_end_matches([';', ' ', '\n', '\t', '\r']);
    // `OFFSET 0` keeps the planner from pulling the statement up into the outer SELECT,
    // which would compute each long value once per reference instead of once.
    let wrapped = format!(
        "SELECT {} FROM (SELECT * FROM (\n{body}\n) AS q0 OFFSET 0) AS q({})",
        select.join(", "),
        aliases.join(", ")
    );
    Some((wrapped, slots))
}

/// The original row from a wrapped one; `cut` is set when the server cut a value.
pub(super) fn decode(
    row: &PgRow,
    slots: &[Slot],
    decode_value: impl Fn(&PgRow, usize) -> Value,
    cut: &mut bool,
) -> Vec<Value> {
    slots
        .iter()
        .map(|slot| match *slot {
            Slot::Plain(i) => decode_value(row, i),
            Slot::Cuttable(i) => match decode_value(row, i) {
                Value::Null => match row.try_get::<Option<String>, _>(i + 1) {
                    Ok(Some(text)) => {
                        *cut = true;
                        Value::Text(text)
                    }
                    _ => Value::Null,
                },
                value => value,
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_variable_length_columns_are_wrapped() {
        let types = [PgTypeInfo::with_name("INT4"), PgTypeInfo::with_name("TEXT")];
        assert_eq!(wrap("SELECT 1", &types[..1], 10), None);
        let (sql, slots) = wrap("SELECT 1, 'x' -- note", &types, 10).expect("wrapped");
        assert_eq!(slots, vec![Slot::Plain(0), Slot::Cuttable(1)]);
        assert!(sql.starts_with("SELECT q.c0, CASE WHEN pg_catalog.pg_column_size(q.c1) <= 10 THEN q.c1 END"), "{sql}");
        assert!(sql.ends_with("FROM (SELECT * FROM (\nSELECT 1, 'x' -- note\n) AS q0 OFFSET 0) AS q(c0, c1)"), "{sql}");
    }
}
