//! `topic:NAME[@START]` monitors: every partition of the topic read by a consumer that is
//! assigned its partitions directly, under a throwaway group id, with commits off, so a
//! monitor never joins or moves any group's offsets. librdkafka reconnects by itself;
//! when every broker is gone the monitor says `reconnecting` (paced by the profile's
//! policy, docs/reconnect-policy.md) until a broker answers again, then `connected`, and
//! reading continues from where it was.

use std::sync::Arc;

use dbdock_core::{
    ConnectionState, ConnectionTarget, Error, LogPosition, ReconnectPolicy, Result, Severity, TopicStart,
};
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::{BorrowedMessage, Headers, Message};
use rdkafka::{Offset, TopicPartitionList};
use tokio::task::JoinHandle;

use super::catalog::partitions;
use super::client::{self, Observed, REQUEST_TIMEOUT, blocking};
use super::reset::offsets_for_time;
use crate::Sink;
use crate::reconnect::{lost, reconnect};
use crate::rows::host_port;

type Tail = StreamConsumer<Observed>;

pub(super) async fn start(
    target: &ConnectionTarget,
    topic: &str,
    from: TopicStart,
    sink: Sink,
    policy: ReconnectPolicy,
) -> Result<JoinHandle<()>> {
    let mut config = client::config(target)?;
    config
        .set("group.id", format!("dbdock-monitor-{:08x}", fastrand::u32(..)))
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        // An offset the partition no longer holds starts at the oldest it does.
        .set("auto.offset.reset", "earliest");
    let consumer: Arc<Tail> =
        Arc::new(config.create_with_context(Observed::default()).map_err(|e| client::creation_error(target, &e))?);
    let observed = consumer.context().clone();
    let (t, name) = (target.clone(), topic.to_owned());
    let assignment = blocking(move || start_offsets(&t, &name, from)).await?;
    let count = assignment.count();
    consumer.assign(&assignment).map_err(|e| client::error(target, "assigning partitions", &e, None))?;
    sink.lifecycle(
        ConnectionState::Connected,
        Severity::Info,
        format!("tailing topic:{topic} ({count} partition(s)) on Kafka at {} from {from}", host_port(target)),
    );
    let link = Link { consumer, observed, topic: topic.to_owned(), sink, policy };
    Ok(tokio::spawn(link.run()))
}

/// Where each partition starts: the end now (not "the end when reading starts", which
/// would skip what is written in between), the beginning, an offset, or a time.
fn start_offsets(target: &ConnectionTarget, topic: &str, from: TopicStart) -> Result<TopicPartitionList> {
    let reader = client::consumer(target, None)?;
    let parts = partitions(&reader, target, Some(topic))?;
    let by_time = match from {
        TopicStart::Time(ms) => Some(offsets_for_time(&reader, target, topic, &parts, ms)?),
        _ => None,
    };
    let mut list = TopicPartitionList::new();
    for (i, (_, partition, low, high)) in parts.iter().enumerate() {
        let offset = match from {
            TopicStart::Latest => Offset::Offset(*high),
            // The log's own beginning, not the low watermark read a moment ago: what was
            // deleted since is skipped either way, and some brokers (tansu) start a fetch
            // from an explicit offset far more slowly.
            TopicStart::Earliest => Offset::Beginning,
            TopicStart::Offset(n) => Offset::Offset(n.clamp(*low, *high)),
            TopicStart::Time(_) => Offset::Offset(by_time.as_ref().map_or(*high, |v| v[i])),
        };
        list.add_partition_offset(topic, *partition, offset)
            .map_err(|e| Error::internal(format!("cannot list partition {partition}: {e}")))?;
    }
    Ok(list)
}

struct Link {
    consumer: Arc<Tail>,
    observed: Arc<Observed>,
    topic: String,
    sink: Sink,
    policy: ReconnectPolicy,
}

impl Link {
    async fn run(self) {
        loop {
            tokio::select! {
                biased;
                () = self.sink.stopped() => return,
                // A permit left from an outage already regained is not a new one.
                () = self.observed.lost() => {
                    if self.observed.brokers_down() && !self.regain().await {
                        return;
                    }
                }
                message = self.consumer.recv() => match message {
                    Ok(message) => deliver(&self.sink, &self.topic, &message),
                    Err(e) => tracing::debug!(error = %e, "kafka monitor read failed; librdkafka retries"),
                },
            }
        }
    }

    /// Every broker is gone: reports `reconnecting` on the policy's schedule until one
    /// answers a metadata request, then `connected`. False when the monitor stopped.
    async fn regain(&self) -> bool {
        let why = self.observed.last_error().unwrap_or_else(|| "all brokers are down".to_owned());
        let probe = || {
            let (consumer, topic) = (self.consumer.clone(), self.topic.clone());
            async move {
                blocking(move || {
                    consumer
                        .fetch_metadata(Some(&topic), REQUEST_TIMEOUT.min(std::time::Duration::from_secs(2)))
                        .map(|_| ())
                        .map_err(|e| Error::connection_failed(format!("Kafka is still unreachable: {e}")))
                })
                .await
            }
        };
        let Some(((), attempts)) = reconnect(&self.policy, &self.sink, lost(why), probe).await else { return false };
        self.observed.reset();
        self.sink.lifecycle(
            ConnectionState::Connected,
            Severity::Info,
            format!("tailing topic:{} again after {attempts} attempt(s), from where it was", self.topic),
        );
        true
    }
}

/// One message as an event: payload, headers, partition, offset, key and the broker's
/// timestamp.
pub(super) fn deliver(sink: &Sink, topic: &str, message: &BorrowedMessage<'_>) {
    let headers = message
        .headers()
        .map(|h| {
            h.iter()
                .map(|h| {
                    (
                        h.key.to_owned(),
                        h.value.map(|v| dbdock_core::payload_as_text(v).into_owned()).unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let server_ts = message
        .timestamp()
        .to_millis()
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    let position = LogPosition {
        partition: message.partition(),
        offset: message.offset(),
        key: message.key().map(|k| dbdock_core::payload_as_text(k).into_owned()),
    };
    sink.message_at(topic, message.payload().unwrap_or_default().to_vec(), headers, server_ts, position);
}
