//! The statements of the data editor (docs/data-editor.md): a page of a table's rows
//! (filtered, sorted, paged by keyset where the order allows it), an exact count, and the
//! staged changes to rows as parameterized `INSERT`/`UPDATE`/`DELETE` statements, each
//! `UPDATE` and `DELETE` keyed by the row's key and guarded by the original values of the
//! columns it edits, so a row someone else changed since it was read matches no row.
//!
//! Everything here is text generation from the table's catalog description
//! ([`TableInfo`]); the engines run the statements ([`crate::Database::apply_changes`]).
//! Values travel as parameters, never spliced into the text, and each is converted to
//! its column's type by the server ([`dialect`]), so decimals, 64-bit integers, bytes and
//! times stay exact.

mod changes;
mod dialect;
mod page;
#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::{ColumnInfo, Dialect, Error, Result, TableInfo, Value};

pub use changes::{CellInput, RowChange, plan_changes};
pub use page::{ColumnFilter, FilterOp, PagePlan, PageRequest, Paging, SortKey, count_rows, plan_page};

/// One statement and its parameters (in placeholder order).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SqlStatement {
    pub sql: String,
    pub params: Vec<serde_json::Value>,
    /// The same statement with the values written as literals, for people to read (and
    /// to open in a query tab); what runs is `sql` with `params`.
    pub display: String,
}

/// One statement of a change set and the rows it must affect: an `UPDATE` or `DELETE`
/// keyed and guarded to one row expects exactly one; any other count is a conflict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GuardedStatement {
    pub statement: SqlStatement,
    pub expect_rows: Option<u64>,
}

/// What running a change set did. It committed only when every statement ran and none
/// conflicted; otherwise it was rolled back whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ChangeOutcome {
    pub committed: bool,
    /// Rows each statement affected, in order (only the ones that ran). (Typed as 32-bit
    /// for TypeScript, where it is a plain number: an edit's statement touches one row.)
    #[cfg_attr(feature = "specta", specta(type = Vec<u32>))]
    pub rows_affected: Vec<u64>,
    /// The statements (by index) that did not affect the rows they expected: their rows
    /// changed or went away since they were read.
    pub conflicts: Vec<u32>,
}

/// The key that identifies a row for editing: the primary key, else a unique index
/// whose columns are all `NOT NULL`. `Err` says why the table cannot be edited.
pub fn row_key(table: &TableInfo) -> std::result::Result<Vec<String>, String> {
    if !matches!(table.kind, crate::TableKind::Table | crate::TableKind::PartitionedTable) {
        return Err(format!("{} is a {}, not a table: its rows are read-only here", table.name, table.kind.as_str()));
    }
    if !table.primary_key.is_empty() {
        return Ok(table.primary_key.clone());
    }
    let not_null = |name: &String| table.columns.iter().any(|c| &c.name == name && !c.nullable);
    table
        .indexes
        .iter()
        .filter(|i| i.unique && !i.columns.is_empty() && i.columns.iter().all(not_null))
        .min_by_key(|i| i.columns.len())
        .map(|i| i.columns.clone())
        .ok_or_else(|| {
            format!(
                "{} has no primary key and no unique key on NOT NULL columns, so a row cannot be told apart from an \
                 identical one: its rows are read-only here",
                table.name
            )
        })
}

/// The table's name as the dialect writes it, qualified by its schema.
pub fn qualified_name(dialect: Dialect, table: &TableInfo) -> String {
    match &table.schema {
        Some(schema) => format!("{}.{}", dialect::quote(dialect, schema), dialect::quote(dialect, &table.name)),
        None => dialect::quote(dialect, &table.name),
    }
}

fn column<'a>(table: &'a TableInfo, name: &str) -> Result<&'a ColumnInfo> {
    table
        .columns
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| Error::invalid_input(format!("{} has no column named '{name}'", table.name)))
}

/// The value a row holds in `name`, from a row aligned with `table.columns`.
fn cell<'a>(table: &TableInfo, row: &'a [Value], name: &str) -> Result<&'a Value> {
    let at = table.columns.iter().position(|c| c.name == name);
    at.and_then(|i| row.get(i)).ok_or_else(|| {
        Error::invalid_input(format!(
            "the original row has {} values for {} columns: reload the table",
            row.len(),
            table.columns.len()
        ))
    })
}

/// Builds one statement twice over: with placeholders (what runs) and with the values
/// written as literals (what a person reads in Review, or opens in a query tab).
struct Builder {
    dialect: Dialect,
    sql: String,
    display: String,
    params: Vec<serde_json::Value>,
}

impl Builder {
    fn new(dialect: Dialect) -> Self {
        Builder { dialect, sql: String::new(), display: String::new(), params: Vec::new() }
    }

    fn push(&mut self, text: &str) {
        self.sql.push_str(text);
        self.display.push_str(text);
    }

    fn push_pair(&mut self, (sql, display): (String, String)) {
        self.sql.push_str(&sql);
        self.display.push_str(&display);
    }

    /// Adds `value` as the next parameter: its placeholder and its literal.
    fn param(&mut self, value: serde_json::Value) -> (String, String) {
        let literal = dialect::literal(self.dialect, &value);
        self.params.push(value);
        (dialect::placeholder(self.dialect, self.params.len()), literal)
    }

    /// `value` converted on the server to `column`'s type: an expression to use where a
    /// value of that column goes.
    fn value(&mut self, column: &ColumnInfo, value: &Value) -> (String, String) {
        self.typed(column, value, false)
    }

    /// `value` as it is stored into `column` (`SET`, `INSERT`): the column's own rules
    /// decide, so a value too long for it is refused, never cut.
    fn stored(&mut self, column: &ColumnInfo, value: &Value) -> (String, String) {
        self.typed(column, value, true)
    }

    fn typed(&mut self, column: &ColumnInfo, value: &Value, assign: bool) -> (String, String) {
        let (wrap, param) = dialect::typed(self.dialect, column, value, assign);
        let (placeholder, literal) = self.param(param);
        (wrap.apply(&placeholder), wrap.apply(&literal))
    }

    /// A test that `column` still holds `value` (`IS NULL` for NULL), compared exactly.
    fn equals(&mut self, column: &ColumnInfo, value: &Value) -> (String, String) {
        let name = dialect::quote(self.dialect, &column.name);
        if value.is_null() {
            let test = format!("{name} IS NULL");
            return (test.clone(), test);
        }
        let (left, right, param) = dialect::compared(self.dialect, column, value);
        let (placeholder, literal) = self.param(param);
        let left = left.apply(&name);
        (format!("{left} = {}", right.apply(&placeholder)), format!("{left} = {}", right.apply(&literal)))
    }

    fn finish(self) -> SqlStatement {
        SqlStatement { sql: self.sql, params: self.params, display: self.display }
    }
}
