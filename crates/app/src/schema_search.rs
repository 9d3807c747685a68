//! Finding tables, views and columns by name, with progressive detail: names first, then
//! a summary or the full definition of the few that matter. One catalog read per search:
//! names come from the table list; summaries, full definitions and columns from one
//! schema read (not one `table_schema` call per table, each of which lists the tables
//! again).

use dbdock_core::{Result, TableInfo, TableKind, TableRef};
use serde::Serialize;

use crate::OpenConnection;

/// How much to return per match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detail {
    #[default]
    Names,
    Summary,
    Full,
}

/// What to match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ObjectKind {
    #[default]
    Any,
    Table,
    View,
    /// Columns, by column name.
    Column,
}

#[derive(Debug, Clone, Default)]
pub struct SchemaSearch {
    /// Case-insensitive: a substring, or a glob with `*` and `?`. Empty matches all.
    pub pattern: String,
    pub kind: ObjectKind,
    pub detail: Detail,
    /// Most matches returned (default 100 names, 20 summaries, 5 full definitions).
    pub limit: Option<u32>,
}

/// One match.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SchemaMatch {
    Name {
        name: String,
        kind: TableKind,
    },
    Summary {
        name: String,
        kind: TableKind,
        estimated_rows: Option<i64>,
        primary_key: Vec<String>,
        /// `name type[ not null]` per column.
        columns: Vec<String>,
    },
    Full(Box<TableInfo>),
    /// A key prefix (or key) of a key-value server.
    KeyPrefix(dbdock_core::PrefixSummary),
    Column {
        table: String,
        column: String,
        #[serde(rename = "type")]
        type_name: String,
        nullable: bool,
        primary_key: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchemaSearchResult {
    /// How many matched in all.
    pub matches: usize,
    pub shown: usize,
    /// Tables and views (or, for a column search, `columns`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objects: Option<Vec<SchemaMatch>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<SchemaMatch>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

fn is_view(kind: TableKind) -> bool {
    matches!(kind, TableKind::View | TableKind::MaterializedView | TableKind::SystemView)
}

impl OpenConnection {
    pub async fn search_schema(&self, search: &SchemaSearch) -> Result<SchemaSearchResult> {
        let db = self.live.database();
        let limit = search.limit.map_or(
            match search.detail {
                Detail::Names => 100,
                Detail::Summary => 20,
                Detail::Full => 5,
            },
            |l| l.clamp(1, 500) as usize,
        );
        if db.keys().is_some() {
            return self.search_keys(search, limit).await;
        }
        let pattern = search.pattern.as_str();
        let wanted = |text: &str| pattern.is_empty() || glob_match(pattern, text);
        if search.kind == ObjectKind::Column {
            let schema = db.schema().await?;
            let found: Vec<SchemaMatch> = schema
                .tables
                .iter()
                .flat_map(|t| {
                    t.columns.iter().filter(|c| wanted(&c.name)).map(|c| SchemaMatch::Column {
                        table: t.table_ref().to_string(),
                        column: c.name.clone(),
                        type_name: c.type_name.clone(),
                        nullable: c.nullable,
                        primary_key: c.primary_key,
                    })
                })
                .collect();
            return Ok(shown(found, limit, |objects| (None, Some(objects))));
        }
        let kind_ok = |kind: TableKind| match search.kind {
            ObjectKind::Table => !is_view(kind),
            ObjectKind::View => is_view(kind),
            ObjectKind::Any | ObjectKind::Column => true,
        };
        let name_ok = |t: &TableRef| kind_ok(t.kind) && (wanted(&t.name) || wanted(&t.to_string()));
        let found: Vec<SchemaMatch> = match search.detail {
            Detail::Names => db
                .list_tables()
                .await?
                .into_iter()
                .filter(name_ok)
                .map(|t| SchemaMatch::Name { name: t.to_string(), kind: t.kind })
                .collect(),
            detail @ (Detail::Summary | Detail::Full) => db
                .schema()
                .await?
                .tables
                .into_iter()
                .filter(|t| name_ok(&t.table_ref()))
                .map(|t| match detail {
                    Detail::Full => SchemaMatch::Full(Box::new(t)),
                    _ => SchemaMatch::Summary {
                        name: t.table_ref().to_string(),
                        kind: t.kind,
                        estimated_rows: t.estimated_rows,
                        primary_key: t.primary_key.clone(),
                        columns: t
                            .columns
                            .iter()
                            .map(|c| format!("{} {}{}", c.name, c.type_name, if c.nullable { "" } else { " not null" }))
                            .collect(),
                    },
                })
                .collect(),
        };
        Ok(shown(found, limit, |objects| (Some(objects), None)))
    }
}

pub(crate) type Placed = (Option<Vec<SchemaMatch>>, Option<Vec<SchemaMatch>>);

pub(crate) fn shown(
    mut found: Vec<SchemaMatch>,
    limit: usize,
    place: impl FnOnce(Vec<SchemaMatch>) -> Placed,
) -> SchemaSearchResult {
    let matches = found.len();
    found.truncate(limit);
    let shown = found.len();
    let hint = (matches > shown).then(|| format!("{} more match; narrow the pattern or raise limit", matches - shown));
    let (objects, columns) = place(found);
    SchemaSearchResult { matches, shown, objects, columns, hint }
}

/// Case-insensitive match of `text` against a glob (`*`, `?`) or, without wildcards, a substring.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) =
        (pattern.to_lowercase().chars().collect(), text.to_lowercase().chars().collect());
    if !p.iter().any(|c| *c == '*' || *c == '?') {
        return t.iter().collect::<String>().contains(&p.iter().collect::<String>());
    }
    // Iterative wildcard match with backtracking to the last `*`.
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs_and_substrings() {
        assert!(glob_match("order", "order_lines"));
        assert!(glob_match("ORDER*", "orders"));
        assert!(glob_match("*_lines", "order_lines"));
        assert!(glob_match("o?der*", "Orders"));
        assert!(!glob_match("order?", "order_lines"));
        assert!(!glob_match("cust*", "orders"));
        assert!(glob_match("*", "anything"));
    }
}
