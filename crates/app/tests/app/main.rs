//! The application layer against a fake engine (what the registry does with connections)
//! and against the real servers of this machine (probes and monitors).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bulk;
mod discovery;
mod event_export;
mod fake;
mod registry;
mod servers;
mod table_data;
mod tunnels;
