//! Placeholder while the engine is being written.

use dbdock_core::{ConnectionTarget, ConsumerLag, Error, Result, WatchTarget};
use tokio::task::JoinHandle;

use crate::{MonitorOptions, Published, Sink};

pub async fn watch(_: &ConnectionTarget, _: &WatchTarget, _: Sink, _: &MonitorOptions) -> Result<JoinHandle<()>> {
    Err(Error::unsupported("not yet"))
}

pub async fn publish(_: &ConnectionTarget, _: &WatchTarget, _: &[u8], _: &[(String, String)]) -> Result<Published> {
    Err(Error::unsupported("not yet"))
}


pub async fn stream_lag(_: &ConnectionTarget, _: &str, _: Option<&str>) -> Result<Vec<ConsumerLag>> {
    Err(Error::unsupported("not yet"))
}
