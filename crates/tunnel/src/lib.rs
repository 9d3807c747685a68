//! SSH tunnels for DB Dock: a local forward on 127.0.0.1 through up to two jump hosts,
//! logged in by key, agent or password, with host keys checked against `known_hosts`.
//! Pure Rust (russh). It knows SSH and sockets, nothing of engines or the store: the
//! application layer opens one per profile and points the driver at its local port
//! (docs/network.md).

mod forward;
mod host_keys;
mod session;

pub use forward::{Tunnel, TunnelSpec, trust_host_key};
pub use host_keys::{KnownHosts, Verdict, fingerprint};
