//! Schema introspection from the `sys` catalog views: one query per kind of object for all
//! user tables and views at once (never one per table). A server without those views (the
//! pysqlbridge test server serves only some of them) still gets tables and columns from
//! `INFORMATION_SCHEMA`; keys and indexes are then left empty rather than failing the call.

use std::collections::BTreeMap;

use dbdock_core::{
    ColumnInfo, Error, ErrorCode, ForeignKeyInfo, IndexInfo, Result, TableInfo, TableKind, TableRef, Value,
};

use super::Mssql;

/// Keeps to user objects; `@P1`/`@P2` narrow to one schema and name (NULL: all).
const SCOPE: &str = "o.type IN ('U', 'V') AND o.is_ms_shipped = 0 \
                     AND (@P1 IS NULL OR s.name = @P1) AND (@P2 IS NULL OR o.name = @P2)";

const FROM_OBJECTS: &str = "sys.objects o JOIN sys.schemas s ON s.schema_id = o.schema_id";

type Key = (String, String);

fn text(row: &[Value], i: usize) -> String {
    row.get(i).and_then(Value::display_text).unwrap_or_default()
}

fn opt_text(row: &[Value], i: usize) -> Option<String> {
    row.get(i).and_then(Value::display_text)
}

fn int(row: &[Value], i: usize) -> Option<i64> {
    match row.get(i)? {
        Value::Int(n) => Some(*n),
        Value::Bool(b) => Some(i64::from(*b)),
        other => other.display_text()?.parse().ok(),
    }
}

fn flag(row: &[Value], i: usize) -> bool {
    int(row, i).is_some_and(|n| n != 0)
}

fn key(row: &[Value]) -> Key {
    (text(row, 0), text(row, 1))
}

fn kind(object_type: &str) -> TableKind {
    match object_type.trim() {
        "V" | "VIEW" => TableKind::View,
        _ => TableKind::Table,
    }
}

fn scope_params(only: Option<&TableRef>) -> [serde_json::Value; 2] {
    let schema = only.and_then(|t| t.schema.clone()).map_or(serde_json::Value::Null, serde_json::Value::String);
    let name = only.map_or(serde_json::Value::Null, |t| serde_json::Value::String(t.name.clone()));
    [schema, name]
}

/// A catalog view this server does not have (or will not show) fails the query with a
/// server error; anything else (the network, a timeout) is a real failure.
fn missing_catalog(e: &Error) -> bool {
    e.code == ErrorCode::QueryFailed || e.code == ErrorCode::PermissionDenied
}

pub(super) async fn list_tables(db: &Mssql) -> Result<Vec<TableRef>> {
    let sql = format!("SELECT s.name, o.name, o.type FROM {FROM_OBJECTS} WHERE {SCOPE} ORDER BY s.name, o.name");
    let rows = match db.catalog(&sql, &scope_params(None)).await {
        Err(e) if missing_catalog(&e) => information_schema_tables(db, None).await?,
        other => other?,
    };
    Ok(rows.iter().map(|r| TableRef { schema: Some(text(r, 0)), name: text(r, 1), kind: kind(&text(r, 2)) }).collect())
}

async fn information_schema_tables(db: &Mssql, only: Option<&TableRef>) -> Result<Vec<Vec<Value>>> {
    let sql = "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE FROM INFORMATION_SCHEMA.TABLES \
               WHERE (@P1 IS NULL OR TABLE_SCHEMA = @P1) AND (@P2 IS NULL OR TABLE_NAME = @P2) \
               ORDER BY TABLE_SCHEMA, TABLE_NAME";
    db.catalog(sql, &scope_params(only)).await
}

