//! Bulk actions: thirty profiles tested at once against this machine's Redis (6379) and
//! closed ports, each reported as it ends; selection by name, tag and all; removals and
//! access changes applied to exactly the selection.

use dbdock_app::{BulkAction, Selection, Workspace};
use dbdock_core::{Access, ConnectionTarget, ErrorCode};
use dbdock_store::{Home, NewProfile, Store};

fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn thirty() -> (std::sync::Arc<Workspace>, tempfile::TempDir) {
    let home = tempfile::tempdir().unwrap();
    let store = Store::open(Home::at(home.path())).await.unwrap();
    for n in 0..30 {
        let (name, url, tag) = if n % 3 == 0 {
            (format!("down-{n}"), format!("redis://127.0.0.1:{}/0", closed_port()), "broken")
        } else {
            (format!("cache-{n}"), dbdock_testkit::redis_url(), "cache")
        };
        let new =
            NewProfile { tags: vec![tag.to_owned()], ..NewProfile::new(name, ConnectionTarget::parse(&url).unwrap()) };
        store.add_profile(new).await.unwrap();
    }
    (Workspace::new(store), home)
}

#[tokio::test]
async fn thirty_profiles_are_tested_in_parallel_each_reported_as_it_ends() {
    let (workspace, _home) = thirty().await;
    let names = workspace.select_profiles(&Selection::All).await.unwrap();
    assert_eq!(names.len(), 30);
    let mut seen = Vec::new();
    let items = workspace.bulk(BulkAction::Test, &names, |item| seen.push((item.done, item.total))).await;
    assert_eq!(seen, (1..=30).map(|n| (n, 30)).collect::<Vec<_>>(), "progress counts every item once, in order");
    assert_eq!(items.len(), 30);
    for item in &items {
        if item.name.starts_with("down-") {
            let error = item.error.as_ref().unwrap_or_else(|| panic!("{} should fail: {item:?}", item.name));
            assert_eq!(error.code, ErrorCode::ConnectionFailed, "{item:?}");
        } else {
            assert!(item.error.is_none(), "Redis on 127.0.0.1:6379 must answer: {item:?}");
            assert!(item.message.contains("Redis") || item.message.contains("Valkey"), "{item:?}");
        }
    }
    assert_eq!(items.iter().filter(|i| i.error.is_some()).count(), 10);
}

#[tokio::test]
async fn a_selection_is_checked_before_anything_runs_and_applied_to_exactly_it() {
    let (workspace, _home) = thirty().await;
    let unknown = workspace.select_profiles(&Selection::Names(vec!["cache-1".into(), "nope".into()])).await;
    assert_eq!(unknown.unwrap_err().code, ErrorCode::NotFound);
    let no_tag = workspace.select_profiles(&Selection::Tag("none-such".into())).await;
    assert_eq!(no_tag.unwrap_err().code, ErrorCode::NotFound);

    let broken = workspace.select_profiles(&Selection::Tag("BROKEN".into())).await.unwrap();
    assert_eq!(broken.len(), 10);
    let items = workspace.bulk(BulkAction::SetAccess(Access::None), &broken, |_| {}).await;
    assert!(items.iter().all(|i| i.error.is_none()), "{items:?}");
    let items = workspace.bulk(BulkAction::Remove, &broken, |_| {}).await;
    assert!(items.iter().all(|i| i.error.is_none()), "{items:?}");
    let left = workspace.store().stored_profiles().await.unwrap();
    assert_eq!(left.len(), 20);
    assert!(left.iter().all(|p| p.name.starts_with("cache-") && p.access == Access::ReadOnly), "{left:?}");

    let names = vec!["cache-1".to_owned(), "CACHE-1".to_owned(), "cache-2".to_owned()];
    assert_eq!(workspace.select_profiles(&Selection::Names(names)).await.unwrap(), ["cache-1", "cache-2"]);
    // Redis takes commands, so it connects like a database.
    let connect = workspace.bulk(BulkAction::Connect, &["cache-1".to_owned()], |_| {}).await;
    assert!(connect[0].error.is_none() && connect[0].message == "connected", "{connect:?}");
    // NATS has no shared connection: it is only probed.
    let nats = ConnectionTarget::parse(&crate::servers::nats_url()).unwrap();
    workspace.store().add_profile(NewProfile::new("bus", nats)).await.unwrap();
    let connect = workspace.bulk(BulkAction::Connect, &["bus".to_owned()], |_| {}).await;
    assert!(connect[0].message.starts_with("reachable"), "NATS on 127.0.0.1:4222 must answer: {connect:?}");

    let pg = dbdock_testkit::pg_admin_url();
    workspace.store().add_profile(NewProfile::new("pg", ConnectionTarget::parse(&pg).unwrap())).await.unwrap();
    let connect = workspace.bulk(BulkAction::Connect, &["pg".to_owned()], |_| {}).await;
    assert!(connect[0].error.is_none(), "PostgreSQL on 127.0.0.1:5432 must answer: {connect:?}");
    let both = ["pg".to_owned(), "cache-2".to_owned()];
    let disconnect = workspace.bulk(BulkAction::Disconnect, &both, |_| {}).await;
    let mut messages: Vec<&str> = disconnect.iter().map(|i| i.message.as_str()).collect();
    messages.sort_unstable();
    assert_eq!(messages, ["disconnected", "was not connected"]);
}
