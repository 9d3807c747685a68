//! What the cluster holds: brokers, topics with each partition's offsets and the topic's
//! settings, consumer groups, and one group's lag per partition computed from its
//! committed offsets and the partitions' end offsets (never from `DescribeGroups`, which
//! not every broker answers: docs/kafka.md).

use std::collections::BTreeMap;
use std::time::Duration;

use dbdock_core::{
    BrokerInfo, ConnectionTarget, ConsumerLag, Error, GroupDetail, GroupMember, GroupSummary, PartitionInfo, Result,
    TopicCatalog, TopicInfo,
};
use rdkafka::admin::{AdminClient, AdminOptions, ResourceSpecifier};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::Consumer;
use rdkafka::{Offset, TopicPartitionList};

use super::client::{self, REQUEST_TIMEOUT, blocking};

/// How long a group may take to be described: a broker that cannot describe groups
/// drops the connection, and the members are then shown as unavailable.
const DESCRIBE_TIMEOUT: Duration = Duration::from_secs(3);

/// The topic settings a reader cares about, in this order.
const SHOWN_CONFIGS: &[&str] = &[
    "cleanup.policy",
    "retention.ms",
    "retention.bytes",
    "segment.bytes",
    "min.insync.replicas",
    "max.message.bytes",
    "compression.type",
];

/// Every topic (internal ones, `__…`, left out), every broker and every group.
pub(super) async fn catalog(target: &ConnectionTarget) -> Result<TopicCatalog> {
    let t = target.clone();
    let (cluster_id, brokers, mut topics) = blocking(move || {
        let consumer = client::consumer(&t, None)?;
        let metadata = consumer
            .fetch_metadata(None, REQUEST_TIMEOUT)
            .map_err(|e| client::error(&t, "reading the cluster's metadata", &e, Some(consumer.context())))?;
        let brokers = broker_list(&metadata);
        let mut topics = Vec::new();
        for topic in metadata.topics().iter().filter(|t| !t.name().starts_with("__")) {
            let mut partitions = Vec::new();
            for p in topic.partitions() {
                let (low, high) = consumer
                    .fetch_watermarks(topic.name(), p.id(), REQUEST_TIMEOUT)
                    .map_err(|e| client::error(&t, "reading offsets", &e, Some(consumer.context())))?;
                partitions.push(PartitionInfo {
                    id: p.id(),
                    leader: p.leader(),
                    replicas: p.replicas().to_vec(),
                    isr: p.isr().to_vec(),
                    low,
                    high,
                });
            }
            partitions.sort_by_key(|p| p.id);
            topics.push(TopicInfo {
                name: topic.name().to_owned(),
                replication: partitions.iter().map(|p| p.replicas.len()).max().unwrap_or(0),
                messages: partitions.iter().map(PartitionInfo::messages).sum(),
                partitions,
                ..TopicInfo::default()
            });
        }
        topics.sort_by(|a, b| a.name.cmp(&b.name));
        Ok((consumer.client().fetch_cluster_id(REQUEST_TIMEOUT), brokers, topics))
    })
    .await?;
    add_configs(target, &mut topics).await;
    let (groups, groups_error) = match list_groups(target, &brokers).await {
        Ok(groups) => (groups, None),
        Err(e) => (Vec::new(), Some(e.message)),
    };
    Ok(TopicCatalog { cluster_id, brokers, topics, groups, groups_error })
}

fn broker_list(metadata: &rdkafka::metadata::Metadata) -> Vec<BrokerInfo> {
    metadata.brokers().iter().map(|b| BrokerInfo { id: b.id(), host: b.host().to_owned(), port: b.port() }).collect()
}

