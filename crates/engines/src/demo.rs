//! The demo database a new user meets first: a small shop (customers, products, orders,
//! order lines, a view) built from a checked-in SQL script.

/// The SQL script that builds the demo shop database (SQLite dialect).
pub const SHOP_SQL: &str = include_str!("../demo/shop.sql");

#[cfg(feature = "sqlite")]
pub use crate::sqlite::create_demo_database;
