//! Writes on an `ask` connection answered through a client on MCP 2026-07-28: the server
//! returns `input_required` with an elicitation and a `requestState`; the client asks its
//! user and retries. Only the genuine answer, for the same statement and parameters, runs
//! anything, and it runs once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use dbdock_core::{Access, ApprovalState};
use dbdock_store::{Home, Store};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ClientCapabilities, ClientConfig, ElicitRequestParams,
    ElicitResult, ElicitationAction, Implementation, InputRequiredResult, ProtocolVersion,
};
use rmcp::service::{ClientLifecycleMode, RequestContext, RunningService, serve_client_with_lifecycle};
use rmcp::{ClientHandler, ErrorData, RoleClient};
use serde_json::{Value, json};

/// A client on 2026-07-28 whose user answers every question `approve` (counted).
#[derive(Clone)]
struct User {
    approve: bool,
    asked: Arc<AtomicUsize>,
}

impl ClientHandler for User {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::builder().enable_elicitation().build(),
            Implementation::new("approving-client", "1.0"),
        )
        .with_protocol_version(ProtocolVersion::V_2026_07_28)
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        let ElicitRequestParams::FormElicitationParams { message, .. } = request else {
            return Err(ErrorData::invalid_params("expected a form", None));
        };
        assert!(message.contains("UPDATE customers") && message.contains("dry run: 2 row(s)"), "{message}");
        Ok(if self.approve {
            ElicitResult::new(ElicitationAction::Accept).with_content(json!({"approve": true}))
        } else {
            ElicitResult::new(ElicitationAction::Decline)
        })
    }
}

struct Setup {
    client: RunningService<RoleClient, User>,
    asked: Arc<AtomicUsize>,
    home: tempfile::TempDir,
}

async fn setup(approve: bool) -> Setup {
    let (client_side, home) = super::serve(Access::Ask, async |_| {}).await;
    let asked = Arc::new(AtomicUsize::new(0));
    // `server/discover` on 2026-07-28: no initialize handshake, capabilities on every request.
    let modern = ClientLifecycleMode::Discover { preferred_versions: vec![ProtocolVersion::V_2026_07_28] };
    let client = serve_client_with_lifecycle(User { approve, asked: asked.clone() }, client_side, modern)
        .await
        .expect("the client starts");
    Setup { client, asked, home }
}

const RENAME: &str = "UPDATE customers SET name = upper(name) WHERE id IN (?, ?)";

fn update(params: Value) -> CallToolRequestParams {
    let Value::Object(arguments) = json!({"connectionId": "shop", "query": RENAME, "params": params}) else {
        unreachable!()
    };
    CallToolRequestParams::new("execute-update").with_arguments(arguments)
}

fn error_code(result: &CallToolResult) -> String {
    assert_eq!(result.is_error, Some(true), "{result:?}");
    result.structured_content.as_ref().and_then(|s| s["error"]["code"].as_str()).unwrap_or_default().to_owned()
}

impl Setup {
    async fn names(&self) -> Vec<String> {
        let Value::Object(arguments) =
            json!({"connectionId": "shop", "query": "SELECT name FROM customers WHERE id <= 3 ORDER BY id"})
        else {
            unreachable!()
        };
        let read = CallToolRequestParams::new("execute-query").with_arguments(arguments);
        let result = self.client.call_tool(read).await.unwrap();
        let rows = result.structured_content.unwrap()["rows"].as_array().unwrap().clone();
        rows.iter().map(|r| r[0].as_str().unwrap().to_owned()).collect()
    }

    async fn states(&self) -> Vec<ApprovalState> {
        let store = Store::open(Home::at(self.home.path())).await.unwrap();
        let states = store.approvals(None, 10).await.unwrap().iter().map(|a| a.state).collect();
        store.close().await;
        states
    }

    /// The first round: the server asks through the client.
    async fn ask(&self, params: Value) -> InputRequiredResult {
        match self.client.call_tool_once(update(params)).await.unwrap() {
            CallToolResponse::InputRequired(input) => input,
            other => panic!("expected input_required, got {other:?}"),
        }
    }

    async fn answer(&self, params: Value, state: &str, action: &str) -> CallToolResult {
        let responses = [("dbdock-approval".to_owned(), json!({"action": action, "content": {"approve": true}}))];
        let mut retry = update(params).with_input_responses(responses.into());
        retry.request_state = Some(state.to_owned());
        match self.client.call_tool_once(retry).await.unwrap() {
            CallToolResponse::Complete(result) => result,
            other => panic!("expected a result, got {other:?}"),
        }
    }
}

const BEFORE: [&str; 3] = ["Ada Lovelace", "Grace Hopper", "Linus Torvalds"];

#[tokio::test]
async fn the_users_yes_through_the_client_runs_the_write_once() {
    let s = setup(true).await;
    let result = s.client.call_tool(update(json!([1, 2]))).await.unwrap();
    assert_eq!(result.structured_content.unwrap()["rows_affected"], 2);
    assert_eq!(s.asked.load(Ordering::SeqCst), 1);
    assert_eq!(s.names().await, ["ADA LOVELACE", "GRACE HOPPER", "Linus Torvalds"]);
    assert_eq!(s.states().await, [ApprovalState::Executed]);
}

#[tokio::test]
async fn the_users_no_through_the_client_runs_nothing() {
    let s = setup(false).await;
    let result = s.client.call_tool(update(json!([1, 2]))).await.unwrap();
    assert_eq!(error_code(&result), "PERMISSION_DENIED");
    assert_eq!(s.names().await, BEFORE);
    assert_eq!(s.states().await, [ApprovalState::Denied]);
}

#[tokio::test]
async fn forged_changed_and_replayed_answers_run_nothing() {
    let s = setup(true).await;
    let input = s.ask(json!([1, 2])).await;
    let state = input.request_state.clone().unwrap();
    assert!(input.input_requests.unwrap().contains_key("dbdock-approval"));
    let (prefix, secret) = state.rsplit_once(':').unwrap();
    // Another secret, another request's id, a made-up state: refused, the request still waits.
    for forged in
        [format!("{prefix}:{}", "0".repeat(secret.len())), format!("dbdock-approval:999:{secret}"), "x".into()]
    {
        assert_eq!(error_code(&s.answer(json!([1, 2]), &forged, "accept").await), "PERMISSION_DENIED", "{forged}");
    }
    // The genuine answer for other parameters: refused.
    let changed = s.answer(json!([1, 3]), &state, "accept").await;
    assert_eq!(error_code(&changed), "PERMISSION_DENIED");
    assert!(format!("{changed:?}").contains("different statement"), "{changed:?}");
    assert_eq!(s.names().await, BEFORE);
    assert_eq!(s.states().await, [ApprovalState::Pending]);
    // The genuine answer: runs.
    let done = s.answer(json!([1, 2]), &state, "accept").await;
    assert_eq!(done.structured_content.unwrap()["rows_affected"], 2);
    // Replayed: refused, nothing runs twice.
    assert_eq!(error_code(&s.answer(json!([1, 2]), &state, "accept").await), "PERMISSION_DENIED");
    assert_eq!(s.names().await, ["ADA LOVELACE", "GRACE HOPPER", "Linus Torvalds"]);
    assert_eq!(s.states().await, [ApprovalState::Executed]);
    // A decline answered genuinely denies.
    let input = s.ask(json!([3, 3])).await;
    let denied = s.answer(json!([3, 3]), input.request_state.as_deref().unwrap(), "decline").await;
    assert_eq!(error_code(&denied), "PERMISSION_DENIED");
    assert_eq!(s.states().await, [ApprovalState::Denied, ApprovalState::Executed]);
}
