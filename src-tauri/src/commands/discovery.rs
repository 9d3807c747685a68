//! Connections view, "Find local servers": the workspace's discovery as the form shows it
//! (docs/discovery.md). Secrets found in files never come here: adding re-reads them in
//! the Rust side when the user ticks "save the password".

use std::path::PathBuf;

use dbdock_app::{DiscoveryRequest, Finding, Origin, Probed};
use dbdock_core::{Engine, Error, Result, Secret};
use dbdock_engines::discover::Answer;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use super::profiles::ProfileView;
use crate::AppState;

/// What the user asked to look at.
#[derive(Debug, Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DiscoveryForm {
    /// Ports to scan besides the defaults, as typed: `5000-5010,6380`.
    pub ports: String,
    /// The host of those ports (empty: 127.0.0.1).
    pub host: String,
    /// A folder whose `.env` and Compose files are read (empty: none).
    pub folder: String,
}

/// A finding as the list shows it.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FindingView {
    /// Hands the finding back to `add_discovered` (its origin, encoded).
    pub token: String,
    /// Where it was found, for people: `port 127.0.0.1:5432`, `.env DATABASE_URL`.
    pub found_at: String,
    /// `identified`, `unknown`, `closed` or `not-probed`.
    pub state: String,
    /// PostgreSQL, MariaDB, Redis, …; or why it is not identified.
    pub summary: String,
    pub version: Option<String>,
    pub auth_required: Option<bool>,
    pub detail: Option<String>,
    pub engine: Option<Engine>,
    pub url: Option<String>,
    pub suggested_name: Option<String>,
    pub has_secret: bool,
    pub secret_elsewhere: Option<String>,
    pub saved_as: Option<String>,
}

impl FindingView {
    fn of(finding: Finding) -> Result<FindingView> {
        let (state, summary, version, auth_required, detail) = match finding.probed {
            Probed::Answered(Answer::Identified(i)) => ("identified", i.product, i.version, i.auth_required, i.detail),
            Probed::Answered(Answer::Unknown { reason }) => ("unknown", reason, None, None, None),
            Probed::Answered(Answer::Closed { reason }) => ("closed", reason, None, None, None),
            Probed::NotProbed { reason } => ("not-probed", reason, None, None, None),
        };
        Ok(FindingView {
            token: serde_json::to_string(&finding.origin).map_err(|e| Error::internal(e.to_string()))?,
            found_at: finding.origin.to_string(),
            state: state.into(),
            summary,
            version,
            auth_required,
            detail,
            engine: finding.engine,
            url: finding.url,
            suggested_name: finding.suggested_name,
            has_secret: finding.has_secret,
            secret_elsewhere: finding.secret_elsewhere,
            saved_as: finding.saved_as,
        })
    }
}

fn environment() -> Vec<(String, String)> {
    std::env::vars().collect()
}

/// The default ports and sockets, DB Dock's environment, and what the form adds.
#[tauri::command]
#[specta::specta]
pub async fn discover_servers(state: State<'_, AppState>, form: DiscoveryForm) -> Result<Vec<FindingView>> {
    let ports = dbdock_app::parse_ports(&form.ports)?;
    let request = DiscoveryRequest {
        defaults: true,
        host: Some(form.host.trim().to_owned()).filter(|h| !h.is_empty()),
        ports,
        environment: true,
        folder: Some(PathBuf::from(form.folder.trim())).filter(|f| !f.as_os_str().is_empty()),
    };
    let findings = state.workspace.discover(&request, &environment()).await?;
    findings.into_iter().map(FindingView::of).collect()
}

/// Saves a finding as a profile named `name`; with `save_secret` the password its source
/// holds goes to the keyring, or `password` when the user typed one.
#[tauri::command]
#[specta::specta]
pub async fn add_discovered(
    state: State<'_, AppState>,
    token: String,
    url: String,
    name: String,
    save_secret: bool,
    password: Option<String>,
) -> Result<ProfileView> {
    let origin: Origin =
        serde_json::from_str(&token).map_err(|_| Error::invalid_input("not a finding of this window"))?;
    let password = password.filter(|p| !p.is_empty()).map(Secret::new);
    let profile = state.workspace.adopt(&origin, &url, &name, save_secret, password, &environment()).await?;
    Ok(profile.into())
}
