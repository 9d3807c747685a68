//! Every client against a config file like the ones people have (comments where the format
//! allows them, other servers and settings, tabs or odd indentation): DB Dock's entry goes
//! in with the client's shape, nothing else changes by a byte, a second install changes
//! nothing, and uninstalling gives the original file back.

use std::path::Path;

use serde_json::{Value, json};

use super::{backups, linux, text, write};
use crate::install::{Client, ClientEnv, ServerSpec, Syntax, config_path, install, json, toml, uninstall};

const COMMAND: &str = "/opt/DB Dock/bin/dbdock";
const HOME: &str = "/home/jo/.dbdock";

fn fixture(client: Client) -> &'static str {
    match client {
        Client::ClaudeDesktop => include_str!("../fixtures/claude-desktop.json"),
        Client::ClaudeCode => include_str!("../fixtures/claude-code.json"),
        Client::Cursor => include_str!("../fixtures/cursor.json"),
        Client::Vscode => include_str!("../fixtures/vscode.json"),
        Client::Windsurf => include_str!("../fixtures/windsurf.json"),
        Client::Zed => include_str!("../fixtures/zed.json"),
        Client::Cline => include_str!("../fixtures/cline.json"),
        Client::RooCode => include_str!("../fixtures/roo-code.json"),
        Client::GeminiCli => include_str!("../fixtures/gemini-cli.json"),
        Client::Codex => include_str!("../fixtures/codex.toml"),
        Client::Kiro => include_str!("../fixtures/kiro.json"),
        Client::LmStudio => include_str!("../fixtures/lm-studio.json"),
        Client::Opencode => include_str!("../fixtures/opencode.json"),
    }
}

/// The entry each client's documentation describes, spelled out here rather than derived
/// from the code under test.
fn expected_entry(client: Client) -> Value {
    let args = json!(["mcp", "--profile", "shop"]);
    let env = json!({"DBDOCK_HOME": HOME});
    match client {
        Client::Vscode => json!({"type": "stdio", "command": COMMAND, "args": args, "env": env}),
        Client::Zed => json!({"source": "custom", "command": COMMAND, "args": args, "env": env}),
        Client::Opencode => json!({
            "type": "local",
            "command": [COMMAND, "mcp", "--profile", "shop"],
            "enabled": true,
            "environment": env,
        }),
        _ => json!({"command": COMMAND, "args": args, "env": env}),
    }
}

fn the_spec() -> ServerSpec {
    ServerSpec { command: COMMAND.into(), profiles: vec!["shop".into()], per_profile: false, home: Some(HOME.into()) }
}

/// The `dbdock` entry in `text`, as JSON.
fn entry_in(client: Client, text: &str) -> Option<Value> {
    if client.syntax() == Syntax::Toml {
        let doc: toml_edit::DocumentMut = text.parse().ok()?;
        return toml::to_json(doc.get(client.servers_key())?.as_table_like()?.get("dbdock")?);
    }
    if client.syntax() == Syntax::Json {
        serde_json::from_str::<Value>(text).ok()?;
    }
    json::read(text)?.get(client.servers_key())?.get("dbdock").cloned()
}

/// Where DB Dock's entry is in `text`: from its key to the end of its value (JSON; the
/// whole servers object when the `original` had none), or from its table header to the
/// end of its last line (TOML).
fn entry_span(client: Client, original: &str, text: &str) -> (usize, usize) {
    if client.syntax() == Syntax::Toml {
        let start = text.find("[mcp_servers.dbdock]").unwrap_or_else(|| panic!("no entry in {text}"));
        let end = ["\n\n", "\n[", "\n#"].iter().filter_map(|stop| text[start..].find(stop)).min();
        return (start, end.map_or(text.len(), |at| start + at + 1));
    }
    let servers = format!("\"{}\":", client.servers_key());
    let key = if original.contains(&servers) { "\"dbdock\":" } else { servers.as_str() };
    let start = text.find(key).unwrap_or_else(|| panic!("no entry in {text}"));
    let open = start + text[start..].find('{').unwrap_or_default();
    let (mut depth, mut in_string, mut escaped) = (0, false, false);
    for (at, c) in text[open..].char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '{' if !in_string => depth += 1,
            '}' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    return (start, open + at + 1);
                }
            }
            _ => {}
        }
    }
    panic!("the entry never closes in {text}")
}

/// Whether every character of `old`, in order, is still in `new`.
fn kept_in_order(old: &str, new: &str) -> bool {
    let mut rest = new.chars();
    old.chars().all(|c| rest.any(|n| n == c))
}

fn without_separators(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace() && *c != ',').collect()
}

fn setup(client: Client) -> (tempfile::TempDir, ClientEnv, std::path::PathBuf) {
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let env = linux(home.path());
    let path = config_path(client, &env).unwrap_or_else(|e| panic!("{e}"));
    (home, env, path)
}

