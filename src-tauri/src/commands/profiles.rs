//! Connections view: profiles (secrets to the keyring), URL parsing for the form, tests,
//! import/export, and the live state of open connections.

use std::path::PathBuf;

use dbdock_app::{Audience, ConnectionEntry, Workspace, connection_entries};
use dbdock_core::{
    Access, Capabilities, ConnectionState, ConnectionTarget, Engine, Error, Profile, Result, Secret, SshAuth, SshHop,
    TlsOptions,
};
use dbdock_store::{NewProfile, ProfileExport};
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;
use tauri::ipc::Channel;

use crate::AppState;

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    pub name: String,
    pub engine: Engine,
    /// Never with the password.
    pub url: String,
    pub access: Access,
    /// The separate login AI clients use, when the profile has one (its password stays in
    /// the keyring).
    pub ai_login: Option<String>,
    pub color: Option<String>,
    /// Labels to select the connection by in bulk.
    pub tags: Vec<String>,
    pub has_secret: bool,
    pub timeout_secs: Option<u32>,
    /// How long an AI client's write waits for approval on `ask` (None: 120 s).
    pub approval_wait_secs: Option<u32>,
    pub max_rows: Option<u32>,
    pub max_bytes: Option<u32>,
    pub source: dbdock_core::ProfileSource,
    /// The SSH jump hosts, outermost first (their passphrases and passwords stay in the
    /// keyring).
    pub ssh: Vec<SshHopView>,
    /// TLS settings beyond what the URL carries: paths, never contents.
    pub tls: TlsOptions,
}

/// How DB Dock logs in to an SSH jump host, as the form offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "kebab-case")]
pub enum SshAuthKind {
    /// The running SSH agent's keys.
    Agent,
    /// A private key file (its passphrase, if any, in the keyring).
    Key,
    /// A password, in the keyring.
    Password,
}

/// A saved SSH jump host, without its secret.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SshHopView {
    /// `ssh://user@host:port`.
    pub url: String,
    pub auth: SshAuthKind,
    /// The private key file, with `key` auth.
    pub key_path: Option<String>,
}

impl From<SshHop> for SshHopView {
    fn from(hop: SshHop) -> Self {
        let url = hop.to_string();
        let (auth, key_path) = match hop.auth {
            SshAuth::Agent => (SshAuthKind::Agent, None),
            SshAuth::Key { path } => (SshAuthKind::Key, Some(path)),
            SshAuth::Password => (SshAuthKind::Password, None),
        };
        SshHopView { url, auth, key_path }
    }
}

/// An SSH jump host as the form sends it.
#[derive(Debug, Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SshHopInput {
    /// `ssh://user@host:port` (the port defaults to 22).
    pub url: String,
    pub auth: SshAuthKind,
    /// The private key file; required with `key` auth.
    pub key_path: Option<String>,
    /// The key's passphrase or the password, for the keyring; `null` keeps the saved one.
    pub secret: Option<String>,
}

impl SshHopInput {
    /// The hop, and its secret for the keyring.
    fn into_hop(self) -> Result<(SshHop, Option<Secret>)> {
        let auth = match self.auth {
            SshAuthKind::Agent => SshAuth::Agent,
            SshAuthKind::Key => {
                let path = self.key_path.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty());
                let path = path.ok_or_else(|| {
                    Error::invalid_input(format!(
                        "the SSH jump host {} logs in with a key: give the key file's path",
                        self.url.trim()
                    ))
                })?;
                SshAuth::Key { path }
            }
            SshAuthKind::Password => SshAuth::Password,
        };
        let secret = match auth {
            SshAuth::Agent => None,
            _ => self.secret.filter(|s| !s.is_empty()).map(Secret::new),
        };
        Ok((SshHop::parse(&self.url, auth)?, secret))
    }
}

/// TLS options with blank fields dropped (the form sends what its inputs hold).
fn tidy_tls(tls: TlsOptions) -> TlsOptions {
    let keep = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    TlsOptions {
        mode: tls.mode,
        ca_file: keep(tls.ca_file),
        cert_file: keep(tls.cert_file),
        key_file: keep(tls.key_file),
        server_name: keep(tls.server_name),
    }
}

