//! The commands the UI calls, by view. Each returns `Result<T, dbdock_core::Error>`, which
//! reaches the UI as `{code, message}`.

pub mod ai;
pub mod approvals;
pub mod discovery;
pub mod events;
pub mod kafka;
pub mod keys;
pub mod least_privilege;
pub mod profiles;
pub mod query;
pub mod schema;
pub mod table_data;
pub mod tokens;

#[cfg(test)]
mod tests;
