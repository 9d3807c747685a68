#![allow(clippy::unwrap_used)]

use super::*;
use crate::{ColumnInfo, IndexInfo, TableKind};

fn col(name: &str, ty: &str, nullable: bool) -> ColumnInfo {
    ColumnInfo { name: name.into(), type_name: ty.into(), nullable, primary_key: false, default: None, comment: None }
}

fn table(columns: Vec<ColumnInfo>, key: &[&str]) -> TableInfo {
    TableInfo {
        schema: Some("my schema".into()),
        name: "odd \"name\"".into(),
        kind: TableKind::Table,
        columns,
        primary_key: key.iter().map(|k| (*k).to_owned()).collect(),
        indexes: vec![],
        foreign_keys: vec![],
        comment: None,
        estimated_rows: None,
    }
}

fn orders(dialect: Dialect) -> TableInfo {
    let amount = match dialect {
        Dialect::Postgres => "numeric(12,2)",
        Dialect::Mssql | Dialect::Mysql => "decimal(12,2)",
        Dialect::Sqlite => "NUMERIC",
    };
    let blob = match dialect {
        Dialect::Postgres => "bytea",
        Dialect::Mssql => "varbinary(max)",
        Dialect::Mysql | Dialect::Sqlite => "blob",
    };
    table(
        vec![
            col("tenant", "integer", false),
            col("id", "bigint", false),
            col("amount", amount, true),
            col("note", "varchar(20)", true),
            col("raw", blob, true),
        ],
        &["tenant", "id"],
    )
}

fn update(dialect: Dialect, set: Vec<(&str, CellInput)>) -> GuardedStatement {
    let original = vec![
        Value::Int(7),
        Value::Int(9_007_199_254_740_993),
        Value::Decimal("12345678901234.10".into()),
        Value::Text(String::new()),
        Value::Null,
    ];
    let set = set.into_iter().map(|(c, v)| (c.to_owned(), v)).collect();
    plan_changes(dialect, &orders(dialect), &[RowChange::Update { original, set }]).unwrap().remove(0)
}

#[test]
fn odd_identifiers_are_quoted_per_dialect() {
    let t = table(vec![col("a\"b`c]d", "text", false)], &["a\"b`c]d"]);
    assert_eq!(qualified_name(Dialect::Postgres, &t), "\"my schema\".\"odd \"\"name\"\"\"");
    assert_eq!(qualified_name(Dialect::Mysql, &t), "`my schema`.`odd \"name\"`");
    assert_eq!(qualified_name(Dialect::Mssql, &t), "[my schema].[odd \"name\"]");
    let page = plan_page(Dialect::Mssql, &t, &PageRequest { limit: 10, ..Default::default() }).unwrap();
    assert!(page.statement.sql.starts_with("SELECT [a\"b`c]]d] FROM"), "{}", page.statement.sql);
    let page = plan_page(Dialect::Mysql, &t, &PageRequest { limit: 10, ..Default::default() }).unwrap();
    assert!(page.statement.sql.starts_with("SELECT `a\"b``c]d` FROM"), "{}", page.statement.sql);
}

#[test]
fn an_update_is_keyed_and_guarded_by_the_edited_columns_original_values() {
    let s = update(Dialect::Postgres, vec![("amount", CellInput::Value(Value::Decimal("0.10".into())))]);
    assert_eq!(
        s.statement.sql,
        "UPDATE \"my schema\".\"odd \"\"name\"\"\" SET \"amount\" = CAST($1 AS numeric(12,2)) WHERE \"tenant\" = \
         CAST($2 AS integer) AND \"id\" = CAST($3 AS bigint) AND \"amount\" = CAST($4 AS numeric(12,2))"
    );
    // Exact: decimals and 64-bit integers travel as their text.
    assert_eq!(s.statement.params, vec![json("0.10"), json("7"), json("9007199254740993"), json("12345678901234.10")]);
    assert_eq!(s.expect_rows, Some(1));
    assert!(s.statement.display.contains("\"amount\" = CAST('12345678901234.10' AS numeric(12,2))"));
}

