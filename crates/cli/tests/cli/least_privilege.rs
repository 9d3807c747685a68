//! Least privilege, end to end against the real PostgreSQL and MariaDB (docs/safety.md,
//! "least privilege"): a superuser/root profile is reported as a login that can write;
//! `profile ai-login --create --yes` makes a read-only login whose password goes to the
//! OS keyring (Secret Service, as scripts/test.sh provides); `dbdock mcp` connects as that
//! login; and the server itself refuses its writes with DB Dock's classifier out of the way.
//! Needs the keyring: run under `bash -c '. scripts/services.sh; with_keyring cargo test …'`.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use dbdock_core::{ConnectionTarget, ErrorCode, QueryOptions};
use dbdock_engines::OpenOptions;
use dbdock_store::{Home, Keyring, Store};
use dbdock_testkit::TestDb;
use serde_json::{Value, json};

const KEYRING_SERVICE: &str = "dbdock-test";

fn dbdock_in(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dbdock"))
        .args(args)
        .env("DBDOCK_HOME", home)
        .env("DBDOCK_KEYRING_SERVICE", KEYRING_SERVICE)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("run dbdock")
}

fn ok(home: &Path, args: &[&str]) -> String {
    let out = dbdock_in(home, args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("KEYRING_UNAVAILABLE"),
        "the Secret Service keyring is not reachable: run the tests inside dbus-run-session with an unlocked \
         gnome-keyring-daemon (scripts/test.sh does). {stderr}"
    );
    assert!(out.status.success(), "dbdock {args:?} failed ({:?}): {stderr}", out.status.code());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `dbdock mcp` on stdio, spoken to line by line.
struct Mcp {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    stdout: BufReader<std::process::ChildStdout>,
    next_id: u64,
}

impl Mcp {
    fn start(home: &Path) -> Mcp {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dbdock"))
            .arg("mcp")
            .env("DBDOCK_HOME", home)
            .env("DBDOCK_KEYRING_SERVICE", KEYRING_SERVICE)
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("run dbdock mcp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut mcp = Mcp { child, stdin, stdout, next_id: 1 };
        mcp.request(
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}),
        );
        mcp.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        mcp
    }

    fn send(&mut self, message: &Value) {
        writeln!(self.stdin, "{message}").expect("write to dbdock mcp");
        self.stdin.flush().expect("flush");
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let mut line = String::new();
            assert!(self.stdout.read_line(&mut line).expect("read") > 0, "dbdock mcp ended");
            let message: Value = serde_json::from_str(&line).expect("JSON-RPC line");
            if message["id"] == id {
                return message;
            }
        }
    }

    /// A tool's structured result; panics on a tool error.
    fn call(&mut self, tool: &str, arguments: Value) -> Value {
        let reply = self.request("tools/call", json!({"name": tool, "arguments": arguments}));
        assert_ne!(reply["result"]["isError"], json!(true), "{tool}: {reply}");
        reply["result"]["structuredContent"].clone()
    }

    fn close(mut self) {
        drop(self.stdin);
        let _ = self.child.wait();
    }
}

struct Case<'a> {
    profile: &'a str,
    url: &'a str,
    /// What the superuser/root login is called in `profile test`.
    admin_login: &'a str,
    whoami: &'a str,
    table: &'a str,
    /// Codes the server's own refusal may carry for a write.
    refusals: &'a [ErrorCode],
}

