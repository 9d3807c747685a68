//! A page of a table: filters compiled to a parameterized `WHERE`, the order the user
//! chose completed by the row key (so the order is total), and keyset paging — the next
//! page starts after the last row's order values, so page 5,000 costs what page 1 does.
//! Where keyset cannot be exact (no key, or a sort column that may be NULL), pages are
//! read by OFFSET and the plan says why.

use serde::{Deserialize, Serialize};

use super::{Builder, SqlStatement, column, dialect, qualified_name, row_key};
use crate::{Dialect, Error, Result, TableInfo, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum FilterOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Like,
    NotLike,
    In,
    Between,
    IsNull,
    IsNotNull,
}

impl FilterOp {
    /// How many values the operator takes (`None`: one or more).
    fn arity(self) -> Option<usize> {
        match self {
            FilterOp::IsNull | FilterOp::IsNotNull => Some(0),
            FilterOp::Between => Some(2),
            FilterOp::In => None,
            _ => Some(1),
        }
    }

    fn comparison(self) -> Option<&'static str> {
        Some(match self {
            FilterOp::Eq => "=",
            FilterOp::Ne => "<>",
            FilterOp::Lt => "<",
            FilterOp::Le => "<=",
            FilterOp::Gt => ">",
            FilterOp::Ge => ">=",
            _ => return None,
        })
    }
}

/// One condition of the filter bar. Values are the text the user typed; the server
/// converts each to the column's type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ColumnFilter {
    pub column: String,
    pub op: FilterOp,
    #[serde(default)]
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SortKey {
    pub column: String,
    #[serde(default)]
    pub descending: bool,
}

/// Which page to read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PageRequest {
    pub filters: Vec<ColumnFilter>,
    pub sort: Vec<SortKey>,
    /// Keyset paging: the values, in [`PagePlan::order`]'s columns, of the last row of
    /// the page before. `None` for the first page.
    pub after: Option<Vec<Value>>,
    /// OFFSET paging (only when the plan says keyset is not possible): rows to skip.
    pub offset: u64,
    pub limit: u32,
}

/// How pages are read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Paging {
    pub keyset: bool,
    /// Why pages are read by OFFSET (later pages cost more), when they are.
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PagePlan {
    pub statement: SqlStatement,
    /// The complete order: the user's sort, then the key's columns it did not name.
    pub order: Vec<SortKey>,
    pub paging: Paging,
    /// The filter alone (`WHERE …` or empty), with its values as literals, to show.
    pub filter_display: String,
}

/// The statement that reads one page of `table`, all its columns in catalog order.
pub fn plan_page(dialect: Dialect, table: &TableInfo, request: &PageRequest) -> Result<PagePlan> {
    if request.limit == 0 {
        return Err(Error::invalid_input("a page holds at least one row"));
    }
    for key in &request.sort {
        column(table, &key.column)?;
    }
    let key = row_key(table).ok();
    let mut order = request.sort.clone();
    for name in key.iter().flatten() {
        if !order.iter().any(|k| &k.column == name) {
            order.push(SortKey { column: name.clone(), descending: false });
        }
    }
    let nullable = order.iter().find(|k| table.columns.iter().any(|c| c.name == k.column && c.nullable));
    let paging = match (&key, nullable) {
        (None, _) => Paging {
            keyset: false,
            note: Some(format!(
                "{} has no primary or unique key: pages are read by OFFSET, so later pages take longer",
                table.name
            )),
        },
        (Some(_), Some(k)) => Paging {
            keyset: false,
            note: Some(format!(
                "sorted by {}, which may be NULL: pages are read by OFFSET, so later pages take longer",
                k.column
            )),
        },
        (Some(_), None) => Paging { keyset: true, note: None },
    };

    let mut b = Builder::new(dialect);
    let columns: Vec<String> = table.columns.iter().map(|c| dialect::quote(dialect, &c.name)).collect();
    b.push(&format!("SELECT {} FROM {}", columns.join(", "), qualified_name(dialect, table)));
    let mut conditions = filter_conditions(&mut b, table, &request.filters)?;
    let filter_display = where_clause(&conditions.iter().map(|(_, d)| d.clone()).collect::<Vec<_>>());
    if paging.keyset
        && let Some(after) = &request.after
    {
        conditions.push(keyset_condition(&mut b, table, &order, after)?);
    }
    let (sql_where, display_where): (Vec<String>, Vec<String>) = conditions.into_iter().unzip();
    b.sql.push_str(&where_clause(&sql_where));
    b.display.push_str(&where_clause(&display_where));
    let order_text: Vec<String> = order
        .iter()
        .map(|k| format!("{}{}", dialect::quote(dialect, &k.column), if k.descending { " DESC" } else { "" }))
        .collect();
    let offset = if paging.keyset { 0 } else { request.offset };
    match dialect {
        Dialect::Mssql => {
            let by = if order_text.is_empty() { "(SELECT NULL)".to_owned() } else { order_text.join(", ") };
            b.push(&format!(" ORDER BY {by} OFFSET {offset} ROWS FETCH NEXT {} ROWS ONLY", request.limit));
        }
        _ => {
            if !order_text.is_empty() {
                b.push(&format!(" ORDER BY {}", order_text.join(", ")));
            }
            b.push(&format!(" LIMIT {}", request.limit));
            if offset > 0 {
                b.push(&format!(" OFFSET {offset}"));
            }
        }
    }
    Ok(PagePlan { statement: b.finish(), order, paging, filter_display })
}