#[test]
fn every_client_round_trips_its_real_world_file() {
    for client in Client::ALL {
        let original = fixture(client);
        let (home, env, path) = setup(client);
        write(&path, original);

        let change = install(client, &env, &the_spec(), false).unwrap_or_else(|e| panic!("{client:?}: {e}"));
        assert!(change.changed && change.backup.is_some(), "{client:?}");
        assert_eq!(change.entries, ["dbdock"]);
        let installed = text(&path);
        assert_eq!(entry_in(client, &installed), Some(expected_entry(client)), "{client:?}:\n{installed}");

        // Outside DB Dock's entry only separators (commas, newlines, indents) were added,
        // and not one of the original's characters went missing or moved.
        assert!(kept_in_order(original, &installed), "{client:?} lost a character:\n{installed}");
        let (start, end) = entry_span(client, original, &installed);
        let outside = format!("{}{}", &installed[..start], &installed[end..]);
        assert_eq!(without_separators(&outside), without_separators(original), "{client:?}:\n{installed}");

        let before = backups(home.path());
        let again = install(client, &env, &the_spec(), false).unwrap_or_else(|e| panic!("{client:?}: {e}"));
        assert!(!again.changed && again.backup.is_none(), "{client:?}: {}", again.diff);
        assert_eq!((text(&path), backups(home.path())), (installed, before), "{client:?}");

        let removed = uninstall(client, &env, false).unwrap_or_else(|e| panic!("{client:?}: {e}"));
        assert_eq!(removed.entries, ["dbdock"]);
        assert_eq!(text(&path), original, "{client:?}: uninstall gives the original bytes back");
        assert!(!uninstall(client, &env, false).map(|c| c.changed).unwrap_or(true), "{client:?}");
    }
}

#[test]
fn per_profile_entries_round_trip_in_every_client() {
    for client in Client::ALL {
        let original = fixture(client);
        let (_home, env, path) = setup(client);
        write(&path, original);
        let spec = ServerSpec { profiles: vec!["shop".into(), "pg".into()], per_profile: true, ..the_spec() };
        let change = install(client, &env, &spec, false).unwrap_or_else(|e| panic!("{client:?}: {e}"));
        assert_eq!(change.entries, ["dbdock-shop", "dbdock-pg"]);
        let installed = text(&path);
        assert!(kept_in_order(original, &installed), "{client:?}:\n{installed}");
        // Back to one entry for all: the per-profile ones go, the single one comes.
        install(client, &env, &the_spec(), false).unwrap_or_else(|e| panic!("{client:?}: {e}"));
        let single = text(&path);
        assert!(!single.contains("dbdock-shop") && !single.contains("dbdock-pg"), "{client:?}:\n{single}");
        assert_eq!(entry_in(client, &single), Some(expected_entry(client)), "{client:?}:\n{single}");
        uninstall(client, &env, false).unwrap_or_else(|e| panic!("{client:?}: {e}"));
        assert_eq!(text(&path), original, "{client:?}");
    }
}

/// A file where the user edited DB Dock's entry by hand (an old command, their own
/// layout), with comments and servers on both sides: the entry is replaced where it
/// stands and every byte before and after it is the user's.
#[test]
fn a_hand_edited_entry_is_replaced_where_it_stands() {
    let cases: [(Client, &str, &str, &str); 3] = [
        (
            Client::Vscode,
            "{\n  // Mine, then DB Dock's.\n  \"servers\": {\n    \"git\": { \"command\": \"git-mcp\" },\n    \"dbdock\": ",
            "{ \"type\": \"stdio\", \"command\": \"/usr/local/bin/dbdock\", \"args\": [\"mcp\"] }",
            ", // moved here by hand\n    \"zeta\": { \"command\": \"z\" },\n  },\n}\n",
        ),
        (
            Client::ClaudeDesktop,
            "{\n   \"mcpServers\" : {\n      \"dbdock\" : ",
            "{\"command\":\"/old/dbdock\",\"args\":[\"mcp\",\"--profile\",\"old\"],\"env\":{\"DBDOCK_HOME\":\"/x\"}}",
            ",\n      \"files\" : {\"command\":\"npx\"}\n   }\n}",
        ),
        (
            Client::Codex,
            "model = \"o3\"\n\n# DB Dock, pinned by hand\n[mcp_servers.dbdock]\n",
            "command = \"/old/dbdock\"\nargs = [\"mcp\"]  # one day\n",
            "\n# The others.\n[mcp_servers.files]\ncommand = \"npx\"\n",
        ),
    ];
    for (client, before, entry, after) in cases {
        let (_home, env, path) = setup(client);
        write(&path, &format!("{before}{entry}{after}"));
        let change = install(client, &env, &the_spec(), false).unwrap_or_else(|e| panic!("{client:?}: {e}"));
        assert!(change.changed, "{client:?}");
        let written = text(&path);
        let replaced = written
            .strip_prefix(before)
            .and_then(|rest| rest.strip_suffix(after))
            .unwrap_or_else(|| panic!("{client:?}: bytes around the entry changed:\n{written}"));
        assert_ne!(replaced, entry);
        assert_eq!(entry_in(client, &written), Some(expected_entry(client)), "{client:?}:\n{written}");
        assert!(!install(client, &env, &the_spec(), false).map(|c| c.changed).unwrap_or(true), "{client:?}");
    }
}

#[test]
fn a_toml_file_with_windows_line_endings_keeps_them() {
    let (_home, env, path) = setup(Client::Codex);
    let original = fixture(Client::Codex).replace('\n', "\r\n");
    write(&path, &original);
    install(Client::Codex, &env, &the_spec(), false).unwrap_or_else(|e| panic!("{e}"));
    let installed = text(&path);
    assert!(installed.contains("[mcp_servers.dbdock]\r\n") && !installed.replace("\r\n", "").contains('\n'));
    uninstall(Client::Codex, &env, false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(text(&path), original);
    assert!(Path::new(&path).exists());
}