/// Every group's lag on `topic`, of the groups that committed on it: the topic's offsets
/// and the brokers are read once, then one offset request per group (a group's commits
/// are read by a client in that group).
pub(super) async fn topic_lag(target: &ConnectionTarget, topic: &str) -> Result<Vec<ConsumerLag>> {
    let (t, name) = (target.clone(), topic.to_owned());
    let (brokers, partitions) = blocking(move || {
        let consumer = client::consumer(&t, None)?;
        let partitions = partitions(&consumer, &t, Some(&name))?;
        let metadata = consumer
            .fetch_metadata(Some(&name), REQUEST_TIMEOUT)
            .map_err(|e| client::error(&t, "reading the cluster's metadata", &e, Some(consumer.context())))?;
        Ok((broker_list(&metadata), partitions))
    })
    .await?;
    let groups = list_groups(target, &brokers)
        .await
        .map_err(|e| Error::query_failed(format!("cannot list the consumer groups: {}", e.message)))?;
    let partitions = std::sync::Arc::new(partitions);
    let mut rows = Vec::new();
    for group in groups {
        let (t, g, p) = (target.clone(), group.name.clone(), partitions.clone());
        let committed = blocking(move || committed(&t, &g, &p)).await?;
        if committed.iter().any(Option::is_some) {
            rows.extend(partitions.iter().zip(committed).map(|((name, partition, low, high), committed)| {
                lag_row(&group.name, name, *partition, *low, *high, committed)
            }));
        }
    }
    Ok(rows)
}

/// Each topic's settings from `DescribeConfigs`; a broker without it leaves the reason.
async fn add_configs(target: &ConnectionTarget, topics: &mut [TopicInfo]) {
    let admin: std::result::Result<AdminClient<DefaultClientContext>, _> =
        client::config(target).and_then(|c| c.create().map_err(|e| client::creation_error(target, &e)));
    let admin = match admin {
        Ok(admin) => admin,
        Err(e) => return topics.iter_mut().for_each(|t| t.configs_error = Some(e.message.clone())),
    };
    let names: Vec<String> = topics.iter().map(|t| t.name.clone()).collect();
    let specifiers: Vec<ResourceSpecifier<'_>> = names.iter().map(|n| ResourceSpecifier::Topic(n.as_str())).collect();
    let options = AdminOptions::new().request_timeout(Some(REQUEST_TIMEOUT));
    match admin.describe_configs(&specifiers, &options).await {
        Ok(results) => {
            for (topic, result) in topics.iter_mut().zip(results) {
                match result {
                    Ok(resource) => {
                        let values: BTreeMap<&str, &str> = resource
                            .entries
                            .iter()
                            .filter_map(|e| Some((e.name.as_str(), e.value.as_deref()?)))
                            .collect();
                        topic.configs = SHOWN_CONFIGS
                            .iter()
                            .filter_map(|name| Some(((*name).to_owned(), (*values.get(name)?).to_owned())))
                            .collect();
                    }
                    Err(code) => topic.configs_error = Some(format!("the broker did not describe it: {code}")),
                }
            }
        }
        Err(e) => {
            let why = format!("the broker did not describe topic settings: {e}");
            topics.iter_mut().for_each(|t| t.configs_error = Some(why.clone()));
        }
    }
}

/// The group names: `ListGroups` to each broker on plain-text listeners, librdkafka's
/// list (which also describes each group) on TLS and SASL ones.
pub(super) async fn list_groups(target: &ConnectionTarget, brokers: &[BrokerInfo]) -> Result<Vec<GroupSummary>> {
    let plain = client::config(target)?.get("security.protocol") == Some("plaintext");
    if plain {
        let addresses: Vec<(String, u16)> =
            brokers.iter().map(|b| (b.host.clone(), u16::try_from(b.port).unwrap_or(9092))).collect();
        return super::list_groups::list(&addresses, REQUEST_TIMEOUT).await;
    }
    let t = target.clone();
    blocking(move || {
        let consumer = client::consumer(&t, None)?;
        let list = consumer
            .fetch_group_list(None, REQUEST_TIMEOUT)
            .map_err(|e| client::error(&t, "listing consumer groups", &e, Some(consumer.context())))?;
        let mut groups: Vec<GroupSummary> = list
            .groups()
            .iter()
            .map(|g| GroupSummary { name: g.name().to_owned(), state: Some(g.state().to_owned()) })
            .collect();
        groups.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(groups)
    })
    .await
}

