//! Schema introspection through SQLite's `pragma_*` table functions, with the table name
//! bound as a parameter (never spliced into the SQL).

use dbdock_core::{ColumnInfo, ForeignKeyInfo, IndexInfo, TableInfo, TableKind, TableRef};
use sqlx::{Row, SqlitePool};

pub(super) async fn list_tables(pool: &SqlitePool) -> Result<Vec<TableRef>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT name, type FROM sqlite_schema
         WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
         ORDER BY name",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let kind = if r.try_get::<&str, _>(1)? == "view" { TableKind::View } else { TableKind::Table };
            Ok(TableRef { schema: None, name: r.try_get(0)?, kind })
        })
        .collect()
}

pub(super) async fn load_table(pool: &SqlitePool, table: &TableRef) -> Result<TableInfo, sqlx::Error> {
    let name = table.name.as_str();
    let mut pk: Vec<(i64, String)> = Vec::new();
    let mut columns = Vec::new();
    let column_rows =
        sqlx::query(r#"SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?1) ORDER BY cid"#)
            .bind(name)
            .fetch_all(pool)
            .await?;
    for r in &column_rows {
        let column: String = r.try_get(0)?;
        let pk_pos: i64 = r.try_get(4)?;
        if pk_pos > 0 {
            pk.push((pk_pos, column.clone()));
        }
        columns.push(ColumnInfo {
            name: column,
            type_name: r.try_get(1)?,
            nullable: !r.try_get::<bool, _>(2)?,
            primary_key: pk_pos > 0,
            default: r.try_get(3)?,
            comment: None,
        });
    }
    pk.sort();
    let primary_key: Vec<String> = pk.into_iter().map(|(_, c)| c).collect();
    // A lone INTEGER PRIMARY KEY is the rowid, which is never NULL, though SQLite reports
    // it as nullable (other primary key columns may really hold NULL in SQLite).
    if let [only] = primary_key.as_slice()
        && let Some(column) = columns.iter_mut().find(|c| &c.name == only)
        && column.type_name.eq_ignore_ascii_case("INTEGER")
    {
        column.nullable = false;
    }

    let mut foreign_keys: Vec<ForeignKeyInfo> = Vec::new();
    let mut last_id = None;
    let fk_rows = sqlx::query(
        r#"SELECT id, "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(?1) ORDER BY id, seq"#,
    )
    .bind(name)
    .fetch_all(pool)
    .await?;
    for r in &fk_rows {
        let id: i64 = r.try_get(0)?;
        let to: Option<String> = r.try_get(3)?;
        if last_id != Some(id) {
            last_id = Some(id);
            foreign_keys.push(ForeignKeyInfo {
                name: None,
                columns: Vec::new(),
                referenced_schema: None,
                referenced_table: r.try_get(1)?,
                referenced_columns: Vec::new(),
                on_update: r.try_get(4)?,
                on_delete: r.try_get(5)?,
            });
        }
        if let Some(fk) = foreign_keys.last_mut() {
            fk.columns.push(r.try_get(2)?);
            if let Some(to) = to {
                fk.referenced_columns.push(to);
            }
        }
    }
    // `REFERENCES parent` without columns means the parent's primary key.
    for fk in foreign_keys.iter_mut().filter(|fk| fk.referenced_columns.is_empty()) {
        fk.referenced_columns =
            sqlx::query_scalar(r#"SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk"#)
                .bind(&fk.referenced_table)
                .fetch_all(pool)
                .await?;
    }

    let mut indexes = Vec::new();
    let index_rows = sqlx::query(r#"SELECT name, "unique", origin FROM pragma_index_list(?1) ORDER BY name"#)
        .bind(name)
        .fetch_all(pool)
        .await?;
    for r in &index_rows {
        let index: String = r.try_get(0)?;
        let index_columns: Vec<Option<String>> =
            sqlx::query_scalar("SELECT name FROM pragma_index_info(?1) ORDER BY seqno")
                .bind(&index)
                .fetch_all(pool)
                .await?;
        indexes.push(IndexInfo {
            columns: index_columns.into_iter().map(|c| c.unwrap_or_else(|| "<expression>".into())).collect(),
            name: index,
            unique: r.try_get(1)?,
            primary: r.try_get::<&str, _>(2)? == "pk",
        });
    }

    Ok(TableInfo {
        schema: None,
        name: table.name.clone(),
        kind: table.kind,
        columns,
        primary_key,
        indexes,
        foreign_keys,
        comment: None,
        estimated_rows: None,
    })
}
