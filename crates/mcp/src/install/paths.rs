//! Where each client keeps its MCP configuration, per OS, as its own documentation or
//! source code says (noted at each). Everything the paths depend on comes in through
//! [`ClientEnv`], so every OS's paths are tested on any machine.

use std::path::PathBuf;

use dbdock_core::{Error, Result};

use super::Client;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    Macos,
    Windows,
}

impl Os {
    /// The OS this binary was built for.
    pub fn current() -> Os {
        if cfg!(target_os = "windows") {
            Os::Windows
        } else if cfg!(target_os = "macos") {
            Os::Macos
        } else {
            Os::Linux
        }
    }
}

/// What config paths depend on. [`ClientEnv::current`] reads this process's environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientEnv {
    pub os: Os,
    pub home: String,
    pub appdata: Option<String>,
    pub localappdata: Option<String>,
    pub xdg_config_home: Option<String>,
    /// `CODEX_HOME`: where the Codex CLI keeps `config.toml` instead of `~/.codex`.
    pub codex_home: Option<String>,
}

impl ClientEnv {
    pub fn current() -> Result<ClientEnv> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let home = var("HOME").or_else(|| var("USERPROFILE")).ok_or_else(|| {
            Error::invalid_input("neither HOME nor USERPROFILE is set: cannot find the clients' config files")
        })?;
        Ok(ClientEnv {
            os: Os::current(),
            home,
            appdata: var("APPDATA"),
            localappdata: var("LOCALAPPDATA"),
            xdg_config_home: var("XDG_CONFIG_HOME"),
            codex_home: var("CODEX_HOME"),
        })
    }

    /// `$XDG_CONFIG_HOME`, or `~/.config` when it is not set.
    fn xdg_config(&self) -> String {
        self.xdg_config_home.clone().unwrap_or_else(|| join(&self.home, &[".config"]))
    }

    fn appdata(&self) -> Result<String> {
        self.appdata
            .clone()
            .ok_or_else(|| Error::invalid_input("APPDATA is not set: cannot find the client's config file"))
    }

    /// VS Code's user folder, where its `mcp.json` and its extensions' global storage live.
    fn vscode_user(&self) -> Result<String> {
        Ok(match self.os {
            Os::Macos => join(&self.home, &["Library", "Application Support", "Code", "User"]),
            Os::Linux => join(&self.xdg_config(), &["Code", "User"]),
            Os::Windows => join(&self.appdata()?, &["Code", "User"]),
        })
    }
}

/// Joins path parts with the separator the base already uses, so Windows paths stay
/// Windows paths when tested elsewhere.
pub(super) fn join(base: &str, parts: &[&str]) -> String {
    let sep = if base.contains('\\') && !base.contains('/') { '\\' } else { '/' };
    let mut out = base.trim_end_matches(['/', '\\']).to_owned();
    for part in parts {
        out.push(sep);
        out.push_str(part);
    }
    out
}

/// The config file of `client` for `env`. Two look on disk: Claude Desktop on Windows
/// installed as an MSIX package keeps its file under the package's virtualized AppData
/// (`%LOCALAPPDATA%\Packages\Claude_*`), and opencode reads `opencode.jsonc` as well as
/// `opencode.json` (the `.jsonc` is used when it is the only one there).
pub fn config_path(client: Client, env: &ClientEnv) -> Result<PathBuf> {
    let home = env.home.as_str();
    let path = match (client, env.os) {
        (Client::ClaudeDesktop, Os::Macos) => {
            join(home, &["Library", "Application Support", "Claude", "claude_desktop_config.json"])
        }
        (Client::ClaudeDesktop, Os::Linux) => join(&env.xdg_config(), &["Claude", "claude_desktop_config.json"]),
        (Client::ClaudeDesktop, Os::Windows) => match msix_claude_dir(env) {
            Some(package) => join(&package, &["LocalCache", "Roaming", "Claude", "claude_desktop_config.json"]),
            None => join(&env.appdata()?, &["Claude", "claude_desktop_config.json"]),
        },
        (Client::ClaudeCode, _) => join(home, &[".claude.json"]),
        (Client::Cursor, _) => join(home, &[".cursor", "mcp.json"]),
        (Client::Windsurf, _) => join(home, &[".codeium", "windsurf", "mcp_config.json"]),
        (Client::Vscode, _) => join(&env.vscode_user()?, &["mcp.json"]),
        // Cline and Roo Code keep theirs in their VS Code extension's global storage
        // (Cline's docs; Roo Code's `GlobalFileNames.mcpSettings` in its settings folder).
        (Client::Cline, _) => join(
            &env.vscode_user()?,
            &["globalStorage", "saoudrizwan.claude-dev", "settings", "cline_mcp_settings.json"],
        ),
        (Client::RooCode, _) => {
            join(&env.vscode_user()?, &["globalStorage", "rooveterinaryinc.roo-cline", "settings", "mcp_settings.json"])
        }
        // Zed's `paths::config_dir`: XDG on Linux only; on macOS always ~/.config/zed.
        (Client::Zed, Os::Linux) => join(&env.xdg_config(), &["zed", "settings.json"]),
        (Client::Zed, Os::Macos) => join(home, &[".config", "zed", "settings.json"]),
        (Client::Zed, Os::Windows) => join(&env.appdata()?, &["Zed", "settings.json"]),
        // Gemini CLI's user settings (`USER_SETTINGS_PATH`), Kiro's user-level MCP file, LM
        // Studio's mcp.json: all under the home on every OS (their docs).
        (Client::GeminiCli, _) => join(home, &[".gemini", "settings.json"]),
        (Client::Kiro, _) => join(home, &[".kiro", "settings", "mcp.json"]),
        (Client::LmStudio, _) => join(home, &[".lmstudio", "mcp.json"]),
        // Codex's docs: `$CODEX_HOME/config.toml`, CODEX_HOME defaulting to ~/.codex.
        (Client::Codex, _) => match &env.codex_home {
            Some(codex_home) => join(codex_home, &["config.toml"]),
            None => join(home, &[".codex", "config.toml"]),
        },
        // opencode's global config folder comes from xdg-basedir on every OS, Windows too.
        (Client::Opencode, _) => {
            let dir = join(&env.xdg_config(), &["opencode"]);
            let (json, jsonc) = (join(&dir, &["opencode.json"]), join(&dir, &["opencode.jsonc"]));
            if !std::path::Path::new(&json).exists() && std::path::Path::new(&jsonc).exists() { jsonc } else { json }
        }
    };
    Ok(PathBuf::from(path))
}

fn msix_claude_dir(env: &ClientEnv) -> Option<String> {
    let packages = join(env.localappdata.as_deref()?, &["Packages"]);
    let mut found: Vec<String> = std::fs::read_dir(&packages)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| name.starts_with("Claude_"))
        .collect();
    found.sort();
    found.pop().map(|name| join(&packages, &[&name]))
}
