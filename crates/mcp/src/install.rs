//! Writing DB Dock into AI clients' MCP configuration: find the client's config file for
//! the OS (`paths`), put one entry (or one per profile) into it, back up the old file and
//! write atomically (`disk`), and never write a secret — only the command, its arguments
//! and `DBDOCK_HOME`.
//!
//! The file is edited, not rewritten: a concrete syntax tree editor (`json` for JSON and
//! JSON with comments, `toml` for Codex's TOML) changes DB Dock's own entries (`dbdock`,
//! `dbdock-*`) and nothing else, so the user's comments, key order, indentation and other
//! servers keep every byte. Uninstalling after installing gives the original file back
//! byte for byte, with two exceptions: a servers object written on one line stays
//! multi-line, and a servers object DB Dock created stays as an empty `{}` in the files
//! that exist for MCP alone (their clients create them that way), while it is removed
//! again from the shared settings files (`Client::shares_its_file`).

mod disk;
mod json;
mod paths;
mod sidecar;
mod toml;

use std::path::PathBuf;

use dbdock_core::{Error, ErrorCode, Result};
use serde::Serialize;

pub use paths::{ClientEnv, Os, config_path};
pub use sidecar::installed_sidecar;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Client {
    ClaudeDesktop,
    ClaudeCode,
    Cursor,
    Vscode,
    Windsurf,
    Zed,
    Cline,
    RooCode,
    GeminiCli,
    Codex,
    Kiro,
    LmStudio,
    Opencode,
}

impl Client {
    pub const ALL: [Client; 13] = [
        Client::ClaudeDesktop,
        Client::ClaudeCode,
        Client::Cursor,
        Client::Vscode,
        Client::Windsurf,
        Client::Zed,
        Client::Cline,
        Client::RooCode,
        Client::GeminiCli,
        Client::Codex,
        Client::Kiro,
        Client::LmStudio,
        Client::Opencode,
    ];
    /// Their command-line names, in the order of [`Client::ALL`].
    pub const NAMES: [&'static str; 13] = [
        "claude-desktop",
        "claude-code",
        "cursor",
        "vscode",
        "windsurf",
        "zed",
        "cline",
        "roo-code",
        "gemini-cli",
        "codex",
        "kiro",
        "lm-studio",
        "opencode",
    ];

    pub fn parse(name: &str) -> Result<Client> {
        Self::ALL.into_iter().zip(Self::NAMES).find(|(_, n)| *n == name).map(|(c, _)| c).ok_or_else(|| {
            Error::invalid_input(format!("unknown client '{name}': expected one of {}", Self::NAMES.join(", ")))
        })
    }

    pub fn as_str(self) -> &'static str {
        Self::ALL.into_iter().zip(Self::NAMES).find(|(c, _)| *c == self).map_or("", |(_, n)| n)
    }

    /// The key (a JSON object or a TOML table) that holds the servers.
    fn servers_key(self) -> &'static str {
        match self {
            Client::Vscode => "servers",
            Client::Zed => "context_servers",
            Client::Opencode => "mcp",
            Client::Codex => "mcp_servers",
            _ => "mcpServers",
        }
    }

    fn syntax(self) -> Syntax {
        match self {
            Client::Codex => Syntax::Toml,
            // These read their file with comments (and, but for Gemini CLI, trailing commas).
            Client::Vscode | Client::Zed | Client::Opencode | Client::GeminiCli => Syntax::Jsonc,
            _ => Syntax::Json,
        }
    }

    /// Whether the file is the client's general settings, where a servers object left
    /// empty by an uninstall is removed (it was most likely DB Dock's); in the files that
    /// exist for MCP alone the client itself writes an empty servers object, so it stays.
    fn shares_its_file(self) -> bool {
        matches!(self, Client::ClaudeCode | Client::Zed | Client::GeminiCli | Client::Codex | Client::Opencode)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Json,
    /// JSON with comments and trailing commas.
    Jsonc,
    Toml,
}

/// What to write: the `dbdock` executable, which profiles, and how.
#[derive(Debug, Clone)]
pub struct ServerSpec {
    /// Absolute path of the `dbdock` binary the client should spawn.
    pub command: PathBuf,
    /// Expose only these profiles (all when empty).
    pub profiles: Vec<String>,
    /// One server entry per profile (`dbdock-<profile>`), so a client can enable each database on its own.
    pub per_profile: bool,
    /// A non-default DB Dock home the client's process must use too (not a secret).
    pub home: Option<PathBuf>,
}

