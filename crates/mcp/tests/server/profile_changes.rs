//! A change to a profile applies to the very next call, whoever makes it: the endpoint
//! keeps the profile list it read and reads it again when the store's change counter moved
//! (docs/architecture.md, "The MCP hot path"). The changes here come from a second store
//! handle, as they would from the app or the CLI in another process.

use dbdock_core::{Access, ConnectionTarget};
use dbdock_store::{Home, NewProfile, Store};
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use serde_json::{Value, json};

use super::serve;

async fn call(client: &rmcp::service::RunningService<rmcp::RoleClient, ()>, tool: &str, arguments: Value) -> Value {
    let Value::Object(arguments) = arguments else { panic!("arguments must be an object") };
    let result = client.call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments)).await.unwrap();
    let mut body = result.structured_content.unwrap_or(Value::Null);
    body["failed"] = json!(result.is_error == Some(true));
    body
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("no error")
}

#[tokio::test]
async fn access_caps_and_removal_apply_to_the_next_call() {
    let (client_side, home) = serve(Access::ReadWrite, async |_| {}).await;
    let client = ().serve(client_side).await.expect("the client initializes");
    let other = Store::open(Home::at(home.path())).await.unwrap();
    let count = json!({"connectionId": "shop", "query": "SELECT id FROM customers ORDER BY id"});
    let write = json!({"connectionId": "shop", "query": "UPDATE customers SET name = name WHERE id = 1"});

    let first = call(&client, "execute-query", count.clone()).await;
    assert_eq!(first["failed"], json!(false), "{first}");
    let all_rows = first["row_count"].as_u64().unwrap();
    assert!(all_rows > 2, "the demo database has more than two customers");
    let wrote = call(&client, "execute-update", write.clone()).await;
    assert_eq!(wrote["rows_affected"], json!(1), "{wrote}");

    // Access lowered to read-only: the next write is refused.
    other.set_profile_access("shop", Access::ReadOnly).await.unwrap();
    let refused = call(&client, "execute-update", write.clone()).await;
    assert_eq!(code(&refused), "READ_ONLY_VIOLATION", "{refused}");

    // Caps changed: the next result is cut at the new cap.
    let mut capped = NewProfile::new("shop", ConnectionTarget::sqlite_file(home.path().join("shop.db")));
    capped.access = Access::ReadOnly;
    capped.max_rows = Some(2);
    other.update_profile("shop", capped, false).await.unwrap();
    let cut = call(&client, "execute-query", count.clone()).await;
    assert_eq!((cut["row_count"].as_u64(), cut["truncated"].as_bool()), (Some(2), Some(true)), "{cut}");

    // Hidden from AI clients, then removed: the connection is gone for the next call.
    other.set_profile_access("shop", Access::None).await.unwrap();
    let hidden = call(&client, "execute-query", count.clone()).await;
    assert_eq!(code(&hidden), "NOT_FOUND", "{hidden}");
    other.set_profile_access("shop", Access::ReadOnly).await.unwrap();
    assert_eq!(call(&client, "execute-query", count.clone()).await["failed"], json!(false));
    other.remove_profile("shop").await.unwrap();
    let removed = call(&client, "execute-query", count).await;
    assert_eq!(code(&removed), "NOT_FOUND", "{removed}");
    other.close().await;
}
