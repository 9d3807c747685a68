//! Writes to pub/sub and streams: `PUBLISH` and `XADD`. Callers gate these on write access.

use dbdock_core::{Error, Result, WatchTarget};

use super::client::{Server, describe};
use super::stream_entry::PAYLOAD_FIELD;
use crate::Published;

/// `PUBLISH` answers how many subscribers received the message. `XADD` answers an entry id
/// (`<ms>-<seq>`), which does not fit [`Published::sequence`] (its millisecond part alone
/// would repeat within a millisecond), so a stream publish leaves it `None`.
pub(super) async fn publish(
    server: &Server,
    what: &WatchTarget,
    payload: &[u8],
    headers: &[(String, String)],
) -> Result<Published> {
    let command = match what {
        WatchTarget::Channel(channel) => {
            if !headers.is_empty() {
                return Err(Error::invalid_input(
                    "Redis pub/sub messages have no headers: publish to a stream: target to keep them",
                ));
            }
            let mut command = redis::cmd("PUBLISH");
            command.arg(channel).arg(payload);
            command
        }
        WatchTarget::Stream(key) => {
            if let Some((name, _)) = headers.iter().find(|(name, _)| name == PAYLOAD_FIELD) {
                return Err(Error::invalid_input(format!(
                    "the header '{name}' would clash with the field that holds the payload"
                )));
            }
            let mut command = redis::cmd("XADD");
            command.arg(key).arg("*").arg(PAYLOAD_FIELD).arg(payload);
            for (name, value) in headers {
                command.arg(name).arg(value);
            }
            command
        }
        WatchTarget::Pattern(_) | WatchTarget::Keyspace(_) => {
            return Err(Error::invalid_input(format!(
                "cannot publish to '{what}': a pattern or keyspace target only receives; publish to channel:NAME or \
                 stream:KEY"
            )));
        }
        other => return Err(Error::invalid_input(format!("'{other}' is not a Redis publish target"))),
    };
    let mut con = server.connection().await?;
    let reply: redis::Value = command.query_async(&mut con).await.map_err(|e| match e.code() {
        Some("WRONGTYPE") => Error::invalid_input(format!("cannot publish to '{what}': {}", describe(&e))),
        _ => server.error(&e),
    })?;
    Ok(match (what, reply) {
        (WatchTarget::Channel(_), redis::Value::Int(receivers)) => {
            Published { receivers: u64::try_from(receivers).ok(), sequence: None, partition: None }
        }
        (_, reply) => {
            tracing::debug!(?reply, target = %what, "published");
            Published { receivers: None, sequence: None, partition: None }
        }
    })
}
