//! What a log server with topics and consumer groups (Kafka) holds, as every face shows
//! it: brokers, topics with their partitions' offsets, consumer groups with their lag, and
//! the plan of an offset reset (docs/kafka.md).

use serde::Serialize;

use crate::{ConsumerLag, TopicStart};

/// Brokers, topics and groups of one cluster.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TopicCatalog {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    pub brokers: Vec<BrokerInfo>,
    pub topics: Vec<TopicInfo>,
    pub groups: Vec<GroupSummary>,
    /// Why the groups could not be listed, when they could not (the topics still are).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokerInfo {
    pub id: i32,
    pub host: String,
    pub port: i32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TopicInfo {
    pub name: String,
    pub partitions: Vec<PartitionInfo>,
    /// Replicas per partition (the largest, if they differ).
    pub replication: usize,
    /// Messages held now: the sum of each partition's high minus low watermark.
    pub messages: u64,
    /// The topic's settings that matter to a reader (retention, cleanup policy, …).
    pub configs: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub configs_error: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PartitionInfo {
    pub id: i32,
    pub leader: i32,
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
    /// The first offset still held, and the next offset to be written.
    pub low: i64,
    pub high: i64,
}

impl PartitionInfo {
    pub fn messages(&self) -> u64 {
        u64::try_from(self.high - self.low).unwrap_or(0)
    }
}

/// A consumer group as the group list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupSummary {
    pub name: String,
    /// `Stable`, `Empty`, … where the broker says; `None` where it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// One group: its members (where the broker can describe them) and its lag per partition
/// from its committed offsets and the partitions' end offsets.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GroupDetail {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// `None` when the broker could not describe the group (`members_error` says why).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<GroupMember>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members_error: Option<String>,
    /// One row per partition the group committed on (or of the topic asked for).
    pub lag: Vec<ConsumerLag>,
    pub total_lag: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupMember {
    pub id: String,
    pub client_id: String,
    pub host: String,
    /// `topic` → partitions, as assigned to this member.
    pub assignment: Vec<(String, Vec<i32>)>,
}

/// Moving a group's committed offsets on one topic (all partitions, or one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetReset {
    pub group: String,
    pub topic: String,
    pub to: TopicStart,
    pub partition: Option<i32>,
}

impl OffsetReset {
    /// The reset as one line, for previews, approvals and the audit log.
    pub fn describe(&self) -> String {
        let partitions = self.partition.map_or_else(|| "every partition".to_owned(), |p| format!("partition {p}"));
        format!("reset group {} on {} ({partitions}) to {}", self.group, self.topic, self.to)
    }
}

/// What a reset does (or did) per partition, and to the group's lag on the topic.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OffsetResetPlan {
    pub group: String,
    pub topic: String,
    pub partitions: Vec<PartitionReset>,
    pub lag_before: u64,
    pub lag_after: u64,
    /// False for a preview (`--dry-run`, the app's review step).
    pub applied: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PartitionReset {
    pub partition: i32,
    /// The committed offset before; `None` when the group never committed here.
    pub old: Option<i64>,
    pub new: i64,
    pub lag_before: u64,
    pub lag_after: u64,
}

impl OffsetResetPlan {
    /// Sums the partitions' lags into the plan's totals.
    pub fn totalled(mut self) -> Self {
        self.lag_before = self.partitions.iter().map(|p| p.lag_before).sum();
        self.lag_after = self.partitions.iter().map(|p| p.lag_after).sum();
        self
    }
}
