//! What the app holds while it runs: the store, one live connection per profile (opened
//! on first use), the queries running now (so they can be cancelled), and the last
//! results (so they can be exported without sending 100,000 rows back from the UI).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use dbdock_core::{Error, Profile, QueryResult, ReconnectPolicy, Result};
use dbdock_engines::live::LiveConnection;
use dbdock_engines::{Monitor, OpenOptions};
use dbdock_store::{Home, NewProfile, Store};
use tokio::sync::Mutex;
use tokio::task::AbortHandle;

/// Results kept for export; older ones are forgotten.
const KEPT_RESULTS: usize = 16;

/// A monitor started from the Events view.
pub struct RunningMonitor {
    pub profile: String,
    pub monitor: Arc<Monitor>,
    /// The task forwarding its events to the window.
    pub forward: AbortHandle,
}

pub struct AppState {
    pub store: Store,
    connections: Mutex<HashMap<String, Arc<LiveConnection>>>,
    pub running: Mutex<HashMap<String, AbortHandle>>,
    /// Monitors started from the Events view, by id.
    pub monitors: Mutex<HashMap<String, RunningMonitor>>,
    results: Mutex<VecDeque<(String, Arc<QueryResult>)>>,
}

impl AppState {
    pub async fn open() -> Result<AppState> {
        let store = Store::open(Home::resolve()?).await?;
        offer_demo(&store).await?;
        Ok(AppState {
            store,
            connections: Mutex::new(HashMap::new()),
            running: Mutex::new(HashMap::new()),
            monitors: Mutex::new(HashMap::new()),
            results: Mutex::new(VecDeque::new()),
        })
    }

    /// The live connection of `profile`, opened on first use (and again after the
    /// profile changed).
    pub async fn connection(&self, profile: &str) -> Result<Arc<LiveConnection>> {
        if let Some(live) = self.connections.lock().await.get(profile) {
            return Ok(live.clone());
        }
        let resolved = self.store.resolve(profile).await?;
        let options = OpenOptions::for_profile(&resolved.profile, None);
        let db = dbdock_engines::adapter(resolved.target, options)?;
        let live = Arc::new(LiveConnection::open(db, ReconnectPolicy::default()).await?);
        let mut open = self.connections.lock().await;
        Ok(open.entry(resolved.profile.name).or_insert(live).clone())
    }

    /// Closes the connection of `profile` (it changed or was deleted).
    pub async fn forget(&self, profile: &str) {
        let removed = self.connections.lock().await.remove(profile);
        if let Some(live) = removed {
            live.database().disconnect().await;
        }
    }

    /// The state of every open connection.
    pub async fn open_connections(&self) -> Vec<(String, dbdock_core::ConnectionStatus)> {
        self.connections.lock().await.iter().map(|(name, live)| (name.clone(), live.status())).collect()
    }

    pub async fn keep_result(&self, query_id: &str, result: Arc<QueryResult>) {
        let mut results = self.results.lock().await;
        results.retain(|(id, _)| id != query_id);
        results.push_back((query_id.to_owned(), result));
        while results.len() > KEPT_RESULTS {
            results.pop_front();
        }
    }

    pub async fn result(&self, query_id: &str) -> Result<Arc<QueryResult>> {
        let results = self.results.lock().await;
        results.iter().find(|(id, _)| id == query_id).map(|(_, r)| r.clone()).ok_or_else(|| {
            Error::not_found("that result is no longer kept (only the last 16 are): run the query again to export it")
        })
    }
}

/// On the very first start, the bundled demo shop database becomes a profile, so a new
/// user sees a schema and can run a query at once. A marker file keeps it from coming
/// back after the user deletes it.
async fn offer_demo(store: &Store) -> Result<()> {
    let home = store.home();
    let marker = home.root().join("demo-offered");
    if marker.exists() {
        return Ok(());
    }
    let profiles: Vec<Profile> = store.stored_profiles().await?;
    if profiles.is_empty() {
        let path = home.demo_database_path();
        dbdock_engines::demo::create_demo_database(&path).await?;
        let mut demo = NewProfile::new("shop", dbdock_core::ConnectionTarget::sqlite_file(path));
        demo.color = Some("#2f9e44".into());
        store.add_profile(demo).await?;
    }
    std::fs::write(&marker, b"the demo profile was offered once\n")
        .map_err(|e| Error::internal(format!("cannot write {}: {e}", marker.display())))?;
    Ok(())
}