pub(super) async fn load(db: &Mssql, only: Option<&TableRef>) -> Result<Vec<TableInfo>> {
    let params = scope_params(only);
    let mut tables: BTreeMap<Key, TableInfo> = BTreeMap::new();
    let sql = format!("SELECT s.name, o.name, o.type FROM {FROM_OBJECTS} WHERE {SCOPE} ORDER BY s.name, o.name");
    let (relations, full_catalog) = match db.catalog(&sql, &params).await {
        Ok(rows) => (rows, true),
        Err(e) if missing_catalog(&e) => (information_schema_tables(db, only).await?, false),
        Err(e) => return Err(e),
    };
    for r in relations {
        tables.insert(
            key(&r),
            TableInfo {
                schema: Some(text(&r, 0)),
                name: text(&r, 1),
                kind: kind(&text(&r, 2)),
                columns: Vec::new(),
                primary_key: Vec::new(),
                indexes: Vec::new(),
                foreign_keys: Vec::new(),
                comment: None,
                estimated_rows: None,
            },
        );
    }
    if full_catalog {
        match columns(db, &params, &mut tables).await {
            Err(e) if missing_catalog(&e) => information_schema_columns(db, &params, &mut tables).await?,
            other => other?,
        }
        // Extras: each is skipped, not fatal, where the server lacks its views.
        for part in [indexes(db, &params, &mut tables).await, foreign_keys(db, &params, &mut tables).await] {
            match part {
                Err(e) if missing_catalog(&e) => tracing::debug!(error = %e, "SQL Server catalog view unavailable"),
                other => other?,
            }
        }
        for part in [comments(db, &params, &mut tables).await, row_estimates(db, &params, &mut tables).await] {
            if let Err(e) = part {
                tracing::debug!(error = %e, "SQL Server comments or row estimates unavailable");
            }
        }
    } else {
        information_schema_columns(db, &params, &mut tables).await?;
    }
    Ok(tables.into_values().collect())
}

/// The declared type as written in DDL: `nvarchar(50)`, `varchar(max)`, `decimal(10,2)`.
pub(super) fn declared_type(name: &str, max_length: Option<i64>, precision: Option<i64>, scale: Option<i64>) -> String {
    let length = |divisor: i64| match max_length {
        Some(-1) => "(max)".to_owned(),
        Some(n) => format!("({})", n / divisor),
        None => String::new(),
    };
    match name {
        "char" | "varchar" | "binary" | "varbinary" => format!("{name}{}", length(1)),
        "nchar" | "nvarchar" => format!("{name}{}", length(2)),
        "decimal" | "numeric" => format!("{name}({},{})", precision.unwrap_or(18), scale.unwrap_or(0)),
        "datetime2" | "time" | "datetimeoffset" => match scale {
            Some(s) if s != 7 => format!("{name}({s})"),
            _ => name.to_owned(),
        },
        _ => name.to_owned(),
    }
}

async fn columns(db: &Mssql, params: &[serde_json::Value], tables: &mut BTreeMap<Key, TableInfo>) -> Result<()> {
    let sql = format!(
        "SELECT s.name, o.name, c.name, t.name, c.max_length, c.precision, c.scale, c.is_nullable, \
         c.is_identity, c.is_computed, dc.definition, CAST(ic.seed_value AS nvarchar(40)), \
         CAST(ic.increment_value AS nvarchar(40)), cc.definition \
         FROM sys.columns c JOIN {FROM_OBJECTS} ON o.object_id = c.object_id \
         JOIN sys.types t ON t.user_type_id = c.user_type_id \
         LEFT JOIN sys.default_constraints dc ON dc.object_id = c.default_object_id \
         LEFT JOIN sys.identity_columns ic ON ic.object_id = c.object_id AND ic.column_id = c.column_id \
         LEFT JOIN sys.computed_columns cc ON cc.object_id = c.object_id AND cc.column_id = c.column_id \
         WHERE {SCOPE} ORDER BY s.name, o.name, c.column_id"
    );
    for r in db.catalog(&sql, params).await? {
        let Some(t) = tables.get_mut(&key(&r)) else { continue };
        let default = if flag(&r, 8) {
            Some(format!(
                "IDENTITY({},{})",
                opt_text(&r, 11).unwrap_or("1".into()),
                opt_text(&r, 12).unwrap_or("1".into())
            ))
        } else if flag(&r, 9) {
            opt_text(&r, 13).map(|d| format!("AS {d}"))
        } else {
            opt_text(&r, 10)
        };
        t.columns.push(ColumnInfo {
            name: text(&r, 2),
            type_name: declared_type(&text(&r, 3), int(&r, 4), int(&r, 5), int(&r, 6)),
            nullable: flag(&r, 7),
            primary_key: false,
            default,
            comment: None,
        });
    }
    Ok(())
}

