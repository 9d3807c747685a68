//! Kafka: topics, consumer groups and their lag, offset resets, topic tails and lag
//! monitors, and publishing, through librdkafka (docs/kafka.md). A monitor never joins or
//! commits for a user's group; only an offset reset commits, and only for the group named.

mod catalog;
mod client;
mod lag;
mod list_groups;
mod reset;
mod tail;

use dbdock_core::{
    ConnectionTarget, ConsumerLag, Error, GroupDetail, OffsetReset, OffsetResetPlan, Result, TopicCatalog, WatchTarget,
};
use rdkafka::consumer::Consumer;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use tokio::task::JoinHandle;

use crate::{MonitorOptions, Published, Routing, Sink};

/// Kafka has no version request in librdkafka's API: the cluster id and its brokers.
pub(crate) async fn server_version(target: &ConnectionTarget) -> Result<String> {
    let t = target.clone();
    client::blocking(move || {
        let consumer = client::consumer(&t, None)?;
        let metadata = consumer
            .client()
            .fetch_metadata(None, client::REQUEST_TIMEOUT)
            .map_err(|e| client::error(&t, "connecting", &e, Some(consumer.context())))?;
        let cluster = consumer.client().fetch_cluster_id(client::REQUEST_TIMEOUT).unwrap_or_else(|| "?".into());
        Ok(format!("Kafka cluster {cluster}, {} broker(s)", metadata.brokers().len()))
    })
    .await
}

pub(crate) async fn watch(
    target: &ConnectionTarget,
    what: &WatchTarget,
    sink: Sink,
    options: &MonitorOptions,
) -> Result<JoinHandle<()>> {
    match what {
        WatchTarget::Topic { topic, from } => tail::start(target, topic, *from, sink, options.reconnect).await,
        WatchTarget::GroupLag { group, topic } => {
            lag::start(target, group, topic.as_deref(), sink, options.reconnect).await
        }
        other => Err(Error::invalid_input(format!("'{other}' is not a Kafka target: use topic: or lag:"))),
    }
}

pub(crate) async fn publish(
    target: &ConnectionTarget,
    what: &WatchTarget,
    payload: &[u8],
    headers: &[(String, String)],
    routing: &Routing,
) -> Result<Published> {
    let WatchTarget::Topic { topic, .. } = what else {
        return Err(Error::invalid_input(format!("publish to a topic:NAME on Kafka, not '{what}'")));
    };
    let producer: FutureProducer = client::config(target)?.create().map_err(|e| client::creation_error(target, &e))?;
    let mut owned = OwnedHeaders::new_with_capacity(headers.len());
    for (key, value) in headers {
        owned = owned.insert(Header { key: key.as_str(), value: Some(value.as_bytes()) });
    }
    let mut record = FutureRecord::<[u8], [u8]>::to(topic).payload(payload).headers(owned);
    if let Some(key) = &routing.key {
        record = record.key(key.as_bytes());
    }
    if let Some(partition) = routing.partition {
        record = record.partition(partition);
    }
    let delivery = producer
        .send(record, client::REQUEST_TIMEOUT)
        .await
        .map_err(|(e, _)| client::error(target, &format!("publishing to {topic}"), &e, None))?;
    Ok(Published {
        receivers: None,
        sequence: u64::try_from(delivery.offset).ok(),
        partition: Some(delivery.partition),
    })
}

/// A group's lag on a topic (`consumer`), or every group's that committed on it.
pub(crate) async fn stream_lag(
    target: &ConnectionTarget,
    stream: &str,
    consumer: Option<&str>,
) -> Result<Vec<ConsumerLag>> {
    let topic = Some(stream).filter(|s| !s.is_empty());
    if let Some(group) = consumer {
        return catalog::group_lag(target, group, topic).await;
    }
    let Some(topic) = topic else {
        return Err(Error::invalid_input("name a topic, a consumer group, or both"));
    };
    catalog::topic_lag(target, topic).await
}

pub(crate) async fn topic_catalog(target: &ConnectionTarget) -> Result<TopicCatalog> {
    catalog::catalog(target).await
}

pub(crate) async fn consumer_group(target: &ConnectionTarget, group: &str, topic: Option<&str>) -> Result<GroupDetail> {
    catalog::group(target, group, topic).await
}

pub(crate) async fn reset_offsets(
    target: &ConnectionTarget,
    reset: &OffsetReset,
    apply: bool,
) -> Result<OffsetResetPlan> {
    reset::reset_offsets(target, reset, apply).await
}
