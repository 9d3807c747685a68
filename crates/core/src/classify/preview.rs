//! How to preview a write before the user approves it (docs/safety.md, "Approval"): the
//! statement the dry run sends (with `RETURNING *` added where the engine returns changed
//! rows), the read that shows the rows it will touch before it runs, and whether it may be
//! dry-run at all (MySQL and MariaDB commit DDL implicitly, so there only plain DML is).

use std::ops::ControlFlow;

use sqlparser::ast::Value as SqlValue;
use sqlparser::ast::{
    Delete, Expr, FromTable, SelectItem, Statement, TableFactor, TableWithJoins, Update, Visit, Visitor,
    WildcardAdditionalOptions,
};

use super::Dialect;
use super::syntax::parse;
use crate::PREVIEW_ROWS;

/// What a preview of one write statement runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewSql {
    /// The statement may run inside a transaction that is rolled back. False where the
    /// engine would commit it implicitly (DDL on MySQL/MariaDB) or it cannot be read.
    pub transactional: bool,
    /// The statement the dry run sends: the text as given, or the same statement with
    /// `RETURNING *` so the dry run reports the rows as it left them.
    pub dry_run: String,
    /// `dry_run` returns the changed rows (its row count is then the rows affected).
    pub returns_rows: bool,
    /// A read of the rows the statement will change, run before it in the same
    /// transaction, and which of the call's parameters it takes (0-based, in order).
    pub before: Option<(String, Vec<usize>)>,
    /// What the preview cannot show, for the person deciding.
    pub note: Option<String>,
}

/// Plans the preview of `sql`. `returning`: the engine takes `RETURNING *` on
/// INSERT/UPDATE/DELETE (PostgreSQL, SQLite).
pub fn plan_preview(dialect: Dialect, sql: &str, returning: bool) -> PreviewSql {
    let as_given = |transactional: bool, note: &str| PreviewSql {
        transactional,
        dry_run: sql.to_owned(),
        returns_rows: false,
        before: None,
        note: Some(note.to_owned()),
    };
    let Ok(mut statements) = parse(dialect, sql) else {
        return match dialect {
            Dialect::Mysql => as_given(false, "DB Dock cannot read this statement, so it is not dry-run here"),
            _ => as_given(true, "DB Dock cannot read this statement: only its row count is shown"),
        };
    };
    let [statement] = statements.as_mut_slice() else {
        return as_given(false, "more than one statement: not dry-run");
    };
    let dml = matches!(statement, Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_));
    if !dml {
        return match dialect {
            Dialect::Mysql => as_given(
                false,
                "cannot be previewed: MySQL and MariaDB commit this kind of statement implicitly, so it is not dry-run",
            ),
            _ => as_given(true, "not a row change: the dry run shows only whether it succeeds"),
        };
    }
    let before = before_read(dialect, statement);
    let (before, mut note) = match before {
        Ok(before) => (before, None),
        Err(why) => (None, Some(why)),
    };
    let returning_slot = match statement {
        Statement::Insert(insert) => &mut insert.returning,
        Statement::Update(update) => &mut update.returning,
        Statement::Delete(delete) => &mut delete.returning,
        _ => return as_given(true, "not a row change: the dry run shows only whether it succeeds"),
    };
    let returns_rows = returning;
    if returning {
        returning_slot.get_or_insert_with(|| vec![SelectItem::Wildcard(WildcardAdditionalOptions::default())]);
    } else if !matches!(statement, Statement::Delete(_)) {
        let missing = "values after the change are not shown on this engine (it has no RETURNING for this statement)";
        note = Some(note.map_or_else(|| missing.to_owned(), |n| format!("{n}; {missing}")));
    }
    let dry_run = if returns_rows { statement.to_string() } else { sql.to_owned() };
    PreviewSql { transactional: true, dry_run, returns_rows, before, note }
}

/// `SELECT * FROM <table> WHERE <the statement's WHERE> LIMIT n` for a single-table UPDATE
/// or DELETE, with the statement's placeholders renumbered for it.
fn before_read(dialect: Dialect, statement: &Statement) -> Result<Option<(String, Vec<usize>)>, String> {
    let (table, selection) = match statement {
        Statement::Insert(_) => return Ok(None),
        Statement::Update(Update { table, from: None, selection, returning, order_by, limit, .. })
            if returning.is_none() && order_by.is_empty() && limit.is_none() =>
        {
            (single_table(std::slice::from_ref(table)), selection)
        }
        Statement::Delete(Delete { tables, from, using: None, selection, returning, order_by, limit, .. })
            if tables.is_empty() && returning.is_none() && order_by.is_empty() && limit.is_none() =>
        {
            let (FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from)) = from;
            (single_table(from), selection)
        }
        _ => return Err("the rows before the change are shown only for a plain single-table UPDATE or DELETE".into()),
    };
    let table = table.ok_or("the rows before the change are shown only for a single-table statement")?;
    let positions = placeholders(statement)?;
    let Some(selection) = selection else {
        return Ok(Some((format!("SELECT * FROM {table} LIMIT {}", PREVIEW_ROWS + 1), Vec::new())));
    };
    let mut selection = selection.clone();
    let in_where = placeholders(&selection)?;
    // Positional `?` marks: the WHERE's are the statement's last ones (nothing after the
    // WHERE takes a parameter: ORDER BY, LIMIT and RETURNING were ruled out above).
    let taken: Vec<usize> = match in_where.first() {
        Some(Mark::Positional) => (positions.len() - in_where.len()..positions.len()).collect(),
        _ => in_where.iter().filter_map(|m| if let Mark::Numbered(n) = m { Some(n - 1) } else { None }).collect(),
    };
    let mut next = 0usize;
    let _ = sqlparser::ast::visit_expressions_mut(&mut selection, |expr| {
        if let Expr::Value(v) = expr
            && let SqlValue::Placeholder(p) = &mut v.value
        {
            next += 1;
            *p = match dialect {
                Dialect::Postgres => format!("${next}"),
                _ => "?".to_owned(),
            };
        }
        ControlFlow::<()>::Continue(())
    });
    Ok(Some((format!("SELECT * FROM {table} WHERE {selection} LIMIT {}", PREVIEW_ROWS + 1), taken)))
}

