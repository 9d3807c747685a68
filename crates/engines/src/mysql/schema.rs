//! Schema introspection through `information_schema`: one query per kind of object for
//! all user databases at once (MySQL's databases play the part of schemas).

use std::collections::BTreeMap;

use dbdock_core::{ColumnInfo, ForeignKeyInfo, IndexInfo, TableInfo, TableKind, TableRef, Value};
use sqlx::MySqlPool;
use sqlx::mysql::MySqlRow;

const SYSTEM: &str = "('mysql', 'information_schema', 'performance_schema', 'sys')";

/// The filter every query shares: user databases (only the connection's own when its URL
/// names one), optionally one table. Six `?`s.
fn filter(schema_column: &str, table_column: &str) -> String {
    format!(
        "{schema_column} NOT IN {SYSTEM} AND (? IS NULL OR {schema_column} = ?) \
         AND (? IS NULL OR {schema_column} = ?) AND (? IS NULL OR {table_column} = ?)"
    )
}

async fn fetch(
    pool: &MySqlPool,
    sql: String,
    scope: Option<&str>,
    only: Option<&TableRef>,
) -> Result<Vec<Vec<Value>>, sqlx::Error> {
    let scope = scope.map(str::to_owned);
    let schema = only.and_then(|t| t.schema.clone());
    let name = only.map(|t| t.name.clone());
    // information_schema's column types differ between MySQL and MariaDB versions (text,
    // binary strings, unsigned ints), so rows go through the same decoder as user data.
    let rows: Vec<MySqlRow> = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(scope.clone())
        .bind(scope)
        .bind(schema.clone())
        .bind(schema)
        .bind(name.clone())
        .bind(name)
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().map(super::decode::row).collect())
}

fn text(row: &[Value], i: usize) -> Option<String> {
    row.get(i).and_then(|v| match v {
        Value::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
        other => other.display_text(),
    })
}

fn int(row: &[Value], i: usize) -> Option<i64> {
    match row.get(i)? {
        Value::Int(n) => Some(*n),
        Value::UInt(n) => i64::try_from(*n).ok(),
        other => other.display_text()?.parse().ok(),
    }
}

fn kind(table_type: &str) -> TableKind {
    match table_type {
        "VIEW" => TableKind::View,
        "SYSTEM VIEW" => TableKind::SystemView,
        _ => TableKind::Table,
    }
}

fn relations_sql() -> String {
    format!(
        "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, TABLE_COMMENT, TABLE_ROWS FROM information_schema.TABLES \
         WHERE {} ORDER BY TABLE_SCHEMA, TABLE_NAME",
        filter("TABLE_SCHEMA", "TABLE_NAME")
    )
}

pub(super) async fn list_tables(pool: &MySqlPool, scope: Option<&str>) -> Result<Vec<TableRef>, sqlx::Error> {
    Ok(fetch(pool, relations_sql(), scope, None)
        .await?
        .iter()
        .map(|r| TableRef {
            schema: text(r, 0),
            name: text(r, 1).unwrap_or_default(),
            kind: kind(&text(r, 2).unwrap_or_default()),
        })
        .collect())
}

pub(super) async fn load(
    pool: &MySqlPool,
    scope: Option<&str>,
    only: Option<&TableRef>,
) -> Result<Vec<TableInfo>, sqlx::Error> {
    let mut tables: BTreeMap<(String, String), TableInfo> = BTreeMap::new();
    let key = |r: &[Value]| (text(r, 0).unwrap_or_default(), text(r, 1).unwrap_or_default());
    for r in fetch(pool, relations_sql(), scope, only).await? {
        let (schema, name) = key(&r);
        let kind = kind(&text(&r, 2).unwrap_or_default());
        tables.insert(
            (schema.clone(), name.clone()),
            TableInfo {
                schema: Some(schema),
                name,
                kind,
                columns: Vec::new(),
                primary_key: Vec::new(),
                indexes: Vec::new(),
                foreign_keys: Vec::new(),
                comment: text(&r, 3).filter(|c| !c.is_empty() && c != "VIEW"),
                estimated_rows: if kind == TableKind::Table { int(&r, 4) } else { None },
            },
        );
    }

    let columns_sql = format!(
        "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, COLUMN_KEY, \
         COLUMN_COMMENT, EXTRA FROM information_schema.COLUMNS WHERE {} \
         ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION",
        filter("TABLE_SCHEMA", "TABLE_NAME")
    );
    for r in fetch(pool, columns_sql, scope, only).await? {
        let Some(t) = tables.get_mut(&key(&r)) else { continue };
        let extra = text(&r, 8).unwrap_or_default();
        // MariaDB writes a NULL default as the text NULL (and quotes string defaults).
        let default = text(&r, 5)
            .filter(|d| d != "NULL")
            .or_else(|| extra.to_ascii_lowercase().contains("auto_increment").then(|| "AUTO_INCREMENT".to_owned()));
        t.columns.push(ColumnInfo {
            name: text(&r, 2).unwrap_or_default(),
            type_name: text(&r, 3).unwrap_or_default(),
            nullable: text(&r, 4).as_deref() == Some("YES"),
            primary_key: text(&r, 6).as_deref() == Some("PRI"),
            default,
            comment: text(&r, 7).filter(|c| !c.is_empty()),
        });
    }

    let index_sql = format!(
        "SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME FROM information_schema.STATISTICS \
         WHERE {} ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
        filter("TABLE_SCHEMA", "TABLE_NAME")
    );
    for r in fetch(pool, index_sql, scope, only).await? {
        let Some(t) = tables.get_mut(&key(&r)) else { continue };
        let index = text(&r, 2).unwrap_or_default();
        let column = text(&r, 4).unwrap_or_else(|| "<expression>".into());
        let primary = index == "PRIMARY";
        if primary {
            t.primary_key.push(column.clone());
        }
        match t.indexes.last_mut() {
            Some(last) if last.name == index => last.columns.push(column),
            _ => {
                t.indexes.push(IndexInfo { name: index, columns: vec![column], unique: int(&r, 3) == Some(0), primary })
            }
        }
    }
    for t in tables.values_mut() {
        let pk = t.primary_key.clone();
        for c in t.columns.iter_mut() {
            c.primary_key = pk.contains(&c.name);
        }
    }

    let fk_sql = format!(
        "SELECT k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA, \
         k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE \
         FROM information_schema.KEY_COLUMN_USAGE k \
         JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
           ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
          AND r.TABLE_NAME = k.TABLE_NAME \
         WHERE k.REFERENCED_TABLE_NAME IS NOT NULL AND {} \
         ORDER BY k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION",
        filter("k.TABLE_SCHEMA", "k.TABLE_NAME")
    );
    for r in fetch(pool, fk_sql, scope, only).await? {
        let Some(t) = tables.get_mut(&key(&r)) else { continue };
        let name = text(&r, 2);
        let column = text(&r, 3).unwrap_or_default();
        let referenced = text(&r, 6).unwrap_or_default();
        match t.foreign_keys.last_mut() {
            Some(last) if last.name == name => {
                last.columns.push(column);
                last.referenced_columns.push(referenced);
            }
            _ => t.foreign_keys.push(ForeignKeyInfo {
                name,
                columns: vec![column],
                referenced_schema: text(&r, 4),
                referenced_table: text(&r, 5).unwrap_or_default(),
                referenced_columns: vec![referenced],
                on_update: text(&r, 7),
                on_delete: text(&r, 8),
            }),
        }
    }
    Ok(tables.into_values().collect())
}
