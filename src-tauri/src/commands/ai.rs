//! AI view: writing AI clients' MCP configuration (preview with diff, install,
//! uninstall), per-profile AI access, a self-test of the stdio endpoint, and the audit
//! log of AI calls.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use dbdock_core::{Access, Error, Result};
use dbdock_mcp::install::{self, Client, ClientEnv, ConfigChange, Os, ServerSpec};
use serde::Serialize;
use serde_json::{Value, json};
use specta::Type;
use tauri::State;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use super::profiles::ProfileView;
use crate::AppState;

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AiClientView {
    pub id: String,
    pub name: String,
    pub config_path: String,
    pub installed: bool,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConfigChangeView {
    pub client: String,
    pub path: String,
    pub diff: String,
    pub changed: bool,
    pub backup: Option<String>,
}

impl From<ConfigChange> for ConfigChangeView {
    fn from(c: ConfigChange) -> Self {
        ConfigChangeView {
            client: c.client.as_str().to_owned(),
            path: c.path.display().to_string(),
            diff: c.diff,
            changed: c.changed,
            backup: c.backup.map(|b| b.display().to_string()),
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SelfTestReport {
    pub ok: bool,
    pub server_name: String,
    pub server_version: String,
    pub tools: Vec<String>,
    pub elapsed_ms: f64,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AuditView {
    pub id: u32,
    pub at: String,
    pub client: Option<String>,
    pub transport: String,
    pub tool: String,
    pub profile: Option<String>,
    pub statement: Option<String>,
    pub rows: Option<u32>,
    pub duration_ms: f64,
    pub outcome: dbdock_core::AuditOutcome,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// For a write that needed the user's approval: its request and how it went
    /// (`request 12: executed, approved in the terminal`).
    pub approval: Option<String>,
}

/// Whether the audit log is as DB Dock wrote it (docs/safety.md, "Tamper-evident audit log").
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AuditVerificationView {
    pub intact: bool,
    /// Rows verified (up to the first broken one).
    pub rows: u32,
    /// Rows from before the log was chained: counted, not verified.
    pub legacy: u32,
    /// Rows retention has deleted.
    pub pruned: u32,
    pub running: u32,
    /// The first row that does not verify, and why.
    pub broken_id: Option<u32>,
    pub broken_reason: Option<String>,
    /// When intact: the chain hash the log ends with.
    pub head: Option<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct EndpointInfo {
    /// The `dbdock` binary AI clients are configured to spawn.
    pub binary: String,
    pub home: String,
    pub version: String,
}

fn client_name(client: Client) -> &'static str {
    match client {
        Client::ClaudeDesktop => "Claude Desktop",
        Client::ClaudeCode => "Claude Code",
        Client::Cursor => "Cursor",
        Client::Vscode => "VS Code",
        Client::Windsurf => "Windsurf",
        Client::Zed => "Zed",
        Client::Cline => "Cline",
        Client::RooCode => "Roo Code",
        Client::GeminiCli => "Gemini CLI",
        Client::Codex => "Codex CLI",
        Client::Kiro => "Kiro",
        Client::LmStudio => "LM Studio",
        Client::Opencode => "opencode",
    }
}

/// The headless `dbdock` that ships beside the app (the bundle's sidecar; in a
/// development build, the workspace's own binary in the same target directory).
fn endpoint_binary() -> Result<PathBuf> {
    let exe = std::env::current_exe().map_err(|e| Error::internal(format!("cannot tell where the app is: {e}")))?;
    let binary = PathBuf::from(install::installed_sidecar(&exe.to_string_lossy(), Os::current()));
    if !binary.is_file() {
        return Err(Error::not_found(format!(
            "the dbdock endpoint binary is missing at {}: reinstall DB Dock (or build it with cargo build -p dbdock-cli)",
            binary.display()
        )));
    }
    Ok(binary)
}

fn spec(state: &AppState) -> Result<ServerSpec> {
    Ok(ServerSpec {
        command: endpoint_binary()?,
        profiles: Vec::new(),
        per_profile: false,
        home: Some(state.store().home().root().to_path_buf()),
    })
}

#[tauri::command]
#[specta::specta]
pub fn ai_clients() -> Result<Vec<AiClientView>> {
    let env = ClientEnv::current()?;
    Client::ALL
        .into_iter()
        .map(|client| {
            // Removing would change the file exactly when DB Dock is in it.
            let installed = install::uninstall(client, &env, true).map(|c| c.changed).unwrap_or(false);
            Ok(AiClientView {
                id: client.as_str().to_owned(),
                name: client_name(client).to_owned(),
                config_path: install::config_path(client, &env)?.display().to_string(),
                installed,
            })
        })
        .collect()
}

#[tauri::command]
#[specta::specta]
pub fn ai_preview(state: State<'_, AppState>, client: String) -> Result<ConfigChangeView> {
    let client = Client::parse(&client)?;
    Ok(install::install(client, &ClientEnv::current()?, &spec(&state)?, true)?.into())
}

#[tauri::command]
#[specta::specta]
pub fn ai_install(state: State<'_, AppState>, client: String) -> Result<ConfigChangeView> {
    let client = Client::parse(&client)?;
    Ok(install::install(client, &ClientEnv::current()?, &spec(&state)?, false)?.into())
}

#[tauri::command]
#[specta::specta]
pub fn ai_uninstall(client: String) -> Result<ConfigChangeView> {
    let client = Client::parse(&client)?;
    Ok(install::uninstall(client, &ClientEnv::current()?, false)?.into())
}

#[tauri::command]
#[specta::specta]
pub async fn set_access(state: State<'_, AppState>, profile: String, access: Access) -> Result<ProfileView> {
    Ok(state.store().set_profile_access(&profile, access).await?.into())
}

/// Spawns the stdio endpoint exactly as an AI client would, initializes an MCP session
/// and lists its tools.
#[tauri::command]
#[specta::specta]
pub async fn ai_self_test(state: State<'_, AppState>) -> Result<SelfTestReport> {
    let started = Instant::now();
    let binary = endpoint_binary()?;
    let outcome = tokio::time::timeout(Duration::from_secs(20), handshake(&binary, state.store().home().root())).await;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(match outcome {
        Ok(Ok((server_name, server_version, tools))) => {
            SelfTestReport { ok: true, server_name, server_version, tools, elapsed_ms, error: None }
        }
        Ok(Err(e)) => failed(elapsed_ms, e.message),
        Err(_) => failed(elapsed_ms, "the endpoint did not answer within 20 s".into()),
    })
}

fn failed(elapsed_ms: f64, error: String) -> SelfTestReport {
    SelfTestReport {
        ok: false,
        server_name: String::new(),
        server_version: String::new(),
        tools: Vec::new(),
        elapsed_ms,
        error: Some(error),
    }
}

/// `initialize`, `notifications/initialized`, `tools/list` over the child's stdio.
async fn handshake(binary: &std::path::Path, home: &std::path::Path) -> Result<(String, String, Vec<String>)> {
    let io = |e: std::io::Error| Error::internal(format!("talking to {}: {e}", binary.display()));
    let mut child = tokio::process::Command::new(binary)
        .arg("mcp")
        .env("DBDOCK_HOME", home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(io)?;
    let mut stdin = child.stdin.take().ok_or_else(|| Error::internal("no stdin"))?;
    let mut lines = BufReader::new(child.stdout.take().ok_or_else(|| Error::internal("no stdout"))?).lines();
    let mut send = async |message: Value| -> Result<()> {
        stdin.write_all(format!("{message}\n").as_bytes()).await.map_err(io)?;
        stdin.flush().await.map_err(io)
    };
    send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "DB Dock self-test", "version": env!("CARGO_PKG_VERSION")}}}))
    .await?;
    let init = response(&mut lines, 1).await?;
    send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"})).await?;
    send(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})).await?;
    let listed = response(&mut lines, 2).await?;
    let _ = child.kill().await;
    let info = &init["serverInfo"];
    let tools = listed["tools"]
        .as_array()
        .map(|tools| tools.iter().filter_map(|t| t["name"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    Ok((
        info["name"].as_str().unwrap_or_default().to_owned(),
        info["version"].as_str().unwrap_or_default().to_owned(),
        tools,
    ))
}

async fn response(lines: &mut tokio::io::Lines<BufReader<tokio::process::ChildStdout>>, id: u64) -> Result<Value> {
    while let Some(line) = lines.next_line().await.map_err(|e| Error::internal(e.to_string()))? {
        let Ok(message) = serde_json::from_str::<Value>(&line) else { continue };
        if message["id"] != json!(id) {
            continue;
        }
        if let Some(error) = message.get("error") {
            return Err(Error::internal(format!("the endpoint answered with an error: {error}")));
        }
        return Ok(message["result"].clone());
    }
    Err(Error::connection_failed("the endpoint exited before answering"))
}

/// Walks the audit log's hash chain and says whether it is intact or where it breaks.
#[tauri::command]
#[specta::specta]
pub async fn verify_audit(state: State<'_, AppState>) -> Result<AuditVerificationView> {
    let v = state.store().verify_audit().await?;
    let count = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(AuditVerificationView {
        intact: v.intact,
        rows: count(v.rows),
        legacy: count(v.legacy),
        pruned: count(v.pruned),
        running: count(v.running),
        broken_id: v.first_broken.as_ref().map(|b| u32::try_from(b.id).unwrap_or(u32::MAX)),
        broken_reason: v.first_broken.map(|b| b.reason),
        head: v.head,
    })
}

/// Audit entries newer than `after_id` (all when `null`), newest first.
#[tauri::command]
#[specta::specta]
pub async fn audit_log(state: State<'_, AppState>, after_id: Option<u32>, limit: u32) -> Result<Vec<AuditView>> {
    let entries = state.store().audit_entries(limit.min(1000)).await?;
    let approvals: std::collections::HashMap<i64, String> = state
        .store()
        .approvals(None, 1000)
        .await?
        .into_iter()
        .filter_map(|a| {
            let route = a.route.map(|r| format!(", decided in {}", r.as_str())).unwrap_or_default();
            Some((a.audit_id?, format!("request {}: {}{route}", a.id, a.state.as_str())))
        })
        .collect();
    Ok(entries
        .into_iter()
        .filter(|e| after_id.is_none_or(|after| e.id > i64::from(after)))
        .map(|e| AuditView {
            id: u32::try_from(e.id).unwrap_or(u32::MAX),
            at: e.at,
            client: e.client,
            transport: e.transport,
            tool: e.tool,
            profile: e.profile,
            statement: e.statement,
            rows: e.rows.map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
            duration_ms: e.duration_ms,
            outcome: e.outcome,
            error_code: e.error_code,
            error_message: e.error_message,
            approval: approvals.get(&e.id).cloned(),
        })
        .collect())
}

#[tauri::command]
#[specta::specta]
pub fn endpoint_info(state: State<'_, AppState>) -> Result<EndpointInfo> {
    Ok(EndpointInfo {
        binary: endpoint_binary().map(|b| b.display().to_string()).unwrap_or_else(|e| e.message),
        home: state.store().home().root().display().to_string(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    })
}
