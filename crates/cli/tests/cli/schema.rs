//! `dbdock schema --format json` reports schemas, tables, views, keys and indexes.

use serde_json::json;

use crate::support::{TestDb, column, dbdock_json, find_table};

#[tokio::test]
async fn postgres_schema_has_every_kind_of_object() {
    let db = TestDb::postgres("schema").await;
    db.run(&[
        "CREATE SCHEMA sales",
        "CREATE SCHEMA inventory",
        "CREATE TABLE inventory.products (sku text PRIMARY KEY, name text NOT NULL, price numeric(10,2) DEFAULT 0)",
        "COMMENT ON TABLE inventory.products IS 'what we sell'",
        "CREATE TABLE sales.order_lines (
            order_id int8 NOT NULL,
            line_no int4 NOT NULL,
            sku text NOT NULL,
            qty int4 NOT NULL DEFAULT 1,
            PRIMARY KEY (order_id, line_no),
            CONSTRAINT lines_product_fk FOREIGN KEY (sku) REFERENCES inventory.products(sku) ON DELETE CASCADE)",
        "CREATE INDEX lines_by_sku ON sales.order_lines (sku, qty)",
        "CREATE VIEW sales.big_lines AS SELECT * FROM sales.order_lines WHERE qty > 10",
        "CREATE MATERIALIZED VIEW sales.sku_totals AS SELECT sku, sum(qty) AS total FROM sales.order_lines GROUP BY sku",
    ])
    .await;

    let schema = dbdock_json(&["schema", "--url", &db.url, "--format", "json"]);
    assert_eq!(schema["database"], db.name.as_str());

    let lines = find_table(&schema, Some("sales"), "order_lines");
    assert_eq!(lines["kind"], "table");
    assert_eq!(lines["primary_key"], json!(["order_id", "line_no"]));
    assert_eq!(column(lines, "order_id")["primary_key"], true);
    assert_eq!(column(lines, "line_no")["primary_key"], true);
    assert_eq!(column(lines, "sku")["primary_key"], false);
    assert_eq!(column(lines, "qty")["default"], "1");
    assert_eq!(column(lines, "qty")["type"], "integer");
    assert_eq!(column(lines, "qty")["nullable"], false);
    assert_eq!(
        lines["foreign_keys"],
        json!([{
            "name": "lines_product_fk", "columns": ["sku"], "referenced_schema": "inventory",
            "referenced_table": "products", "referenced_columns": ["sku"],
            "on_update": "NO ACTION", "on_delete": "CASCADE"
        }])
    );
    let indexes = lines["indexes"].as_array().expect("indexes");
    assert!(
        indexes
            .contains(&json!({"name": "lines_by_sku", "columns": ["sku", "qty"], "unique": false, "primary": false}))
    );
    assert!(indexes.contains(
        &json!({"name": "order_lines_pkey", "columns": ["order_id", "line_no"], "unique": true, "primary": true})
    ));

    let products = find_table(&schema, Some("inventory"), "products");
    assert_eq!(products["comment"], "what we sell");
    assert_eq!(column(products, "price")["type"], "numeric(10,2)");
    assert_eq!(column(products, "price")["nullable"], true);

    assert_eq!(find_table(&schema, Some("sales"), "big_lines")["kind"], "view");
    assert_eq!(column(find_table(&schema, Some("sales"), "big_lines"), "qty")["type"], "integer");
    assert_eq!(find_table(&schema, Some("sales"), "sku_totals")["kind"], "materialized_view");

    // One table, by qualified name: the same object as in the whole schema.
    let one = dbdock_json(&["schema", "--url", &db.url, "--format", "json", "sales.order_lines"]);
    assert_eq!(&one, lines);
    db.drop().await;
}

