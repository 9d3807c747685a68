//! The MCP server in process: an rmcp client talks to `DbDockServer` over an in-memory
//! duplex, so the server is tested without building the binary. Every call, of every tool
//! family, succeeding or failing, writes exactly one audit row under the tool's name.
//! Needs Redis on 127.0.0.1:6379 (the stream tools).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod approvals;
mod profile_changes;

use std::time::Duration;

use dbdock_core::{Access, AuditOutcome, ConnectionTarget};
use dbdock_mcp::{DbDockServer, Endpoint, EndpointConfig};
use dbdock_store::{AuditEntry, Home, NewProfile, Store};
use rmcp::model::{CallToolRequestParams, CallToolResult, ReadResourceRequestParams};
use rmcp::service::RunningService;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};

struct Session {
    client: RunningService<RoleClient, ()>,
    home: tempfile::TempDir,
    calls: Vec<(&'static str, bool)>,
}

/// A store in a temporary home with profile `shop` on the demo database (with `access`),
/// plus the profiles `more` adds, served by an in-process endpoint on the returned
/// stream's other end.
async fn serve(access: Access, more: impl AsyncFnOnce(&Store)) -> (tokio::io::DuplexStream, tempfile::TempDir) {
    let home = tempfile::tempdir().unwrap();
    let store = Store::open(Home::at(home.path())).await.unwrap();
    let shop = home.path().join("shop.db");
    dbdock_engines::demo::create_demo_database(&shop).await.unwrap();
    store
        .add_profile(NewProfile { access, ..NewProfile::new("shop", ConnectionTarget::sqlite_file(shop)) })
        .await
        .unwrap();
    more(&store).await;
    let endpoint = Endpoint::new(store, EndpointConfig::default());
    let (server_side, client_side) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        let running = DbDockServer::new(endpoint.clone(), "test").serve(server_side).await.unwrap();
        let _ = running.waiting().await;
        endpoint.close().await;
    });
    (client_side, home)
}

async fn session() -> Session {
    let (client_side, home) = serve(Access::default(), async |store| {
        let redis = ConnectionTarget::parse(&dbdock_testkit::redis_url()).unwrap();
        store.add_profile(NewProfile::new("cache", redis)).await.unwrap();
    })
    .await;
    let client = ().serve(client_side).await.expect("the client initializes");
    Session { client, home, calls: Vec::new() }
}

impl Session {
    /// Calls `tool`, checks whether it failed as `fails` says, and remembers the call.
    async fn call(&mut self, tool: &'static str, arguments: Value, fails: bool) -> Value {
        let Value::Object(arguments) = arguments else { panic!("arguments must be an object") };
        let result: CallToolResult =
            self.client.call_tool(CallToolRequestParams::new(tool).with_arguments(arguments)).await.unwrap();
        let failed = result.is_error == Some(true);
        let body = result.structured_content.clone().unwrap_or(Value::Null);
        assert_eq!(failed, fails, "{tool}: {result:?}");
        self.calls.push((tool, failed));
        body
    }

    async fn read(&mut self, uri: &str, fails: bool) {
        let outcome = self.client.read_resource(ReadResourceRequestParams::new(uri)).await;
        assert_eq!(outcome.is_err(), fails, "{uri}: {outcome:?}");
        self.calls.push(("read-resource", fails));
    }

