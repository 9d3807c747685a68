//! Credentials in the URL's less common positions (docs/safety.md): a NATS token written as
//! the user goes to the OS keyring like a password; a MongoDB AWS session token is refused
//! with what to do instead. Neither reaches a file of the home or any output.

use std::path::Path;
use std::process::{Command, Output, Stdio};

const KEYRING_SERVICE: &str = "dbdock-test";
const NATS_TOKEN: &str = "Nats-T0ken-Cli-4711";
const AWS_SESSION: &str = "Aws-Sess10n-Cli-4711";

fn dbdock_in(home: &Path, args: &[&str]) -> Output {
    dbdock_with_stdin(home, args, None)
}

fn dbdock_with_stdin(home: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dbdock"))
        .args(args)
        .env("DBDOCK_HOME", home)
        .env("DBDOCK_KEYRING_SERVICE", KEYRING_SERVICE)
        .env_remove("RUST_LOG")
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run dbdock");
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        use std::io::Write;
        pipe.write_all(text.as_bytes()).expect("write stdin");
    }
    child.wait_with_output().expect("wait for dbdock")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).expect("read dir").filter_map(|e| e.ok()).map(|e| e.path()));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn a_nats_token_as_user_and_an_aws_session_token_never_reach_a_file_or_the_screen() {
    let home = tempfile::tempdir().expect("temp dir");
    let h = home.path();
    let nats_url = format!("nats://{NATS_TOKEN}@127.0.0.1:4222");
    let added = dbdock_in(h, &["profile", "add", "bus", "--url", &nats_url]);
    assert!(
        !text(&added).contains("KEYRING_UNAVAILABLE"),
        "the Secret Service keyring is not reachable: run inside dbus-run-session with an unlocked gnome-keyring-daemon \
         (scripts/test.sh does): {}",
        text(&added)
    );
    assert!(added.status.success(), "{}", text(&added));

    let mongo_url = format!(
        "mongodb://AKIAEXAMPLE@127.0.0.1:27017/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:\
         {AWS_SESSION}"
    );
    let refused = dbdock_in(h, &["profile", "add", "docs", "--url", &mongo_url]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(text(&refused).contains("INVALID_INPUT") && text(&refused).contains("environment"), "{}", text(&refused));

    let export_file = h.join("export.json");
    let mut outputs = vec![text(&added), text(&refused)];
    for args in [
        vec!["profile", "show", "bus"],
        vec!["profile", "list"],
        vec!["profile", "list", "--format", "json"],
        vec!["profile", "export"],
        vec!["profile", "export", export_file.to_str().expect("utf-8")],
    ] {
        let out = dbdock_in(h, &args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        outputs.push(text(&out));
    }
    let listed: serde_json::Value =
        serde_json::from_str(outputs[4].trim()).unwrap_or_else(|e| panic!("{e}: {}", outputs[4]));
    let bus = &listed.as_array().expect("a list")[0];
    assert_eq!((bus["url"].as_str(), bus["has_secret"].as_bool()), (Some("nats://127.0.0.1:4222"), Some(true)));
    assert!(!listed.to_string().contains("docs"), "the refused profile was saved: {listed}");
    for output in &outputs {
        assert!(!output.contains(NATS_TOKEN) && !output.contains(AWS_SESSION), "a secret is shown: {output}");
    }
    for file in files_under(h) {
        let bytes = std::fs::read(&file).expect("read");
        for secret in [NATS_TOKEN, AWS_SESSION] {
            assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "{} holds a secret", file.display());
        }
    }
    let removed = dbdock_in(h, &["profile", "rm", "bus"]);
    assert!(removed.status.success(), "{}", text(&removed));
}

#[test]
fn a_nats_user_with_a_password_on_stdin_stays_a_user() {
    let home = tempfile::tempdir().expect("temp dir");
    let h = home.path();
    let added = dbdock_with_stdin(
        h,
        &["profile", "add", "bus_login", "--url", "nats://alice@127.0.0.1:4222", "--password-stdin"],
        Some("Nats-Passw0rd-4711\n"),
    );
    assert!(added.status.success(), "{}", text(&added));
    let listed = dbdock_in(h, &["profile", "list", "--format", "json"]);
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("json");
    let bus = &listed.as_array().expect("a list")[0];
    assert_eq!((bus["url"].as_str(), bus["has_secret"].as_bool()), (Some("nats://alice@127.0.0.1:4222"), Some(true)));
    assert!(!listed.to_string().contains("Nats-Passw0rd-4711"));
    let removed = dbdock_in(h, &["profile", "rm", "bus_login"]);
    assert!(removed.status.success(), "{}", text(&removed));
}
