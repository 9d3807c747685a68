//! Profiles: passwords in the real OS keyring (Secret Service under a private D-Bus
//! session, as scripts/test.sh starts it), never in a file or on screen; concurrent
//! processes; the mcp-dbs environment variables.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use dbdock_testkit::PrivatePostgres;

/// The keyring service the tests use, apart from any real one.
const KEYRING_SERVICE: &str = "dbdock-test";

fn dbdock_in(home: &Path, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dbdock"));
    command
        .args(args)
        .env("DBDOCK_HOME", home)
        .env("DBDOCK_KEYRING_SERVICE", KEYRING_SERVICE)
        .env_remove("RUST_LOG")
        .envs(env.iter().copied())
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("run dbdock");
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        use std::io::Write;
        pipe.write_all(text.as_bytes()).expect("write stdin");
    }
    child.wait_with_output().expect("wait for dbdock")
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "failed ({:?}): {}", out.status.code(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn keyring_required(out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("KEYRING_UNAVAILABLE"),
        "the Secret Service keyring is not reachable: run the tests inside dbus-run-session with an unlocked \
         gnome-keyring-daemon (scripts/test.sh does). {stderr}"
    );
}

/// Every byte of every file under `dir`, searched for `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).expect("read dir").filter_map(|e| e.ok()).map(|e| e.path()));
        } else if let Ok(bytes) = std::fs::read(&path)
            && bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
        {
            hits.push(path.display().to_string());
        }
    }
    hits
}

