//! The one registry of live connections: the rules every face now shares, each with the
//! bug it removes.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use dbdock_app::{Audience, DEFAULT_TIMEOUT};
use dbdock_core::{Access, ConnectionState, ConnectionTarget, ErrorCode, QueryOptions};
use dbdock_store::NewProfile;

use crate::fake::workspace;

/// The desktop app sent every statement through `LiveConnection::query`, which runs a
/// statement again after a broken connection: a write could run twice.
#[tokio::test]
async fn a_write_is_sent_once_even_when_the_connection_breaks() {
    let (workspace, seen, _home) = workspace().await;
    let shop = workspace.connection(Audience::User, "shop").await.unwrap();
    seen.break_next.store(true, Ordering::SeqCst);
    let write = shop.run_statement("INSERT INTO orders VALUES (1)", &[], &QueryOptions::default()).await;
    assert_eq!(write.err().map(|e| e.code), Some(ErrorCode::ConnectionFailed));
    assert_eq!(seen.statements.load(Ordering::SeqCst), 1, "the write was sent again");

    // A read is repeated once on a fresh connection: it changes nothing.
    seen.statements.store(0, Ordering::SeqCst);
    seen.break_next.store(true, Ordering::SeqCst);
    let read = shop.run_statement("SELECT 1", &[], &QueryOptions::default()).await;
    assert!(read.is_ok(), "{read:?}");
    assert_eq!(seen.statements.load(Ordering::SeqCst), 2);
}

/// The app cached connections by the name as typed, while names are case-insensitive:
/// `Shop` opened a second connection beside `shop`.
#[tokio::test]
async fn names_find_the_same_connection_in_any_case() {
    let (workspace, seen, _home) = workspace().await;
    let a = workspace.connection(Audience::User, "shop").await.unwrap();
    let b = workspace.connection(Audience::User, "SHOP").await.unwrap();
    assert!(Arc::ptr_eq(&a, &b));
    assert_eq!(seen.opened.load(Ordering::SeqCst), 1);
}

/// The app never noticed a profile changed elsewhere (`dbdock profile`, another window):
/// it kept using the old settings until restarted.
#[tokio::test]
async fn a_profile_changed_anywhere_applies_to_the_next_call() {
    let (workspace, seen, home) = workspace().await;
    let before = workspace.connection(Audience::User, "shop").await.unwrap();
    // Changed through the store directly, as another process would.
    let mut changed = NewProfile::new("shop", ConnectionTarget::sqlite_file(home.path().join("shop.db")));
    changed.timeout_secs = Some(5);
    workspace.store().update_profile("shop", changed, false).await.unwrap();
    let after = workspace.connection(Audience::User, "shop").await.unwrap();
    assert!(!Arc::ptr_eq(&before, &after));
    assert_eq!(after.profile.timeout_secs, Some(5));
    assert_eq!(seen.disconnects.load(Ordering::SeqCst), 1, "the old connection was left open");
    let timeouts: Vec<_> = seen.options.lock().unwrap().iter().map(|o| o.statement_timeout).collect();
    assert_eq!(timeouts, [Some(DEFAULT_TIMEOUT), Some(Duration::from_secs(5))]);

    // Removed: the connection closes and the call says so.
    workspace.store().remove_profile("shop").await.unwrap();
    let gone = workspace.connection(Audience::User, "shop").await;
    assert_eq!(gone.err().map(|e| e.code), Some(ErrorCode::NotFound));
    assert_eq!(seen.disconnects.load(Ordering::SeqCst), 2);
}

/// The app opened connections without a statement timeout: a runaway query ran until the
/// user noticed.
#[tokio::test]
async fn every_connection_runs_with_a_statement_timeout() {
    let (workspace, seen, _home) = workspace().await;
    workspace.connection(Audience::User, "shop").await.unwrap();
    let options = seen.options.lock().unwrap();
    assert_eq!(options.iter().map(|o| o.statement_timeout).collect::<Vec<_>>(), [Some(DEFAULT_TIMEOUT)]);
}

/// Both registries kept the first connection of an open race and dropped the other
/// without `disconnect()`, leaving its pool open on the server.
#[tokio::test]
async fn the_loser_of_an_open_race_is_closed() {
    let (workspace, seen, _home) = workspace().await;
    seen.connect_ms.store(100, Ordering::SeqCst);
    let (a, b) =
        tokio::join!(workspace.connection(Audience::User, "shop"), workspace.connection(Audience::User, "shop"));
    assert!(Arc::ptr_eq(&a.unwrap(), &b.unwrap()));
    assert_eq!(seen.opened.load(Ordering::SeqCst), 2);
    assert_eq!(seen.disconnects.load(Ordering::SeqCst), 1, "the losing connection was not closed");
}

/// The app polled every connection's state every 2 s; the workspace publishes each change.
#[tokio::test]
async fn connection_states_are_published_as_they_change() {
    let (workspace, _seen, _home) = workspace().await;
    let mut states = workspace.connection_states();
    assert!(states.borrow_and_update().is_empty());
    workspace.connection(Audience::User, "shop").await.unwrap();
    tokio::time::timeout(Duration::from_secs(5), states.changed()).await.unwrap().unwrap();
    let now = states.borrow_and_update().clone();
    assert_eq!(now.len(), 1);
    assert_eq!(
        (now[0].audience, now[0].name.as_str(), now[0].status.state),
        (Audience::User, "shop", ConnectionState::Connected)
    );
    assert!(workspace.disconnect(Audience::User, "Shop").await);
    tokio::time::timeout(Duration::from_secs(5), states.changed()).await.unwrap().unwrap();
    assert!(states.borrow().is_empty());
}

/// AI clients and the user never share a connection, and AI clients see only profiles
/// whose AI access is not `none`.
#[tokio::test]
async fn ai_clients_get_their_own_connections_and_only_exposed_profiles() {
    let (workspace, seen, _home) = workspace().await;
    let user = workspace.connection(Audience::User, "shop").await.unwrap();
    let ai = workspace.connection(Audience::Ai, "shop").await.unwrap();
    assert!(!Arc::ptr_eq(&user, &ai));
    assert_eq!(seen.opened.load(Ordering::SeqCst), 2);
    workspace.store().set_profile_access("shop", Access::None).await.unwrap();
    let refused = workspace.connection(Audience::Ai, "shop").await;
    assert_eq!(refused.err().map(|e| e.code), Some(ErrorCode::NotFound));
    assert!(workspace.connection(Audience::User, "shop").await.is_ok());
}

/// A connection that gave up reconnecting waits for a person; `reconnect` is that person
/// (the app's Reconnect button, MCP `connect-database`): the old one closed, a new one open.
#[tokio::test]
async fn reconnect_starts_a_connection_afresh() {
    let (workspace, seen, _home) = workspace().await;
    let before = workspace.connection(Audience::User, "shop").await.unwrap();
    let after = workspace.reconnect(Audience::User, "SHOP").await.unwrap();
    assert!(!Arc::ptr_eq(&before, &after));
    assert_eq!((seen.opened.load(Ordering::SeqCst), seen.disconnects.load(Ordering::SeqCst)), (2, 1));
    assert_eq!(after.live.status().state, ConnectionState::Connected);
}
