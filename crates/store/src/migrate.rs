//! Schema migrations, embedded in the binary and applied by sqlx's migrator. Several
//! processes may open a fresh home at once, so migrating is serialized with a file lock.

use std::borrow::Cow;

use dbdock_core::{Error, Result};
use futures_util::future::BoxFuture;
use sqlx::ConnectOptions;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::sqlite::SqliteConnectOptions;

use crate::Home;

/// The migrations, in order. Add new files at the end; never edit a released one.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "profiles", include_str!("../migrations/0001_profiles.sql")),
    (2, "audit", include_str!("../migrations/0002_audit.sql")),
    (3, "events", include_str!("../migrations/0003_events.sql")),
    (4, "history", include_str!("../migrations/0004_history.sql")),
    (5, "ai_login", include_str!("../migrations/0005_ai_login.sql")),
    (6, "audit_started", include_str!("../migrations/0006_audit_started.sql")),
    (7, "approvals", include_str!("../migrations/0007_approvals.sql")),
    (8, "approval_wait", include_str!("../migrations/0008_approval_wait.sql")),
    (9, "audit_chain", include_str!("../migrations/0009_audit_chain.sql")),
    (10, "mcp_tokens", include_str!("../migrations/0010_mcp_tokens.sql")),
    (11, "network", include_str!("../migrations/0011_network.sql")),
    (12, "profile_generation", include_str!("../migrations/0012_profile_generation.sql")),
    (13, "config_history", include_str!("../migrations/0013_config_history.sql")),
];

#[derive(Debug)]
struct Embedded;

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(self) -> BoxFuture<'s, Result<Vec<Migration>, sqlx::error::BoxDynError>> {
        Box::pin(async {
            Ok(MIGRATIONS
                .iter()
                .map(|(version, name, sql)| {
                    Migration::new(
                        *version,
                        Cow::Borrowed(*name),
                        MigrationType::Simple,
                        sqlx::SqlSafeStr::into_sql_str(*sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

/// Under the store's file lock: creates the database if needed, puts it in WAL mode and
/// applies the migrations it lacks, on one connection.
pub(crate) async fn prepare(home: &Home, options: SqliteConnectOptions) -> Result<()> {
    let lock_path = home.root().join("migrate.lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| Error::internal(format!("cannot open {}: {e}", lock_path.display())))?;
    // Blocking on a file lock: done on a blocking thread, held only while migrating.
    let lock = tokio::task::spawn_blocking(move || lock.lock().map(|()| lock))
        .await
        .map_err(|e| Error::internal(format!("migration lock task failed: {e}")))?
        .map_err(|e| Error::internal(format!("cannot lock {}: {e}", lock_path.display())))?;
    let outcome = async {
        let mut conn = options.connect().await.map_err(|e| Error::internal(format!("cannot open the store: {e}")))?;
        let migrator = Migrator::new(Embedded).await.map_err(|e| Error::internal(format!("bad migrations: {e}")))?;
        let migrated =
            migrator.run(&mut conn).await.map_err(|e| Error::internal(format!("cannot migrate the store: {e}")));
        let _ = sqlx::Connection::close(conn).await;
        migrated
    }
    .await;
    drop(lock);
    outcome
}
