//! Writes with the user's approval (docs/safety.md, "Approval"). On a connection whose AI
//! access is `ask`, an AI client's write is filed as a request with its dry-run preview;
//! the asking process waits for the user's decision (the app, `dbdock approvals`, or the
//! user answering through the AI client) and then runs exactly the statement it filed,
//! once, on the user's own login. Every step is a state change in the store, so any
//! process can decide and only the asker can run.

use std::time::{Duration, Instant};

use dbdock_core::{
    ApprovalRoute, ApprovalState, Error, ErrorCode, Profile, Result, WritePreview, answer_hash, approval_binding,
};
use dbdock_store::{Approval, Decision, NewApproval};

use crate::{Audience, Workspace};

/// How long an AI client's write waits for the user by default.
const DEFAULT_APPROVAL_WAIT: Duration = Duration::from_secs(120);

/// How often the asker looks at the queue (the app shows a request at once; this is how
/// soon the asker sees the answer).
const POLL: Duration = Duration::from_millis(100);
/// How often the asker says it is still waiting.
const HEARTBEAT: Duration = Duration::from_secs(1);

/// How long a write on `profile` waits for approval: the profile's setting, else
/// `DBDOCK_APPROVAL_WAIT_SECS` in the endpoint's environment, else 120 s.
pub fn approval_wait(profile: &Profile) -> Duration {
    let from_env = || std::env::var("DBDOCK_APPROVAL_WAIT_SECS").ok().and_then(|s| s.parse::<u64>().ok());
    profile.approval_wait_secs.or_else(from_env).map_or(DEFAULT_APPROVAL_WAIT, Duration::from_secs)
}

/// One write an AI client asks for.
#[derive(Debug, Clone)]
pub struct WriteRequest {
    pub profile: Profile,
    /// The tool (`execute-update`, `publish`, `request`).
    pub tool: String,
    /// Exactly what will run: the statement, or for a publish what and where.
    pub statement: String,
    /// Exactly the parameters it runs with.
    pub params: serde_json::Value,
    /// The statement and parameters as the user sees them (the profile's secret masked).
    pub shown_statement: String,
    pub shown_params: serde_json::Value,
    pub client: Option<String>,
    pub audit_id: Option<i64>,
}

impl WriteRequest {
    /// The hash the approval is bound to.
    pub fn binding(&self) -> String {
        approval_binding(&self.profile.name, &self.tool, &self.statement, &self.params)
    }
}

/// How a wait for the user ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Approved(ApprovalRoute),
    Denied {
        route: ApprovalRoute,
        reason: Option<String>,
    },
    /// Nobody answered in time.
    Expired,
}

impl Verdict {
    /// The verdict a request's state holds, once it has one (`None` while pending, and
    /// for a request already taken).
    pub fn of(approval: &Approval) -> Option<Verdict> {
        let route = approval.route.unwrap_or(ApprovalRoute::App);
        match approval.state {
            ApprovalState::Approved => Some(Verdict::Approved(route)),
            ApprovalState::Denied => Some(Verdict::Denied { route, reason: approval.reason.clone() }),
            ApprovalState::Expired | ApprovalState::Abandoned => Some(Verdict::Expired),
            ApprovalState::Pending | ApprovalState::Running | ApprovalState::Executed | ApprovalState::Failed => None,
        }
    }

    /// The error the AI client gets for a write that was not approved.
    pub fn refusal(&self, id: i64, profile: &str) -> Option<Error> {
        match self {
            Verdict::Approved(_) => None,
            Verdict::Denied { route, reason } => Some(Error::new(
                ErrorCode::PermissionDenied,
                format!(
                    "the user denied the write on connection '{profile}' (request {id}, in {}){}; nothing was run",
                    match route {
                        ApprovalRoute::App => "the DB Dock app",
                        ApprovalRoute::Terminal => "the terminal",
                        ApprovalRoute::Client => "your client",
                    },
                    reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default()
                ),
            )),
            Verdict::Expired => Some(Error::timeout(format!(
                "nobody approved the write on connection '{profile}' in time (request {id}); nothing was run. Ask the \
                 user whether they want it, then try again while they have DB Dock open"
            ))),
        }
    }
}

impl Workspace {
    /// The dry run of `sql` on the user's own connection of `profile` (the AI login may
    /// not be allowed to write even in a transaction that is rolled back).
    pub async fn preview_write(&self, profile: &str, sql: &str, params: &[serde_json::Value]) -> WritePreview {
        match self.connection(Audience::User, profile).await {
            Ok(open) => open.live.database().preview(sql, params).await,
            Err(e) => WritePreview::failed(e),
        }
    }

    /// Files `request` with its preview; returns the request's id. `answer_hash`: the hash
    /// of the secret an answer through the AI client must carry, when asked there.
    pub async fn file_approval(
        &self,
        request: &WriteRequest,
        preview: WritePreview,
        answer_hash: Option<String>,
        wait: Duration,
    ) -> Result<i64> {
        self.store
            .create_approval(&NewApproval {
                audit_id: request.audit_id,
                client: request.client.clone(),
                profile: request.profile.name.clone(),
                tool: request.tool.clone(),
                statement: request.shown_statement.clone(),
                params: request.shown_params.clone(),
                binding: request.binding(),
                answer_hash,
                preview,
                wait,
            })
            .await
    }

