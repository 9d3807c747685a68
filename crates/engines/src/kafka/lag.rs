//! `lag:GROUP[/TOPIC]` monitors: a consumer group's lag, polled (Kafka pushes nothing
//! when offsets move), as metric events: the total and each partition's committed and
//! end offset. A poll that cannot reach the cluster hands over to the reconnect policy.

use std::time::Duration;

use dbdock_core::{ConnectionState, ConnectionTarget, ConsumerLag, ErrorCode, ReconnectPolicy, Result, Severity};
use serde_json::json;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use super::catalog::group_lag;
use crate::Sink;
use crate::reconnect::reconnect;
use crate::rows::host_port;

/// How often `lag:` monitors poll, as for JetStream.
const LAG_INTERVAL: Duration = Duration::from_secs(1);

pub(super) async fn start(
    target: &ConnectionTarget,
    group: &str,
    topic: Option<&str>,
    sink: Sink,
    policy: ReconnectPolicy,
) -> Result<JoinHandle<()>> {
    let channel = topic.map_or_else(|| group.to_owned(), |t| format!("{group}/{t}"));
    let first = group_lag(target, group, topic).await?;
    sink.lifecycle(
        ConnectionState::Connected,
        Severity::Info,
        format!(
            "polling the lag of group {channel} on Kafka at {} every {} ms",
            host_port(target),
            LAG_INTERVAL.as_millis()
        ),
    );
    sink.metric(&channel, &metric(group, topic, &first));
    let (target, group, topic) = (target.clone(), group.to_owned(), topic.map(str::to_owned));
    Ok(tokio::spawn(async move {
        let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + LAG_INTERVAL, LAG_INTERVAL);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                () = sink.stopped() => return,
                _ = ticker.tick() => {}
            }
            let polled = tokio::select! {
                biased;
                () = sink.stopped() => return,
                polled = group_lag(&target, &group, topic.as_deref()) => polled,
            };
            let rows = match polled {
                Ok(rows) => rows,
                Err(e) if matches!(e.code, ErrorCode::ConnectionFailed | ErrorCode::Timeout) => {
                    let poll = || group_lag(&target, &group, topic.as_deref());
                    let Some((rows, attempts)) = reconnect(&policy, &sink, e, poll).await else { return };
                    sink.lifecycle(
                        ConnectionState::Connected,
                        Severity::Info,
                        format!("polling the lag of {channel} again after {attempts} attempt(s)"),
                    );
                    rows
                }
                Err(e) => {
                    sink.lifecycle(ConnectionState::Connected, Severity::Warning, format!("cannot read the lag: {e}"));
                    continue;
                }
            };
            sink.metric(&channel, &metric(&group, topic.as_deref(), &rows));
        }
    }))
}

fn metric(group: &str, topic: Option<&str>, rows: &[ConsumerLag]) -> serde_json::Value {
    let partitions: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            json!({"topic": r.stream, "partition": r.partition, "committed": r.committed, "end": r.end_offset, "lag": r.pending})
        })
        .collect();
    json!({
        "group": group,
        "topic": topic,
        "lag": rows.iter().filter_map(|r| r.pending).sum::<u64>(),
        "partitions": partitions,
    })
}
