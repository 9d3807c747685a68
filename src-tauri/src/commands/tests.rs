//! The command bodies against the application layer, in a mock Tauri app (no window):
//! what the UI gets back, and that each command goes through the workspace's rules.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use dbdock_app::Workspace;
use dbdock_core::{Access, ConnectionState, Engine, ErrorCode, TlsMode, TlsOptions};
use dbdock_store::{Home, NewProfile, Store};
use tauri::Manager;
use tauri::ipc::{Channel, InvokeResponseBody};
use tauri::test::{MockRuntime, mock_app};

use super::profiles::{self, ProfileInput, SshAuthKind, SshHopInput};
use super::{query, schema};
use crate::AppState;

/// A mock app whose state has one profile, `shop`, on the demo database.
async fn app() -> (tauri::App<MockRuntime>, tempfile::TempDir) {
    let home = tempfile::tempdir().unwrap();
    let store = Store::open(Home::at(home.path())).await.unwrap();
    let shop = home.path().join("shop.db");
    dbdock_engines::demo::create_demo_database(&shop).await.unwrap();
    store.add_profile(NewProfile::new("shop", dbdock_core::ConnectionTarget::sqlite_file(shop))).await.unwrap();
    let app = mock_app();
    app.manage(AppState::over(Workspace::new(store)));
    (app, home)
}

/// A channel that keeps what it is sent, as JSON.
fn recording<T>() -> (Channel<T>, Arc<Mutex<Vec<serde_json::Value>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let channel = Channel::new(move |body| {
        if let InvokeResponseBody::Json(text) = body {
            sink.lock().unwrap().push(serde_json::from_str(&text).unwrap());
        }
        Ok(())
    });
    (channel, seen)
}

#[tokio::test]
async fn test_profile_probes_through_the_workspace() {
    let (app, _home) = app().await;
    let report = profiles::test_profile(app.state(), "shop".into()).await.unwrap();
    assert!(report.server_version.starts_with("SQLite 3."), "{report:?}");
    let missing = profiles::test_profile(app.state(), "nope".into()).await.unwrap_err();
    assert_eq!(missing.code, dbdock_core::ErrorCode::NotFound);
}

#[tokio::test]
async fn run_query_writes_and_streams_rows_through_the_workspace() {
    let (app, _home) = app().await;
    let (chunks, seen) = recording();
    let write = "INSERT INTO customers (name, email, country) VALUES ('Ada', 'ada@example.com', 'GB')";
    let summary = query::run_query(app.state(), "shop".into(), write.into(), "q1".into(), chunks).await.unwrap();
    assert_eq!(summary.row_count, 0);
    let (chunks, seen_count) = recording();
    let count = "SELECT count(*) AS n FROM customers WHERE email = 'ada@example.com'";
    let summary = query::run_query(app.state(), "Shop".into(), count.into(), "q2".into(), chunks).await.unwrap();
    assert_eq!(summary.row_count, 1);
    assert!(seen.lock().unwrap().is_empty());
    let rows = seen_count.lock().unwrap();
    assert_eq!(rows[0]["rows"][0][0]["v"], "1", "{rows:?}");
}

#[tokio::test]
async fn a_saved_change_applies_to_the_next_command() {
    let (app, home) = app().await;
    let before = schema::list_tables(app.state(), "shop".into()).await.unwrap();
    assert!(before.iter().any(|t| t.name == "customers"));
    let other = home.path().join("other.db");
    let input = ProfileInput {
        name: "shop".into(),
        url: format!("sqlite:{}", other.display()),
        password: None,
        access: Access::ReadOnly,
        color: None,
        tags: vec![" prod ".into(), String::new(), "eu".into()],
        timeout_secs: None,
        approval_wait_secs: None,
        max_rows: None,
        max_bytes: None,
        ssh: Vec::new(),
        tls: TlsOptions::default(),
    };
    // A file that does not exist is not created behind the user's back.
    let saved = profiles::save_profile(app.state(), input, Some("shop".into())).await.unwrap();
    assert_eq!(saved.tags, ["prod", "eu"], "tags are kept, trimmed, blanks dropped");
    let after = schema::list_tables(app.state(), "shop".into()).await.unwrap_err();
    assert_eq!(after.code, dbdock_core::ErrorCode::NotFound, "{after:?}");
}

