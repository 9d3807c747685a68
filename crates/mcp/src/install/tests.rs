use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::*;

mod fixtures;
mod paths;

fn linux(home: &Path) -> ClientEnv {
    ClientEnv {
        os: Os::Linux,
        home: home.display().to_string(),
        appdata: None,
        localappdata: None,
        xdg_config_home: None,
        codex_home: None,
    }
}

fn spec(profiles: &[&str], per_profile: bool) -> ServerSpec {
    ServerSpec {
        command: PathBuf::from("/opt/DB Dock/bin/dbdock"),
        profiles: profiles.iter().map(|p| (*p).to_owned()).collect(),
        per_profile,
        home: None,
    }
}

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// The file as JSON (comments allowed), `Null` when missing or unreadable.
fn read(path: &Path) -> Value {
    json::read(&text(path)).unwrap_or(Value::Null)
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap_or(Path::new("/"))).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
}

fn backups(dir: &Path) -> usize {
    walk(dir).iter().filter(|p| p.to_string_lossy().contains(".dbdock-backup-")).count()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn fresh_install_merge_idempotence_uninstall_and_backups() {
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let env = linux(home.path());
    let path = config_path(Client::ClaudeDesktop, &env).unwrap_or_default();

    let change = install(Client::ClaudeDesktop, &env, &spec(&["shop"], false), false).unwrap_or_else(|e| panic!("{e}"));
    assert!(change.changed && change.backup.is_none() && change.path == path);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).map(|m| m.permissions().mode() & 0o777).unwrap_or_default();
        assert_eq!(mode, 0o600, "a new config is readable by its owner only");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap_or_default();
    }
    assert_eq!(
        text(&path),
        "{\n  \"mcpServers\": {\n    \"dbdock\": {\n      \"command\": \"/opt/DB Dock/bin/dbdock\",\n      \"args\": \
         [\"mcp\", \"--profile\", \"shop\"]\n    }\n  }\n}\n"
    );

    // Someone else's servers and settings survive; the old file is backed up.
    std::fs::write(&path, r#"{"globalShortcut": "Ctrl+Space", "mcpServers": {"files": {"command": "npx", "args": ["fs"]}, "dbdock": {"command": "old"}}}"#)
        .unwrap_or_default();
    let change =
        install(Client::ClaudeDesktop, &env, &spec(&["shop", "pg"], false), false).unwrap_or_else(|e| panic!("{e}"));
    assert!(change.changed);
    let backup = change.backup.unwrap_or_default();
    assert!(text(&backup).contains(r#""command": "old""#));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).map(|m| m.permissions().mode() & 0o777).unwrap_or_default();
        assert_eq!(mode, 0o640, "a rewritten config keeps its permissions");
    }
    let config = read(&path);
    assert_eq!(config["globalShortcut"], "Ctrl+Space");
    // The user's keys keep their order; ours stays where it was.
    let keys: Vec<&String> = config["mcpServers"].as_object().map(|m| m.keys().collect()).unwrap_or_default();
    assert_eq!(keys, ["files", "dbdock"]);
    let written = text(&path);
    assert!(written.starts_with(r#"{"globalShortcut": "Ctrl+Space", "mcpServers": {"#), "{written}");
    assert_eq!(config["mcpServers"]["files"], json!({"command": "npx", "args": ["fs"]}));
    assert_eq!(config["mcpServers"]["dbdock"]["args"], json!(["mcp", "--profile", "shop", "--profile", "pg"]));
    assert!(change.diff.contains("+") && change.diff.contains("\"old\""), "{}", change.diff);

    // Again: nothing to do, nothing written, no new backup.
    let before = backups(home.path());
    let again =
        install(Client::ClaudeDesktop, &env, &spec(&["shop", "pg"], false), false).unwrap_or_else(|e| panic!("{e}"));
    assert!(!again.changed && again.backup.is_none() && again.diff.is_empty());
    assert_eq!(backups(home.path()), before);

    // Per profile: one entry each, replacing the single one.
    let change =
        install(Client::ClaudeDesktop, &env, &spec(&["shop", "pg"], true), false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(change.entries, ["dbdock-shop", "dbdock-pg"]);
    let servers = read(&path)["mcpServers"].clone();
    assert_eq!(servers["dbdock-pg"]["args"], json!(["mcp", "--profile", "pg"]));
    assert!(servers.get("dbdock").is_none());
    assert!(servers.get("files").is_some());

    // Uninstall removes ours only.
    let change = uninstall(Client::ClaudeDesktop, &env, false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(change.entries, ["dbdock-shop", "dbdock-pg"]);
    assert!(change.backup.is_some());
    assert_eq!(
        read(&path),
        json!({"globalShortcut": "Ctrl+Space", "mcpServers": {"files": {"command": "npx", "args": ["fs"]}}})
    );
    assert!(!uninstall(Client::ClaudeDesktop, &env, false).map(|c| c.changed).unwrap_or(true));
}

#[test]
fn uninstall_never_creates_a_file_and_leaves_an_mcp_only_file_its_empty_servers_object() {
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let env = linux(home.path());
    for client in Client::ALL {
        let change = uninstall(client, &env, false).unwrap_or_else(|e| panic!("{client:?}: {e}"));
        assert!(!change.changed && change.entries.is_empty(), "{client:?}");
    }
    assert!(walk(home.path()).is_empty());

    // Cursor creates its mcp.json with an empty servers object itself: it stays.
    install(Client::Cursor, &env, &spec(&[], false), false).unwrap_or_else(|e| panic!("{e}"));
    uninstall(Client::Cursor, &env, false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(text(&config_path(Client::Cursor, &env).unwrap_or_default()), "{\n  \"mcpServers\": {}\n}\n");
    // Zed's settings.json is everyone's: the object DB Dock added goes again.
    let zed = config_path(Client::Zed, &env).unwrap_or_default();
    write(&zed, "{\n  \"vim_mode\": true\n}\n");
    install(Client::Zed, &env, &spec(&[], false), false).unwrap_or_else(|e| panic!("{e}"));
    uninstall(Client::Zed, &env, false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(text(&zed), "{\n  \"vim_mode\": true\n}\n");
}

#[test]
fn invalid_files_are_reported_and_left_untouched() {
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let env = linux(home.path());
    for (client, text) in [
        (Client::Cursor, "{\"mcpServers\": {,}"),
        (Client::ClaudeCode, "[1, 2]"),
        (Client::Windsurf, "{\"mcpServers\": []}"),
        // Comments are fine for the clients that read them only.
        (Client::Cursor, "{ // a comment\n \"mcpServers\": {} }"),
        (Client::Kiro, "{\"mcpServers\": {\"a\": 1,}}"),
        (Client::Zed, "{\n  // fine\n  \"context_servers\": {\n}"),
        (Client::Opencode, "{\"mcp\": \"none\"}"),
        (Client::GeminiCli, "{'mcpServers': {}}"),
        (Client::Codex, "model = \"o3\"\n[mcp_servers\ncommand = 1\n"),
        (Client::Codex, "mcp_servers = 5\n"),
    ] {
        let path = config_path(client, &env).unwrap_or_default();
        write(&path, text);
        for outcome in [install(client, &env, &spec(&[], false), false), uninstall(client, &env, false)] {
            let err = outcome.err().unwrap_or_else(|| panic!("{client:?} accepted {text}"));
            assert_eq!(err.code, dbdock_core::ErrorCode::InvalidInput);
            assert!(
                err.message.contains(&path.display().to_string()) && err.message.contains("untouched"),
                "{}",
                err.message
            );
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap_or_default(), text);
    }
    assert_eq!(backups(home.path()), 0);
    let err = install(Client::Codex, &env, &spec(&[], false), false).err().map(|e| e.message).unwrap_or_default();
    assert!(err.contains("\"mcp_servers\"") && err.contains("is not a table"), "{err}");
}

#[test]
fn vscode_reads_comments_and_trailing_commas_and_keeps_them() {
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let env = linux(home.path());
    let path = config_path(Client::Vscode, &env).unwrap_or_default();
    let original = "{\n  // my servers\n  \"servers\": {\n    \"git\": {\"command\": \"git-mcp\", \"args\": [\"a // not a comment\",],},\n  },\n  /* inputs */ \"inputs\": [],\n}\n";
    write(&path, original);
    install(Client::Vscode, &env, &spec(&[], false), false).unwrap_or_else(|e| panic!("{e}"));
    let config = read(&path);
    assert_eq!(config["servers"]["git"]["args"], json!(["a // not a comment"]));
    assert_eq!(
        config["servers"]["dbdock"],
        json!({"type": "stdio", "command": "/opt/DB Dock/bin/dbdock", "args": ["mcp"]})
    );
    assert_eq!(config["inputs"], json!([]));
    let written = text(&path);
    assert!(
        written.contains("  // my servers\n") && written.contains("  /* inputs */ \"inputs\": [],\n}"),
        "{written}"
    );
    // The file's own style: trailing commas after our entry too.
    assert!(written.contains("\"args\": [\"mcp\"],\n    },\n  },"), "{written}");
    uninstall(Client::Vscode, &env, false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(text(&path), original);
}

#[test]
fn dry_run_shows_the_diff_and_writes_nothing() {
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let env = linux(home.path());
    for client in [Client::Windsurf, Client::Codex] {
        let change = install(client, &env, &spec(&["shop"], false), true).unwrap_or_else(|e| panic!("{e}"));
        assert!(change.changed && change.dry_run && change.backup.is_none());
        let added = if client == Client::Codex { "+[mcp_servers.dbdock]" } else { "+    \"dbdock\": {" };
        assert!(change.diff.contains(added), "{}", change.diff);
        assert!(!change.path.exists());
    }
    assert!(walk(home.path()).is_empty());
}

#[test]
fn relative_commands_are_refused_and_only_the_home_goes_into_env() {
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let env = linux(home.path());
    let spec = ServerSpec {
        command: PathBuf::from(r"C:\Program Files\DB Dock\dbdock.exe"),
        profiles: vec![],
        per_profile: false,
        home: Some(PathBuf::from(r"D:\dock home")),
    };
    // Not absolute on this OS: refused rather than written wrong.
    assert!(install(Client::Cursor, &env, &spec, false).is_err());
    let spec = ServerSpec { command: PathBuf::from("/opt/DB Dock/dbdock"), ..spec };
    install(Client::Cursor, &env, &spec, false).unwrap_or_else(|e| panic!("{e}"));
    let entry = read(&config_path(Client::Cursor, &env).unwrap_or_default())["mcpServers"]["dbdock"].clone();
    assert_eq!(
        entry,
        json!({"command": "/opt/DB Dock/dbdock", "args": ["mcp"], "env": {"DBDOCK_HOME": r"D:\dock home"}})
    );
}

#[test]
fn an_unreadable_claude_code_file_comes_with_the_claude_mcp_add_command() {
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let env = linux(home.path());
    std::fs::write(home.path().join(".claude.json"), "{ not json").unwrap_or_default();
    let err =
        install(Client::ClaudeCode, &env, &spec(&["shop"], false), false).err().map(|e| e.message).unwrap_or_default();
    assert!(err.ends_with("or let Claude Code add it: claude mcp add --scope user dbdock -- '/opt/DB Dock/bin/dbdock' mcp --profile shop"), "{err}");
    assert_eq!(std::fs::read_to_string(home.path().join(".claude.json")).unwrap_or_default(), "{ not json");
}

#[test]
fn a_one_line_servers_object_is_made_multi_line_and_stays_so() {
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let env = linux(home.path());
    let path = config_path(Client::Cursor, &env).unwrap_or_default();
    let original = r#"{"mcpServers": {"files": {"command": "npx"}}}"#;
    write(&path, original);
    install(Client::Cursor, &env, &spec(&[], false), false).unwrap_or_else(|e| panic!("{e}"));
    uninstall(Client::Cursor, &env, false).unwrap_or_else(|e| panic!("{e}"));
    let restored = text(&path);
    assert_eq!(restored, "{\"mcpServers\": {\n    \"files\": {\"command\": \"npx\"}\n  }}");
    assert_eq!(serde_json::from_str::<Value>(&restored).ok(), serde_json::from_str::<Value>(original).ok());
}
