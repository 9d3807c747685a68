//! DB Dock's local state: the home directory, one SQLite database (WAL mode, so the
//! desktop app and several `dbdock mcp` processes share it) holding profiles, and the
//! secrets that profiles need, kept in the OS keyring and never on disk.
//!
//! The store builds on `dbdock-core` only; it knows no engine, no MCP and no window.

mod ai_stats;
mod approvals;
mod audit;
mod backup;
mod config_history;
mod env_profiles;
mod events;
mod history;
mod home;
mod hot_path;
mod migrate;
mod profiles;
mod secrets;
mod tokens;

use std::sync::Arc;
use std::time::Duration;

use dbdock_core::{Error, Profile, Result};
use sqlx::ConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

pub use approvals::{Approval, Decision, NewApproval};
pub use audit::{
    AuditCompletion, AuditEntry, AuditVerification, BrokenAuditRow, DEFAULT_AUDIT_KEEP_DAYS, audit_keep_days,
    audit_retention_from_env,
};
pub use backup::{BackupContent, BackupFile, MIN_PASSPHRASE_CHARS, RestorePlan};
pub use config_history::{ConfigChange, FieldChange, HISTORY_KEPT};
pub use env_profiles::env_profiles;
pub use events::{EventFilter, EventRetention, LoggedEvent};
pub use history::{HISTORY_PER_PROFILE, HistoryEntry, QueryOutcome};
pub use home::Home;
pub use profiles::{ImportReport, NewProfile, ProfileExport, ResolvedProfile};
pub use secrets::Keyring;
pub use tokens::DEFAULT_TOKEN_NAME;

/// The saved profiles with the `profile_generation` counter they were read at.
type ProfilesRead = (i64, Arc<[Profile]>);

/// The open store. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    home: Home,
    pool: SqlitePool,
    keyring: Keyring,
    /// The saved profiles as last read, with the `profile_generation` counter they were
    /// read at (migration 0012), shared by the clones of this store.
    profiles_read: Arc<std::sync::Mutex<Option<ProfilesRead>>>,
    /// The profile-change check and the audit row of an AI call (src/hot_path.rs).
    hot: hot_path::HotPath,
    /// Who the configuration history names for changes made through this store.
    actor: &'static str,
}

impl Store {
    /// Opens (creating and migrating if needed) the store in `home`.
    pub async fn open(home: Home) -> Result<Store> {
        home.ensure()?;
        let base = SqliteConnectOptions::new()
            .filename(home.database_path())
            // Other processes write too: wait for their locks instead of failing at once.
            .busy_timeout(busy_timeout())
            .foreign_keys(true)
            .disable_statement_logging();
        // WAL mode belongs to the file and switching to it needs the database to itself, so
        // it is set once, with the migrations, under the store's file lock; pooled
        // connections leave it alone (setting it on each could fail with "database is locked").
        migrate::prepare(&home, base.clone().create_if_missing(true).journal_mode(SqliteJournalMode::Wal)).await?;
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(base.synchronous(SqliteSynchronous::Normal))
            .await
            .map_err(|e| store_error("open the store", &e))?;
        let hot = hot_path::HotPath::new(home.database_path(), busy_timeout());
        Ok(Store { home, pool, keyring: Keyring::from_env(), profiles_read: Arc::default(), hot, actor: "cli" })
    }

    /// The same store, naming `actor` (`app`, `cli`) in the configuration history.
    pub fn acting_as(mut self, actor: &'static str) -> Store {
        self.actor = actor;
        self
    }

    pub fn home(&self) -> &Home {
        &self.home
    }

    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    pub async fn close(&self) {
        self.hot.close();
        self.pool.close().await;
    }
}

/// How long a write waits for another process's lock: 15 s, or `DBDOCK_STORE_BUSY_TIMEOUT_MS`
/// (tests set it low to see what happens when the store cannot be written in time).
fn busy_timeout() -> Duration {
    std::env::var("DBDOCK_STORE_BUSY_TIMEOUT_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(Duration::from_secs(15), Duration::from_millis)
}

pub(crate) fn store_error(action: &str, e: &impl std::fmt::Display) -> Error {
    Error::internal(format!("cannot {action}: {e}"))
}