#[tokio::test]
async fn passwords_live_in_the_keyring_and_nowhere_else() {
    let password = "Kr8-unique-p4ssw0rd";
    let server = PrivatePostgres::start(Some(password));
    let home = tempfile::tempdir().expect("home");
    let h = home.path();
    let mut printed = String::new();
    let mut record = |out: &Output| {
        printed.push_str(&String::from_utf8_lossy(&out.stdout));
        printed.push_str(&String::from_utf8_lossy(&out.stderr));
    };

    // The server really wants the password.
    let out = dbdock_in(h, &["query", "--url", &server.url_without_password(), "SELECT 1"], None, &[]);
    record(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with("error[AUTH_FAILED]"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // From the URL, and from stdin.
    let out = dbdock_in(h, &["profile", "add", "private", "--url", &server.url(), "--timeout", "5"], None, &[]);
    keyring_required(&out);
    record(&out);
    assert!(ok(&out).contains("password stored in the OS keyring"));
    let out = dbdock_in(
        h,
        &["profile", "add", "viastdin", "--url", &server.url_without_password(), "--password-stdin"],
        Some(&format!("{password}\n")),
        &[],
    );
    record(&out);
    ok(&out);

    for name in ["private", "viastdin"] {
        let out = dbdock_in(h, &["profile", "test", name], None, &[]);
        record(&out);
        let text = ok(&out);
        assert!(text.starts_with(&format!("ok: {name} ")) && text.contains("PostgreSQL 1"), "{text}");
        let out = dbdock_in(h, &["query", "--profile", name, "--format", "json", "SELECT current_user"], None, &[]);
        record(&out);
        assert!(ok(&out).contains("\"postgres\""));
    }
    for args in [
        &["profile", "list"][..],
        &["profile", "list", "--format", "json"],
        &["profile", "show", "private"],
        &["profile", "show", "private", "--format", "json"],
        &["profile", "export"],
        &["schema", "--profile", "private"],
    ] {
        let out = dbdock_in(h, args, None, &[]);
        record(&out);
        ok(&out);
    }
    let out = dbdock_in(h, &["profile", "export", h.join("export.json").to_str().expect("utf-8")], None, &[]);
    record(&out);
    ok(&out);

    // A wrong password from the environment overrides the keyring and is refused.
    let out =
        dbdock_in(h, &["query", "--profile", "private", "SELECT 1"], None, &[("DBDOCK_SECRET_PRIVATE", "wrong-one")]);
    record(&out);
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error[AUTH_FAILED]"));

    // Delete the keyring entry behind dbdock's back: the profile now fails clearly.
    let show = ok(&dbdock_in(h, &["profile", "show", "private", "--format", "json"], None, &[]));
    let id = serde_json::from_str::<serde_json::Value>(&show).expect("json")["id"].as_str().expect("id").to_owned();
    let keyring = dbdock_store::Keyring::with_service(KEYRING_SERVICE);
    assert!(keyring.delete(&id).await.expect("keyring delete"), "the entry existed");
    for args in [&["query", "--profile", "private", "SELECT 1"][..], &["profile", "test", "private"]] {
        let out = dbdock_in(h, args, None, &[]);
        record(&out);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.starts_with("error[AUTH_FAILED]: the password of profile 'private' is missing from the OS keyring"),
            "{stderr}"
        );
        assert!(stderr.contains("DBDOCK_SECRET_PRIVATE"), "{stderr}");
    }
    let out = dbdock_in(h, &["profile", "rm", "viastdin"], None, &[]);
    record(&out);
    ok(&out);

    assert!(!printed.contains(password), "the password was printed:\n{printed}");
    assert_eq!(files_containing(h, password), Vec::<String>::new(), "the password reached a file");
}

#[test]
fn processes_adding_and_listing_at_once_lose_nothing() {
    let home = tempfile::tempdir().expect("home");
    let h = home.path().to_path_buf();
    let workers: Vec<_> = (0..3)
        .map(|worker| {
            let h = h.clone();
            std::thread::spawn(move || {
                let mut failures = Vec::new();
                for i in 0..30 {
                    let name = format!("w{worker}-p{i}");
                    let url = format!("sqlite:/tmp/{name}.db");
                    for args in
                        [&["profile", "add", &name, "--url", &url][..], &["profile", "list", "--format", "json"]]
                    {
                        let out = dbdock_in(&h, args, None, &[]);
                        if !out.status.success() {
                            failures.push(String::from_utf8_lossy(&out.stderr).into_owned());
                        }
                    }
                }
                failures
            })
        })
        .collect();
    let failures: Vec<String> = workers.into_iter().flat_map(|w| w.join().expect("worker")).collect();
    assert!(failures.is_empty(), "{failures:#?}");
    let list = ok(&dbdock_in(&h, &["profile", "list", "--format", "json"], None, &[]));
    let profiles: Vec<serde_json::Value> = serde_json::from_str(&list).expect("json");
    assert_eq!(profiles.len(), 90);
}

#[test]
fn mcp_dbs_variables_alone_define_a_postgres_profile_on_any_port() {
    let server = PrivatePostgres::start(Some("env-pass-123"));
    assert_ne!(server.port, 5432);
    let home = tempfile::tempdir().expect("home");
    let port = server.port.to_string();
    let env = [
        ("MCP_POSTGRES_HOST", "127.0.0.1"),
        ("MCP_POSTGRES_PORT", port.as_str()),
        ("MCP_POSTGRES_DATABASE", "postgres"),
        ("MCP_POSTGRES_USER", "postgres"),
        ("MCP_POSTGRES_PASSWORD", "env-pass-123"),
    ];
    let out = dbdock_in(
        home.path(),
        &["query", "--profile", "postgres", "--format", "json", "SELECT inet_server_port() AS port"],
        None,
        &env,
    );
    let result: serde_json::Value = serde_json::from_str(&ok(&out)).expect("json");
    assert_eq!(result["rows"][0][0], serde_json::json!(server.port));

    let list = ok(&dbdock_in(home.path(), &["profile", "list", "--format", "json"], None, &env));
    let profiles: Vec<serde_json::Value> = serde_json::from_str(&list).expect("json");
    assert_eq!(profiles.len(), 1);
    assert_eq!(profiles[0]["access"], "read-only");
    assert_eq!(profiles[0]["source"], "environment");
    assert!(!list.contains("env-pass-123"));
    // Nothing was written for an environment profile.
    assert!(files_containing(home.path(), "env-pass-123").is_empty());
}

#[test]
fn without_a_keyring_the_secret_is_refused_not_written_down() {
    let home = tempfile::tempdir().expect("home");
    let no_bus = [("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/dbdock-no-bus")];
    let out = dbdock_in(
        home.path(),
        &["profile", "add", "p", "--url", "postgres://u:NoKeyring-pw9@127.0.0.1/db"],
        None,
        &no_bus,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("error[KEYRING_UNAVAILABLE]: "), "{stderr}");
    assert!(stderr.contains("DBDOCK_SECRET_P"), "{stderr}");
    assert!(!stderr.contains("NoKeyring-pw9"));
    // Not saved half-way: no profile, and the password in no file.
    let list = ok(&dbdock_in(home.path(), &["profile", "list", "--format", "json"], None, &no_bus));
    assert_eq!(list.trim(), "[]");
    assert!(files_containing(home.path(), "NoKeyring-pw9").is_empty());
    // A profile without a secret needs no keyring at all.
    ok(&dbdock_in(home.path(), &["profile", "add", "p", "--url", "postgres://u@127.0.0.1/db"], None, &no_bus));
}

/// `profile test` on servers without statements: Redis and NATS answer with their version
/// and latency; an unreachable one is one coded line on stderr and exit code 1.
#[test]
fn streaming_profiles_test_like_databases() {
    let home = tempfile::tempdir().expect("home");
    let h = home.path();
    let nats = std::env::var("DBDOCK_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned());
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("addr").port();
    for (name, url) in
        [("cache", dbdock_testkit::redis_url()), ("bus", nats), ("gone", format!("redis://127.0.0.1:{closed}"))]
    {
        ok(&dbdock_in(h, &["profile", "add", name, "--url", &url], None, &[]));
    }
    let cache = ok(&dbdock_in(h, &["profile", "test", "cache"], None, &[]));
    assert!(
        cache.starts_with("ok: cache (redis://127.0.0.1:") && cache.contains("server Redis "),
        "Redis on 6379: {cache}"
    );
    let bus = ok(&dbdock_in(h, &["profile", "test", "bus"], None, &[]));
    assert!(bus.starts_with("ok: bus (nats://") && bus.contains("server NATS 2."), "NATS on 4222: {bus}");
    let gone = dbdock_in(h, &["profile", "test", "gone"], None, &[]);
    let stderr = String::from_utf8_lossy(&gone.stderr);
    assert_eq!(gone.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error[CONNECTION_FAILED]: "), "{stderr}");
}

#[test]
fn version_names_the_engines_of_this_build() {
    let out = dbdock_in(tempfile::tempdir().expect("home").path(), &["--version"], None, &[]);
    let text = ok(&out);
    assert!(text.starts_with("dbdock 0.") && text.contains("engines: SQLite, PostgreSQL"), "{text}");
    assert!(text.contains("Redis, NATS"), "{text}");
}

/// `dbdock discover --dir`: a Compose service becomes a profile; its password reaches the
/// keyring only with --save-secrets, and no output or file of the home shows it.
#[test]
fn discover_adds_a_compose_service_and_saves_its_password_only_when_told() {
    let home = tempfile::tempdir().expect("home");
    let folder = tempfile::tempdir().expect("folder");
    let password = "compose-Secret-91c";
    std::fs::write(
        folder.path().join("compose.yaml"),
        format!(
            "services:\n  shopdb:\n    image: postgres:16\n    ports: [\"5432:5432\"]\n    environment:\n      \
             POSTGRES_USER: postgres\n      POSTGRES_PASSWORD: {password}\n"
        ),
    )
    .expect("write compose.yaml");
    let dir = folder.path().to_str().expect("a UTF-8 temp path");
    let base = ["discover", "--no-defaults", "--no-env", "--dir", dir];
    let listed = ok(&dbdock_in(home.path(), &[&base[..], &["--format", "json"]].concat(), None, &[]));
    let findings: serde_json::Value = serde_json::from_str(&listed).expect("JSON findings");
    assert_eq!(findings[0]["suggestedName"], "shopdb", "{listed}");
    assert_eq!(findings[0]["hasSecret"], true, "{listed}");
    assert_eq!(findings[0]["probed"]["product"], "PostgreSQL", "PostgreSQL on 127.0.0.1:5432: {listed}");

    let plain = ok(&dbdock_in(home.path(), &[&base[..], &["--add", "shopdb"]].concat(), None, &[]));
    assert!(plain.contains("added shopdb") && plain.contains("without the password"), "{plain}");
    let out = dbdock_in(home.path(), &[&base[..], &["--add", "shopdb", "--save-secrets"]].concat(), None, &[]);
    assert!(!out.status.success(), "the name is taken now");
    ok(&dbdock_in(home.path(), &["profile", "rm", "shopdb"], None, &[]));
    let out = dbdock_in(home.path(), &[&base[..], &["--add", "shopdb", "--save-secrets"]].concat(), None, &[]);
    keyring_required(&out);
    let saved = ok(&out);
    assert!(saved.contains("password saved to the OS keyring"), "{saved}");
    let profiles = ok(&dbdock_in(home.path(), &["profile", "list", "--format", "json"], None, &[]));
    assert!(profiles.contains("\"has_secret\":true"), "{profiles}");
    for text in [&listed, &plain, &saved, &profiles] {
        assert!(!text.contains(password), "the password was printed: {text}");
    }
    assert_eq!(files_containing(home.path(), password), Vec::<String>::new(), "files hold the password");
    ok(&dbdock_in(home.path(), &["profile", "rm", "shopdb"], None, &[]));
}
