//! The audit trail of one endpoint. Every call writes its row (outcome `running`) before
//! anything reaches a database, and a call whose row cannot be written is refused with
//! `AUDIT_UNAVAILABLE`; the row is completed after the call, off the response's path, by a
//! writer task. Shutdown waits for the calls still running, then marks the rows of those
//! it gave up on `interrupted` (docs/safety.md).

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use dbdock_core::AuditOutcome;
use dbdock_core::{Error, ErrorCode, Result};
use dbdock_store::{AuditCompletion, AuditEntry, Store};
use tokio::sync::Notify;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;

/// How long shutdown waits for running calls to complete their rows. The transports
/// cancel running calls when they stop, so this is time for a statement to be cancelled.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

#[derive(Default)]
struct State {
    /// Set by [`AuditLog::close`]: no call starts after that.
    closing: bool,
    /// `None` once the log is closed.
    completions: Option<UnboundedSender<(i64, AuditCompletion)>>,
    /// Calls whose `running` row is being written.
    starting: usize,
    /// Rows written as `running` and not completed yet.
    running: HashSet<i64>,
}

struct Shared {
    store: Store,
    state: Mutex<State>,
    /// Wakes [`AuditLog::close`] when a call starts or completes.
    changed: Notify,
}

impl Shared {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is a few counters that stay consistent even if a holder panicked.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

pub struct AuditLog {
    shared: Arc<Shared>,
    writer: tokio::sync::Mutex<Option<JoinHandle<()>>>,
}

/// A call whose `running` row is written. Complete it with [`AuditTicket::complete`];
/// dropped without that (the call's task was dropped), its row says `interrupted`.
pub struct AuditTicket {
    id: i64,
    shared: Arc<Shared>,
    completed: bool,
}

impl AuditLog {
    pub fn new(store: Store) -> AuditLog {
        // Retention runs once per endpoint, off the start-up path: usually it only finds
        // that the oldest row is recent enough, without taking the write lock.
        if let Some(keep) = dbdock_store::audit_retention_from_env() {
            let store = store.clone();
            tokio::spawn(async move {
                match store.prune_audit(keep).await {
                    Ok(0) => {}
                    Ok(rows) => {
                        tracing::info!(rows, days = keep.as_secs() / 86_400, "audit retention removed old rows")
                    }
                    Err(e) => tracing::warn!(error = %e, "audit retention could not remove old rows"),
                }
            });
        }
        let (sender, mut receiver) = unbounded_channel::<(i64, AuditCompletion)>();
        let shared = Arc::new(Shared {
            store,
            state: Mutex::new(State { completions: Some(sender), ..State::default() }),
            changed: Notify::new(),
        });
        let writer_shared = Arc::clone(&shared);
        let writer = tokio::spawn(async move {
            while let Some((id, completion)) = receiver.recv().await {
                // After the answer that sent this completion has gone out (the send woke
                // this task ahead of the ones carrying the answer).
                tokio::task::yield_now().await;
                if let Err(e) = writer_shared.store.complete_audit(id, &completion).await {
                    tracing::error!(error = %e, id, "could not complete an audit row; it stays 'running'");
                }
                writer_shared.state().running.remove(&id);
                writer_shared.changed.notify_waiters();
            }
        });
        AuditLog { shared, writer: tokio::sync::Mutex::new(Some(writer)) }
    }

    /// Writes the `running` row of a call about to run. An error (`AUDIT_UNAVAILABLE`)
    /// means the call must not run.
    pub async fn start(&self, entry: &AuditEntry) -> Result<AuditTicket> {
        {
            let mut state = self.shared.state();
            if state.closing {
                return Err(Error::new(
                    ErrorCode::AuditUnavailable,
                    "the endpoint is shutting down, so the call was not run",
                ));
            }
            state.starting += 1;
        }
        let written = self.shared.store.start_audit(entry).await;
        {
            let mut state = self.shared.state();
            state.starting -= 1;
            if let Ok(id) = written {
                state.running.insert(id);
            }
        }
        self.shared.changed.notify_waiters();
        match written {
            Ok(id) => Ok(AuditTicket { id, shared: Arc::clone(&self.shared), completed: false }),
            Err(e) => {
                tracing::error!(error = %e, tool = %entry.tool, "could not write the audit log; the call is refused");
                Err(Error::new(
                    ErrorCode::AuditUnavailable,
                    format!(
                        "the call was not run because DB Dock could not record it in its audit log ({}); every AI call \
                         is recorded before it runs. Tell the user: another program may be holding the DB Dock \
                         store locked, or its disk may be full",
                        e.message
                    ),
                ))
            }
        }
    }

    /// Stops new calls, waits up to `grace` for running calls to complete their rows,
    /// writes the completions, and marks the rows of calls still running `interrupted`.
    pub async fn close(&self, grace: Duration) {
        self.shared.state().closing = true;
        let all_done = tokio::time::timeout(grace, async {
            loop {
                let changed = self.shared.changed.notified();
                tokio::pin!(changed);
                changed.as_mut().enable();
                {
                    let state = self.shared.state();
                    if state.starting == 0 && state.running.is_empty() {
                        return;
                    }
                }
                changed.await;
            }
        })
        .await;
        if all_done.is_err() {
            tracing::warn!("calls still running after {} s of shutdown", grace.as_secs());
        }
        // The writer writes what is queued and ends once the log's sender is gone.
        drop(self.shared.state().completions.take());
        if let Some(writer) = self.writer.lock().await.take() {
            let _ = writer.await;
        }
        let abandoned: Vec<i64> = self.shared.state().running.drain().collect();
        if !abandoned.is_empty() {
            tracing::warn!(
                calls = abandoned.len(),
                "shutting down with calls still running; their rows say interrupted"
            );
            if let Err(e) = self.shared.store.interrupt_audit(&abandoned).await {
                tracing::error!(error = %e, "could not mark interrupted calls in the audit log");
            }
        }
    }
}

impl AuditTicket {
    /// Queues the completion of this call's row.
    /// The audit row's id.
    pub fn id(&self) -> i64 {
        self.id
    }

    pub fn complete(mut self, completion: AuditCompletion) {
        self.completed = true;
        self.send(completion);
    }

    fn send(&self, completion: AuditCompletion) {
        let sender = self.shared.state().completions.clone();
        // After close the row is marked `interrupted` instead.
        if let Some(sender) = sender {
            let _ = sender.send((self.id, completion));
        }
    }
}

impl Drop for AuditTicket {
    fn drop(&mut self) {
        if !self.completed {
            self.send(AuditCompletion {
                rows: None,
                bytes: None,
                duration_ms: 0.0,
                outcome: AuditOutcome::Interrupted,
                error_code: None,
                error_message: Some("the call ended before it finished (its client went away)".to_owned()),
            });
        }
    }
}
