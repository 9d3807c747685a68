//! Writing DB Dock into AI clients' MCP configuration (Claude Desktop first): find the
//! client's config file for the OS, merge one entry (or one per profile) without touching
//! anything else, back up the old file, write atomically, and never write a secret.
//!
//! Path resolution takes the OS and environment as input ([`ClientEnv`]), so every OS's
//! paths are tested on any machine.

use std::path::{Path, PathBuf};

use dbdock_core::{Error, Result};
use serde::Serialize;
use serde_json::{Map, Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Client {
    ClaudeDesktop,
    ClaudeCode,
    Cursor,
    Vscode,
    Windsurf,
}

impl Client {
    pub const ALL: [Client; 5] =
        [Client::ClaudeDesktop, Client::ClaudeCode, Client::Cursor, Client::Vscode, Client::Windsurf];
    /// Their command-line names, in the order of [`Client::ALL`].
    pub const NAMES: [&'static str; 5] = ["claude-desktop", "claude-code", "cursor", "vscode", "windsurf"];

    pub fn parse(name: &str) -> Result<Client> {
        Self::ALL.into_iter().zip(Self::NAMES).find(|(_, n)| *n == name).map(|(c, _)| c).ok_or_else(|| {
            Error::invalid_input(format!("unknown client '{name}': expected one of {}", Self::NAMES.join(", ")))
        })
    }

    pub fn as_str(self) -> &'static str {
        Self::ALL.into_iter().zip(Self::NAMES).find(|(c, _)| *c == self).map_or("", |(_, n)| n)
    }

    /// The key that holds the servers: VS Code says `servers`, the others `mcpServers`.
    fn servers_key(self) -> &'static str {
        if self == Client::Vscode { "servers" } else { "mcpServers" }
    }

    /// VS Code reads JSON with comments and trailing commas; the others plain JSON.
    fn allows_jsonc(self) -> bool {
        self == Client::Vscode
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    Macos,
    Windows,
}

/// What config paths depend on. [`ClientEnv::current`] reads this process's environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientEnv {
    pub os: Os,
    pub home: String,
    pub appdata: Option<String>,
    pub localappdata: Option<String>,
    pub xdg_config_home: Option<String>,
}

impl ClientEnv {
    pub fn current() -> Result<ClientEnv> {
        let os = if cfg!(target_os = "windows") {
            Os::Windows
        } else if cfg!(target_os = "macos") {
            Os::Macos
        } else {
            Os::Linux
        };
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let home = var("HOME").or_else(|| var("USERPROFILE")).ok_or_else(|| {
            Error::invalid_input("neither HOME nor USERPROFILE is set: cannot find the clients' config files")
        })?;
        Ok(ClientEnv {
            os,
            home,
            appdata: var("APPDATA"),
            localappdata: var("LOCALAPPDATA"),
            xdg_config_home: var("XDG_CONFIG_HOME"),
        })
    }
}

/// Joins path parts with the separator the base already uses, so Windows paths stay
/// Windows paths when tested elsewhere.
fn join(base: &str, parts: &[&str]) -> String {
    let sep = if base.contains('\\') && !base.contains('/') { '\\' } else { '/' };
    let mut out = base.trim_end_matches(['/', '\\']).to_owned();
    for part in parts {
        out.push(sep);
        out.push_str(part);
    }
    out
}