async fn least_privilege(case: Case<'_>) {
    let home = tempfile::tempdir().expect("home");
    let h = home.path();
    let admin_target = ConnectionTarget::parse(case.url).expect("url");
    let login = format!("dbdock_ai_{}_{}", case.profile, std::process::id());
    // A login left behind by an earlier, failed run of this test.
    dbdock_engines::privileges::drop_login(&admin_target, &login).await.expect("clean slate");

    ok(h, &["profile", "add", case.profile, "--url", case.url]);
    // The superuser/root login can write, and read-only AI access rests on DB Dock alone.
    let tested = ok(h, &["profile", "test", case.profile]);
    assert!(tested.contains(&format!("login ({}", case.admin_login)), "{tested}");
    assert!(tested.contains("can write") && tested.contains("ai-login"), "{tested}");

    // Shown first, password masked; nothing happens without --yes.
    let shown = ok(h, &["profile", "ai-login", case.profile, "--create", "--user", &login]);
    assert!(shown.contains("********") && shown.contains("Nothing was changed"), "{shown}");
    assert!(shown.contains(&login), "{shown}");
    let still_none = ok(h, &["profile", "show", case.profile]);
    assert!(still_none.contains("(the profile's own)"), "{still_none}");

    let created = ok(h, &["profile", "ai-login", case.profile, "--create", "--user", &login, "--yes"]);
    assert!(created.contains(&format!("created {login}")), "{created}");
    let shown = ok(h, &["profile", "show", case.profile]);
    assert!(shown.contains(&format!("AI login: {login}")), "{shown}");
    let tested = ok(h, &["profile", "test", case.profile]);
    assert!(tested.contains(&format!("AI login {login}")) && tested.contains("cannot write: AI clients"), "{tested}");

    // The password is in the keyring (and nowhere in the home).
    let store = Store::open(Home::at(h)).await.expect("store").with_keyring(Keyring::with_service(KEYRING_SERVICE));
    let ai = store.resolve_for_ai(case.profile).await.expect("AI login resolves from the keyring");
    let password = ai.target.password().expect("AI password").clone();
    assert_eq!(password.expose().len(), 32);
    store.close().await;
    for entry in walk(h) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        assert!(!bytes.windows(32).any(|w| w == password.expose().as_bytes()), "the password is in {entry:?}");
    }

    // MCP connects as the new login, and says it cannot write.
    let mut mcp = Mcp::start(h);
    let listed = mcp.call("list-connections", json!({}));
    let entry = listed["connections"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["connectionId"] == case.profile))
        .unwrap_or_else(|| panic!("{listed}"))
        .clone();
    assert_eq!(entry["loginCanWrite"], json!(false), "{entry}");
    let who = mcp.call("execute-query", json!({"connectionId": case.profile, "query": case.whoami}));
    assert!(who["rows"][0][0].as_str().is_some_and(|u| u.starts_with(&login)), "{who}");
    mcp.close();

    // The engine, called directly with the AI login and no classifier (read_only: false):
    // only the server stands in the way, and it refuses.
    let db = dbdock_engines::open(ai.target.clone(), OpenOptions::default()).await.expect("open as the AI login");
    let unguarded = QueryOptions { read_only: false, ..QueryOptions::default() };
    for write in [format!("INSERT INTO {} VALUES (99)", case.table), format!("DROP TABLE {}", case.table)] {
        let refused = db.execute(&write, &[], &unguarded).await.expect_err("the server must refuse");
        assert!(case.refusals.contains(&refused.code), "{write}: {refused:?}");
    }
    db.disconnect().await;

    // Removing it drops the login on the server (shown first) and forgets it.
    let shown = ok(h, &["profile", "ai-login", case.profile, "--remove", "--drop"]);
    assert!(shown.contains("DROP") && shown.contains("Nothing was changed"), "{shown}");
    let removed = ok(h, &["profile", "ai-login", case.profile, "--remove", "--drop", "--yes"]);
    assert!(removed.contains("dropped it on the server"), "{removed}");
    let gone = dbdock_engines::open(ai.target, OpenOptions::default()).await;
    assert_eq!(gone.err().map(|e| e.code), Some(ErrorCode::AuthFailed), "the login is gone from the server");
    ok(h, &["profile", "rm", case.profile]);
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).into_iter().flatten().filter_map(|e| e.ok()).map(|e| e.path()));
        } else {
            files.push(path);
        }
    }
    files
}

#[tokio::test]
async fn postgres_read_only_ai_login_end_to_end() {
    let db = TestDb::postgres("lp_cli").await;
    db.run(&["CREATE TABLE orders (id int PRIMARY KEY)", "INSERT INTO orders VALUES (1)"]).await;
    least_privilege(Case {
        profile: "pg",
        url: &db.url,
        admin_login: "postgres",
        whoami: "SELECT current_user::text",
        table: "orders",
        // 25006 (read-only transaction: the role's default) or 42501 (no privilege).
        refusals: &[ErrorCode::ReadOnlyViolation, ErrorCode::PermissionDenied],
    })
    .await;
    db.drop().await;
}

#[tokio::test]
async fn mariadb_read_only_ai_login_end_to_end() {
    let db = TestDb::mysql("lp_cli").await;
    db.run(&["CREATE TABLE orders (id int PRIMARY KEY)", "INSERT INTO orders VALUES (1)"]).await;
    least_privilege(Case {
        profile: "my",
        url: &db.url,
        admin_login: "root@",
        whoami: "SELECT CURRENT_USER()",
        table: "orders",
        // 1142: the command is denied to the account.
        refusals: &[ErrorCode::PermissionDenied],
    })
    .await;
    db.drop().await;
}
