//! Writes on an `ask` connection (docs/safety.md, "Approval"): the request is filed with
//! its dry-run preview and put to the user by the first route that reaches them:
//! 1. DB Dock itself, when the app is open or a terminal runs `dbdock approvals watch`:
//!    the call waits for the decision;
//! 2. the AI client, on MCP 2026-07-28, as an `input_required` result whose
//!    `requestState` carries an unguessable secret only this request's answer can hold;
//! 3. the AI client, on a 2025 revision with elicitation, as an elicitation;
//!
//! otherwise the call fails at once saying how to reach the user. No tool and no argument
//! approves anything; the model only ever relays the user's own answer.

use std::sync::Arc;
use std::time::Instant;

use dbdock_app::{Verdict, WriteAccess, WriteRequest, ai_write_access, approval_wait, no_approver};
use dbdock_core::{ApprovalRoute, Error, ErrorCode, Result, WritePreview, answer_hash};
use dbdock_store::Decision;
use rmcp::RoleServer;
use rmcp::model::{
    CallToolResponse, CallToolResult, ElicitRequest, ElicitRequestParams, ElicitationAction, ElicitationSchema,
    InputRequest, InputRequiredResult, InputResponses, ProtocolVersion,
};
use rmcp::service::RequestContext;

use super::DbDockServer;
use crate::render::Rendered;

/// What a retried call carries (MCP 2026-07-28 multi round-trip requests), put into the
/// request's context by the server before routing.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClientAnswer {
    pub request_state: Option<String>,
    pub input_responses: Option<InputResponses>,
}

/// The key of our one question in `inputRequests` / `inputResponses`.
const QUESTION: &str = "dbdock-approval";
/// `requestState` is `dbdock-approval:<id>:<secret>`.
const STATE_PREFIX: &str = "dbdock-approval:";

/// How a write that needed approval goes on.
enum Gate {
    /// Approved: run it as approval request `id`.
    Run(i64),
    /// Put to the client: return this, and run on the retry that carries the answer.
    AskClient(InputRequiredResult),
}

/// What became of an AI client's write.
pub(crate) enum Written<T> {
    Done(T),
    /// The client must ask its user first (MCP 2026-07-28): the tool returns this.
    AskClient(InputRequiredResult),
}

/// Who a write runs as: the AI connection (read-write access) or, once the user approved
/// it, the user's own login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RunAs {
    Ai,
    User,
}

impl DbDockServer {
    /// Runs `write` as the profile's AI access allows (docs/safety.md): at once on
    /// read-write, after the user's approval on `ask` (exactly the request filed, once),
    /// never on read-only. `write` returns its value and the rows it changed.
    pub(crate) async fn gated_write<T>(
        &self,
        ctx: &RequestContext<RoleServer>,
        request: &WriteRequest,
        what: &str,
        preview: impl AsyncFnOnce() -> WritePreview,
        write: impl AsyncFnOnce(RunAs) -> Result<(T, u64)>,
    ) -> Result<Written<T>> {
        let caller = crate::caller::Caller::current();
        if caller.access(request.profile.access) != request.profile.access {
            return Err(Error::new(
                ErrorCode::ReadOnlyViolation,
                format!(
                    "this client's token ('{}') may only read: {what} needs a token with the write scope, which \
                     the user makes with `dbdock mcp token add NAME --scope write`; tell the user instead of \
                     working around it",
                    caller.token_name().unwrap_or("?")
                ),
            ));
        }
        if ai_write_access(&request.profile, what)? == WriteAccess::Allowed {
            return Ok(Written::Done(write(RunAs::Ai).await?.0));
        }
        match self.gate_write(ctx, request, what, preview).await? {
            Gate::AskClient(input) => Ok(Written::AskClient(input)),
            Gate::Run(id) => {
                let workspace = self.endpoint.workspace();
                Ok(Written::Done(workspace.run_approved(id, request, async || write(RunAs::User).await).await?))
            }
        }
    }

    /// Puts `request` to the user and waits for (or asks the client for) their decision.
    /// `preview` runs the dry run; it is not run for a retry that carries the answer.
    async fn gate_write(
        &self,
        ctx: &RequestContext<RoleServer>,
        request: &WriteRequest,
        what: &str,
        preview: impl AsyncFnOnce() -> WritePreview,
    ) -> Result<Gate> {
        let workspace = self.endpoint.workspace();
        if let Some(state) = ctx.extensions.get::<ClientAnswer>().and_then(|a| a.request_state.as_deref()) {
            let (id, secret) = parse_state(state)?;
            let responses = ctx.extensions.get::<ClientAnswer>().and_then(|a| a.input_responses.as_ref());
            let verdict = workspace.answer_through_client(id, secret, request, approves(responses)).await?;
            return go_on(id, request, &verdict);
        }
        let wait = approval_wait(&request.profile);
        let deadline = Instant::now() + wait;
        let can_elicit = ctx.client_capabilities().is_some_and(|c| c.elicitation.is_some());
        let answers_in_retries = ctx.protocol_version().is_some_and(|v| v >= ProtocolVersion::V_2026_07_28);
        if workspace.approvers_present().await {
            let id = workspace.file_approval(request, preview().await, None, wait).await?;
            let verdict = workspace.await_decision(id, deadline).await?;
            return go_on(id, request, &verdict);
        }
        if !can_elicit {
            return Err(no_approver(&request.profile, what));
        }
        let preview = preview().await;
        let question = question(request, &preview);
        if answers_in_retries {
            let secret = random_secret()?;
            let id = workspace.file_approval(request, preview, Some(answer_hash(&secret)), wait).await?;
            // The call returns now; this process keeps the request alive (and expires it
            // at the deadline) until the retry answers it.
            let endpoint = Arc::clone(&self.endpoint);
            tokio::spawn(async move {
                let _ = endpoint.workspace().await_decision(id, deadline).await;
            });
            let asked = InputRequest::Elicitation(ElicitRequest::new(question));
            return Ok(Gate::AskClient(InputRequiredResult::new(
                Some([(QUESTION.to_owned(), asked)].into()),
                Some(format!("{STATE_PREFIX}{id}:{secret}")),
            )));
        }
        let id = workspace.file_approval(request, preview, None, wait).await?;
        let verdict = tokio::select! {
            verdict = workspace.await_decision(id, deadline) => verdict?,
            answer = ctx.peer.create_elicitation_with_timeout(question, Some(wait)) => match answer {
                Ok(answer) => {
                    let approve = answer.action == ElicitationAction::Accept && accepted(answer.content.as_ref());
                    let decision = Decision { approve, route: ApprovalRoute::Client, reason: None };
                    match workspace.decide_approval(id, &decision).await {
                        Ok(decided) => Verdict::of(&decided)
                            .ok_or_else(|| Error::internal(format!("approval request {id} has no verdict after its decision")))?,
                        // Someone decided in DB Dock first (or time ran out): that stands.
                        Err(_) => workspace.await_decision(id, Instant::now()).await?,
                    }
                }
                // The client could not ask (or its user never answered): the queue decides,
                // and at the deadline the request expires.
                Err(_) => workspace.await_decision(id, deadline).await?,
            }
        };
        go_on(id, request, &verdict)
    }
}