/// The config file of `client` for `env`. For Claude Desktop on Windows installed as an
/// MSIX package, the file lives under the package's virtualized AppData, found by looking
/// for `%LOCALAPPDATA%\Packages\Claude_*`.
pub fn config_path(client: Client, env: &ClientEnv) -> Result<PathBuf> {
    let appdata = || {
        env.appdata
            .clone()
            .ok_or_else(|| Error::invalid_input("APPDATA is not set: cannot find the client's config file"))
    };
    let path = match (client, env.os) {
        (Client::ClaudeDesktop, Os::Macos) => {
            join(&env.home, &["Library", "Application Support", "Claude", "claude_desktop_config.json"])
        }
        (Client::ClaudeDesktop, Os::Linux) => {
            let config = env.xdg_config_home.clone().unwrap_or_else(|| join(&env.home, &[".config"]));
            join(&config, &["Claude", "claude_desktop_config.json"])
        }
        (Client::ClaudeDesktop, Os::Windows) => match msix_claude_dir(env) {
            Some(package) => join(&package, &["LocalCache", "Roaming", "Claude", "claude_desktop_config.json"]),
            None => join(&appdata()?, &["Claude", "claude_desktop_config.json"]),
        },
        (Client::ClaudeCode, _) => join(&env.home, &[".claude.json"]),
        (Client::Cursor, _) => join(&env.home, &[".cursor", "mcp.json"]),
        (Client::Windsurf, _) => join(&env.home, &[".codeium", "windsurf", "mcp_config.json"]),
        (Client::Vscode, Os::Macos) => join(&env.home, &["Library", "Application Support", "Code", "User", "mcp.json"]),
        (Client::Vscode, Os::Linux) => {
            let config = env.xdg_config_home.clone().unwrap_or_else(|| join(&env.home, &[".config"]));
            join(&config, &["Code", "User", "mcp.json"])
        }
        (Client::Vscode, Os::Windows) => join(&appdata()?, &["Code", "User", "mcp.json"]),
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

fn entry(client: Client, spec: &ServerSpec, profiles: &[String]) -> Value {
    let mut args = vec![Value::from("mcp")];
    for p in profiles {
        args.push("--profile".into());
        args.push(p.clone().into());
    }
    let mut entry = Map::new();
    if client == Client::Vscode {
        entry.insert("type".into(), "stdio".into());
    }
    entry.insert("command".into(), spec.command.to_string_lossy().into_owned().into());
    entry.insert("args".into(), Value::Array(args));
    if let Some(home) = &spec.home {
        entry.insert("env".into(), json!({ "DBDOCK_HOME": home.to_string_lossy() }));
    }
    Value::Object(entry)
}

fn entries(client: Client, spec: &ServerSpec) -> Result<Vec<(String, Value)>> {
    if spec.per_profile {
        if spec.profiles.is_empty() {
            return Err(Error::invalid_input(
                "--per-profile needs the profiles to expose: give --profile NAME for each",
            ));
        }
        Ok(spec
            .profiles
            .iter()
            .map(|p| (format!("{ENTRY_PREFIX}-{p}"), entry(client, spec, std::slice::from_ref(p))))
            .collect())
    } else {
        Ok(vec![(ENTRY_PREFIX.to_owned(), entry(client, spec, &spec.profiles))])
    }
}

fn is_ours(name: &str) -> bool {
    name == ENTRY_PREFIX || name.starts_with("dbdock-")
}

/// Removes `//` and `/* */` comments and trailing commas outside strings (JSONC → JSON).
fn strip_jsonc(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '"' => {
                let start = i;
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
                i += 1;
                out.extend(&chars[start..i.min(chars.len())]);
            }
            '/' if let Some(end) = comment_end(&chars, i) => i = end,
            ',' => {
                if !closes_after(&chars[i + 1..]) {
                    out.push(',');
                }
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Where a `//` or `/* */` comment starting at `i` ends, if one starts there.
fn comment_end(chars: &[char], i: usize) -> Option<usize> {
    match chars.get(i + 1) {
        Some('/') => Some(chars[i..].iter().position(|&c| c == '\n').map_or(chars.len(), |p| i + p)),
        Some('*') => Some(
            (i + 2..chars.len().saturating_sub(1))
                .find(|&j| chars[j] == '*' && chars[j + 1] == '/')
                .map_or(chars.len(), |j| j + 2),
        ),
        _ => None,
    }
}

/// Whether the next significant character (past white space and comments) closes an
/// object or array, which makes a comma before it a trailing comma.
fn closes_after(rest: &[char]) -> bool {
    let mut i = 0;
    while i < rest.len() {
        match rest[i] {
            c if c.is_whitespace() => i += 1,
            '/' if let Some(end) = comment_end(rest, i) => i = end,
            c => return matches!(c, '}' | ']'),
        }
    }
    false
}

/// Reads the config: `None` when the file does not exist. Invalid content is an error
/// that names the file and position, and nothing is written.
fn read_config(client: Client, path: &Path) -> Result<Option<(String, Map<String, Value>)>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::invalid_input(format!("cannot read {}: {e}", path.display()))),
    };
    if text.trim().is_empty() {
        return Ok(Some((text, Map::new())));
    }
    let parsed =
        if client.allows_jsonc() { serde_json::from_str(&strip_jsonc(&text)) } else { serde_json::from_str(&text) };
    match parsed {
        Ok(Value::Object(map)) => Ok(Some((text, map))),
        Ok(_) => {
            Err(Error::invalid_input(format!("{} does not hold a JSON object; it was left untouched", path.display())))
        }
        Err(e) => Err(Error::invalid_input(format!(
            "{} is not valid JSON ({e}); it was left untouched: fix it or move it away, then run this again",
            path.display()
        ))),
    }
}

fn unified_diff(path: &Path, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .header(&format!("{} (before)", path.display()), &format!("{} (after)", path.display()))
        .to_string()
}

/// Writes `text` next to `path` and renames it into place, after copying the old file
/// to a timestamped backup.
fn write_config(path: &Path, text: &str, existed: bool) -> Result<Option<PathBuf>> {
    let fail = |what: &str, e: std::io::Error| Error::internal(format!("cannot {what} {}: {e}", path.display()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| fail("create the folder of", e))?;
    }
    let backup = if existed {
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S%.3f");
        let backup = PathBuf::from(format!("{}.dbdock-backup-{stamp}", path.display()));
        std::fs::copy(path, &backup).map_err(|e| fail("back up", e))?;
        Some(backup)
    } else {
        None
    };
    let partial = PathBuf::from(format!("{}.dbdock-partial", path.display()));
    std::fs::write(&partial, text).map_err(|e| fail("write", e))?;
    // The config may hold other servers' keys: keep the old file's permissions, and make a
    // new one readable by its owner only.
    let permissions = match std::fs::metadata(path) {
        Ok(old) => Some(old.permissions()),
        Err(_) => owner_only(),
    };
    if let Some(permissions) = permissions {
        std::fs::set_permissions(&partial, permissions).map_err(|e| fail("set the permissions of", e))?;
    }
    std::fs::rename(&partial, path).map_err(|e| fail("replace", e))?;
    Ok(backup)
}

fn owner_only() -> Option<std::fs::Permissions> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(std::fs::Permissions::from_mode(0o600))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

fn apply(
    client: Client,
    path: PathBuf,
    dry_run: bool,
    edit: impl FnOnce(&mut Map<String, Value>) -> Result<Vec<String>>,
) -> Result<ConfigChange> {
    let existing = read_config(client, &path)?;
    let existed = existing.is_some();
    let (old_text, mut config) = existing.unwrap_or_default();
    let before = Value::Object(config.clone());
    let entries = edit(&mut config)?;
    let after = Value::Object(config);
    let changed = before != after;
    let new_text = format!("{}\n", serde_json::to_string_pretty(&after).unwrap_or_default());
    let diff = if changed { unified_diff(&path, &old_text, &new_text) } else { String::new() };
    let backup = if changed && !dry_run { write_config(&path, &new_text, existed)? } else { None };
    Ok(ConfigChange { client, path, changed, backup, diff, dry_run, entries })
}

/// Adds (or updates) DB Dock's entries in `client`'s config, keeping every other server
/// and key. Running it twice changes nothing the second time.
pub fn install(client: Client, env: &ClientEnv, spec: &ServerSpec, dry_run: bool) -> Result<ConfigChange> {
    if !spec.command.is_absolute() {
        return Err(Error::invalid_input(format!(
            "the dbdock command must be an absolute path, not {}",
            spec.command.display()
        )));
    }
    let wanted = entries(client, spec)?;
    let path = config_path(client, env)?;
    if client == Client::ClaudeCode
        && let Err(e) = read_config(client, &path)
    {
        // A ~/.claude.json DB Dock cannot merge: Claude Code can still add the entry itself.
        let commands: Vec<String> = wanted.iter().map(|(name, entry)| claude_mcp_add(name, entry)).collect();
        return Err(Error::new(e.code, format!("{}; or let Claude Code add it: {}", e.message, commands.join(" && "))));
    }
    let key = client.servers_key();
    let shown = path.display().to_string();
    apply(client, path, dry_run, |config| {
        let Value::Object(servers) = config.entry(key).or_insert_with(|| Value::Object(Map::new())) else {
            return Err(Error::invalid_input(format!(
                "\"{key}\" in {shown} is not a JSON object; the file was left untouched"
            )));
        };
        // Replace the previous DB Dock entries (a different profile list, or per-profile
        // entries that no longer apply), leave everyone else's alone.
        servers.retain(|name, _| !is_ours(name) || wanted.iter().any(|(w, _)| w == name));
        let mut names = Vec::new();
        for (name, value) in &wanted {
            servers.insert(name.clone(), value.clone());
            names.push(name.clone());
        }
        Ok(names)
    })
}

/// The `claude mcp add` command line that creates `entry` (user scope).
fn claude_mcp_add(name: &str, entry: &Value) -> String {
    let quote = |s: &str| {
        if s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:".contains(c)) {
            s.to_owned()
        } else {
            format!("'{}'", s.replace('\'', "'\\''"))
        }
    };
    let mut parts = vec!["claude mcp add --scope user".to_owned()];
    if let Some(Value::Object(vars)) = entry.get("env") {
        for (k, v) in vars {
            parts.push(format!("-e {}", quote(&format!("{k}={}", v.as_str().unwrap_or_default()))));
        }
    }
    parts.push(quote(name));
    parts.push("--".to_owned());
    parts.push(quote(entry["command"].as_str().unwrap_or_default()));
    parts.extend(entry["args"].as_array().into_iter().flatten().map(|a| quote(a.as_str().unwrap_or_default())));
    parts.join(" ")
}

/// Removes DB Dock's entries from `client`'s config, keeping everything else.
pub fn uninstall(client: Client, env: &ClientEnv, dry_run: bool) -> Result<ConfigChange> {
    let path = config_path(client, env)?;
    apply(client, path, dry_run, |config| {
        let mut removed = Vec::new();
        if let Some(Value::Object(servers)) = config.get_mut(client.servers_key()) {
            removed = servers.keys().filter(|n| is_ours(n)).cloned().collect();
            servers.retain(|name, _| !is_ours(name));
        }
        Ok(removed)
    })
}

#[cfg(test)]
mod tests;
