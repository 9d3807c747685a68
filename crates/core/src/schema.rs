use std::fmt;

use serde::{Deserialize, Serialize};

/// What kind of relation a table entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum TableKind {
    Table,
    View,
    MaterializedView,
    ForeignTable,
    PartitionedTable,
    SystemView,
}

impl TableKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TableKind::Table => "table",
            TableKind::View => "view",
            TableKind::MaterializedView => "materialized_view",
            TableKind::ForeignTable => "foreign_table",
            TableKind::PartitionedTable => "partitioned_table",
            TableKind::SystemView => "system_view",
        }
    }
}

/// A table's name, qualified by its schema (PostgreSQL schema, MySQL database, SQLite
/// attached database) where the engine has one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TableRef {
    pub schema: Option<String>,
    pub name: String,
    pub kind: TableKind,
}

impl fmt::Display for TableRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.schema {
            Some(schema) => write!(f, "{schema}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

impl TableRef {
    /// Whether a user-typed name (`orders`, `sales.orders`) names this table. An unqualified
    /// name matches in any schema; the caller decides what to do when several match.
    pub fn matches(&self, wanted: &str) -> bool {
        match wanted.rsplit_once('.') {
            Some((schema, name)) if self.schema.as_deref() == Some(schema) => self.name == name,
            _ => self.name == wanted,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ColumnInfo {
    pub name: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub nullable: bool,
    pub primary_key: bool,
    pub default: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct IndexInfo {
    pub name: String,
    pub columns: Vec<String>,
    pub unique: bool,
    pub primary: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ForeignKeyInfo {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub referenced_schema: Option<String>,
    pub referenced_table: String,
    pub referenced_columns: Vec<String>,
    pub on_update: Option<String>,
    pub on_delete: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TableInfo {
    pub schema: Option<String>,
    pub name: String,
    pub kind: TableKind,
    pub columns: Vec<ColumnInfo>,
    /// The primary key's columns in key order (empty when there is none).
    pub primary_key: Vec<String>,
    pub indexes: Vec<IndexInfo>,
    pub foreign_keys: Vec<ForeignKeyInfo>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub comment: Option<String>,
    /// The planner's row estimate, where the engine keeps one cheaply.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    // An estimate: a JavaScript number holds it well enough.
    #[cfg_attr(feature = "specta", specta(type = Option<f64>))]
    pub estimated_rows: Option<i64>,
}

impl TableInfo {
    pub fn table_ref(&self) -> TableRef {
        TableRef { schema: self.schema.clone(), name: self.name.clone(), kind: self.kind }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaInfo {
    pub database: String,
    pub tables: Vec<TableInfo>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualified_and_bare_names_match() {
        let t = TableRef { schema: Some("sales".into()), name: "orders".into(), kind: TableKind::Table };
        assert!(t.matches("orders"));
        assert!(t.matches("sales.orders"));
        assert!(!t.matches("public.orders"));
        assert!(!t.matches("order"));
        assert_eq!(t.to_string(), "sales.orders");
    }
}