fn small(n: Option<u64>) -> Option<u32> {
    n.map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

impl From<Profile> for ProfileView {
    fn from(p: Profile) -> Self {
        ProfileView {
            name: p.name,
            engine: p.engine,
            url: p.url,
            access: p.access,
            ai_login: p.ai_login,
            color: p.color,
            tags: p.tags,
            has_secret: p.has_secret,
            timeout_secs: small(p.timeout_secs),
            approval_wait_secs: small(p.approval_wait_secs),
            max_rows: small(p.max_rows),
            max_bytes: small(p.max_bytes),
            source: p.source,
            ssh: p.ssh.into_iter().map(SshHopView::from).collect(),
            tls: p.tls,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ProfileInput {
    pub name: String,
    pub url: String,
    /// A new password for the keyring; `null` keeps the saved one (or none).
    pub password: Option<String>,
    pub access: Access,
    pub color: Option<String>,
    /// Labels to select it by in bulk (blank ones dropped).
    pub tags: Vec<String>,
    pub timeout_secs: Option<u32>,
    pub approval_wait_secs: Option<u32>,
    pub max_rows: Option<u32>,
    pub max_bytes: Option<u32>,
    /// SSH jump hosts, outermost first (at most two); empty: connect directly.
    pub ssh: Vec<SshHopInput>,
    /// TLS settings beyond what the URL carries.
    pub tls: TlsOptions,
}

/// What a pasted URL says, to fill the form's fields.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct UrlParts {
    pub engine: Engine,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub database: Option<String>,
    pub has_password: bool,
    /// The URL without its password, for the URL field.
    pub redacted: String,
    /// The password found in the URL, so the form can move it to the password field.
    pub password: Option<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TestReport {
    pub server_version: String,
    pub latency_ms: f64,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub added: Vec<String>,
    pub unchanged: Vec<String>,
    pub conflicts: Vec<String>,
    pub need_secrets: Vec<String>,
}

/// One engine's registration, as the UI reads it.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct EngineSpecView {
    pub engine: Engine,
    pub label: String,
    pub schemes: Vec<String>,
    pub default_port: Option<u16>,
    /// Watch target kinds (`channel`, `subject`, …); empty when the engine has no live events.
    pub watch_kinds: Vec<String>,
    pub capabilities: Capabilities,
    /// The commands a read-only call may run, where read-only rests on a list (Redis):
    /// the console completes from them.
    pub read_commands: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionStateView {
    pub name: String,
    pub state: ConnectionState,
    pub latency_ms: Option<f64>,
    pub error: Option<Error>,
}

#[tauri::command]
#[specta::specta]
pub async fn list_profiles(state: State<'_, AppState>) -> Result<Vec<ProfileView>> {
    Ok(state.store().profiles().await?.into_iter().map(ProfileView::from).collect())
}

#[tauri::command]
#[specta::specta]
pub fn parse_url(url: String) -> Result<UrlParts> {
    let target = ConnectionTarget::parse(&url)?;
    let (host, port, user) = match target.url() {
        Some(u) => (
            u.host_str().map(str::to_owned),
            u.port().or_else(|| target.engine().default_port()),
            Some(u.username().to_owned()).filter(|s| !s.is_empty()),
        ),
        None => (None, None, None),
    };
    Ok(UrlParts {
        engine: target.engine(),
        host,
        port,
        user,
        database: target.database(),
        has_password: target.password().is_some(),
        redacted: target.url_without_secret(),
        password: target.password().map(|p| p.expose().to_owned()),
    })
}

#[tauri::command]
#[specta::specta]
pub async fn save_profile(
    state: State<'_, AppState>,
    input: ProfileInput,
    replacing: Option<String>,
) -> Result<ProfileView> {
    let target = ConnectionTarget::parse(&input.url)?;
    // A password typed in the field wins over one left in the URL.
    let password = input.password.filter(|p| !p.is_empty()).map(Secret::new);
    let target = match password {
        Some(p) => target.with_password(Some(p)),
        None => target,
    };
    let mut new = NewProfile::new(input.name.trim(), target);
    new.access = input.access;
    new.color = input.color.filter(|c| !c.is_empty());
    new.tags = input.tags.iter().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect();
    new.tags.dedup();
    new.timeout_secs = input.timeout_secs.map(u64::from);
    new.approval_wait_secs = input.approval_wait_secs.map(u64::from);
    new.max_rows = input.max_rows.map(u64::from);
    new.max_bytes = input.max_bytes.map(u64::from);
    let (ssh, ssh_secrets) =
        input.ssh.into_iter().map(SshHopInput::into_hop).collect::<Result<Vec<_>>>()?.into_iter().unzip();
    new.ssh = ssh;
    new.ssh_secrets = ssh_secrets;
    new.tls = tidy_tls(input.tls);
    let saved = match &replacing {
        Some(old) => {
            state.workspace.forget(old).await;
            state.store().update_profile(old, new, false).await?
        }
        None => state.store().add_profile(new).await?,
    };
    state.workspace.forget(&saved.name).await;
    Ok(saved.into())
}

#[tauri::command]
#[specta::specta]
pub async fn delete_profile(state: State<'_, AppState>, name: String) -> Result<()> {
    state.workspace.forget(&name).await;
    state.store().remove_profile(&name).await.map(|_| ())
}

/// Connects afresh (not through the open connection), so the test says whether the saved
/// settings work now: every engine, streaming servers too.
#[tauri::command]
#[specta::specta]
pub async fn test_profile(state: State<'_, AppState>, name: String) -> Result<TestReport> {
    let probe = state.workspace.probe(Audience::User, &name).await?;
    Ok(TestReport { server_version: probe.server_version, latency_ms: probe.latency_ms })
}

/// Accepts the host key of one of `name`'s SSH jump hosts that no known-hosts file knows
/// (a `HOST_KEY_UNKNOWN` error gave its fingerprint, which the user compared with the
/// server's): it is written to DB Dock's own known-hosts file. The profile's open
/// connections are dropped so that the next use connects afresh.
#[tauri::command]
#[specta::specta]
pub async fn trust_host_key(state: State<'_, AppState>, name: String, fingerprint: String) -> Result<()> {
    state.workspace.trust_host_key(&name, &fingerprint).await?;
    state.workspace.forget(&name).await;
    Ok(())
}

/// Writes every saved profile, without secrets, to `path`; returns how many.
#[tauri::command]
#[specta::specta]
pub async fn export_profiles(state: State<'_, AppState>, path: String) -> Result<u32> {
    let export = state.store().export_profiles().await?;
    export.write(&PathBuf::from(path))?;
    Ok(u32::try_from(export.profiles.len()).unwrap_or(u32::MAX))
}

#[tauri::command]
#[specta::specta]
pub async fn import_profiles(state: State<'_, AppState>, path: String) -> Result<ImportReport> {
    let export = ProfileExport::read(&PathBuf::from(path))?;
    let report = state.store().import_profiles(export).await?;
    Ok(ImportReport {
        added: report.added,
        unchanged: report.unchanged,
        conflicts: report.conflicts,
        need_secrets: report.needs_secret,
    })
}

/// The state of every profile: open ones as their health loop sees them, the rest
/// `disconnected`.
#[tauri::command]
#[specta::specta]
pub async fn connection_states(state: State<'_, AppState>) -> Result<Vec<ConnectionStateView>> {
    let entries = state.workspace.connection_states().borrow().clone();
    state_views(&state, &entries).await
}

/// Sends the state of every profile to `on_change` now and at every change (connected,
/// reconnecting, error, closed), until the window goes away.
#[tauri::command]
#[specta::specta]
pub async fn watch_connection_states(
    state: State<'_, AppState>,
    on_change: Channel<Vec<ConnectionStateView>>,
) -> Result<()> {
    let mut changes = state.workspace.connection_states();
    let workspace = state.workspace.clone();
    tokio::spawn(async move {
        loop {
            let entries = changes.borrow_and_update().clone();
            let Ok(views) = views_of(&workspace, &entries).await else { break };
            if on_change.send(views).is_err() || changes.changed().await.is_err() {
                break;
            }
        }
    });
    Ok(())
}

async fn state_views(state: &AppState, entries: &[ConnectionEntry]) -> Result<Vec<ConnectionStateView>> {
    views_of(&state.workspace, entries).await
}

async fn views_of(workspace: &Workspace, entries: &[ConnectionEntry]) -> Result<Vec<ConnectionStateView>> {
    let open: Vec<&ConnectionEntry> = connection_entries(entries, Audience::User).collect();
    let profiles = workspace.store().profiles().await?;
    Ok(profiles
        .into_iter()
        .map(|p| match open.iter().find(|e| e.name.eq_ignore_ascii_case(&p.name)) {
            Some(entry) => ConnectionStateView {
                name: p.name,
                state: entry.status.state,
                latency_ms: entry.status.latency_ms,
                error: entry.status.last_error.clone(),
            },
            None => ConnectionStateView {
                name: p.name,
                state: ConnectionState::Disconnected,
                latency_ms: None,
                error: None,
            },
        })
        .collect())
}

/// Connects `name` afresh (after it gave up reconnecting, or to be sure it is live); the
/// new state reaches the window through `watch_connection_states`.
#[tauri::command]
#[specta::specta]
pub async fn reconnect_profile(state: State<'_, AppState>, name: String) -> Result<()> {
    state.workspace.reconnect(Audience::User, &name).await.map(drop)
}

/// What each engine is and can do, for the UI to offer exactly that.
#[tauri::command]
#[specta::specta]
pub fn engine_specs() -> Vec<EngineSpecView> {
    let enabled = dbdock_engines::enabled_engines();
    Engine::ALL
        .into_iter()
        .filter(|e| enabled.contains(e))
        .map(|e| {
            let spec = e.spec();
            EngineSpecView {
                engine: e,
                label: spec.label.to_owned(),
                schemes: spec.schemes.iter().map(|s| (*s).to_owned()).collect(),
                default_port: spec.default_port,
                watch_kinds: spec.watch_kinds.iter().map(|s| (*s).to_owned()).collect(),
                capabilities: spec.capabilities,
                read_commands: spec.read_commands.iter().map(|s| (*s).to_owned()).collect(),
            }
        })
        .collect()
}

/// What the Connections view's selection bar does to every selected connection.
#[derive(Debug, Clone, Copy, Deserialize, Type)]
#[serde(rename_all = "kebab-case")]
pub enum BulkActionInput {
    Test,
    Connect,
    Disconnect,
    Delete,
    /// Set AI access to `access` (given beside the action).
    SetAccess,
}

/// One connection's outcome, sent as it ends.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BulkItemView {
    pub name: String,
    pub done: u32,
    pub total: u32,
    pub message: String,
    pub error: Option<Error>,
}

/// Runs one action on the named connections, a few at a time; each outcome goes to
/// `on_item` as it ends, and the whole list is returned at the end.
#[tauri::command]
#[specta::specta]
pub async fn bulk_action(
    state: State<'_, AppState>,
    names: Vec<String>,
    action: BulkActionInput,
    access: Option<Access>,
    on_item: Channel<BulkItemView>,
) -> Result<Vec<BulkItemView>> {
    use dbdock_app::{BulkAction, Selection};
    let action = match (action, access) {
        (BulkActionInput::Test, _) => BulkAction::Test,
        (BulkActionInput::Connect, _) => BulkAction::Connect,
        (BulkActionInput::Disconnect, _) => BulkAction::Disconnect,
        (BulkActionInput::Delete, _) => BulkAction::Remove,
        (BulkActionInput::SetAccess, Some(level)) => BulkAction::SetAccess(level),
        (BulkActionInput::SetAccess, None) => return Err(Error::invalid_input("set-access needs the access level")),
    };
    let names = state.workspace.select_profiles(&Selection::Names(names)).await?;
    let view = |i: &dbdock_app::BulkItem| BulkItemView {
        name: i.name.clone(),
        done: u32::try_from(i.done).unwrap_or(u32::MAX),
        total: u32::try_from(i.total).unwrap_or(u32::MAX),
        message: i.message.clone(),
        error: i.error.clone(),
    };
    let items = state
        .workspace
        .bulk(action, &names, |item| {
            // A closed window stops listening; the action still finishes.
            let _ = on_item.send(view(item));
        })
        .await;
    Ok(items.iter().map(view).collect())
}

/// What a restore did (or, previewed, would do), as the Connections view shows it.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RestorePlanView {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub kept: Vec<String>,
    pub tokens_added: Vec<String>,
    pub tokens_kept: Vec<String>,
    pub host_keys_added: u32,
    pub with_secrets: bool,
    /// Nothing was written yet (a preview).
    pub preview: bool,
}

/// Writes a backup to `path`: without secrets, or with them sealed under `passphrase`.
#[tauri::command]
#[specta::specta]
pub async fn backup_config(state: State<'_, AppState>, path: String, passphrase: Option<String>) -> Result<bool> {
    let passphrase = passphrase.map(Secret::new);
    let backup = state.store().backup(passphrase.as_ref()).await?;
    backup.write(&PathBuf::from(path.trim()))?;
    Ok(backup.is_sealed())
}

/// Previews (`apply` false) or applies the backup at `path`.
#[tauri::command]
#[specta::specta]
pub async fn restore_config(
    state: State<'_, AppState>,
    path: String,
    passphrase: Option<String>,
    apply: bool,
) -> Result<RestorePlanView> {
    let backup = dbdock_store::BackupFile::read(&PathBuf::from(path.trim()))?;
    let content = backup.open(passphrase.map(Secret::new).as_ref())?;
    let plan = if apply {
        let plan = state.store().restore(&content).await?;
        for name in plan.changed.iter() {
            state.workspace.forget(name).await;
        }
        plan
    } else {
        state.store().restore_plan(&content).await?
    };
    Ok(RestorePlanView {
        added: plan.added,
        changed: plan.changed,
        kept: plan.kept,
        tokens_added: plan.tokens_added,
        tokens_kept: plan.tokens_kept,
        host_keys_added: u32::try_from(plan.host_keys_added).unwrap_or(u32::MAX),
        with_secrets: plan.with_secrets,
        preview: !apply,
    })
}

/// A recorded change to a profile, as the history panel shows it.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ProfileChangeView {
    pub id: u32,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub profile: String,
    /// `field: before → after`, one per changed field.
    pub diff: Vec<String>,
    pub secrets_touched: u32,
    pub undoes: Option<u32>,
    pub undone_by: Option<u32>,
}

fn change_view(c: dbdock_store::ConfigChange) -> ProfileChangeView {
    let id = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    ProfileChangeView {
        id: id(c.id),
        diff: c.diff.iter().map(|f| format!("{}: {} → {}", f.field, f.before, f.after)).collect(),
        secrets_touched: u32::try_from(c.secrets_touched).unwrap_or(u32::MAX),
        undoes: c.undoes.map(id),
        undone_by: c.undone_by.map(id),
        at: c.at,
        actor: c.actor,
        action: c.action,
        profile: c.profile,
    }
}

/// The newest `limit` changes to profiles, newest first.
#[tauri::command]
#[specta::specta]
pub async fn config_history(state: State<'_, AppState>, limit: u32) -> Result<Vec<ProfileChangeView>> {
    Ok(state.store().config_history(None, limit.min(500)).await?.into_iter().map(change_view).collect())
}

/// Undoes change `id` (or the newest not undone); its profile's connections are dropped.
#[tauri::command]
#[specta::specta]
pub async fn undo_change(state: State<'_, AppState>, id: Option<u32>) -> Result<ProfileChangeView> {
    let undo = state.store().undo_change(id.map(i64::from)).await?;
    state.workspace.forget(&undo.profile).await;
    Ok(change_view(undo))
}
