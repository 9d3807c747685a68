//! Placeholder.
use dbdock_core::{ConnectionTarget, Error, Result, WatchTarget};
use tokio::task::JoinHandle;

use crate::{MonitorOptions, Sink};

pub async fn watch(_: &ConnectionTarget, _: &WatchTarget, _: Sink, _: &MonitorOptions) -> Result<JoinHandle<()>> {
    Err(Error::unsupported("not yet"))
}
