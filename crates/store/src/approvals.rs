//! The approval queue (docs/safety.md, "Approval"): writes an AI client asked for on a
//! connection whose AI access is `ask`, shared by every process through the store. Each
//! change of state is one conditional `UPDATE`, so two processes racing (an approval
//! against the asker giving up, two approvals) leave exactly one winner.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dbdock_core::{
    ApprovalRoute, ApprovalState, Error, ErrorCode, MAX_AUDITED_TEXT_BYTES, Result, WritePreview, cap_text,
};
use serde::Serialize;

use crate::{Store, store_error};

/// A pending request whose asking process has not refreshed its heartbeat for this long
/// is abandoned: the process is gone.
const HEARTBEAT_STALE: Duration = Duration::from_secs(5);
/// An approver (the app, `dbdock approvals watch`) counts as present this long after it
/// last said so.
const APPROVER_STALE: Duration = Duration::from_secs(6);

/// A request as the asking process files it.
#[derive(Debug, Clone)]
pub struct NewApproval {
    pub audit_id: Option<i64>,
    pub client: Option<String>,
    pub profile: String,
    pub tool: String,
    /// The statement (or publish/request description) as the user will see it.
    pub statement: String,
    /// Scrubbed of the profile's secret.
    pub params: serde_json::Value,
    pub binding: String,
    pub answer_hash: Option<String>,
    pub preview: WritePreview,
    pub wait: Duration,
}

/// One request as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Approval {
    pub id: i64,
    pub created_at: String,
    /// When the asker stops waiting (Unix ms).
    pub expires_ms: i64,
    pub audit_id: Option<i64>,
    pub client: Option<String>,
    pub profile: String,
    pub tool: String,
    pub statement: String,
    pub params: serde_json::Value,
    pub binding: String,
    #[serde(skip)]
    pub answer_hash: Option<String>,
    pub preview: WritePreview,
    pub state: ApprovalState,
    pub route: Option<ApprovalRoute>,
    pub reason: Option<String>,
    pub decided_at: Option<String>,
    pub rows: Option<i64>,
    /// What running it gave: a summary, or the database's error.
    pub result: Option<String>,
}

