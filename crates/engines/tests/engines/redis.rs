//! The redis monitor against real servers.
