//! The parser half of the statement check: sqlparser reads the text with the dialect's own
//! grammar, and the tree must be one statement of a reading kind with no write, lock,
//! `INTO` or variable assignment anywhere inside it. It also lists the functions the
//! statement calls, for engines that judge functions by their catalog (docs/safety.md,
//! "function policy").

use std::collections::BTreeSet;
use std::ops::ControlFlow;

use sqlparser::ast::{
    BinaryOperator, Expr, ObjectName, ObjectNamePart, Query, Select, Statement, TableFactor, Visit, Visitor,
};
use sqlparser::dialect::{MsSqlDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

use super::lexer::{REPORTING_PRAGMAS, SETTING_PRAGMAS, forbidden_function, violation};
use super::{Dialect, FunctionName, ReadCheck};
use crate::{Error, Result};

/// Deep enough for any query a person writes; deeper text is refused, not parsed.
const RECURSION_LIMIT: usize = 64;

pub(super) fn check_statement(dialect: Dialect, sql: &str) -> Result<ReadCheck> {
    let statements = parse(dialect, sql)?;
    let statement = match statements.as_slice() {
        [one] => one,
        [] => return Err(Error::invalid_input("the statement is empty")),
        many => {
            return Err(violation(format!("the parser found {} statements; send one statement per call", many.len())));
        }
    };
    check_top(dialect, statement)?;
    let mut walker = Walker { dialect, statements: 0, functions: BTreeSet::new() };
    if let ControlFlow::Break(e) = statement.visit(&mut walker) {
        return Err(e);
    }
    Ok(ReadCheck {
        functions: walker.functions.into_iter().collect(),
        is_query: matches!(statement, Statement::Query(_)),
    })
}

pub(super) fn parse(dialect: Dialect, sql: &str) -> Result<Vec<Statement>> {
    let parsed = match dialect {
        Dialect::Postgres => parser(&PostgreSqlDialect {}, sql),
        Dialect::Mysql => parser(&MySqlDialect {}, sql),
        Dialect::Sqlite => parser(&SQLiteDialect {}, sql),
        Dialect::Mssql => parser(&MsSqlDialect {}, sql),
    };
    parsed.map_err(|e| {
        Error::invalid_input(format!(
            "DB Dock cannot read this statement ({e}); on a read-only connection only statements it can parse are run"
        ))
    })
}

fn parser(dialect: &dyn sqlparser::dialect::Dialect, sql: &str) -> Result<Vec<Statement>, String> {
    Parser::new(dialect)
        .with_recursion_limit(RECURSION_LIMIT)
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_statements())
        .map_err(|e| e.to_string())
}

/// The statement kinds a read-only call may be.
fn check_top(dialect: Dialect, statement: &Statement) -> Result<()> {
    match statement {
        Statement::Query(_) | Statement::ExplainTable { .. } => Ok(()),
        Statement::Explain { statement, .. } => match statement.as_ref() {
            Statement::Query(_) => Ok(()),
            _ => Err(violation("EXPLAIN of a statement that is not a query".into())),
        },
        Statement::ShowFunctions { .. }
        | Statement::ShowVariable { .. }
        | Statement::ShowStatus { .. }
        | Statement::ShowVariables { .. }
        | Statement::ShowCreate { .. }
        | Statement::ShowColumns { .. }
        | Statement::ShowCatalogs { .. }
        | Statement::ShowDatabases { .. }
        | Statement::ShowProcessList { .. }
        | Statement::ShowSchemas { .. }
        | Statement::ShowCharset(_)
        | Statement::ShowObjects(_)
        | Statement::ShowTables { .. }
        | Statement::ShowViews { .. }
        | Statement::ShowCollation { .. }
            if dialect != Dialect::Sqlite =>
        {
            Ok(())
        }
        Statement::Pragma { name, value, is_eq } if dialect == Dialect::Sqlite => {
            let pragma = name.0.last().and_then(ObjectNamePart::as_ident).map(|i| i.value.to_ascii_uppercase());
            let pragma = pragma.unwrap_or_default();
            let reads = (REPORTING_PRAGMAS.contains(&pragma.as_str()) && !is_eq)
                || (SETTING_PRAGMAS.contains(&pragma.as_str()) && value.is_none());
            if reads { Ok(()) } else { Err(violation(format!("PRAGMA {} changes a setting", pragma.to_lowercase()))) }
        }
        other => Err(violation(format!("the parser reads this as {}, which is not a read", statement_kind(other)))),
    }
}

/// The statement's leading words (`CREATE TABLE`, `SET`), for messages.
fn statement_kind(statement: &Statement) -> String {
    let text = statement.to_string();
    let words: Vec<&str> = text.split_whitespace().take(2).collect();
    format!("a {} statement", words.join(" "))
}

struct Walker {
    dialect: Dialect,
    statements: usize,
    functions: BTreeSet<FunctionName>,
}

impl Walker {
    fn call(&mut self, name: &ObjectName) -> ControlFlow<Error> {
        let parts: Vec<String> = name
            .0
            .iter()
            .map(|part| match part {
                ObjectNamePart::Identifier(ident) if ident.quote_style.is_some() => ident.value.clone(),
                ObjectNamePart::Identifier(ident) => ident.value.to_lowercase(),
                ObjectNamePart::Function(f) => f.name.value.to_lowercase(),
            })
            .collect();
        let Some((last, rest)) = parts.split_last() else { return ControlFlow::Continue(()) };
        if let Some(reason) = forbidden_function(self.dialect, last) {
            return ControlFlow::Break(violation(format!("{} {reason}", last.to_lowercase())));
        }
        self.functions.insert(FunctionName { schema: rest.last().cloned(), name: last.clone() });
        ControlFlow::Continue(())
    }
}

impl Visitor for Walker {
    type Break = Error;

    fn pre_visit_statement(&mut self, statement: &Statement) -> ControlFlow<Error> {
        self.statements += 1;
        // The top statement was judged by check_top; any statement inside it (a writable
        // CTE, EXPLAIN's subject) must be a plain query.
        if self.statements > 1 && !matches!(statement, Statement::Query(_)) {
            return ControlFlow::Break(violation(format!(
                "the statement contains {}, which changes data",
                statement_kind(statement)
            )));
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<Error> {
        if !query.locks.is_empty() {
            return ControlFlow::Break(violation("FOR UPDATE / FOR SHARE takes row locks".into()));
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_select(&mut self, select: &Select) -> ControlFlow<Error> {
        if select.into.is_some() {
            return ControlFlow::Break(violation("SELECT … INTO writes its result somewhere".into()));
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<Error> {
        match factor {
            TableFactor::Table { name, args: Some(_), .. } | TableFactor::Function { name, .. } => self.call(name),
            _ => ControlFlow::Continue(()),
        }
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<Error> {
        match expr {
            Expr::Function(function) => self.call(&function.name),
            Expr::BinaryOp { op: BinaryOperator::Assignment, .. } => {
                ControlFlow::Break(violation("`:=` assigns a session variable".into()))
            }
            _ => ControlFlow::Continue(()),
        }
    }
}