#[test]
fn a_stored_value_is_never_cut_to_the_column_length_by_a_cast() {
    // CAST('…' AS varchar(20)) would cut a longer value silently; stored as text, the
    // column refuses it. Compared, the declared type stays (char(n) pads).
    let s = update(Dialect::Postgres, vec![("note", CellInput::Value(Value::Text("x".repeat(30))))]);
    assert!(s.statement.sql.contains("SET \"note\" = CAST($1 AS text) WHERE"), "{}", s.statement.sql);
    let mut t = orders(Dialect::Postgres);
    t.columns[3].type_name = "character(5)".into();
    let original = vec![Value::Int(1), Value::Int(2), Value::Null, Value::Text("ab   ".into()), Value::Null];
    let change = RowChange::Update { original, set: vec![("note".into(), CellInput::Value(Value::Text("cd".into())))] };
    let s = plan_changes(Dialect::Postgres, &t, &[change]).unwrap().remove(0);
    assert!(s.statement.sql.contains("SET \"note\" = CAST($1 AS text)"), "{}", s.statement.sql);
    assert!(s.statement.sql.ends_with("\"note\" = CAST($4 AS character(5))"), "{}", s.statement.sql);
}

#[test]
fn null_and_empty_text_stay_apart() {
    // The original note is '' (not NULL): guarded with '=', not IS NULL; the new value NULL.
    let s = update(Dialect::Mysql, vec![("note", CellInput::Value(Value::Null))]);
    assert!(s.statement.sql.ends_with("AND CAST(`note` AS BINARY) = CAST(? AS BINARY)"), "{}", s.statement.sql);
    assert_eq!(s.statement.params.first(), Some(&serde_json::Value::Null));
    assert_eq!(s.statement.params.last(), Some(&json("")));
    // The original raw is NULL: guarded with IS NULL, no parameter.
    let s = update(Dialect::Sqlite, vec![("raw", CellInput::Value(Value::Text(String::new())))]);
    assert!(s.statement.sql.ends_with("AND \"raw\" IS NULL"), "{}", s.statement.sql);
    assert_eq!(s.statement.params, vec![json(""), 7.into(), 9_007_199_254_740_993_i64.into()]);
}

#[test]
fn bytes_travel_as_hex_the_server_decodes() {
    let bytes = CellInput::Value(Value::Bytes(vec![0, 0xff, 0x10]));
    let pg = update(Dialect::Postgres, vec![("raw", bytes.clone())]);
    assert!(pg.statement.sql.contains("\"raw\" = CAST($1 AS bytea)"));
    assert_eq!(pg.statement.params[0], json("\\x00ff10"));
    let my = update(Dialect::Mysql, vec![("raw", bytes.clone())]);
    assert!(my.statement.sql.contains("`raw` = UNHEX(?)"));
    assert_eq!(my.statement.params[0], json("00ff10"));
    let lite = update(Dialect::Sqlite, vec![("raw", bytes.clone())]);
    assert!(lite.statement.sql.contains("\"raw\" = unhex(?)"));
    let ms = update(Dialect::Mssql, vec![("raw", bytes)]);
    assert!(ms.statement.sql.contains("[raw] = CONVERT(varbinary(max), @P1, 1)"));
    assert_eq!(ms.statement.params[0], json("0x00ff10"));
}

#[test]
fn mysql_compares_numbers_as_their_own_type_not_as_doubles() {
    let s = update(Dialect::Mysql, vec![("amount", CellInput::Value(Value::Decimal("1.10".into())))]);
    assert_eq!(
        s.statement.sql,
        "UPDATE `my schema`.`odd \"name\"` SET `amount` = CAST(? AS DECIMAL(12,2)) WHERE `tenant` = CAST(? AS SIGNED) \
         AND `id` = CAST(? AS SIGNED) AND `amount` = CAST(? AS DECIMAL(12,2))"
    );
}

#[test]
fn sql_server_numbers_its_parameters_and_compares_text_by_bytes() {
    let s = update(Dialect::Mssql, vec![("note", CellInput::Value(Value::Text("x".into())))]);
    assert_eq!(
        s.statement.sql,
        "UPDATE [my schema].[odd \"name\"] SET [note] = @P1 WHERE [tenant] = @P2 AND [id] = @P3 AND [note] COLLATE \
         Latin1_General_100_BIN2 = @P4"
    );
    assert!(s.statement.display.contains("[note] = N'x'"));
}

