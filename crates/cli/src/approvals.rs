//! `dbdock approvals`: the terminal's route to decide on AI clients' writes on `ask`
//! connections (docs/safety.md, "Approval"). Listing and deciding read and write the
//! shared queue in the store; `watch` also tells asking processes that someone is here
//! to decide, so they wait instead of failing at once.

use std::collections::HashSet;
use std::time::Duration;

use dbdock_core::{ApprovalRoute, ApprovalState, Result};
use dbdock_store::{Decision, Store};

use crate::args::{ApprovalsCommand, WatchFormat};
use crate::interrupt::Interrupt;
use crate::{context, render};

/// How often `watch` looks for new requests and says it is still here.
const WATCH_POLL: Duration = Duration::from_millis(250);
const PRESENCE_EVERY: Duration = Duration::from_secs(2);

pub async fn run(command: ApprovalsCommand) -> Result<()> {
    let store = context::open_store().await?;
    let outcome = on_store(&store, command).await;
    store.close().await;
    outcome
}

async fn on_store(store: &Store, command: ApprovalsCommand) -> Result<()> {
    match command {
        ApprovalsCommand::List { all, format } => {
            let state = if all { None } else { Some(ApprovalState::Pending) };
            let approvals = store.approvals(state, 200).await?;
            context::print(&render::approvals(&approvals, format)?)
        }
        ApprovalsCommand::Show { id, format } => context::print(&render::approval(&store.approval(id).await?, format)?),
        ApprovalsCommand::Approve { id } => {
            let decided =
                store.decide_approval(id, &Decision { approve: true, route: ApprovalRoute::Terminal, reason: None });
            let decided = decided.await?;
            context::print_line(&format!("approved request {id}: it runs now on '{}'", decided.profile))
        }
        ApprovalsCommand::Deny { id, reason } => {
            store.decide_approval(id, &Decision { approve: false, route: ApprovalRoute::Terminal, reason }).await?;
            context::print_line(&format!("denied request {id}: nothing runs"))
        }
        ApprovalsCommand::Watch { format } => watch(store, format).await,
    }
}

/// Prints each new pending request once, until Ctrl-C; says it is here meanwhile.
async fn watch(store: &Store, format: WatchFormat) -> Result<()> {
    let mut interrupt = Interrupt::ctrl_c()?;
    let mut shown = HashSet::new();
    let mut presence = tokio::time::interval(PRESENCE_EVERY);
    let mut poll = tokio::time::interval(WATCH_POLL);
    if format == WatchFormat::Table {
        eprintln!(
            "watching for approval requests; decide with `dbdock approvals approve ID` or `deny ID` (Ctrl-C stops)"
        );
    }
    let outcome = 'watching: loop {
        tokio::select! {
            _ = presence.tick() => {
                if let Err(e) = store.note_approver(ApprovalRoute::Terminal).await {
                    break Err(e);
                }
            }
            _ = poll.tick() => {
                let pending = match store.approvals(Some(ApprovalState::Pending), 200).await {
                    Ok(pending) => pending,
                    Err(e) => break Err(e),
                };
                for approval in pending.iter().rev().filter(|a| shown.insert(a.id)) {
                    if let Err(e) = render::approval_event(approval, format).and_then(|text| context::print(&text)) {
                        break 'watching Err(e);
                    }
                }
            }
            () = interrupt.recv() => break Ok(()),
        }
    };
    let _ = store.forget_approver(ApprovalRoute::Terminal).await;
    outcome
}