async fn information_schema_columns(
    db: &Mssql,
    params: &[serde_json::Value],
    tables: &mut BTreeMap<Key, TableInfo>,
) -> Result<()> {
    let sql = "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, \
               NUMERIC_PRECISION, NUMERIC_SCALE, IS_NULLABLE, COLUMN_DEFAULT, DATETIME_PRECISION \
               FROM INFORMATION_SCHEMA.COLUMNS \
               WHERE (@P1 IS NULL OR TABLE_SCHEMA = @P1) AND (@P2 IS NULL OR TABLE_NAME = @P2) \
               ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION";
    for r in db.catalog(sql, params).await? {
        let Some(t) = tables.get_mut(&key(&r)) else { continue };
        let name = text(&r, 3);
        // INFORMATION_SCHEMA counts characters, sys.columns bytes: undo the byte halving.
        let length = int(&r, 4).map(|n| if n > 0 && name.starts_with('n') { n * 2 } else { n });
        let scale = if name.contains("time") { int(&r, 9) } else { int(&r, 6) };
        t.columns.push(ColumnInfo {
            name: text(&r, 2),
            type_name: declared_type(&name, length, int(&r, 5), scale),
            nullable: text(&r, 7) == "YES",
            primary_key: false,
            default: opt_text(&r, 8),
            comment: None,
        });
    }
    Ok(())
}

async fn indexes(db: &Mssql, params: &[serde_json::Value], tables: &mut BTreeMap<Key, TableInfo>) -> Result<()> {
    let sql = format!(
        "SELECT s.name, o.name, i.name, i.is_unique, i.is_primary_key, c.name \
         FROM sys.indexes i JOIN {FROM_OBJECTS} ON o.object_id = i.object_id \
         JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id \
         JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id \
         WHERE i.type > 0 AND ic.is_included_column = 0 AND {SCOPE} \
         ORDER BY s.name, o.name, i.name, ic.key_ordinal, ic.index_column_id"
    );
    for r in db.catalog(&sql, params).await? {
        let Some(t) = tables.get_mut(&key(&r)) else { continue };
        let (name, column, primary) = (text(&r, 2), text(&r, 5), flag(&r, 4));
        if primary {
            t.primary_key.push(column.clone());
        }
        match t.indexes.last_mut() {
            Some(last) if last.name == name => last.columns.push(column),
            _ => t.indexes.push(IndexInfo { name, columns: vec![column], unique: flag(&r, 3), primary }),
        }
    }
    for t in tables.values_mut() {
        for c in t.columns.iter_mut() {
            c.primary_key = t.primary_key.contains(&c.name);
        }
    }
    Ok(())
}