#[test]
fn defaults_inserts_and_deletes() {
    let t = orders(Dialect::Postgres);
    let all_default = RowChange::Insert { values: vec![("amount".into(), CellInput::Default)] };
    let delete =
        RowChange::Delete { original: vec![Value::Int(1), Value::Int(2), Value::Null, Value::Null, Value::Null] };
    let insert = RowChange::Insert {
        values: vec![
            ("tenant".into(), CellInput::Value(Value::Int(1))),
            ("note".into(), CellInput::Value(Value::Null)),
        ],
    };
    let planned = plan_changes(Dialect::Postgres, &t, &[all_default.clone(), delete, insert]).unwrap();
    assert_eq!(planned[0].statement.sql, "INSERT INTO \"my schema\".\"odd \"\"name\"\"\" DEFAULT VALUES");
    assert_eq!(
        planned[1].statement.sql,
        "DELETE FROM \"my schema\".\"odd \"\"name\"\"\" WHERE \"tenant\" = CAST($1 AS integer) AND \"id\" = CAST($2 AS \
         bigint)"
    );
    assert_eq!(
        planned[2].statement.sql,
        "INSERT INTO \"my schema\".\"odd \"\"name\"\"\" (\"tenant\", \"note\") VALUES (CAST($1 AS integer), CAST($2 AS \
         text))"
    );
    assert_eq!(planned[2].statement.params, vec![json("1"), serde_json::Value::Null]);
    let my = plan_changes(Dialect::Mysql, &orders(Dialect::Mysql), &[all_default]).unwrap();
    assert_eq!(my[0].statement.sql, "INSERT INTO `my schema`.`odd \"name\"` () VALUES ()");

    let mut lite = orders(Dialect::Sqlite);
    lite.columns[2].default = Some("0".into());
    let original = vec![Value::Int(1), Value::Int(2), Value::Null, Value::Null, Value::Null];
    let set_default = RowChange::Update { original, set: vec![("amount".into(), CellInput::Default)] };
    let s = plan_changes(Dialect::Sqlite, &lite, &[set_default]).unwrap();
    assert!(s[0].statement.sql.starts_with("UPDATE \"my schema\".\"odd \"\"name\"\"\" SET \"amount\" = (0) WHERE"));
}

#[test]
fn a_table_without_a_key_cannot_be_edited_and_pages_by_offset() {
    let mut t = table(vec![col("a", "text", true), col("b", "text", false)], &[]);
    let err = plan_changes(Dialect::Postgres, &t, &[RowChange::Delete { original: vec![] }]).unwrap_err();
    assert_eq!(err.code, crate::ErrorCode::InvalidInput);
    assert!(err.message.contains("no primary key"), "{}", err.message);
    let page = plan_page(Dialect::Postgres, &t, &PageRequest { limit: 50, offset: 100, ..Default::default() }).unwrap();
    assert!(!page.paging.keyset);
    assert!(page.statement.sql.ends_with("LIMIT 50 OFFSET 100"), "{}", page.statement.sql);
    // A unique key on NOT NULL columns serves as the key.
    t.indexes.push(IndexInfo { name: "u".into(), columns: vec!["b".into()], unique: true, primary: false });
    assert_eq!(row_key(&t), Ok(vec!["b".to_owned()]));
    t.indexes[0].columns = vec!["a".into()];
    assert!(row_key(&t).is_err(), "a unique key on a nullable column does not identify a row");
    t.kind = TableKind::View;
    assert!(row_key(&t).unwrap_err().contains("is a view"));
}

