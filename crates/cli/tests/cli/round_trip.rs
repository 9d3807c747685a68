//! One row holding every mapped type goes in through bound parameters and comes back
//! through `dbdock query --format json` with every value intact.

use serde_json::{Value, json};

use crate::support::{TestDb, dbdock_json};

/// Inserts through `dbdock query` (parameters bound by the server) and reads back.
fn insert_and_read(url: &str, insert: &str, params: &[&str], select: &str) -> Value {
    let mut args = vec!["query", "--url", url, "--format", "json"];
    for p in params {
        args.extend(["--param", p]);
    }
    args.push(insert);
    dbdock_json(&args);
    dbdock_json(&["query", "--url", url, "--format", "json", select])
}

fn assert_row(result: &Value, expected: &[(&str, Value)]) {
    let columns: Vec<&str> =
        result["columns"].as_array().expect("columns").iter().map(|c| c["name"].as_str().unwrap_or("")).collect();
    let row = &result["rows"][0];
    assert_eq!(result["row_count"], 1, "{result}");
    assert_eq!(result["truncated"], false);
    for (name, value) in expected {
        let i = columns.iter().position(|c| c == name).unwrap_or_else(|| panic!("no column {name}"));
        assert_eq!(&row[i], value, "column {name}");
    }
    assert_eq!(columns.len(), expected.len(), "every column is checked");
}