async fn foreign_keys(db: &Mssql, params: &[serde_json::Value], tables: &mut BTreeMap<Key, TableInfo>) -> Result<()> {
    let sql = format!(
        "SELECT s.name, o.name, fk.name, pc.name, rs.name, ro.name, rc.name, \
         fk.update_referential_action_desc, fk.delete_referential_action_desc \
         FROM sys.foreign_keys fk JOIN {FROM_OBJECTS} ON o.object_id = fk.parent_object_id \
         JOIN sys.objects ro ON ro.object_id = fk.referenced_object_id \
         JOIN sys.schemas rs ON rs.schema_id = ro.schema_id \
         JOIN sys.foreign_key_columns fkc ON fkc.constraint_object_id = fk.object_id \
         JOIN sys.columns pc ON pc.object_id = fkc.parent_object_id AND pc.column_id = fkc.parent_column_id \
         JOIN sys.columns rc ON rc.object_id = fkc.referenced_object_id AND rc.column_id = fkc.referenced_column_id \
         WHERE {SCOPE} ORDER BY s.name, o.name, fk.name, fkc.constraint_column_id"
    );
    let action = |r: &[Value], i: usize| opt_text(r, i).map(|a| a.replace('_', " "));
    for r in db.catalog(&sql, params).await? {
        let Some(t) = tables.get_mut(&key(&r)) else { continue };
        let name = opt_text(&r, 2);
        match t.foreign_keys.last_mut() {
            Some(last) if last.name == name => {
                last.columns.push(text(&r, 3));
                last.referenced_columns.push(text(&r, 6));
            }
            _ => t.foreign_keys.push(ForeignKeyInfo {
                name,
                columns: vec![text(&r, 3)],
                referenced_schema: opt_text(&r, 4),
                referenced_table: text(&r, 5),
                referenced_columns: vec![text(&r, 6)],
                on_update: action(&r, 7),
                on_delete: action(&r, 8),
            }),
        }
    }
    Ok(())
}

/// `MS_Description` extended properties, SQL Server's comments (minor_id 0: the table).
async fn comments(db: &Mssql, params: &[serde_json::Value], tables: &mut BTreeMap<Key, TableInfo>) -> Result<()> {
    let sql = format!(
        "SELECT s.name, o.name, ep.minor_id, CAST(ep.value AS nvarchar(4000)), c.name \
         FROM sys.extended_properties ep JOIN {FROM_OBJECTS} ON o.object_id = ep.major_id \
         LEFT JOIN sys.columns c ON c.object_id = ep.major_id AND c.column_id = ep.minor_id \
         WHERE ep.class = 1 AND ep.name = 'MS_Description' AND {SCOPE}"
    );
    for r in db.catalog(&sql, params).await? {
        let Some(t) = tables.get_mut(&key(&r)) else { continue };
        let comment = opt_text(&r, 3).filter(|c| !c.is_empty());
        match int(&r, 2) {
            Some(0) => t.comment = comment,
            _ => {
                let column = text(&r, 4);
                if let Some(c) = t.columns.iter_mut().find(|c| c.name == column) {
                    c.comment = comment;
                }
            }
        }
    }
    Ok(())
}

/// Row counts SQL Server keeps per partition (heap or clustered index): cheap and close.
async fn row_estimates(db: &Mssql, params: &[serde_json::Value], tables: &mut BTreeMap<Key, TableInfo>) -> Result<()> {
    let sql = format!(
        "SELECT s.name, o.name, SUM(p.rows) FROM sys.partitions p JOIN {FROM_OBJECTS} ON o.object_id = p.object_id \
         WHERE p.index_id IN (0, 1) AND {SCOPE} GROUP BY s.name, o.name"
    );
    for r in db.catalog(&sql, params).await? {
        if let Some(t) = tables.get_mut(&key(&r)).filter(|t| t.kind == TableKind::Table) {
            t.estimated_rows = int(&r, 2);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_types_read_like_ddl() {
        assert_eq!(declared_type("nvarchar", Some(100), None, None), "nvarchar(50)");
        assert_eq!(declared_type("varchar", Some(-1), None, None), "varchar(max)");
        assert_eq!(declared_type("varbinary", Some(16), None, None), "varbinary(16)");
        assert_eq!(declared_type("decimal", Some(9), Some(10), Some(2)), "decimal(10,2)");
        assert_eq!(declared_type("datetime2", Some(8), Some(27), Some(7)), "datetime2");
        assert_eq!(declared_type("datetime2", Some(7), Some(23), Some(3)), "datetime2(3)");
        assert_eq!(declared_type("int", Some(4), Some(10), Some(0)), "int");
    }
}
