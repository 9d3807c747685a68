//! AI view, least privilege (docs/safety.md, "least privilege"): whether a profile's login
//! (and its AI login) can write, and a read-only login for AI clients, its statements
//! shown before anything runs and its password straight to the keyring.

use dbdock_core::{Access, Engine, LoginAccess, Result};
use dbdock_engines::privileges::ReadOnlyLoginPlan;
use serde::Serialize;
use specta::Type;
use tauri::State;

use super::profiles::ProfileView;
use crate::AppState;

/// What a profile's logins may do, for the AI access area.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LoginReport {
    pub profile: String,
    pub engine: Engine,
    pub access: Access,
    /// The profile's own login; `null` with `loginError` when it could not be asked.
    pub login: Option<LoginAccess>,
    pub login_error: Option<String>,
    /// The AI login's user name, when the profile has one.
    pub ai_login: Option<String>,
    pub ai: Option<LoginAccess>,
    pub ai_error: Option<String>,
    /// AI clients may only read, yet the login they use can write: worth a warning.
    pub ai_can_write: bool,
    /// DB Dock can create a read-only login on this engine itself (PostgreSQL, MySQL);
    /// elsewhere it shows the statements.
    pub can_create: bool,
}

/// The statements of a read-only login, password masked: what the UI shows first.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LoginPlanView {
    pub login: String,
    pub host: Option<String>,
    pub database: Option<String>,
    pub statements: Vec<String>,
    /// DB Dock runs them on confirmation; otherwise the user runs them.
    pub runnable: bool,
    pub notes: Vec<String>,
}

impl From<ReadOnlyLoginPlan> for LoginPlanView {
    fn from(p: ReadOnlyLoginPlan) -> Self {
        LoginPlanView {
            login: p.login,
            host: p.host,
            database: p.database,
            statements: p.statements,
            runnable: p.runnable,
            notes: p.notes,
        }
    }
}

async fn ask(target: dbdock_core::ConnectionTarget, profile: &dbdock_core::Profile) -> Result<LoginAccess> {
    let db = dbdock_engines::open(target, dbdock_engines::OpenOptions::for_profile(profile, None)).await?;
    let access = db.login_access().await;
    db.disconnect().await;
    access
}

/// Asks the server what the profile's login, and its AI login if any, may do.
#[tauri::command]
#[specta::specta]
pub async fn login_report(state: State<'_, AppState>, name: String) -> Result<LoginReport> {
    let resolved = state.store().resolve(&name).await?;
    let profile = resolved.profile.clone();
    let own = ask(resolved.target, &profile).await;
    let ai = match &profile.ai_login {
        Some(_) => Some(match state.store().resolve_for_ai(&name).await {
            Ok(r) => ask(r.target, &profile).await,
            Err(e) => Err(e),
        }),
        None => None,
    };
    let used_by_ai = match &ai {
        Some(ai) => ai.as_ref().ok(),
        None => own.as_ref().ok(),
    };
    let read_only = matches!(profile.access, Access::ReadOnly | Access::Ask);
    Ok(LoginReport {
        ai_can_write: read_only && used_by_ai.is_some_and(|a| a.can_write),
        can_create: profile.engine.capabilities().creates_read_only_login,
        profile: profile.name,
        engine: profile.engine,
        access: profile.access,
        login_error: own.as_ref().err().map(|e| format!("{}: {}", e.code, e.message)),
        login: own.ok(),
        ai_login: profile.ai_login,
        ai_error: ai.as_ref().and_then(|a| a.as_ref().err()).map(|e| format!("{}: {}", e.code, e.message)),
        ai: ai.and_then(Result::ok),
    })
}

/// The statements that would create a read-only login for AI clients (nothing runs).
/// `user` defaults to `dbdock_ai_<profile>`.
#[tauri::command]
#[specta::specta]
pub async fn preview_ai_login(state: State<'_, AppState>, name: String, user: Option<String>) -> Result<LoginPlanView> {
    Ok(state.workspace.plan_ai_login(&name, user.as_deref()).await?.into())
}

/// Creates the read-only login (PostgreSQL, MySQL/MariaDB) with the profile's own login
/// and makes it the profile's AI login; its password goes to the keyring and nowhere
/// else (not to the UI). If the keyring cannot take it, the login is dropped again.
#[tauri::command]
#[specta::specta]
pub async fn create_ai_login(state: State<'_, AppState>, name: String, user: Option<String>) -> Result<ProfileView> {
    let (profile, _) = state.workspace.create_ai_login(&name, user.as_deref()).await?;
    Ok(profile.into())
}

/// Forgets the profile's AI login (AI clients use the profile's own login again); with
/// `drop`, removes it from the server first.
#[tauri::command]
#[specta::specta]
pub async fn remove_ai_login(state: State<'_, AppState>, name: String, drop: bool) -> Result<ProfileView> {
    Ok(state.workspace.remove_ai_login(&name, drop).await?.into())
}
