//! The nats monitor against real servers.
