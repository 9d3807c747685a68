//! The demo database a new user meets first: a small shop (customers, products, orders,
//! order lines, a view) built from a checked-in SQL script.

use dbdock_core::{ConnectionTarget, Error, Result};
use sqlx::ConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;

use super::classify;
use crate::sql::map_error;

/// The SQL script that builds the demo shop database (SQLite dialect).
pub const SHOP_SQL: &str = include_str!("../../demo/shop.sql");

/// Builds the demo shop database at `path` unless a file is already there. Written to a
/// temporary file first and renamed, so an interrupted run never leaves half a database.
pub async fn create_demo_database(path: &std::path::Path) -> Result<bool> {
    if path.exists() {
        return Ok(false);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::internal(format!("cannot create {}: {e}", dir.display())))?;
    }
    let partial = path.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let target = ConnectionTarget::sqlite_file(&partial);
    let mut conn = SqliteConnectOptions::new()
        .filename(&partial)
        .create_if_missing(true)
        .connect()
        .await
        .map_err(|e| map_error(e, &target, classify))?;
    sqlx::raw_sql(SHOP_SQL).execute(&mut conn).await.map_err(|e| map_error(e, &target, classify))?;
    sqlx::Connection::close(conn).await.map_err(|e| map_error(e, &target, classify))?;
    std::fs::rename(&partial, path)
        .map_err(|e| Error::internal(format!("cannot move the demo database into place: {e}")))?;
    Ok(true)
}
