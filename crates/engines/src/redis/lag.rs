//! How far a stream's consumer groups are behind (`XINFO GROUPS`).

use dbdock_core::{ConsumerLag, Error, Result};
use redis::streams::{StreamInfoGroup, StreamInfoGroupsReply};

use super::client::{Server, describe};

pub(super) async fn stream_lag(server: &Server, stream: &str, group: Option<&str>) -> Result<Vec<ConsumerLag>> {
    let mut con = server.connection().await?;
    let reply: StreamInfoGroupsReply =
        redis::cmd("XINFO").arg("GROUPS").arg(stream).query_async(&mut con).await.map_err(|e| {
            let text = describe(&e);
            match e.code() {
                // Redis says "ERR no such key" for a missing stream.
                _ if text.contains("no such key") => Error::not_found(format!("the stream '{stream}' does not exist")),
                Some("WRONGTYPE") => Error::invalid_input(format!("the key '{stream}' is not a stream ({text})")),
                _ => server.error(&e),
            }
        })?;
    select(stream, reply.groups, group)
}

/// Every group, or the named one (an unknown name is NOT_FOUND, naming those there are).
fn select(stream: &str, groups: Vec<StreamInfoGroup>, wanted: Option<&str>) -> Result<Vec<ConsumerLag>> {
    let Some(wanted) = wanted else { return Ok(groups.into_iter().map(|g| lag(stream, g)).collect()) };
    let names: Vec<String> = groups.iter().map(|g| g.name.clone()).collect();
    match groups.into_iter().find(|g| g.name == wanted) {
        Some(group) => Ok(vec![lag(stream, group)]),
        None if names.is_empty() => {
            Err(Error::not_found(format!("the stream '{stream}' has no consumer groups (looked for '{wanted}')")))
        }
        None => Err(Error::not_found(format!(
            "the stream '{stream}' has no consumer group '{wanted}'; its groups: {}",
            names.join(", ")
        ))),
    }
}

/// Redis `lag` (entries not yet delivered to the group; Redis ≥ 7, and nil when it cannot
/// tell) is the pending count; `pending` (delivered, not acknowledged) is `ack_pending`.
fn lag(stream: &str, group: StreamInfoGroup) -> ConsumerLag {
    ConsumerLag {
        stream: stream.to_owned(),
        consumer: group.name,
        pending: group.lag.map(|n| n as u64),
        ack_pending: group.pending as u64,
        redelivered: None,
        last_delivered: Some(group.last_delivered_id),
        ..ConsumerLag::default()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn group(name: &str, lag: Option<usize>, pending: usize) -> StreamInfoGroup {
        StreamInfoGroup {
            name: name.into(),
            pending,
            lag,
            last_delivered_id: "5-0".into(),
            ..StreamInfoGroup::default()
        }
    }

    #[test]
    fn groups_map_to_consumer_lag_and_unknown_names_are_listed() {
        let all = select("s", vec![group("a", Some(6), 3), group("b", None, 0)], None).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!((all[0].pending, all[0].ack_pending, all[0].last_delivered.as_deref()), (Some(6), 3, Some("5-0")));
        assert_eq!(all[1].pending, None);
        let one = select("s", vec![group("a", Some(6), 3), group("b", None, 0)], Some("b")).unwrap();
        assert_eq!(one[0].consumer, "b");
        let err = select("s", vec![group("a", Some(6), 3)], Some("zz")).unwrap_err();
        assert_eq!(err.code, dbdock_core::ErrorCode::NotFound);
        assert!(err.message.contains("a"), "{}", err.message);
    }
}