/// Every partition of `topic` (or of every topic), with its watermarks.
pub(super) fn partitions(
    consumer: &client::Reader,
    target: &ConnectionTarget,
    topic: Option<&str>,
) -> Result<Vec<(String, i32, i64, i64)>> {
    let metadata = consumer
        .fetch_metadata(topic, REQUEST_TIMEOUT)
        .map_err(|e| client::error(target, "reading the topic's metadata", &e, Some(consumer.context())))?;
    let mut out = Vec::new();
    for t in metadata.topics().iter().filter(|t| topic.is_some() || !t.name().starts_with("__")) {
        if let Some(code) = t.error() {
            let code = rdkafka::error::RDKafkaErrorCode::from(code);
            if code == rdkafka::error::RDKafkaErrorCode::UnknownTopicOrPartition {
                return Err(Error::not_found(format!("Kafka has no topic '{}' at {}", t.name(), target.redacted())));
            }
            return Err(Error::query_failed(format!("reading topic {}: {code}", t.name())));
        }
        for p in t.partitions() {
            let (low, high) = consumer
                .fetch_watermarks(t.name(), p.id(), REQUEST_TIMEOUT)
                .map_err(|e| client::error(target, "reading offsets", &e, Some(consumer.context())))?;
            out.push((t.name().to_owned(), p.id(), low, high));
        }
    }
    out.sort();
    Ok(out)
}

/// The group's committed offset for each of `partitions` (`None`: never committed).
pub(super) fn committed(
    target: &ConnectionTarget,
    group: &str,
    partitions: &[(String, i32, i64, i64)],
) -> Result<Vec<Option<i64>>> {
    let consumer = client::consumer(target, Some(group))?;
    let mut list = TopicPartitionList::new();
    for (topic, partition, _, _) in partitions {
        list.add_partition(topic, *partition);
    }
    let offsets = consumer.committed_offsets(list, REQUEST_TIMEOUT).map_err(|e| {
        client::error(target, &format!("reading group {group}'s offsets"), &e, Some(consumer.context()))
    })?;
    Ok(partitions
        .iter()
        .map(|(topic, partition, _, _)| match offsets.find_partition(topic, *partition).map(|e| e.offset()) {
            Some(Offset::Offset(n)) => Some(n),
            _ => None,
        })
        .collect())
}

/// A group's lag on `topic` (or on every topic it committed on), one row per partition.
pub(super) async fn group_lag(target: &ConnectionTarget, group: &str, topic: Option<&str>) -> Result<Vec<ConsumerLag>> {
    let (t, g, topic) = (target.clone(), group.to_owned(), topic.map(str::to_owned));
    blocking(move || {
        let consumer = client::consumer(&t, None)?;
        let partitions = partitions(&consumer, &t, topic.as_deref())?;
        let committed = committed(&t, &g, &partitions)?;
        // Without a topic: every partition of the topics the group committed on (a
        // partition it never reached is all lag); with one, every partition of it.
        let consumed: std::collections::HashSet<&str> =
            partitions.iter().zip(&committed).filter(|(_, c)| c.is_some()).map(|(p, _)| p.0.as_str()).collect();
        Ok(partitions
            .iter()
            .zip(committed.iter().copied())
            .filter(|((name, ..), _)| topic.is_some() || consumed.contains(name.as_str()))
            .map(|((name, partition, low, high), committed)| lag_row(&g, name, *partition, *low, *high, committed))
            .collect())
    })
    .await
}

pub(super) fn lag_row(
    group: &str,
    topic: &str,
    partition: i32,
    low: i64,
    high: i64,
    committed: Option<i64>,
) -> ConsumerLag {
    // No commit yet: a new member starts at the earliest or latest offset by its own
    // setting, so the lag is shown as what it would have to read from the beginning.
    let from = committed.unwrap_or(low).max(low);
    ConsumerLag {
        stream: topic.to_owned(),
        consumer: group.to_owned(),
        pending: Some(u64::try_from(high - from).unwrap_or(0)),
        partition: Some(partition),
        committed,
        end_offset: Some(high),
        ..ConsumerLag::default()
    }
}