fn single_table(from: &[TableWithJoins]) -> Option<String> {
    match from {
        [TableWithJoins { relation: relation @ TableFactor::Table { .. }, joins }] if joins.is_empty() => {
            Some(relation.to_string())
        }
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Positional,
    /// `$n` or `?n`, 1-based.
    Numbered(usize),
}

/// The parameter marks in `node`, in order; named marks (`:name`, `@name`) or a mix of
/// styles are not sampled.
fn placeholders(node: &impl Visit) -> Result<Vec<Mark>, String> {
    struct Marks(Vec<Mark>, bool);
    impl Visitor for Marks {
        type Break = ();
        fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
            if let Expr::Value(v) = expr
                && let SqlValue::Placeholder(p) = &v.value
            {
                let number = p.get(1..).and_then(|n| n.parse::<usize>().ok()).filter(|n| *n > 0);
                match (p.as_str(), number) {
                    ("?", _) => self.0.push(Mark::Positional),
                    (_, Some(n)) if p.starts_with('$') || p.starts_with('?') => self.0.push(Mark::Numbered(n)),
                    _ => self.1 = true,
                }
            }
            ControlFlow::Continue(())
        }
    }
    let mut marks = Marks(Vec::new(), false);
    let _ = node.visit(&mut marks);
    let mixed = marks.0.windows(2).any(|w| std::mem::discriminant(&w[0]) != std::mem::discriminant(&w[1]));
    if marks.1 || mixed {
        return Err("the rows before the change are not shown for statements with named or mixed parameters".into());
    }
    Ok(marks.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_update_reads_its_rows_first_and_returns_them_after() {
        let plan = plan_preview(Dialect::Postgres, "UPDATE customers SET name = $1 WHERE id IN ($2, $3)", true);
        assert!(plan.transactional && plan.returns_rows, "{plan:?}");
        assert_eq!(plan.dry_run, "UPDATE customers SET name = $1 WHERE id IN ($2, $3) RETURNING *");
        assert_eq!(plan.before, Some(("SELECT * FROM customers WHERE id IN ($1, $2) LIMIT 21".into(), vec![1, 2])));
    }

    #[test]
    fn positional_marks_of_the_where_are_the_last_ones() {
        let plan = plan_preview(Dialect::Mysql, "UPDATE t AS x SET a = ?, b = ? WHERE x.id = ?", false);
        assert_eq!(plan.before, Some(("SELECT * FROM t AS x WHERE x.id = ? LIMIT 21".into(), vec![2])));
        assert!(
            !plan.returns_rows && plan.note.as_deref().is_some_and(|n| n.contains("after the change are not shown"))
        );
        let plan = plan_preview(Dialect::Sqlite, "DELETE FROM t WHERE a = ? AND b = ?", true);
        assert_eq!(plan.before, Some(("SELECT * FROM t WHERE a = ? AND b = ? LIMIT 21".into(), vec![0, 1])));
        assert_eq!(plan.dry_run, "DELETE FROM t WHERE a = ? AND b = ? RETURNING *");
    }

    #[test]
    fn ddl_is_not_dry_run_where_it_commits_implicitly() {
        let plan = plan_preview(Dialect::Mysql, "ALTER TABLE t ADD COLUMN c int", false);
        assert!(!plan.transactional && plan.note.as_deref().is_some_and(|n| n.contains("cannot be previewed")));
        let plan = plan_preview(Dialect::Postgres, "ALTER TABLE t ADD COLUMN c int", true);
        assert!(plan.transactional && !plan.returns_rows && plan.before.is_none());
        assert_eq!(plan.dry_run, "ALTER TABLE t ADD COLUMN c int");
    }

    #[test]
    fn joins_and_named_marks_get_no_before_rows() {
        let plan = plan_preview(Dialect::Postgres, "UPDATE t SET a = 1 FROM u WHERE t.id = u.id", true);
        assert!(plan.before.is_none() && plan.note.is_some(), "{plan:?}");
        let plan = plan_preview(Dialect::Sqlite, "UPDATE t SET a = 1 WHERE id = :id", true);
        assert!(plan.before.is_none() && plan.note.as_deref().is_some_and(|n| n.contains("named")), "{plan:?}");
        let plan = plan_preview(Dialect::Postgres, "INSERT INTO t VALUES (1)", true);
        assert!(plan.before.is_none() && plan.returns_rows && plan.note.is_none(), "{plan:?}");
    }
}
