use std::process::{Command, Output};

use serde_json::Value;

pub use dbdock_testkit::TestDb;

/// Runs `dbdock` with `args` and a private, empty home.
pub fn dbdock(args: &[&str]) -> Output {
    let home = tempfile::tempdir().expect("temp dir");
    Command::new(env!("CARGO_BIN_EXE_dbdock"))
        .args(args)
        .env("DBDOCK_HOME", home.path())
        .env_remove("RUST_LOG")
        .output()
        .expect("run dbdock")
}

/// Runs `dbdock`, asserts success, and parses stdout as one JSON document.
pub fn dbdock_json(args: &[&str]) -> Value {
    let out = dbdock(args);
    assert!(
        out.status.success(),
        "dbdock {args:?} failed ({:?}): {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout of {args:?} is not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

/// The table object named `schema.name` (or just `name`) in a `schema --format json` document.
pub fn find_table<'a>(schema: &'a Value, table_schema: Option<&str>, name: &str) -> &'a Value {
    schema["tables"]
        .as_array()
        .expect("tables array")
        .iter()
        .find(|t| t["name"] == name && table_schema.is_none_or(|s| t["schema"] == s))
        .unwrap_or_else(|| panic!("no table {table_schema:?}.{name} in {schema}"))
}

pub fn column<'a>(table: &'a Value, name: &str) -> &'a Value {
    table["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no column {name} in {table}"))
}
