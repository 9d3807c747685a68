//! Placeholder while the engine is being written.

use dbdock_core::{ConnectionTarget, Database, Error, Result};

use crate::OpenOptions;

pub fn adapter(_target: ConnectionTarget, _options: OpenOptions) -> Result<Box<dyn Database>> {
    Err(Error::unsupported("not yet"))
}