    /// Whether someone can decide in DB Dock itself now: the app is open, or a terminal
    /// runs `dbdock approvals watch`.
    pub async fn approvers_present(&self) -> bool {
        self.store.present_approvers().await.is_ok_and(|present| !present.is_empty())
    }

    /// Waits for the decision on request `id` until `deadline`, saying it is still waiting
    /// every second. At the deadline the request becomes `expired` unless a decision won
    /// the race, which then counts.
    pub async fn await_decision(&self, id: i64, deadline: Instant) -> Result<Verdict> {
        let mut beat = Instant::now();
        loop {
            let approval = self.store.approval(id).await?;
            match Verdict::of(&approval) {
                Some(verdict) => return Ok(verdict),
                None if approval.state != ApprovalState::Pending => {
                    return Err(Error::internal(format!(
                        "approval request {id} became {} while its asker waited",
                        approval.state.as_str()
                    )));
                }
                None => {}
            }
            if Instant::now() >= deadline {
                if self.store.advance_approval(id, ApprovalState::Pending, ApprovalState::Expired).await? {
                    return Ok(Verdict::Expired);
                }
                continue;
            }
            if beat.elapsed() >= HEARTBEAT {
                self.store.touch_approval(id).await?;
                beat = Instant::now();
            }
            tokio::time::sleep(POLL.min(deadline.saturating_duration_since(Instant::now()))).await;
        }
    }

    /// Records the user's answer given through the AI client to request `id`: accepted
    /// only with the secret the request was asked with, for the request as filed (same
    /// binding), while it is pending.
    pub async fn answer_through_client(
        &self,
        id: i64,
        secret: &str,
        request: &WriteRequest,
        approve: bool,
    ) -> Result<Verdict> {
        let forged = || {
            Error::new(
                ErrorCode::PermissionDenied,
                format!("the answer does not belong to approval request {id}; nothing was run"),
            )
        };
        let approval = match self.store.approval(id).await {
            Err(e) if e.code == ErrorCode::NotFound => return Err(forged()),
            other => other?,
        };
        let expected = approval.answer_hash.as_deref().ok_or_else(forged)?;
        if !constant_time_eq(expected.as_bytes(), answer_hash(secret).as_bytes()) {
            return Err(forged());
        }
        if approval.binding != request.binding() {
            return Err(Error::new(
                ErrorCode::PermissionDenied,
                format!(
                    "approval request {id} was for a different statement or parameters; nothing was run. Call again \
                     to ask for this one"
                ),
            ));
        }
        // Decided in DB Dock meanwhile (the app, a terminal): that decision stands.
        if matches!(approval.state, ApprovalState::Approved | ApprovalState::Denied) {
            return Verdict::of(&approval).ok_or_else(|| Error::internal("a decided request has no verdict"));
        }
        let decision = Decision { approve, route: ApprovalRoute::Client, reason: None };
        let decided = self.store.decide_approval(id, &decision).await.map_err(|e| Error {
            code: ErrorCode::PermissionDenied,
            message: format!("{}; nothing was run", e.message),
        })?;
        Verdict::of(&decided).ok_or_else(|| Error::internal("a decided request has no verdict"))
    }

    /// Runs the approved request `id`: takes it (once: a second caller gets an error),
    /// checks that what runs is what was approved, runs `run` and records its outcome.
    pub async fn run_approved<T>(
        &self,
        id: i64,
        request: &WriteRequest,
        run: impl AsyncFnOnce() -> Result<(T, u64)>,
    ) -> Result<T> {
        let approval = self.store.approval(id).await?;
        if approval.binding != request.binding() {
            return Err(Error::new(
                ErrorCode::PermissionDenied,
                format!("approval request {id} does not match the statement to run; nothing was run"),
            ));
        }
        if !self.store.advance_approval(id, ApprovalState::Approved, ApprovalState::Running).await? {
            return Err(Error::new(
                ErrorCode::PermissionDenied,
                format!("approval request {id} was already used or is no longer approved; nothing was run"),
            ));
        }
        let outcome = run().await;
        self.store.finish_approval(id, outcome.as_ref().map(|(_, rows)| *rows)).await?;
        outcome.map(|(value, _)| value)
    }

    /// The user's decision on request `id` in the app or a terminal.
    pub async fn decide_approval(&self, id: i64, decision: &Decision) -> Result<Approval> {
        self.store.decide_approval(id, decision).await
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_say_what_happened() {
        let denied = Verdict::Denied { route: ApprovalRoute::Terminal, reason: Some("wrong table".into()) };
        let e = denied.refusal(7, "shop").unwrap_or_else(|| Error::internal("none"));
        assert_eq!(e.code, ErrorCode::PermissionDenied);
        assert!(e.message.contains("request 7") && e.message.contains(": wrong table"), "{}", e.message);
        assert_eq!(Verdict::Expired.refusal(7, "shop").map(|e| e.code), Some(ErrorCode::Timeout));
        assert!(Verdict::Approved(ApprovalRoute::App).refusal(7, "shop").is_none());
    }

    #[test]
    fn answer_hashes_compare_in_constant_time() {
        assert!(constant_time_eq(answer_hash("x").as_bytes(), answer_hash("x").as_bytes()));
        assert!(!constant_time_eq(answer_hash("x").as_bytes(), answer_hash("y").as_bytes()));
        assert!(!constant_time_eq(b"ab", b"abc"));
    }
}
