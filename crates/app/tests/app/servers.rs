//! What the workspace does against the real servers of this machine: Redis (6379) and
//! NATS (4222). A server that cannot be reached fails the test, naming it.

use std::time::Duration;

use dbdock_app::{Audience, Workspace};
use dbdock_core::{ConnectionTarget, ErrorCode, WatchTarget};
use dbdock_engines::MonitorOptions;
use dbdock_store::{Home, NewProfile, Store};

pub(crate) fn nats_url() -> String {
    std::env::var("DBDOCK_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned())
}

/// A free local port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

async fn workspace_with(profiles: &[(&str, String)]) -> (std::sync::Arc<Workspace>, tempfile::TempDir) {
    let home = tempfile::tempdir().unwrap();
    let store = Store::open(Home::at(home.path())).await.unwrap();
    for (name, url) in profiles {
        store.add_profile(NewProfile::new(*name, ConnectionTarget::parse(url).unwrap())).await.unwrap();
    }
    (Workspace::new(store), home)
}

/// `profile test` and MCP `connect-database` said "this build has no redis engine" for a
/// Redis or NATS profile: there was no test for servers without statements.
#[tokio::test]
async fn streaming_servers_are_probed_like_databases() {
    let redis = dbdock_testkit::redis_url();
    let down = format!("redis://127.0.0.1:{}", closed_port());
    let (workspace, _home) = workspace_with(&[("cache", redis), ("bus", nats_url()), ("down", down)]).await;
    let cache = workspace.probe(Audience::User, "cache").await.expect("Redis on 127.0.0.1:6379 must answer");
    assert!(cache.server_version.starts_with("Redis ") || cache.server_version.starts_with("Valkey "), "{cache:?}");
    assert!(cache.latency_ms > 0.0);
    let bus = workspace.probe(Audience::User, "bus").await.expect("NATS on 127.0.0.1:4222 must answer");
    assert!(bus.server_version.starts_with("NATS 2."), "{bus:?}");
    let down = workspace.probe(Audience::User, "down").await.expect_err("nothing listens there");
    assert_eq!(down.code, ErrorCode::ConnectionFailed, "{down:?}");
}

/// MCP-started monitors wrote no lifecycle events to the event log (only the CLI and the
/// app teed them as they read). Every monitor started through the workspace does, read or not.
#[tokio::test]
async fn a_monitor_logs_its_lifecycle_without_being_read() {
    let (workspace, _home) = workspace_with(&[("cache", dbdock_testkit::redis_url())]).await;
    let resolved = workspace.resolve(Audience::Ai, "cache").await.unwrap();
    let monitor = workspace
        .watch(resolved, WatchTarget::parse("channel:dbdock.app-test").unwrap(), MonitorOptions::default())
        .await
        .expect("Redis on 127.0.0.1:6379 must answer");
    let mut logged = Vec::new();
    for _ in 0..50 {
        logged = workspace.store().events(10).await.unwrap();
        if !logged.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    monitor.stop().await;
    let event = logged.first().expect("the monitor's `connected` event reached the event log");
    assert_eq!((event.profile.as_deref(), event.state.as_deref()), (Some("cache"), Some("connected")));
    assert_eq!(event.target, "channel:dbdock.app-test");
}