fn tunnelled(ssh: Vec<SshHopInput>, tls: TlsOptions) -> ProfileInput {
    ProfileInput {
        name: "warehouse".into(),
        url: "postgres://app@db.internal:5432/warehouse".into(),
        password: None,
        access: Access::ReadOnly,
        color: None,
        tags: Vec::new(),
        timeout_secs: None,
        approval_wait_secs: None,
        max_rows: None,
        max_bytes: None,
        ssh,
        tls,
    }
}

fn hop(url: &str, auth: SshAuthKind, key_path: Option<&str>) -> SshHopInput {
    SshHopInput { url: url.into(), auth, key_path: key_path.map(Into::into), secret: None }
}

#[tokio::test]
async fn jump_hosts_and_tls_are_saved_and_shown_without_secrets() {
    let (app, _home) = app().await;
    let ssh = vec![
        hop("ssh://deploy@bastion.example:2222", SshAuthKind::Key, Some(" /home/me/.ssh/id_ed25519 ")),
        hop("ops@inner.internal", SshAuthKind::Agent, None),
    ];
    let tls = TlsOptions {
        mode: Some(TlsMode::Require),
        server_name: Some("db.internal".into()),
        ca_file: Some("  ".into()),
        ..TlsOptions::default()
    };
    let saved = profiles::save_profile(app.state(), tunnelled(ssh, tls), None).await.unwrap();
    let view = serde_json::to_value(&saved).unwrap();
    assert_eq!(
        view["ssh"],
        serde_json::json!([
            {"url": "ssh://deploy@bastion.example:2222", "auth": "key", "keyPath": "/home/me/.ssh/id_ed25519"},
            {"url": "ssh://ops@inner.internal:22", "auth": "agent", "keyPath": null},
        ])
    );
    // A blank field is no setting.
    assert_eq!(view["tls"], serde_json::json!({"mode": "require", "serverName": "db.internal"}));
    let listed = profiles::list_profiles(app.state()).await.unwrap();
    assert_eq!(listed.iter().find(|p| p.name == "warehouse").unwrap().ssh.len(), 2);
}

#[tokio::test]
async fn a_jump_host_the_form_got_wrong_is_refused_before_saving() {
    let (app, _home) = app().await;
    let no_key = vec![hop("ssh://deploy@bastion", SshAuthKind::Key, Some(""))];
    let error = profiles::save_profile(app.state(), tunnelled(no_key, TlsOptions::default()), None).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidInput, "{error:?}");
    assert!(error.message.contains("key file"), "{}", error.message);
    let no_user = vec![hop("bastion:22", SshAuthKind::Agent, None)];
    let error = profiles::save_profile(app.state(), tunnelled(no_user, TlsOptions::default()), None).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidInput, "{error:?}");
    let three = vec![
        hop("a@one", SshAuthKind::Agent, None),
        hop("b@two", SshAuthKind::Agent, None),
        hop("c@three", SshAuthKind::Agent, None),
    ];
    let error = profiles::save_profile(app.state(), tunnelled(three, TlsOptions::default()), None).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidInput, "{error:?}");
    assert!(profiles::list_profiles(app.state()).await.unwrap().iter().all(|p| p.name != "warehouse"));
}

#[tokio::test]
async fn trusting_a_host_key_needs_a_jump_host() {
    let (app, _home) = app().await;
    let error = profiles::trust_host_key(app.state(), "shop".into(), "SHA256:abc".into()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidInput, "{error:?}");
}

