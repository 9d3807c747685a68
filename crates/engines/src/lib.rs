//! DB Dock's database adapters: one module per engine, each behind a cargo feature, each
//! implementing [`dbdock_core::Database`].
//!
//! Engines build on `dbdock-core` only. They know nothing of the store, MCP or a window;
//! callers hand them a [`ConnectionTarget`] (with its secret already attached) and
//! [`OpenOptions`], and get a connected [`Database`] back from [`open`].

use std::time::Duration;

use dbdock_core::{ConnectionTarget, Database, Engine, Error, Result};

pub mod demo;
pub mod live;
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
mod pool;
mod rows;
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
mod sql;

#[cfg(feature = "mongodb")]
pub mod mongodb;
#[cfg(feature = "mssql")]
pub mod mssql;
#[cfg(feature = "mysql")]
pub mod mysql;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "sqlite")]
pub mod sqlite;

/// How a connection is opened and what the server is asked to enforce on every statement.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Give up connecting after this long.
    pub connect_timeout: Duration,
    /// The server cancels any statement that runs longer.
    pub statement_timeout: Option<Duration>,
    /// Connections kept for concurrent callers (the desktop app, one MCP session).
    pub max_connections: u32,
    /// Create a SQLite file that does not exist yet (otherwise a missing file is NOT_FOUND,
    /// so a typo does not leave an empty database behind).
    pub create_if_missing: bool,
    /// How many documents a schemaless engine (MongoDB) samples to infer a collection's fields.
    pub schema_sample: u32,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            connect_timeout: Duration::from_secs(10),
            statement_timeout: None,
            max_connections: 4,
            create_if_missing: false,
            schema_sample: 100,
        }
    }
}

impl OpenOptions {
    /// A profile's settings as connection options; `default_timeout` applies when the
    /// profile sets no statement timeout.
    pub fn for_profile(profile: &dbdock_core::Profile, default_timeout: Option<Duration>) -> OpenOptions {
        OpenOptions {
            statement_timeout: profile.timeout_secs.map(Duration::from_secs).or(default_timeout),
            create_if_missing: profile.create_if_missing,
            ..OpenOptions::default()
        }
    }
}

/// Connects to `target` with the engine it names and checks that the server answers.
pub async fn open(target: ConnectionTarget, options: OpenOptions) -> Result<Box<dyn Database>> {
    let db = adapter(target, options)?;
    db.connect().await?;
    Ok(db)
}

/// The engine's adapter for `target`, not yet connected.
pub fn adapter(target: ConnectionTarget, options: OpenOptions) -> Result<Box<dyn Database>> {
    match target.engine() {
        #[cfg(feature = "sqlite")]
        Engine::Sqlite => Ok(Box::new(sqlite::Sqlite::new(target, options)?)),
        #[cfg(feature = "postgres")]
        Engine::Postgres => Ok(Box::new(postgres::Postgres::new(target, options)?)),
        #[cfg(feature = "mysql")]
        Engine::Mysql => Ok(Box::new(mysql::Mysql::new(target, options)?)),
        #[cfg(feature = "mssql")]
        Engine::Mssql => mssql::adapter(target, options),
        #[cfg(feature = "mongodb")]
        Engine::Mongodb => mongodb::adapter(target, options),
        engine => {
            let _ = options;
            Err(Error::unsupported(format!(
                "this build of DB Dock has no {engine} engine (enabled: {})",
                enabled_engines().iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", ")
            )))
        }
    }
}

/// The engines compiled into this build.
pub fn enabled_engines() -> Vec<Engine> {
    Engine::ALL
        .into_iter()
        .filter(|e| {
            (*e == Engine::Sqlite && cfg!(feature = "sqlite"))
                || (*e == Engine::Postgres && cfg!(feature = "postgres"))
                || (*e == Engine::Mysql && cfg!(feature = "mysql"))
                || (*e == Engine::Mssql && cfg!(feature = "mssql"))
                || (*e == Engine::Mongodb && cfg!(feature = "mongodb"))
        })
        .collect()
}
