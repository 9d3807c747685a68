//! What the app holds while it runs: the workspace (store and open connections, the same
//! application layer the CLI and the MCP endpoint use), the queries running now (so they
//! can be cancelled), and the last results (so they can be exported without sending
//! 100,000 rows back from the UI).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use dbdock_app::{Audience, OpenConnection, Workspace};
use dbdock_core::{Error, Profile, QueryResult, Result};
use dbdock_engines::Monitor;
use dbdock_store::{Home, NewProfile, Store};
use tokio::sync::Mutex;
use tokio::task::AbortHandle;

/// Results kept for export; older ones are forgotten.
const KEPT_RESULTS: usize = 16;

/// A monitor started from the Events view.
pub struct RunningMonitor {
    pub profile: String,
    pub monitor: Arc<Monitor>,
    /// The newest events forwarded to the window, for Export (bounded like the buffer).
    pub captured: Arc<std::sync::Mutex<std::collections::VecDeque<dbdock_core::Event>>>,
    /// The task forwarding its events to the window.
    pub forward: AbortHandle,
}

pub struct AppState {
    pub workspace: Arc<Workspace>,
    pub running: Mutex<HashMap<String, AbortHandle>>,
    /// Monitors started from the Events view, by id.
    pub monitors: Mutex<HashMap<String, RunningMonitor>>,
    results: Mutex<VecDeque<(String, Arc<QueryResult>)>>,
}

impl AppState {
    pub async fn open() -> Result<AppState> {
        let store = Store::open(Home::resolve()?).await?.acting_as("app");
        offer_demo(&store).await?;
        Ok(AppState::over(Workspace::new(store)))
    }

    /// The app's state over a workspace (tests hand in one on a temporary home).
    pub fn over(workspace: Arc<Workspace>) -> AppState {
        AppState {
            workspace,
            running: Mutex::new(HashMap::new()),
            monitors: Mutex::new(HashMap::new()),
            results: Mutex::new(VecDeque::new()),
        }
    }

    pub fn store(&self) -> &Store {
        self.workspace.store()
    }

    /// The user's live connection of `profile`, opened on first use (and again after the
    /// profile changed, wherever it was changed).
    pub async fn connection(&self, profile: &str) -> Result<Arc<OpenConnection>> {
        self.workspace.connection(Audience::User, profile).await
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