/// `SELECT COUNT(*)` of the rows the filters let through.
pub fn count_rows(dialect: Dialect, table: &TableInfo, filters: &[ColumnFilter]) -> Result<SqlStatement> {
    let mut b = Builder::new(dialect);
    b.push(&format!("SELECT COUNT(*) FROM {}", qualified_name(dialect, table)));
    let (sql, display): (Vec<String>, Vec<String>) = filter_conditions(&mut b, table, filters)?.into_iter().unzip();
    b.sql.push_str(&where_clause(&sql));
    b.display.push_str(&where_clause(&display));
    Ok(b.finish())
}

fn where_clause(conditions: &[String]) -> String {
    if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) }
}

fn filter_conditions(b: &mut Builder, table: &TableInfo, filters: &[ColumnFilter]) -> Result<Vec<(String, String)>> {
    filters.iter().map(|f| filter_condition(b, table, f)).collect()
}

fn filter_condition(b: &mut Builder, table: &TableInfo, filter: &ColumnFilter) -> Result<(String, String)> {
    let col = column(table, &filter.column)?;
    let count = filter.values.len();
    match filter.op.arity() {
        Some(n) if n != count => {
            return Err(Error::invalid_input(format!(
                "the filter on {} takes {n} value{}, not {count}",
                filter.column,
                if n == 1 { "" } else { "s" }
            )));
        }
        None if count == 0 => {
            return Err(Error::invalid_input(format!("the IN filter on {} needs at least one value", filter.column)));
        }
        _ => {}
    }
    let name = dialect::quote(b.dialect, &col.name);
    let values: Vec<Value> = filter.values.iter().map(|v| Value::Text(v.clone())).collect();
    let pair = |sql: String| (sql.clone(), sql);
    Ok(match filter.op {
        FilterOp::IsNull => pair(format!("{name} IS NULL")),
        FilterOp::IsNotNull => pair(format!("{name} IS NOT NULL")),
        FilterOp::Like | FilterOp::NotLike => {
            let not = if filter.op == FilterOp::NotLike { "NOT " } else { "" };
            let left = match b.dialect {
                Dialect::Postgres => format!("CAST({name} AS text)"),
                Dialect::Mssql => format!("CAST({name} AS nvarchar(max))"),
                Dialect::Mysql | Dialect::Sqlite => name,
            };
            let (p, l) = b.param(serde_json::Value::String(filter.values[0].clone()));
            (format!("{left} {not}LIKE {p}"), format!("{left} {not}LIKE {l}"))
        }
        FilterOp::In => {
            let (sql, display): (Vec<String>, Vec<String>) = values.iter().map(|v| b.value(col, v)).unzip();
            (format!("{name} IN ({})", sql.join(", ")), format!("{name} IN ({})", display.join(", ")))
        }
        FilterOp::Between => {
            let (lo, lo_d) = b.value(col, &values[0]);
            let (hi, hi_d) = b.value(col, &values[1]);
            (format!("{name} BETWEEN {lo} AND {hi}"), format!("{name} BETWEEN {lo_d} AND {hi_d}"))
        }
        op => {
            let symbol = op.comparison().unwrap_or("=");
            let (v, d) = b.value(col, &values[0]);
            (format!("{name} {symbol} {v}"), format!("{name} {symbol} {d}"))
        }
    })
}

/// Rows after `after` in `order`: a row-value comparison where the server has them and
/// every key runs one way, else `(a > ?) OR (a = ? AND b > ?) …`.
fn keyset_condition(
    b: &mut Builder,
    table: &TableInfo,
    order: &[SortKey],
    after: &[Value],
) -> Result<(String, String)> {
    if after.len() != order.len() {
        return Err(Error::invalid_input(format!(
            "the page cursor has {} values for an order of {} columns: reload the table",
            after.len(),
            order.len()
        )));
    }
    let columns = order.iter().map(|k| column(table, &k.column)).collect::<Result<Vec<_>>>()?;
    let names: Vec<String> = columns.iter().map(|c| dialect::quote(b.dialect, &c.name)).collect();
    let direction = |k: &SortKey| if k.descending { "<" } else { ">" };
    let uniform = order.iter().all(|k| k.descending == order[0].descending);
    if uniform && order.len() > 1 && matches!(b.dialect, Dialect::Postgres | Dialect::Sqlite) {
        let (values, shown): (Vec<String>, Vec<String>) = columns.iter().zip(after).map(|(c, v)| b.value(c, v)).unzip();
        let op = direction(&order[0]);
        let left = names.join(", ");
        return Ok((format!("({left}) {op} ({})", values.join(", ")), format!("({left}) {op} ({})", shown.join(", "))));
    }
    let mut alternatives = Vec::new();
    for i in 0..order.len() {
        let mut terms = Vec::new();
        for j in 0..i {
            let (v, d) = b.value(columns[j], &after[j]);
            terms.push((format!("{} = {v}", names[j]), format!("{} = {d}", names[j])));
        }
        let (v, d) = b.value(columns[i], &after[i]);
        let op = direction(&order[i]);
        terms.push((format!("{} {op} {v}", names[i]), format!("{} {op} {d}", names[i])));
        let (sql, display): (Vec<String>, Vec<String>) = terms.into_iter().unzip();
        alternatives.push((format!("({})", sql.join(" AND ")), format!("({})", display.join(" AND "))));
    }
    let (sql, display): (Vec<String>, Vec<String>) = alternatives.into_iter().unzip();
    Ok((format!("({})", sql.join(" OR ")), format!("({})", display.join(" OR "))))
}
