//! Approvals (AI view): the writes AI clients asked for on `ask` connections, pushed to
//! the window as they arrive, with the OS notified of each new one; the user approves or
//! denies here (docs/safety.md, "Approval"). While the window listens, asking processes
//! count the app as present and wait for its decision.

use std::collections::HashSet;
use std::time::Duration;

use dbdock_core::{ApprovalRoute, ApprovalState, Result, WritePreview};
use dbdock_store::{Approval, Decision, Store};
use serde::Serialize;
use specta::Type;
use tauri::State;
use tauri::ipc::Channel;

use crate::AppState;

/// How soon a new request reaches the window (well inside a quarter second).
const POLL: Duration = Duration::from_millis(150);
/// How often the app says it is there to decide.
const PRESENCE_EVERY: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalView {
    pub id: u32,
    pub created_at: String,
    /// When the asking client stops waiting (Unix ms).
    pub expires_ms: f64,
    pub audit_id: Option<u32>,
    pub client: Option<String>,
    pub profile: String,
    pub tool: String,
    pub statement: String,
    /// The parameters as JSON text (secrets masked).
    pub params: String,
    pub preview: WritePreview,
    pub state: ApprovalState,
    pub route: Option<ApprovalRoute>,
    pub reason: Option<String>,
    pub decided_at: Option<String>,
    pub rows: Option<u32>,
    pub result: Option<String>,
}

impl From<Approval> for ApprovalView {
    fn from(a: Approval) -> Self {
        let small = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        ApprovalView {
            id: small(a.id),
            created_at: a.created_at,
            expires_ms: a.expires_ms as f64,
            audit_id: a.audit_id.map(small),
            client: a.client,
            profile: a.profile,
            tool: a.tool,
            statement: a.statement,
            params: a.params.to_string(),
            preview: a.preview,
            state: a.state,
            route: a.route,
            reason: a.reason,
            decided_at: a.decided_at,
            rows: a.rows.map(small),
            result: a.result,
        }
    }
}

/// The newest requests (with `all`, in every state; otherwise only pending ones).
#[tauri::command]
#[specta::specta]
pub async fn approvals(state: State<'_, AppState>, all: bool) -> Result<Vec<ApprovalView>> {
    let wanted = if all { None } else { Some(ApprovalState::Pending) };
    Ok(state.workspace.store().approvals(wanted, 200).await?.into_iter().map(ApprovalView::from).collect())
}

/// The user's decision on request `id`.
#[tauri::command]
#[specta::specta]
pub async fn decide_approval(
    state: State<'_, AppState>,
    id: u32,
    approve: bool,
    reason: Option<String>,
) -> Result<ApprovalView> {
    let reason = reason.filter(|r| !r.trim().is_empty());
    let decision = Decision { approve, route: ApprovalRoute::App, reason };
    Ok(state.workspace.decide_approval(i64::from(id), &decision).await?.into())
}

/// Sends the pending requests now and whenever they change, for as long as the window
/// listens, telling asking processes meanwhile that the app is here to decide. Each new
/// request also raises an OS notification.
#[tauri::command]
#[specta::specta]
pub async fn watch_approvals(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    on_change: Channel<Vec<ApprovalView>>,
) -> Result<()> {
    let store = state.workspace.store().clone();
    store.note_approver(ApprovalRoute::App).await?;
    tokio::spawn(async move {
        let notify = |a: &Approval| notify_os(&app, a);
        let _ = watch(&store, &on_change, notify).await;
    });
    Ok(())
}

/// The watch loop, until the channel closes or the store fails.
pub(crate) async fn watch(
    store: &Store,
    on_change: &Channel<Vec<ApprovalView>>,
    notify: impl Fn(&Approval),
) -> Result<()> {
    let mut last: Option<Vec<(i64, ApprovalState)>> = None;
    let mut seen: HashSet<i64> = HashSet::new();
    let mut poll = tokio::time::interval(POLL);
    let mut presence = tokio::time::interval(PRESENCE_EVERY);
    loop {
        tokio::select! {
            _ = presence.tick() => store.note_approver(ApprovalRoute::App).await?,
            _ = poll.tick() => {
                let pending = store.approvals(Some(ApprovalState::Pending), 200).await?;
                let shape: Vec<(i64, ApprovalState)> = pending.iter().map(|a| (a.id, a.state)).collect();
                if last.as_ref() == Some(&shape) {
                    continue;
                }
                for approval in pending.iter().filter(|a| seen.insert(a.id)) {
                    if last.is_some() {
                        notify(approval);
                    }
                }
                last = Some(shape);
                if on_change.send(pending.into_iter().map(ApprovalView::from).collect()).is_err() {
                    let _ = store.forget_approver(ApprovalRoute::App).await;
                    return Ok(());
                }
            }
        }
    }
}

/// The OS notification of a new request. Best effort: a desktop without a notification
/// service still shows the request in the window.
fn notify_os(app: &tauri::AppHandle, approval: &Approval) {
    use tauri_plugin_notification::NotificationExt;
    let body = format!(
        "{} asks to run on '{}': {}",
        approval.client.as_deref().unwrap_or("An AI client"),
        approval.profile,
        approval.statement.chars().take(120).collect::<String>()
    );
    if let Err(e) = app.notification().builder().title("DB Dock: approval needed").body(body).show() {
        tracing::debug!(error = %e, "the OS notification of an approval request could not be shown");
    }
}
