//! Schema migrations, embedded in the binary and applied by sqlx's migrator. Several
//! processes may open a fresh home at once, so migrating is serialized with a file lock.

use std::borrow::Cow;

use dbdock_core::{Error, Result};
use futures_util::future::BoxFuture;
use sqlx::SqlitePool;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};

use crate::Home;

/// The migrations, in order. Add new files at the end; never edit a released one.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "profiles", include_str!("../migrations/0001_profiles.sql")),
    (2, "audit", include_str!("../migrations/0002_audit.sql")),
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

pub(crate) async fn run(home: &Home, pool: &SqlitePool) -> Result<()> {
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
    let migrator = Migrator::new(Embedded).await.map_err(|e| Error::internal(format!("bad migrations: {e}")))?;
    let outcome = migrator.run(pool).await.map_err(|e| Error::internal(format!("cannot migrate the store: {e}")));
    drop(lock);
    outcome
}