#[test]
fn keyset_pages_continue_after_the_last_row_in_the_complete_order() {
    let t = orders(Dialect::Postgres);
    let request = PageRequest {
        after: Some(vec![Value::Int(3), Value::Int(40)]),
        filters: vec![ColumnFilter { column: "note".into(), op: FilterOp::Eq, values: vec!["open".into()] }],
        limit: 100,
        ..Default::default()
    };
    let page = plan_page(Dialect::Postgres, &t, &request).unwrap();
    assert!(page.paging.keyset);
    assert_eq!(
        page.statement.sql,
        "SELECT \"tenant\", \"id\", \"amount\", \"note\", \"raw\" FROM \"my schema\".\"odd \"\"name\"\"\" WHERE \"note\" \
         = CAST($1 AS varchar(20)) AND (\"tenant\", \"id\") > (CAST($2 AS integer), CAST($3 AS bigint)) ORDER BY \
         \"tenant\", \"id\" LIMIT 100"
    );
    assert_eq!(page.filter_display, " WHERE \"note\" = CAST('open' AS varchar(20))");

    // Mixed directions (and SQL Server, which has no row values): the expanded form.
    let t = orders(Dialect::Mssql);
    let request = PageRequest {
        sort: vec![SortKey { column: "id".into(), descending: true }],
        after: Some(vec![Value::Int(40), Value::Int(3)]),
        limit: 10,
        ..Default::default()
    };
    let page = plan_page(Dialect::Mssql, &t, &request).unwrap();
    assert_eq!(page.order.iter().map(|k| k.column.as_str()).collect::<Vec<_>>(), ["id", "tenant"]);
    assert!(
        page.statement.sql.ends_with(
            "WHERE (([id] < @P1) OR ([id] = @P2 AND [tenant] > @P3)) ORDER BY [id] DESC, [tenant] OFFSET 0 ROWS FETCH \
             NEXT 10 ROWS ONLY"
        ),
        "{}",
        page.statement.sql
    );

    // A sort column that may be NULL cannot be a keyset: OFFSET, and the plan says why.
    let request = PageRequest {
        sort: vec![SortKey { column: "note".into(), descending: false }],
        after: Some(vec![]),
        offset: 20,
        limit: 10,
        ..Default::default()
    };
    let page = plan_page(Dialect::Sqlite, &orders(Dialect::Sqlite), &request).unwrap();
    assert!(!page.paging.keyset);
    assert!(page.paging.note.unwrap().contains("note"));
    assert!(page.statement.sql.ends_with("ORDER BY \"note\", \"tenant\", \"id\" LIMIT 10 OFFSET 20"));
}

#[test]
fn filters_check_their_values_and_compile_each_operator() {
    let t = orders(Dialect::Mysql);
    let f = |op, values: &[&str]| ColumnFilter {
        column: "amount".into(),
        op,
        values: values.iter().map(|v| (*v).to_owned()).collect(),
    };
    let stmt = count_rows(
        Dialect::Mysql,
        &t,
        &[
            f(FilterOp::Between, &["1", "2.50"]),
            f(FilterOp::In, &["3", "4"]),
            f(FilterOp::NotLike, &["1%"]),
            f(FilterOp::IsNotNull, &[]),
        ],
    )
    .unwrap();
    assert_eq!(
        stmt.sql,
        "SELECT COUNT(*) FROM `my schema`.`odd \"name\"` WHERE `amount` BETWEEN CAST(? AS DECIMAL(12,2)) AND CAST(? AS \
         DECIMAL(12,2)) AND `amount` IN (CAST(? AS DECIMAL(12,2)), CAST(? AS DECIMAL(12,2))) AND `amount` NOT LIKE ? AND \
         `amount` IS NOT NULL"
    );
    assert_eq!(stmt.params.len(), 5);
    for bad in [f(FilterOp::Between, &["1"]), f(FilterOp::In, &[]), f(FilterOp::IsNull, &["x"])] {
        assert_eq!(count_rows(Dialect::Mysql, &t, &[bad]).unwrap_err().code, crate::ErrorCode::InvalidInput);
    }
    let unknown = ColumnFilter { column: "nope".into(), op: FilterOp::Eq, values: vec!["1".into()] };
    assert!(count_rows(Dialect::Mysql, &t, &[unknown]).unwrap_err().message.contains("no column named 'nope'"));
}

#[test]
fn display_literals_escape_per_dialect() {
    assert_eq!(dialect::literal(Dialect::Mysql, &json("a'b\\c")), "'a''b\\\\c'");
    assert_eq!(dialect::literal(Dialect::Postgres, &json("a'b\\c")), "'a''b\\c'");
    assert_eq!(dialect::literal(Dialect::Mssql, &json("é")), "N'é'");
    assert_eq!(dialect::literal(Dialect::Sqlite, &7.into()), "7");
}

fn json(s: &str) -> serde_json::Value {
    serde_json::Value::String(s.to_owned())
}