/// What an install or uninstall did (or, with dry run, would do).
#[derive(Debug, Clone, Serialize)]
pub struct ConfigChange {
    pub client: Client,
    pub path: PathBuf,
    pub changed: bool,
    pub backup: Option<PathBuf>,
    /// A unified diff of the file, old to new.
    pub diff: String,
    pub dry_run: bool,
    /// The server entry names written or removed.
    pub entries: Vec<String>,
}

const ENTRY_PREFIX: &str = "dbdock";

/// One server entry, whatever the client's format: the client spawns `command args…`
/// with `env` added to its environment.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    name: String,
    command: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

/// What to do to the servers: put these entries in (replacing DB Dock's others), or take
/// DB Dock's out.
enum Edit<'a> {
    Put(&'a [Entry]),
    Remove,
}

/// The edited text and the entry names put in or taken out.
struct Edited {
    text: String,
    names: Vec<String>,
}

fn is_ours(name: &str) -> bool {
    name == ENTRY_PREFIX || name.starts_with("dbdock-")
}

fn entries(spec: &ServerSpec) -> Result<Vec<Entry>> {
    let entry = |name: String, profiles: &[String]| {
        let mut args = vec!["mcp".to_owned()];
        for p in profiles {
            args.extend(["--profile".to_owned(), p.clone()]);
        }
        let env = spec.home.iter().map(|h| ("DBDOCK_HOME".to_owned(), h.to_string_lossy().into_owned())).collect();
        Entry { name, command: spec.command.to_string_lossy().into_owned(), args, env }
    };
    if !spec.per_profile {
        return Ok(vec![entry(ENTRY_PREFIX.to_owned(), &spec.profiles)]);
    }
    if spec.profiles.is_empty() {
        return Err(Error::invalid_input("--per-profile needs the profiles to expose: give --profile NAME for each"));
    }
    Ok(spec.profiles.iter().map(|p| entry(format!("{ENTRY_PREFIX}-{p}"), std::slice::from_ref(p))).collect())
}

fn apply(client: Client, path: PathBuf, dry_run: bool, edit: Edit<'_>) -> Result<ConfigChange> {
    let old = disk::read(&path)?;
    let existed = old.is_some();
    let old_text = old.unwrap_or_default();
    let shown = path.display().to_string();
    let edited = match client.syntax() {
        Syntax::Toml => toml::edit(client, &old_text, &edit, &shown)?,
        Syntax::Json | Syntax::Jsonc => json::edit(client, &old_text, &edit, &shown)?,
    };
    let changed = edited.text != old_text;
    let diff = if changed { disk::unified_diff(&path, &old_text, &edited.text) } else { String::new() };
    let backup = if changed && !dry_run { disk::write(&path, &edited.text, existed)? } else { None };
    Ok(ConfigChange { client, path, changed, backup, diff, dry_run, entries: edited.names })
}

/// Adds (or updates) DB Dock's entries in `client`'s config, changing nothing else.
/// Running it twice changes nothing the second time.
pub fn install(client: Client, env: &ClientEnv, spec: &ServerSpec, dry_run: bool) -> Result<ConfigChange> {
    if !spec.command.is_absolute() {
        return Err(Error::invalid_input(format!(
            "the dbdock command must be an absolute path, not {}",
            spec.command.display()
        )));
    }
    let wanted = entries(spec)?;
    let path = config_path(client, env)?;
    match apply(client, path, dry_run, Edit::Put(&wanted)) {
        // A ~/.claude.json DB Dock cannot edit: Claude Code can still add the entry itself.
        Err(e) if client == Client::ClaudeCode && e.code == ErrorCode::InvalidInput => {
            let commands: Vec<String> = wanted.iter().map(claude_mcp_add).collect();
            Err(Error::new(e.code, format!("{}; or let Claude Code add it: {}", e.message, commands.join(" && "))))
        }
        outcome => outcome,
    }
}

/// The `claude mcp add` command line that creates `entry` (user scope).
fn claude_mcp_add(entry: &Entry) -> String {
    let quote = |s: &str| {
        if s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:".contains(c)) {
            s.to_owned()
        } else {
            format!("'{}'", s.replace('\'', "'\\''"))
        }
    };
    let mut parts = vec!["claude mcp add --scope user".to_owned()];
    parts.extend(entry.env.iter().map(|(k, v)| format!("-e {}", quote(&format!("{k}={v}")))));
    parts.extend([quote(&entry.name), "--".to_owned(), quote(&entry.command)]);
    parts.extend(entry.args.iter().map(|a| quote(a)));
    parts.join(" ")
}

/// Removes DB Dock's entries from `client`'s config, keeping everything else.
pub fn uninstall(client: Client, env: &ClientEnv, dry_run: bool) -> Result<ConfigChange> {
    let path = config_path(client, env)?;
    apply(client, path, dry_run, Edit::Remove)
}

#[cfg(test)]
mod tests;