#[tokio::test]
async fn mysql_schema_spans_two_databases() {
    let db = TestDb::mysql("schema").await;
    let other = format!("{}_b", db.name);
    db.run(&[
        &format!("CREATE TABLE {other}.products (sku VARCHAR(20) PRIMARY KEY, name TEXT NOT NULL, price DECIMAL(10,2) DEFAULT 0) COMMENT 'what we sell'"),
        &format!(
            "CREATE TABLE order_lines (
                order_id BIGINT NOT NULL,
                line_no INT NOT NULL,
                sku VARCHAR(20) NOT NULL,
                qty INT NOT NULL DEFAULT 1,
                PRIMARY KEY (order_id, line_no),
                KEY lines_by_sku (sku, qty),
                CONSTRAINT lines_product_fk FOREIGN KEY (sku) REFERENCES {other}.products(sku) ON DELETE CASCADE
            ) ENGINE=InnoDB"
        ),
        "CREATE VIEW big_lines AS SELECT * FROM order_lines WHERE qty > 10",
    ])
    .await;

    // A URL without a database shows every user database; one with a database only that one.
    let server_url = db.url.trim_end_matches(&db.name).to_owned();
    let schema = dbdock_json(&["schema", "--url", &server_url, "--format", "json"]);
    let scoped = dbdock_json(&["schema", "--url", &db.url, "--format", "json"]);
    assert_eq!(scoped["database"], db.name.as_str());
    assert!(scoped["tables"].as_array().expect("tables").iter().all(|t| t["schema"] == db.name.as_str()));
    assert_eq!(
        &find_table(&scoped, Some(&db.name), "order_lines"),
        &find_table(&schema, Some(&db.name), "order_lines")
    );

    let lines = find_table(&schema, Some(&db.name), "order_lines");
    assert_eq!(lines["kind"], "table");
    assert_eq!(lines["primary_key"], json!(["order_id", "line_no"]));
    assert_eq!(column(lines, "order_id")["primary_key"], true);
    assert_eq!(column(lines, "line_no")["primary_key"], true);
    assert_eq!(column(lines, "qty")["default"], "1");
    assert_eq!(column(lines, "qty")["type"], "int(11)");
    assert_eq!(column(lines, "sku")["nullable"], false);
    assert_eq!(
        lines["foreign_keys"],
        json!([{
            "name": "lines_product_fk", "columns": ["sku"], "referenced_schema": other,
            "referenced_table": "products", "referenced_columns": ["sku"],
            "on_update": "RESTRICT", "on_delete": "CASCADE"
        }])
    );
    let indexes = lines["indexes"].as_array().expect("indexes");
    assert!(
        indexes
            .contains(&json!({"name": "lines_by_sku", "columns": ["sku", "qty"], "unique": false, "primary": false}))
    );
    assert!(
        indexes
            .contains(&json!({"name": "PRIMARY", "columns": ["order_id", "line_no"], "unique": true, "primary": true}))
    );

    let products = find_table(&schema, Some(&other), "products");
    assert_eq!(products["comment"], "what we sell");
    assert_eq!(column(products, "price")["type"], "decimal(10,2)");
    assert_eq!(find_table(&schema, Some(&db.name), "big_lines")["kind"], "view");

    let one = dbdock_json(&["schema", "--url", &server_url, "--format", "json", &format!("{other}.products")]);
    assert_eq!(&one, products);
    db.drop().await;
}

#[test]
fn sqlite_schema_reports_keys_views_and_indexes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("shop.db");
    let url = format!("sqlite:{}", file.display());
    let out = crate::support::dbdock(&["demo", file.to_str().expect("utf-8 path")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), url);

    let schema = dbdock_json(&["schema", "--url", &url, "--format", "json"]);
    assert_eq!(schema["database"], "shop.db");
    let names: Vec<&str> =
        schema["tables"].as_array().expect("tables").iter().map(|t| t["name"].as_str().unwrap_or("")).collect();
    assert_eq!(names, ["customers", "order_lines", "order_totals", "orders", "products"]);

    let lines = find_table(&schema, None, "order_lines");
    assert_eq!(lines["primary_key"], json!(["order_id", "line_no"]));
    assert_eq!(column(lines, "line_no")["primary_key"], true);
    let fks = lines["foreign_keys"].as_array().expect("fks");
    assert!(fks.contains(&json!({
        "name": null, "columns": ["order_id"], "referenced_schema": null, "referenced_table": "orders",
        "referenced_columns": ["id"], "on_update": "NO ACTION", "on_delete": "CASCADE"
    })));
    let orders = find_table(&schema, None, "orders");
    assert!(orders["indexes"].as_array().expect("indexes").contains(&json!({
        "name": "orders_by_customer", "columns": ["customer_id", "ordered_at"], "unique": false, "primary": false
    })));
    let customers = find_table(&schema, None, "customers");
    assert_eq!(column(customers, "country")["default"], "'DE'");
    assert_eq!(column(customers, "email")["nullable"], false);
    assert_eq!(find_table(&schema, None, "order_totals")["kind"], "view");

    // Running demo again keeps the existing file.
    let again = crate::support::dbdock(&["demo", file.to_str().expect("utf-8 path")]);
    assert!(again.status.success());
}