    /// The audit rows once every call is complete: one per call, in order, under the
    /// tool's name, with its outcome.
    async fn assert_one_row_per_call(&self) {
        let store = Store::open(Home::at(self.home.path())).await.unwrap();
        let mut rows: Vec<AuditEntry> = Vec::new();
        for _ in 0..100 {
            rows = store.audit_entries(1_000).await.unwrap();
            if rows.len() >= self.calls.len() && rows.iter().all(|r| r.outcome != AuditOutcome::Running) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        store.close().await;
        rows.reverse();
        let seen: Vec<(String, String)> =
            rows.iter().map(|r| (r.tool.clone(), r.outcome.as_str().to_owned())).collect();
        let expected: Vec<(String, String)> = self
            .calls
            .iter()
            .map(|(tool, failed)| ((*tool).to_owned(), if *failed { "error" } else { "ok" }.to_owned()))
            .collect();
        assert_eq!(seen, expected);
    }
}

#[tokio::test]
async fn connection_tools_write_one_audit_row_per_call() {
    let mut s = session().await;
    let listed = s.call("list-connections", json!({}), false).await;
    let names: Vec<&str> =
        listed["connections"].as_array().unwrap().iter().filter_map(|c| c["connectionId"].as_str()).collect();
    assert_eq!(names, ["cache", "shop"]);
    let opened = s.call("connect-database", json!({"connectionId": "shop"}), false).await;
    assert!(opened["serverVersion"].as_str().unwrap().starts_with("SQLite 3."), "{opened}");
    // A Redis profile takes commands: it opens a connection like a database does.
    let cache = s.call("connect-database", json!({"connectionId": "cache"}), false).await;
    assert!(
        cache["serverVersion"].as_str().is_some_and(|v| v.starts_with("Redis ")),
        "Redis on 127.0.0.1:6379: {cache}"
    );
    assert_eq!(cache["state"], "connected", "{cache}");
    s.call("connect-database", json!({"connectionId": "nope"}), true).await;
    s.call("connect-database", json!({"connectionId": "x", "url": "sqlite:///tmp/x.db"}), true).await;
    s.call("disconnect-database", json!({"connectionId": "shop"}), false).await;
    s.assert_one_row_per_call().await;
}

#[tokio::test]
async fn sql_tools_write_one_audit_row_per_call() {
    let mut s = session().await;
    let rows = s
        .call("execute-query", json!({"connectionId": "shop", "query": "SELECT count(*) AS n FROM customers"}), false)
        .await;
    assert_eq!(rows["row_count"], json!(1));
    s.call("execute-query", json!({"connectionId": "shop", "query": "SELEC nonsense"}), true).await;
    s.call("execute-query", json!({"connectionId": "shop", "query": "DELETE FROM customers"}), true).await;
    s.call("execute-update", json!({"connectionId": "shop", "query": "DELETE FROM customers"}), true).await;
    s.call("explain-query", json!({"connectionId": "shop", "query": "SELECT * FROM customers"}), false).await;
    s.call("explain-query", json!({"connectionId": "cache", "query": "GET x"}), true).await;
    let found =
        s.call("search-objects", json!({"connectionId": "shop", "pattern": "cust*", "detail": "summary"}), false).await;
    assert_eq!(found["objects"][0]["name"], json!("customers"));
    s.call("search-objects", json!({"connectionId": "nope"}), true).await;
    s.assert_one_row_per_call().await;
}

#[tokio::test]
async fn stream_tools_write_one_audit_row_per_call() {
    let mut s = session().await;
    s.call(
        "sample-events",
        json!({"connectionId": "cache", "target": "channel:dbdock.mcp-test", "timeoutMs": 50}),
        false,
    )
    .await;
    s.call("sample-events", json!({"connectionId": "cache", "target": "nonsense"}), true).await;
    let subscribed =
        s.call("subscribe", json!({"connectionId": "cache", "target": "channel:dbdock.mcp-test"}), false).await;
    let id = subscribed["subscriptionId"].as_str().unwrap().to_owned();
    s.call("read-events", json!({"subscriptionId": id, "waitMs": 10}), false).await;
    // A failing read (an unknown handle) is audited like any other call.
    s.call("read-events", json!({"subscriptionId": "m-unknown"}), true).await;
    s.call("unsubscribe", json!({"subscriptionId": id}), false).await;
    s.call("unsubscribe", json!({"subscriptionId": id}), true).await;
    // Read-only by default: publishing is refused, and said so.
    s.call("publish", json!({"connectionId": "cache", "target": "channel:x", "payload": "hi"}), true).await;
    s.call("request", json!({"connectionId": "cache", "target": "subject:x", "payload": "hi"}), true).await;
    s.call("stream-lag", json!({"connectionId": "cache", "stream": "dbdock-no-such-stream"}), true).await;
    s.call("stream-lag", json!({"connectionId": "shop", "stream": "x"}), true).await;
    s.assert_one_row_per_call().await;
}

#[tokio::test]
async fn resources_write_one_audit_row_per_read() {
    let mut s = session().await;
    s.read("database://shop/tables", false).await;
    s.read("database://shop/table/nope", true).await;
    s.read("database://nope/schema", true).await;
    s.assert_one_row_per_call().await;
}
