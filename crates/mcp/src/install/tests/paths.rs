//! Where each client's file is, on every OS, from the environment alone (and the two
//! places where a file on disk decides: Claude Desktop's MSIX folder, opencode's `.jsonc`).

use super::{linux, spec, text, write};
use crate::install::{Client, ClientEnv, Os, config_path, install};

#[test]
fn paths_for_every_client_and_os() {
    let mac = ClientEnv {
        os: Os::Macos,
        home: "/Users/jo".into(),
        appdata: None,
        localappdata: None,
        xdg_config_home: None,
        codex_home: None,
    };
    let lin = ClientEnv {
        os: Os::Linux,
        home: "/home/jo".into(),
        appdata: None,
        localappdata: None,
        xdg_config_home: Some("/home/jo/.cfg".into()),
        codex_home: None,
    };
    let win = ClientEnv {
        os: Os::Windows,
        home: r"C:\Users\Jo Doe".into(),
        appdata: Some(r"C:\Users\Jo Doe\AppData\Roaming".into()),
        localappdata: Some(r"C:\Users\Jo Doe\AppData\Local".into()),
        xdg_config_home: None,
        codex_home: None,
    };
    let path = |c: Client, e: &ClientEnv| config_path(c, e).map(|p| p.display().to_string()).unwrap_or_default();
    let expected: [(Client, [&str; 3]); 13] = [
        (
            Client::ClaudeDesktop,
            [
                "/home/jo/.cfg/Claude/claude_desktop_config.json",
                "/Users/jo/Library/Application Support/Claude/claude_desktop_config.json",
                r"C:\Users\Jo Doe\AppData\Roaming\Claude\claude_desktop_config.json",
            ],
        ),
        (Client::ClaudeCode, ["/home/jo/.claude.json", "/Users/jo/.claude.json", r"C:\Users\Jo Doe\.claude.json"]),
        (
            Client::Cursor,
            ["/home/jo/.cursor/mcp.json", "/Users/jo/.cursor/mcp.json", r"C:\Users\Jo Doe\.cursor\mcp.json"],
        ),
        (
            Client::Vscode,
            [
                "/home/jo/.cfg/Code/User/mcp.json",
                "/Users/jo/Library/Application Support/Code/User/mcp.json",
                r"C:\Users\Jo Doe\AppData\Roaming\Code\User\mcp.json",
            ],
        ),
        (
            Client::Windsurf,
            [
                "/home/jo/.codeium/windsurf/mcp_config.json",
                "/Users/jo/.codeium/windsurf/mcp_config.json",
                r"C:\Users\Jo Doe\.codeium\windsurf\mcp_config.json",
            ],
        ),
        (
            Client::Zed,
            [
                "/home/jo/.cfg/zed/settings.json",
                "/Users/jo/.config/zed/settings.json",
                r"C:\Users\Jo Doe\AppData\Roaming\Zed\settings.json",
            ],
        ),
        (
            Client::Cline,
            [
                "/home/jo/.cfg/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json",
                "/Users/jo/Library/Application Support/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json",
                r"C:\Users\Jo Doe\AppData\Roaming\Code\User\globalStorage\saoudrizwan.claude-dev\settings\cline_mcp_settings.json",
            ],
        ),
        (
            Client::RooCode,
            [
                "/home/jo/.cfg/Code/User/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json",
                "/Users/jo/Library/Application Support/Code/User/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json",
                r"C:\Users\Jo Doe\AppData\Roaming\Code\User\globalStorage\rooveterinaryinc.roo-cline\settings\mcp_settings.json",
            ],
        ),
        (
            Client::GeminiCli,
            [
                "/home/jo/.gemini/settings.json",
                "/Users/jo/.gemini/settings.json",
                r"C:\Users\Jo Doe\.gemini\settings.json",
            ],
        ),
        (
            Client::Codex,
            ["/home/jo/.codex/config.toml", "/Users/jo/.codex/config.toml", r"C:\Users\Jo Doe\.codex\config.toml"],
        ),
        (
            Client::Kiro,
            [
                "/home/jo/.kiro/settings/mcp.json",
                "/Users/jo/.kiro/settings/mcp.json",
                r"C:\Users\Jo Doe\.kiro\settings\mcp.json",
            ],
        ),
        (
            Client::LmStudio,
            ["/home/jo/.lmstudio/mcp.json", "/Users/jo/.lmstudio/mcp.json", r"C:\Users\Jo Doe\.lmstudio\mcp.json"],
        ),
        (
            Client::Opencode,
            [
                "/home/jo/.cfg/opencode/opencode.json",
                "/Users/jo/.config/opencode/opencode.json",
                r"C:\Users\Jo Doe\.config\opencode\opencode.json",
            ],
        ),
    ];
    assert_eq!(expected.map(|(c, _)| c), Client::ALL, "every client has its paths checked");
    for (client, [on_linux, on_mac, on_windows]) in expected {
        assert_eq!(path(client, &lin), on_linux, "{client:?} on Linux");
        assert_eq!(path(client, &mac), on_mac, "{client:?} on macOS");
        assert_eq!(path(client, &win), on_windows, "{client:?} on Windows");
    }

    let no_xdg = ClientEnv { xdg_config_home: None, ..lin.clone() };
    assert_eq!(path(Client::ClaudeDesktop, &no_xdg), "/home/jo/.config/Claude/claude_desktop_config.json");
    assert_eq!(path(Client::Zed, &no_xdg), "/home/jo/.config/zed/settings.json");
    assert_eq!(path(Client::Cline, &no_xdg).split("/globalStorage/").next(), Some("/home/jo/.config/Code/User"));
    // opencode follows XDG_CONFIG_HOME on every OS; Zed on macOS does not.
    let mac_xdg = ClientEnv { xdg_config_home: Some("/Users/jo/xdg".into()), ..mac };
    assert_eq!(path(Client::Opencode, &mac_xdg), "/Users/jo/xdg/opencode/opencode.json");
    assert_eq!(path(Client::Zed, &mac_xdg), "/Users/jo/.config/zed/settings.json");
    let codex_home = ClientEnv { codex_home: Some("/srv/codex".into()), ..lin };
    assert_eq!(path(Client::Codex, &codex_home), "/srv/codex/config.toml");
    let win_codex_home = ClientEnv { codex_home: Some(r"D:\codex".into()), ..win.clone() };
    assert_eq!(path(Client::Codex, &win_codex_home), r"D:\codex\config.toml");
    let no_appdata = ClientEnv { appdata: None, ..win };
    for client in [Client::ClaudeDesktop, Client::Vscode, Client::Cline, Client::RooCode, Client::Zed] {
        assert!(config_path(client, &no_appdata).is_err(), "{client:?} needs APPDATA on Windows");
    }
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
        codex_home: None,
    };
    let expected =
        local.path().join("Packages/Claude_pzs8sxrjxfjjc/LocalCache/Roaming/Claude/claude_desktop_config.json");
    assert_eq!(config_path(Client::ClaudeDesktop, &win).ok(), Some(expected));
}

#[test]
fn opencode_uses_its_jsonc_file_when_that_is_the_one_there() {
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let env = linux(home.path());
    let dir = home.path().join(".config/opencode");
    assert_eq!(config_path(Client::Opencode, &env).ok(), Some(dir.join("opencode.json")));
    write(&dir.join("opencode.jsonc"), "{\n  // mine\n  \"theme\": \"opencode\",\n}\n");
    assert_eq!(config_path(Client::Opencode, &env).ok(), Some(dir.join("opencode.jsonc")));
    install(Client::Opencode, &env, &spec(&[], false), false).unwrap_or_else(|e| panic!("{e}"));
    assert!(text(&dir.join("opencode.jsonc")).starts_with("{\n  // mine\n  \"theme\": \"opencode\",\n  \"mcp\": {"));
    assert!(!dir.join("opencode.json").exists());
    write(&dir.join("opencode.json"), "{}");
    assert_eq!(config_path(Client::Opencode, &env).ok(), Some(dir.join("opencode.json")));
}
