//! Helpers for DB Dock's integration tests, which run against real servers. A helper whose
//! server cannot be reached panics with a message naming it: tests fail, never skip.

#![allow(clippy::unwrap_used)]

mod files;
mod private_kafka;
mod private_nats;
mod private_postgres;
mod private_redis;
mod private_sshd;
mod private_tls;
pub mod sqlbridge;
mod test_db;

pub use files::{dir_listing, file_hash};
pub use private_kafka::{PrivateKafka, kafka_bootstrap, kafka_url};
pub use private_nats::PrivateNats;
pub use private_postgres::PrivatePostgres;
pub use private_redis::{PrivateRedis, redis_url};
pub use private_sshd::PrivateSshd;
pub use private_tls::{CERT_USER, PrivateTlsNats, PrivateTlsPostgres, PrivateTlsRedis, TestCerts};
pub use sqlbridge::SqlBridge;
pub use test_db::{TestDb, exec, mongodb_url, mysql_admin_url, pg_admin_url};