/// The user's answer to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub approve: bool,
    pub route: ApprovalRoute,
    pub reason: Option<String>,
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Store {
    /// How many requests wait for a decision (`/metrics`, `dbdock stats`).
    pub async fn pending_approval_count(&self) -> Result<u32> {
        let (pending,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM approvals WHERE state = 'pending'")
            .fetch_one(&self.pool)
            .await
            .map_err(|e| store_error("read the approval queue", &e))?;
        Ok(u32::try_from(pending).unwrap_or(u32::MAX))
    }

    /// Files a pending request; returns its id.
    pub async fn create_approval(&self, a: &NewApproval) -> Result<i64> {
        let now = now_ms();
        let preview = serde_json::to_string(&a.preview).map_err(|e| Error::internal(format!("preview: {e}")))?;
        let done = sqlx::query(
            "INSERT INTO approvals (expires_ms, heartbeat_ms, audit_id, client, profile, tool, statement, params,
                                    binding, answer_hash, preview, state)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'pending')",
        )
        .bind(now.saturating_add(ms(a.wait)))
        .bind(now)
        .bind(a.audit_id)
        .bind(&a.client)
        .bind(&a.profile)
        .bind(&a.tool)
        .bind(cap_text(&a.statement, MAX_AUDITED_TEXT_BYTES).as_ref())
        .bind(cap_text(&a.params.to_string(), MAX_AUDITED_TEXT_BYTES).as_ref())
        .bind(&a.binding)
        .bind(&a.answer_hash)
        .bind(preview)
        .execute(&self.pool)
        .await
        .map_err(|e| store_error("file the approval request", &e))?;
        Ok(done.last_insert_rowid())
    }

    /// One request, with abandoned and expired ones marked so first.
    pub async fn approval(&self, id: i64) -> Result<Approval> {
        self.settle_approvals().await?;
        let row: Option<ApprovalRow> = sqlx::query_as("SELECT * FROM approvals WHERE id = ?1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| store_error("read the approval queue", &e))?;
        row.ok_or_else(|| Error::not_found(format!("there is no approval request {id}")))?.try_into()
    }

    /// Requests, newest first: only those in `state` when given.
    pub async fn approvals(&self, state: Option<ApprovalState>, limit: u32) -> Result<Vec<Approval>> {
        self.settle_approvals().await?;
        let rows: Vec<ApprovalRow> =
            sqlx::query_as("SELECT * FROM approvals WHERE ?1 IS NULL OR state = ?1 ORDER BY id DESC LIMIT ?2")
                .bind(state.map(ApprovalState::as_str))
                .bind(limit)
                .fetch_all(&self.pool)
                .await
                .map_err(|e| store_error("read the approval queue", &e))?;
        rows.into_iter().map(Approval::try_from).collect()
    }

    /// Marks pending requests whose asker went away `abandoned` and those past their time
    /// `expired`: neither can be approved any more.
    async fn settle_approvals(&self) -> Result<()> {
        let now = now_ms();
        // Read first: the app looks at the queue several times a second, and an UPDATE
        // would take the store's write lock each time even when nothing is due.
        let due: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM approvals WHERE state = 'pending' AND (heartbeat_ms < ?2 OR expires_ms <= ?1))",
        )
        .bind(now)
        .bind(now - ms(HEARTBEAT_STALE))
        .fetch_one(&self.pool)
        .await
        .map_err(|e| store_error("read the approval queue", &e))?;
        if !due {
            return Ok(());
        }
        sqlx::query(
            "UPDATE approvals SET state = CASE WHEN heartbeat_ms < ?2 THEN 'abandoned' ELSE 'expired' END
             WHERE state = 'pending' AND (heartbeat_ms < ?2 OR expires_ms <= ?1)",
        )
        .bind(now)
        .bind(now - ms(HEARTBEAT_STALE))
        .execute(&self.pool)
        .await
        .map_err(|e| store_error("update the approval queue", &e))?;
        Ok(())
    }

    /// The user's decision. Only a pending request whose asker is still waiting can be
    /// decided, once; a request whose dry run failed can only be denied.
    pub async fn decide_approval(&self, id: i64, decision: &Decision) -> Result<Approval> {
        let current = self.approval(id).await?;
        if current.state != ApprovalState::Pending {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                format!("approval request {id} is {} and can no longer be decided", current.state.as_str()),
            ));
        }
        if decision.approve && current.preview.error.is_some() {
            return Err(Error::invalid_input(format!(
                "approval request {id} failed its dry run, so it can only be denied"
            )));
        }
        let now = now_ms();
        let done = sqlx::query(
            "UPDATE approvals SET state = ?2, route = ?3, reason = ?4,
                                  decided_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
             WHERE id = ?1 AND state = 'pending' AND expires_ms > ?5 AND heartbeat_ms >= ?6",
        )
        .bind(id)
        .bind(if decision.approve { ApprovalState::Approved } else { ApprovalState::Denied }.as_str())
        .bind(decision.route.as_str())
        .bind(decision.reason.as_deref().map(|r| cap_text(r, 1000).into_owned()))
        .bind(now)
        .bind(now - ms(HEARTBEAT_STALE))
        .execute(&self.pool)
        .await
        .map_err(|e| store_error("record the decision", &e))?;
        let after = self.approval(id).await?;
        if done.rows_affected() == 0 {
            return Err(Error::invalid_input(format!(
                "approval request {id} is {} and can no longer be decided",
                after.state.as_str()
            )));
        }
        Ok(after)
    }

    /// The asker's heartbeat while it waits.
    pub async fn touch_approval(&self, id: i64) -> Result<()> {
        sqlx::query("UPDATE approvals SET heartbeat_ms = ?2 WHERE id = ?1 AND state = 'pending'")
            .bind(id)
            .bind(now_ms())
            .execute(&self.pool)
            .await
            .map_err(|e| store_error("update the approval queue", &e))?;
        Ok(())
    }

    /// Moves the request from `from` to `to` if it is still in `from`; whether it did.
    /// The asker takes an approval (`approved` → `running`) or gives up (`pending` →
    /// `expired`) this way, so each happens at most once.
    pub async fn advance_approval(&self, id: i64, from: ApprovalState, to: ApprovalState) -> Result<bool> {
        let done = sqlx::query("UPDATE approvals SET state = ?3 WHERE id = ?1 AND state = ?2")
            .bind(id)
            .bind(from.as_str())
            .bind(to.as_str())
            .execute(&self.pool)
            .await
            .map_err(|e| store_error("update the approval queue", &e))?;
        Ok(done.rows_affected() == 1)
    }

    /// Records how the approved statement ended (`executed` or `failed`).
    pub async fn finish_approval(&self, id: i64, outcome: std::result::Result<u64, &Error>) -> Result<()> {
        let (state, rows, result) = match outcome {
            Ok(rows) => (ApprovalState::Executed, i64::try_from(rows).ok(), format!("{rows} row(s) affected")),
            Err(e) => (ApprovalState::Failed, None, format!("{}: {}", e.code.as_str(), e.message)),
        };
        sqlx::query("UPDATE approvals SET state = ?2, rows = ?3, result = ?4 WHERE id = ?1 AND state = 'running'")
            .bind(id)
            .bind(state.as_str())
            .bind(rows)
            .bind(cap_text(&result, 2000).as_ref())
            .execute(&self.pool)
            .await
            .map_err(|e| store_error("update the approval queue", &e))?;
        Ok(())
    }

    /// An approver (`app` or `terminal`) says it is there to decide.
    pub async fn note_approver(&self, kind: ApprovalRoute) -> Result<()> {
        sqlx::query(
            "INSERT INTO approvers (kind, seen_ms) VALUES (?1, ?2) ON CONFLICT (kind) DO UPDATE SET seen_ms = ?2",
        )
        .bind(kind.as_str())
        .bind(now_ms())
        .execute(&self.pool)
        .await
        .map_err(|e| store_error("note the approver", &e))?;
        Ok(())
    }

    /// An approver that leaves says so, so askers stop counting on it at once.
    pub async fn forget_approver(&self, kind: ApprovalRoute) -> Result<()> {
        sqlx::query("DELETE FROM approvers WHERE kind = ?1")
            .bind(kind.as_str())
            .execute(&self.pool)
            .await
            .map_err(|e| store_error("note the approver", &e))?;
        Ok(())
    }

    /// The approvers present now.
    pub async fn present_approvers(&self) -> Result<Vec<ApprovalRoute>> {
        let kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM approvers WHERE seen_ms >= ?1 ORDER BY kind")
            .bind(now_ms() - ms(APPROVER_STALE))
            .fetch_all(&self.pool)
            .await
            .map_err(|e| store_error("read the approvers", &e))?;
        Ok(kinds.iter().filter_map(|k| ApprovalRoute::parse(k)).collect())
    }
}

