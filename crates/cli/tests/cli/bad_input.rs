//! Bad input: one line on stderr with a stable code, exit status 1 or 2, no panic, no
//! stack trace, no password.

use crate::support::{TestDb, dbdock};

const SECRET: &str = "Sup3r-s3cret!pw";

fn assert_clean_failure(args: &[&str], code: &str, status: i32) {
    let out = dbdock(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(status), "{args:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{args:?} printed more than one line: {stderr}");
    assert!(stderr.starts_with(&format!("error[{code}]: ")), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"), "{stderr}");
    for text in [&stderr, &stdout] {
        assert!(!text.contains(SECRET), "the password leaked: {text}");
        assert!(!text.contains("s3cret"), "part of the password leaked: {text}");
    }
}

#[tokio::test]
async fn statement_errors_are_reported_with_codes() {
    let db = TestDb::postgres("bad_input").await;
    let url = db.url.replace("postgres@", &format!("postgres:{}@", urlencode(SECRET)));
    assert_clean_failure(&["query", "--url", &url, "SELEC 1"], "QUERY_FAILED", 1);
    assert_clean_failure(&["query", "--url", &url, "SELECT * FROM no_such_table"], "NOT_FOUND", 1);
    assert_clean_failure(&["schema", "--url", &url, "no_such_table"], "NOT_FOUND", 1);
    assert_clean_failure(&["query", "--url", &url, "--param", "x", "SELECT $1::int"], "INVALID_INPUT", 2);
    assert_clean_failure(&["query", "--url", &url, "SELECT $1::int"], "INVALID_INPUT", 2);
    db.drop().await;

    let mysql = TestDb::mysql("bad_input").await;
    assert_clean_failure(&["query", "--url", &mysql.url, "SELEC 1"], "QUERY_FAILED", 1);
    assert_clean_failure(&["query", "--url", &mysql.url, "SELECT * FROM no_such_table"], "NOT_FOUND", 1);
    mysql.drop().await;

    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("x.db");
    assert!(dbdock(&["demo", file.to_str().expect("utf-8")]).status.success());
    let sqlite = format!("sqlite:{}", file.display());
    assert_clean_failure(&["query", "--url", &sqlite, "SELEC 1"], "QUERY_FAILED", 1);
    assert_clean_failure(&["query", "--url", &sqlite, "SELECT * FROM no_such_table"], "NOT_FOUND", 1);
}

#[test]
fn connection_errors_are_reported_with_codes() {
    let pw = urlencode(SECRET);
    // Nothing listens on port 1 of the loopback address.
    assert_clean_failure(
        &["query", "--url", &format!("postgres://u:{pw}@127.0.0.1:1/db"), "SELECT 1"],
        "CONNECTION_FAILED",
        1,
    );
    assert_clean_failure(
        &["query", "--url", &format!("mysql://u:{pw}@127.0.0.1:1/db"), "SELECT 1"],
        "CONNECTION_FAILED",
        1,
    );
    // A name in the reserved .invalid domain never resolves.
    assert_clean_failure(
        &["query", "--url", &format!("postgres://u:{pw}@db.nowhere.invalid/db"), "SELECT 1"],
        "CONNECTION_FAILED",
        1,
    );
    assert_clean_failure(
        &["query", "--url", &format!("postgres://u:{pw}@127.0.0.1:notaport/db"), "SELECT 1"],
        "INVALID_INPUT",
        2,
    );
    assert_clean_failure(&["query", "--url", &format!("oracle://u:{pw}@127.0.0.1/db"), "SELECT 1"], "INVALID_INPUT", 2);
    assert_clean_failure(&["query", "--url", "not a url at all", "SELECT 1"], "INVALID_INPUT", 2);
    assert_clean_failure(&["schema", "--url", "sqlite:/no/such/dir/x.db"], "NOT_FOUND", 1);
    // Wrong credentials: MariaDB refuses root with a password, PostgreSQL an unknown role.
    assert_clean_failure(
        &["query", "--url", &format!("mysql://root:{pw}@127.0.0.1:3306/"), "SELECT 1"],
        "AUTH_FAILED",
        1,
    );
    assert_clean_failure(
        &["query", "--url", &format!("postgres://no_such_role_x:{pw}@127.0.0.1:5432/postgres"), "SELECT 1"],
        "AUTH_FAILED",
        1,
    );
}

#[test]
fn usage_errors_exit_2() {
    let out = dbdock(&["query"]);
    assert_eq!(out.status.code(), Some(2));
    let out = dbdock(&["query", "--url", "sqlite:x.db", "--format", "xml", "SELECT 1"]);
    assert_eq!(out.status.code(), Some(2));
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b == b'-' { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}