/// The value of a write that ran, or `None` with `asked` set when the client must ask its
/// user first.
pub(crate) fn asked_or<T>(written: Written<T>, asked: &mut Option<InputRequiredResult>) -> Option<T> {
    match written {
        Written::Done(value) => Some(value),
        Written::AskClient(input) => {
            *asked = Some(input);
            None
        }
    }
}

/// The tool's answer: the question for the client when it must ask its user, else the
/// call's result.
pub(crate) fn respond(asked: Option<InputRequiredResult>, result: CallToolResult) -> CallToolResponse {
    match asked {
        Some(input) => input.into(),
        None => result.into(),
    }
}

/// What the audit log records of a call that put the question to the client.
pub(crate) fn awaiting_user() -> Rendered {
    Rendered::json(&serde_json::json!({"awaitingUser": true}))
}

fn go_on(id: i64, request: &WriteRequest, verdict: &Verdict) -> Result<Gate> {
    match verdict.refusal(id, &request.profile.name) {
        None => Ok(Gate::Run(id)),
        Some(refusal) => Err(refusal),
    }
}

/// The question the user sees in their AI client.
fn question(request: &WriteRequest, preview: &WritePreview) -> ElicitRequestParams {
    let params = match &request.shown_params {
        serde_json::Value::Array(a) if a.is_empty() => String::new(),
        p => format!("\nParameters: {p}"),
    };
    let message = format!(
        "DB Dock: {} asks to run this on connection '{}':\n\n{}{params}\n\n{}\n\nApprove it?",
        request.client.as_deref().unwrap_or("an AI client"),
        request.profile.name,
        request.shown_statement,
        preview.summary(),
    );
    let schema = ElicitationSchema::builder()
        .optional_bool("approve", true)
        .build()
        .unwrap_or_else(|_| ElicitationSchema::new(Default::default()));
    ElicitRequestParams::FormElicitationParams { meta: None, message, requested_schema: schema }
}

/// An accepted form approves unless it says `approve: false`.
fn accepted(content: Option<&serde_json::Value>) -> bool {
    content.and_then(|c| c.get("approve")).and_then(serde_json::Value::as_bool).unwrap_or(true)
}

/// Whether the answer in a retry approves: our question answered with `accept`.
fn approves(responses: Option<&InputResponses>) -> bool {
    let Some(answer) = responses.and_then(|r| r.get(QUESTION)) else { return false };
    answer.get("action").and_then(serde_json::Value::as_str) == Some("accept") && accepted(answer.get("content"))
}

fn parse_state(state: &str) -> Result<(i64, &str)> {
    let forged = || Error::new(ErrorCode::PermissionDenied, "the answer does not belong to any approval request");
    let rest = state.strip_prefix(STATE_PREFIX).ok_or_else(forged)?;
    let (id, secret) = rest.split_once(':').ok_or_else(forged)?;
    Ok((id.parse().map_err(|_| forged())?, secret))
}

/// 256 random bits, hex: what an answer through the client must carry back.
fn random_secret() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::internal(format!("no randomness for the approval: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_accepted_answer_to_our_question_approves() {
        let answer = |v: serde_json::Value| -> InputResponses { [(QUESTION.to_owned(), v)].into() };
        assert!(approves(Some(&answer(serde_json::json!({"action": "accept", "content": {"approve": true}})))));
        assert!(approves(Some(&answer(serde_json::json!({"action": "accept"})))));
        assert!(!approves(Some(&answer(serde_json::json!({"action": "accept", "content": {"approve": false}})))));
        assert!(!approves(Some(&answer(serde_json::json!({"action": "decline"})))));
        assert!(!approves(Some(&[("other".to_owned(), serde_json::json!({"action": "accept"}))].into())));
        assert!(!approves(None));
    }

    #[test]
    fn request_states_parse_or_are_refused() {
        assert_eq!(parse_state("dbdock-approval:12:abc").ok(), Some((12, "abc")));
        for bad in ["", "dbdock-approval:", "dbdock-approval:x:abc", "other:1:abc", "dbdock-approval:1"] {
            assert_eq!(parse_state(bad).err().map(|e| e.code), Some(ErrorCode::PermissionDenied), "{bad}");
        }
    }
}