/// A row of `approvals` as SQLite holds it.
#[derive(sqlx::FromRow)]
struct ApprovalRow {
    id: i64,
    created_at: String,
    expires_ms: i64,
    #[allow(dead_code, reason = "read by SELECT *; the settle query is what uses it")]
    heartbeat_ms: i64,
    audit_id: Option<i64>,
    client: Option<String>,
    profile: String,
    tool: String,
    statement: String,
    params: String,
    binding: String,
    answer_hash: Option<String>,
    preview: String,
    state: String,
    route: Option<String>,
    reason: Option<String>,
    decided_at: Option<String>,
    rows: Option<i64>,
    result: Option<String>,
}

impl TryFrom<ApprovalRow> for Approval {
    type Error = Error;

    fn try_from(r: ApprovalRow) -> Result<Approval> {
        let state = ApprovalState::parse(&r.state)
            .ok_or_else(|| Error::internal(format!("the approval queue holds an unknown state '{}'", r.state)))?;
        Ok(Approval {
            id: r.id,
            created_at: r.created_at,
            expires_ms: r.expires_ms,
            audit_id: r.audit_id,
            client: r.client,
            profile: r.profile,
            tool: r.tool,
            statement: r.statement,
            params: serde_json::from_str(&r.params).unwrap_or(serde_json::Value::Null),
            binding: r.binding,
            answer_hash: r.answer_hash,
            preview: serde_json::from_str(&r.preview).unwrap_or_default(),
            state,
            route: r.route.as_deref().and_then(ApprovalRoute::parse),
            reason: r.reason,
            decided_at: r.decided_at,
            rows: r.rows,
            result: r.result,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::Home;

    fn request(wait: Duration) -> NewApproval {
        NewApproval {
            audit_id: None,
            client: Some("claude".into()),
            profile: "shop".into(),
            tool: "execute-update".into(),
            statement: "UPDATE t SET a = 1".into(),
            params: serde_json::json!([]),
            binding: "b".into(),
            answer_hash: None,
            preview: WritePreview::not_run("test"),
            wait,
        }
    }

    fn approve(route: ApprovalRoute) -> Decision {
        Decision { approve: true, route, reason: None }
    }

    #[tokio::test]
    async fn a_request_is_decided_once_and_taken_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Home::at(dir.path())).await.unwrap();
        let id = store.create_approval(&request(Duration::from_secs(60))).await.unwrap();
        assert_eq!(store.approvals(Some(ApprovalState::Pending), 10).await.unwrap().len(), 1);
        let decided = store.decide_approval(id, &approve(ApprovalRoute::Terminal)).await.unwrap();
        assert_eq!((decided.state, decided.route), (ApprovalState::Approved, Some(ApprovalRoute::Terminal)));
        let again = store.decide_approval(id, &Decision { approve: false, route: ApprovalRoute::App, reason: None });
        assert!(again.await.unwrap_err().message.contains("is approved"));
        assert!(store.advance_approval(id, ApprovalState::Approved, ApprovalState::Running).await.unwrap());
        assert!(!store.advance_approval(id, ApprovalState::Approved, ApprovalState::Running).await.unwrap());
        store.finish_approval(id, Ok(3)).await.unwrap();
        let done = store.approval(id).await.unwrap();
        assert_eq!((done.state, done.rows), (ApprovalState::Executed, Some(3)));
    }

    #[tokio::test]
    async fn expired_and_abandoned_requests_cannot_be_approved() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Home::at(dir.path())).await.unwrap();
        let expired = store.create_approval(&request(Duration::ZERO)).await.unwrap();
        let e = store.decide_approval(expired, &approve(ApprovalRoute::App)).await.unwrap_err();
        assert!(e.message.contains("is expired"), "{e}");
        let gone = store.create_approval(&request(Duration::from_secs(60))).await.unwrap();
        sqlx::query("UPDATE approvals SET heartbeat_ms = 0 WHERE id = ?1")
            .bind(gone)
            .execute(&store.pool)
            .await
            .unwrap();
        let e = store.decide_approval(gone, &approve(ApprovalRoute::App)).await.unwrap_err();
        assert!(e.message.contains("is abandoned"), "{e}");
        assert!(!store.advance_approval(gone, ApprovalState::Approved, ApprovalState::Running).await.unwrap());
    }

    #[tokio::test]
    async fn a_failed_dry_run_can_only_be_denied() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Home::at(dir.path())).await.unwrap();
        let failed = NewApproval {
            preview: WritePreview::failed(Error::new(ErrorCode::QueryFailed, "no such table")),
            ..request(Duration::from_secs(60))
        };
        let id = store.create_approval(&failed).await.unwrap();
        assert!(store.decide_approval(id, &approve(ApprovalRoute::App)).await.is_err());
        let deny = Decision { approve: false, route: ApprovalRoute::App, reason: Some("no".into()) };
        assert_eq!(store.decide_approval(id, &deny).await.unwrap().reason.as_deref(), Some("no"));
    }

    #[tokio::test]
    async fn approvers_are_present_until_they_leave() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Home::at(dir.path())).await.unwrap();
        assert!(store.present_approvers().await.unwrap().is_empty());
        store.note_approver(ApprovalRoute::App).await.unwrap();
        assert_eq!(store.present_approvers().await.unwrap(), vec![ApprovalRoute::App]);
        store.forget_approver(ApprovalRoute::App).await.unwrap();
        assert!(store.present_approvers().await.unwrap().is_empty());
    }
}