#[tokio::test]
async fn postgres_values_survive_the_round_trip() {
    let db = TestDb::postgres("round_trip").await;
    db.run(&[
        "CREATE TYPE mood AS ENUM ('happy', 'sad')",
        "CREATE TABLE everything (
            big int8, small int2, regular int4, exact numeric(30,10), real4 float4, real8 float8,
            flag bool, label text, code varchar(10), fixed char(3), raw bytea, day date, clock time,
            moment timestamp, moment_tz timestamptz, ident uuid, doc json, docb jsonb,
            tags text[], nums int4[], feeling mood, missing text, span interval, addr inet)",
    ])
    .await;
    let result = insert_and_read(
        &db.url,
        "INSERT INTO everything VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,
            '1 year 2 mons 3 days 04:05:06.5', '192.168.1.7')",
        &[
            "9007199254740993",
            "-32768",
            "2147483647",
            "12345678901234567890.0123456789",
            "1.5",
            "-2.25",
            "true",
            "héllo \"world\"\n",
            "",
            "ab",
            "\\xff00fe80",
            "2024-02-29",
            "13:04:59.123456",
            "2024-05-17 13:04:59.5",
            "2024-05-17T15:04:59+02:00",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            r#"{"b": 12345678901234567890123, "a": [1, 2.50]}"#,
            r#"{"k": "v"}"#,
            r#"["x", null, "z"]"#,
            "[1, 2, 3]",
            "sad",
            "null",
        ],
        "SELECT * FROM everything",
    );
    assert_row(
        &result,
        &[
            ("big", json!(9007199254740993_i64)),
            ("small", json!(-32768)),
            ("regular", json!(2147483647)),
            ("exact", json!("12345678901234567890.0123456789")),
            ("real4", json!(1.5)),
            ("real8", json!(-2.25)),
            ("flag", json!(true)),
            ("label", json!("héllo \"world\"\n")),
            ("code", json!("")),
            ("fixed", json!("ab ")),
            ("raw", json!("\\xff00fe80")),
            ("day", json!("2024-02-29")),
            ("clock", json!("13:04:59.123456")),
            ("moment", json!("2024-05-17T13:04:59.500")),
            ("moment_tz", json!("2024-05-17T13:04:59+00:00")),
            ("ident", json!("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")),
            ("doc", serde_json::from_str(r#"{"b": 12345678901234567890123, "a": [1, 2.50]}"#).unwrap_or_default()),
            ("docb", json!({"k": "v"})),
            ("tags", json!(["x", null, "z"])),
            ("nums", json!([1, 2, 3])),
            ("feeling", json!("sad")),
            ("missing", json!(null)),
            ("span", json!("1 year 2 mons 3 days 04:05:06.5")),
            ("addr", json!("192.168.1.7")),
        ],
    );
    // The JSON text keeps every digit of the big number (a double would not).
    let raw =
        crate::support::dbdock(&["query", "--url", &db.url, "--format", "json", "SELECT doc, big FROM everything"]);
    let stdout = String::from_utf8_lossy(&raw.stdout);
    assert!(stdout.contains("12345678901234567890123"), "{stdout}");
    assert!(stdout.contains("9007199254740993"), "{stdout}");
    let types: Vec<&str> =
        result["columns"].as_array().expect("columns").iter().map(|c| c["type"].as_str().unwrap_or("")).collect();
    assert_eq!(&types[..4], ["INT8", "INT2", "INT4", "NUMERIC"]);
    db.drop().await;
}

#[tokio::test]
async fn mysql_values_survive_the_round_trip() {
    let db = TestDb::mysql("round_trip").await;
    db.run(&["CREATE TABLE everything (
        big BIGINT, ubig BIGINT UNSIGNED, tiny TINYINT, small SMALLINT, medium MEDIUMINT, regular INT,
        exact DECIMAL(30,10), real4 FLOAT, real8 DOUBLE, flag BOOLEAN, label TEXT, code VARCHAR(10),
        raw BLOB, day DATE, clock TIME(6), moment DATETIME(6), yr YEAR, doc JSON, feeling ENUM('happy','sad'),
        bits BIT(16), missing TEXT) CHARACTER SET utf8mb4"])
        .await;
    let result = insert_and_read(
        &db.url,
        "INSERT INTO everything VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, X'FF00FE80', ?, ?, ?, ?, ?, ?, b'0000000100000010', ?)",
        &[
            "9007199254740993",
            "18446744073709551615",
            "-128",
            "-32768",
            "8388607",
            "2147483647",
            "12345678901234567890.0123456789",
            "1.5",
            "-2.25",
            "true",
            "héllo \"world\" 🚀\n",
            "",
            "2024-02-29",
            "-838:59:59",
            "2024-05-17 13:04:59.123456",
            "2024",
            r#"{"a": [1, 2.50]}"#,
            "sad",
            "null",
        ],
        "SELECT * FROM everything",
    );
    assert_row(
        &result,
        &[
            ("big", json!(9007199254740993_i64)),
            ("ubig", json!(18446744073709551615_u64)),
            ("tiny", json!(-128)),
            ("small", json!(-32768)),
            ("medium", json!(8388607)),
            ("regular", json!(2147483647)),
            ("exact", json!("12345678901234567890.0123456789")),
            ("real4", json!(1.5)),
            ("real8", json!(-2.25)),
            ("flag", json!(1)),
            ("label", json!("héllo \"world\" 🚀\n")),
            ("code", json!("")),
            ("raw", json!("\\xff00fe80")),
            ("day", json!("2024-02-29")),
            ("clock", json!("-838:59:59")),
            ("moment", json!("2024-05-17T13:04:59.123456")),
            ("yr", json!(2024)),
            // MariaDB has no JSON type (JSON is LONGTEXT with a check), so the text comes back.
            ("doc", json!(r#"{"a": [1, 2.50]}"#)),
            ("feeling", json!("sad")),
            ("bits", json!(258)),
            ("missing", json!(null)),
        ],
    );
    db.drop().await;
}

#[test]
fn sqlite_values_survive_the_round_trip() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite:{}", dir.path().join("types.db").display());
    let out = crate::support::dbdock(&["demo", dir.path().join("types.db").to_str().expect("utf-8")]);
    assert!(out.status.success());
    dbdock_json(&[
        "query",
        "--url",
        &url,
        "--format",
        "json",
        "CREATE TABLE everything (big INTEGER, real8 REAL, exact TEXT, label TEXT, raw BLOB, bad_text TEXT, flag BOOLEAN, day DATE, missing TEXT)",
    ]);
    let result = insert_and_read(
        &url,
        "INSERT INTO everything VALUES (?, ?, ?, ?, X'FF00FE80', CAST(X'C328' AS TEXT), ?, ?, ?)",
        &[
            "9007199254740993",
            "-2.25",
            "12345678901234567890.0123456789",
            "héllo \"world\"\n",
            "true",
            "2024-02-29",
            "null",
        ],
        "SELECT * FROM everything",
    );
    assert_row(
        &result,
        &[
            ("big", json!(9007199254740993_i64)),
            ("real8", json!(-2.25)),
            ("exact", json!("12345678901234567890.0123456789")),
            ("label", json!("héllo \"world\"\n")),
            ("raw", json!("\\xff00fe80")),
            // Text that is not UTF-8 comes back as its bytes instead of failing the row.
            ("bad_text", json!("\\xc328")),
            ("flag", json!(1)),
            ("day", json!("2024-02-29")),
            ("missing", json!(null)),
        ],
    );
}