/// One group: lag per partition, and its state and members where the broker describes
/// groups (asked on a client of its own, which a failed describe cannot disturb).
pub(super) async fn group(target: &ConnectionTarget, name: &str, topic: Option<&str>) -> Result<GroupDetail> {
    let lag = group_lag(target, name, topic).await?;
    let total_lag = lag.iter().filter_map(|l| l.pending).sum();
    let (state, members, members_error) = match describe(target, name).await {
        Ok((state, members)) => (Some(state), Some(members), None),
        Err(e) => (None, None, Some(e.message)),
    };
    Ok(GroupDetail { name: name.to_owned(), state, members, members_error, lag, total_lag })
}

/// The group's state and members by `DescribeGroups`.
pub(super) async fn describe(target: &ConnectionTarget, group: &str) -> Result<(String, Vec<GroupMember>)> {
    let (t, g) = (target.clone(), group.to_owned());
    blocking(move || {
        let consumer = client::consumer(&t, None)?;
        let list = consumer.fetch_group_list(Some(&g), DESCRIBE_TIMEOUT).map_err(|e| {
            let mut e = client::error(&t, &format!("describing group {g}"), &e, Some(consumer.context()));
            e.message.push_str(" (this broker may not answer DescribeGroups; the lag is still exact)");
            e
        })?;
        let info = list
            .groups()
            .iter()
            .find(|i| i.name() == g)
            .ok_or_else(|| Error::not_found(format!("the broker did not describe group {g}")))?;
        let members = info
            .members()
            .iter()
            .map(|m| GroupMember {
                id: m.id().to_owned(),
                client_id: m.client_id().to_owned(),
                host: m.client_host().to_owned(),
                assignment: m.assignment().map(assignment).unwrap_or_default(),
            })
            .collect();
        Ok((info.state().to_owned(), members))
    })
    .await
}

/// A member's assignment in the consumer protocol: version, then `[topic, [partition]]`.
fn assignment(bytes: &[u8]) -> Vec<(String, Vec<i32>)> {
    let mut at = 2;
    let mut take = |n: usize| {
        let slice = bytes.get(at..at + n);
        at += n;
        slice
    };
    let mut out = Vec::new();
    let Some(count) = take(4).map(|b| i32::from_be_bytes([b[0], b[1], b[2], b[3]])) else { return out };
    for _ in 0..count.max(0) {
        let Some(len) = take(2).map(|b| i16::from_be_bytes([b[0], b[1]])) else { break };
        let Some(topic) = take(usize::try_from(len).unwrap_or(0)).map(|b| String::from_utf8_lossy(b).into_owned())
        else {
            break;
        };
        let Some(n) = take(4).map(|b| i32::from_be_bytes([b[0], b[1], b[2], b[3]])) else { break };
        let partitions: Vec<i32> =
            (0..n.max(0)).map_while(|_| take(4).map(|b| i32::from_be_bytes([b[0], b[1], b[2], b[3]]))).collect();
        out.push((topic, partitions));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_is_end_minus_committed_and_a_member_assignment_decodes() {
        let row = lag_row("g", "t", 1, 0, 4000, Some(1000));
        assert_eq!((row.pending, row.committed, row.end_offset), (Some(3000), Some(1000), Some(4000)));
        // Never committed: everything still held; records already deleted are not lag.
        assert_eq!(lag_row("g", "t", 0, 500, 900, None).pending, Some(400));
        let mut bytes = vec![0, 0, 0, 0, 0, 1, 0, 6];
        bytes.extend(b"orders");
        bytes.extend([0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2]);
        assert_eq!(assignment(&bytes), vec![("orders".to_owned(), vec![0, 2])]);
        assert!(assignment(&[0]).is_empty());
    }
}
