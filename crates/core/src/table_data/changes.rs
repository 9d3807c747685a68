//! Staged row changes as statements: one per row, `UPDATE` and `DELETE` keyed by the
//! row's key as it was read and guarded by the original values of the columns an `UPDATE`
//! edits, so each must match exactly one row or the change set is rolled back.

use super::{Builder, GuardedStatement, cell, column, dialect, qualified_name, row_key};
use crate::{Dialect, Error, Result, TableInfo, Value};

/// What goes into a cell.
#[derive(Debug, Clone, PartialEq)]
pub enum CellInput {
    Value(Value),
    /// The column's default (`DEFAULT`), as the server defines it.
    Default,
}

/// One row's staged change. `original` rows are aligned with the table's columns, as the
/// page read them.
#[derive(Debug, Clone, PartialEq)]
pub enum RowChange {
    Update { original: Vec<Value>, set: Vec<(String, CellInput)> },
    Insert { values: Vec<(String, CellInput)> },
    Delete { original: Vec<Value> },
}

/// The statements that apply `changes` to `table`, in order.
pub fn plan_changes(dialect: Dialect, table: &TableInfo, changes: &[RowChange]) -> Result<Vec<GuardedStatement>> {
    let key = row_key(table).map_err(Error::invalid_input)?;
    changes.iter().map(|change| plan_change(dialect, table, &key, change)).collect()
}

fn plan_change(dialect: Dialect, table: &TableInfo, key: &[String], change: &RowChange) -> Result<GuardedStatement> {
    let mut b = Builder::new(dialect);
    let name = qualified_name(dialect, table);
    match change {
        RowChange::Insert { values } => {
            let given: Vec<&(String, CellInput)> =
                values.iter().filter(|(_, input)| !matches!(input, CellInput::Default)).collect();
            if given.is_empty() {
                b.push(&match dialect {
                    Dialect::Mysql => format!("INSERT INTO {name} () VALUES ()"),
                    _ => format!("INSERT INTO {name} DEFAULT VALUES"),
                });
            } else {
                let mut names = Vec::new();
                let mut sql = Vec::new();
                let mut shown = Vec::new();
                for (col_name, input) in given {
                    let col = column(table, col_name)?;
                    let CellInput::Value(value) = input else { continue };
                    names.push(dialect::quote(dialect, &col.name));
                    let (v, d) = b.stored(col, value);
                    sql.push(v);
                    shown.push(d);
                }
                b.push(&format!("INSERT INTO {name} ({}) VALUES (", names.join(", ")));
                b.push_pair((sql.join(", "), shown.join(", ")));
                b.push(")");
            }
        }
        RowChange::Update { original, set } => {
            if set.is_empty() {
                return Err(Error::invalid_input("an update must set at least one column"));
            }
            b.push(&format!("UPDATE {name} SET "));
            for (i, (col_name, input)) in set.iter().enumerate() {
                let col = column(table, col_name)?;
                if i > 0 {
                    b.push(", ");
                }
                b.push(&format!("{} = ", dialect::quote(dialect, &col.name)));
                match input {
                    CellInput::Value(value) => {
                        let pair = b.stored(col, value);
                        b.push_pair(pair);
                    }
                    CellInput::Default => b.push(&default_expression(dialect, col)),
                }
            }
            // The key is compared by `where_row` already; the other edited columns are guarded.
            let guarded: Vec<&str> =
                set.iter().map(|(c, _)| c.as_str()).filter(|c| !key.iter().any(|k| k == c)).collect();
            where_row(&mut b, table, key, original, &guarded)?;
        }
        RowChange::Delete { original } => {
            b.push(&format!("DELETE FROM {name}"));
            where_row(&mut b, table, key, original, &[])?;
        }
    }
    Ok(GuardedStatement { statement: b.finish(), expect_rows: Some(1) })
}

/// ` WHERE` the key equals the original row's, and each `guarded` column still holds
/// its original value. Key columns are compared as the server orders them (so the key's
/// index serves the lookup); guarded columns are compared exactly (bytes, not collation).
fn where_row(b: &mut Builder, table: &TableInfo, key: &[String], original: &[Value], guarded: &[&str]) -> Result<()> {
    let mut tests = Vec::new();
    for name in key {
        let col = column(table, name)?;
        let value = cell(table, original, name)?;
        if value.is_null() {
            return Err(Error::invalid_input(format!("the row's key column {name} is NULL: reload the table")));
        }
        let (v, d) = b.value(col, value);
        let quoted = dialect::quote(b.dialect, name);
        tests.push((format!("{quoted} = {v}"), format!("{quoted} = {d}")));
    }
    for name in guarded {
        let col = column(table, name)?;
        tests.push(b.equals(col, cell(table, original, name)?));
    }
    let (sql, display): (Vec<String>, Vec<String>) = tests.into_iter().unzip();
    b.push_pair((format!(" WHERE {}", sql.join(" AND ")), format!(" WHERE {}", display.join(" AND "))));
    Ok(())
}

/// `DEFAULT` where the dialect allows it in an `UPDATE`. SQLite does not: there the
/// column's declared default expression (from the catalog) stands in, or NULL.
fn default_expression(dialect: Dialect, col: &crate::ColumnInfo) -> String {
    match dialect {
        Dialect::Sqlite => match &col.default {
            Some(expr) => format!("({expr})"),
            None => "NULL".to_owned(),
        },
        _ => "DEFAULT".to_owned(),
    }
}