#[tokio::test]
async fn connection_states_are_pushed_to_the_window() {
    let (app, _home) = app().await;
    let (channel, seen) = recording::<Vec<profiles::ConnectionStateView>>();
    profiles::watch_connection_states(app.state(), channel).await.unwrap();
    schema::list_tables(app.state(), "shop".into()).await.unwrap();
    let connected = |seen: &Mutex<Vec<serde_json::Value>>| {
        seen.lock().unwrap().iter().any(|list| list[0]["state"] == serde_json::json!(ConnectionState::Connected))
    };
    for _ in 0..50 {
        if connected(&seen) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let first = seen.lock().unwrap()[0].clone();
    assert_eq!(first[0]["state"], "disconnected", "the current states come first: {first}");
    assert!(connected(&seen), "{:?}", seen.lock().unwrap());
    let states = profiles::connection_states(app.state()).await.unwrap();
    assert_eq!(states[0].state, ConnectionState::Connected);
}

#[test]
fn engine_specs_come_from_the_registry() {
    let specs = profiles::engine_specs();
    assert_eq!(specs.len(), Engine::ALL.len());
    let redis = specs.iter().find(|s| s.engine == Engine::Redis).unwrap();
    assert!(redis.capabilities.watch && redis.capabilities.query == Some(dbdock_core::QueryLanguage::RedisCommand));
    assert_eq!(redis.watch_kinds, ["channel", "pattern", "keyspace", "stream"]);
}

#[tokio::test]
async fn approval_requests_reach_the_window_and_are_decided_there() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use dbdock_core::{ApprovalRoute, ApprovalState, WritePreview};
    use dbdock_store::NewApproval;

    use super::approvals;

    let (app, _home) = app().await;
    let store = app.state::<AppState>().workspace.store().clone();
    let request = |statement: &str| NewApproval {
        audit_id: None,
        client: Some("claude".into()),
        profile: "shop".into(),
        tool: "execute-update".into(),
        statement: statement.into(),
        params: serde_json::json!([]),
        binding: "b".into(),
        answer_hash: None,
        preview: WritePreview::not_run("test"),
        wait: Duration::from_secs(60),
    };
    let early = store.create_approval(&request("DELETE FROM orders")).await.unwrap();
    let (channel, seen) = recording::<Vec<approvals::ApprovalView>>();
    let notified = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&notified);
    let watcher = store.clone();
    let task = tokio::spawn(async move {
        approvals::watch(&watcher, &channel, move |_| {
            count.fetch_add(1, Ordering::SeqCst);
        })
        .await
    });
    let sent = |n: usize| {
        let seen = Arc::clone(&seen);
        async move {
            for _ in 0..100 {
                if seen.lock().unwrap().len() >= n {
                    return seen.lock().unwrap()[n - 1].clone();
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            panic!("the window got {} lists, not {n}", seen.lock().unwrap().len());
        }
    };
    assert_eq!(sent(1).await[0]["id"], early);
    assert_eq!(store.present_approvers().await.unwrap(), vec![ApprovalRoute::App]);
    // A request arriving while the window listens is pushed and notified.
    let late = store.create_approval(&request("DELETE FROM customers")).await.unwrap();
    let both = sent(2).await;
    assert_eq!(both.as_array().unwrap().len(), 2);
    assert_eq!(notified.load(Ordering::SeqCst), 1);
    let decided = approvals::decide_approval(app.state(), late as u32, false, Some("not now".into())).await.unwrap();
    assert_eq!((decided.state, decided.route), (ApprovalState::Denied, Some(ApprovalRoute::App)));
    assert_eq!(decided.reason.as_deref(), Some("not now"));
    assert_eq!(sent(3).await[0]["id"], early);
    task.abort();
}

#[tokio::test]
async fn verify_audit_reports_the_chain_to_the_window() {
    let (app, _home) = app().await;
    let store = app.state::<AppState>().store().clone();
    let call = dbdock_store::AuditEntry {
        client: Some("test".into()),
        transport: "stdio".into(),
        tool: "execute-query".into(),
        profile: Some("shop".into()),
        statement: Some("SELECT 1".into()),
        ..dbdock_store::AuditEntry::default()
    };
    store.start_audit(&call).await.unwrap();
    store.record_audit(&dbdock_store::AuditEntry { outcome: dbdock_core::AuditOutcome::Ok, ..call }).await.unwrap();
    let verification = super::ai::verify_audit(app.state()).await.unwrap();
    assert!(verification.intact && verification.broken_id.is_none(), "{verification:?}");
    assert_eq!((verification.rows, verification.running), (2, 1));
    assert_eq!(verification.head.map(|h| h.len()), Some(64));
}
