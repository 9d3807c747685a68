use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::*;

fn linux(home: &Path) -> ClientEnv {
    ClientEnv {
        os: Os::Linux,
        home: home.display().to_string(),
        appdata: None,
        localappdata: None,
        xdg_config_home: None,
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

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_default()).unwrap_or(Value::Null)
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
fn paths_for_every_client_and_os() {
    let mac =
        ClientEnv { os: Os::Macos, home: "/Users/jo".into(), appdata: None, localappdata: None, xdg_config_home: None };
    let lin = ClientEnv {
        os: Os::Linux,
        home: "/home/jo".into(),
        appdata: None,
        localappdata: None,
        xdg_config_home: Some("/home/jo/.cfg".into()),
    };
    let win = ClientEnv {
        os: Os::Windows,
        home: r"C:\Users\Jo Doe".into(),
        appdata: Some(r"C:\Users\Jo Doe\AppData\Roaming".into()),
        localappdata: Some(r"C:\Users\Jo Doe\AppData\Local".into()),
        xdg_config_home: None,
    };
    let path = |c: Client, e: &ClientEnv| config_path(c, e).map(|p| p.display().to_string()).unwrap_or_default();
    assert_eq!(
        path(Client::ClaudeDesktop, &mac),
        "/Users/jo/Library/Application Support/Claude/claude_desktop_config.json"
    );
    assert_eq!(path(Client::ClaudeDesktop, &lin), "/home/jo/.cfg/Claude/claude_desktop_config.json");
    assert_eq!(path(Client::ClaudeDesktop, &win), r"C:\Users\Jo Doe\AppData\Roaming\Claude\claude_desktop_config.json");
    assert_eq!(path(Client::ClaudeCode, &lin), "/home/jo/.claude.json");
    assert_eq!(path(Client::ClaudeCode, &win), r"C:\Users\Jo Doe\.claude.json");
    assert_eq!(path(Client::Cursor, &mac), "/Users/jo/.cursor/mcp.json");
    assert_eq!(path(Client::Cursor, &win), r"C:\Users\Jo Doe\.cursor\mcp.json");
    assert_eq!(path(Client::Windsurf, &lin), "/home/jo/.codeium/windsurf/mcp_config.json");
    assert_eq!(path(Client::Vscode, &mac), "/Users/jo/Library/Application Support/Code/User/mcp.json");
    assert_eq!(path(Client::Vscode, &lin), "/home/jo/.cfg/Code/User/mcp.json");
    assert_eq!(path(Client::Vscode, &win), r"C:\Users\Jo Doe\AppData\Roaming\Code\User\mcp.json");
    let no_xdg = ClientEnv { xdg_config_home: None, ..lin };
    assert_eq!(path(Client::ClaudeDesktop, &no_xdg), "/home/jo/.config/Claude/claude_desktop_config.json");
    let no_appdata = ClientEnv { appdata: None, ..win };
    assert!(config_path(Client::ClaudeDesktop, &no_appdata).is_err());
}

#[test]
fn claude_desktop_installed_from_the_microsoft_store_uses_its_package_folder() {
    let local = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(local.path().join("Packages").join("Claude_pzs8sxrjxfjjc")).unwrap_or_default();
    std::fs::create_dir_all(local.path().join("Packages").join("Other_123")).unwrap_or_default();
    let win = ClientEnv {
        os: Os::Windows,
        home: "/x".into(),
        appdata: Some("/x/Roaming".into()),
        localappdata: Some(local.path().display().to_string()),
        xdg_config_home: None,
    };
    let expected =
        local.path().join("Packages/Claude_pzs8sxrjxfjjc/LocalCache/Roaming/Claude/claude_desktop_config.json");
    assert_eq!(config_path(Client::ClaudeDesktop, &win).ok(), Some(expected));
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
        read(&path),
        json!({"mcpServers": {"dbdock": {"command": "/opt/DB Dock/bin/dbdock", "args": ["mcp", "--profile", "shop"]}}})
    );

    // Someone else's servers and settings survive; the old file is backed up.
    std::fs::write(&path, r#"{"globalShortcut": "Ctrl+Space", "mcpServers": {"files": {"command": "npx", "args": ["fs"]}, "dbdock": {"command": "old"}}}"#)
        .unwrap_or_default();
    let change =
        install(Client::ClaudeDesktop, &env, &spec(&["shop", "pg"], false), false).unwrap_or_else(|e| panic!("{e}"));
    assert!(change.changed);
    let backup = change.backup.unwrap_or_default();
    assert!(std::fs::read_to_string(&backup).unwrap_or_default().contains(r#""command": "old""#));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).map(|m| m.permissions().mode() & 0o777).unwrap_or_default();
        assert_eq!(mode, 0o640, "a rewritten config keeps its permissions");
    }
    let config = read(&path);
    assert_eq!(config["globalShortcut"], "Ctrl+Space");
    // The user's keys keep their order; ours are added after them.
    let keys: Vec<&String> = config["mcpServers"].as_object().map(|m| m.keys().collect()).unwrap_or_default();
    assert_eq!(keys, ["files", "dbdock"]);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(text.find("globalShortcut") < text.find("mcpServers"), "{text}");
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
fn invalid_json_is_reported_and_left_untouched() {
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let env = linux(home.path());
    for (client, text) in [
        (Client::Cursor, "{\"mcpServers\": {,}"),
        (Client::ClaudeCode, "[1, 2]"),
        (Client::Windsurf, "{\"mcpServers\": []}"),
        // Comments are fine for VS Code only.
        (Client::Cursor, "{ // a comment\n \"mcpServers\": {} }"),
    ] {
        let path = config_path(client, &env).unwrap_or_default();
        std::fs::create_dir_all(path.parent().unwrap_or(home.path())).unwrap_or_default();
        std::fs::write(&path, text).unwrap_or_default();
        let err =
            install(client, &env, &spec(&[], false), false).err().unwrap_or_else(|| panic!("{text} was accepted"));
        assert_eq!(err.code, dbdock_core::ErrorCode::InvalidInput);
        assert!(
            err.message.contains(&path.display().to_string()) && err.message.contains("untouched"),
            "{}",
            err.message
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap_or_default(), text);
    }
    assert_eq!(backups(home.path()), 0);
}

#[test]
fn vscode_reads_comments_and_trailing_commas_and_uses_its_servers_key() {
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let env = linux(home.path());
    let path = config_path(Client::Vscode, &env).unwrap_or_default();
    std::fs::create_dir_all(path.parent().unwrap_or(home.path())).unwrap_or_default();
    std::fs::write(&path, "{\n  // my servers\n  \"servers\": {\n    \"git\": {\"command\": \"git-mcp\", \"args\": [\"a // not a comment\",],},\n  },\n  /* inputs */ \"inputs\": [],\n}\n")
        .unwrap_or_default();
    install(Client::Vscode, &env, &spec(&[], false), false).unwrap_or_else(|e| panic!("{e}"));
    let config = read(&path);
    assert_eq!(config["servers"]["git"]["args"], json!(["a // not a comment"]));
    assert_eq!(
        config["servers"]["dbdock"],
        json!({"type": "stdio", "command": "/opt/DB Dock/bin/dbdock", "args": ["mcp"]})
    );
    assert_eq!(config["inputs"], json!([]));
}

#[test]
fn dry_run_shows_the_diff_and_writes_nothing() {
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let env = linux(home.path());
    let change = install(Client::Windsurf, &env, &spec(&["shop"], false), true).unwrap_or_else(|e| panic!("{e}"));
    assert!(change.changed && change.dry_run);
    assert!(change.diff.contains("+    \"dbdock\": {"), "{}", change.diff);
    assert!(!change.path.exists());
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
fn jsonc_stripping_keeps_strings_intact() {
    assert_eq!(
        strip_jsonc(r#"{"a": "http://x/*y*/", /* c */ "b": [1, 2,], } // end"#),
        r#"{"a": "http://x/*y*/",  "b": [1, 2] } "#
    );
    assert_eq!(strip_jsonc(r#"{"q": "say \"hi\" // no",}"#), r#"{"q": "say \"hi\" // no"}"#);
    let with_comment_after_comma = "[1, // one more\n]";
    assert_eq!(serde_json::from_str::<Value>(&strip_jsonc(with_comment_after_comma)).ok(), Some(json!([1])));
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
