//! Kafka view: topics and consumer groups, a group's lag, and the offset reset with its
//! preview. The numbers are offsets and counts, sent as JS numbers (exact to 2^53).

use dbdock_app::Audience;
use dbdock_core::{ConsumerLag, GroupDetail, OffsetReset, OffsetResetPlan, Result, TopicCatalog, TopicStart};
use serde::Serialize;
use specta::Type;
use tauri::State;

use crate::AppState;

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TopicCatalogView {
    pub cluster_id: Option<String>,
    pub brokers: Vec<BrokerView>,
    pub topics: Vec<TopicView>,
    pub groups: Vec<GroupSummaryView>,
    pub groups_error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BrokerView {
    pub id: i32,
    pub host: String,
    pub port: i32,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TopicView {
    pub name: String,
    pub partitions: Vec<PartitionView>,
    pub replication: u32,
    pub messages: f64,
    pub configs: Vec<(String, String)>,
    pub configs_error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PartitionView {
    pub id: i32,
    pub leader: i32,
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
    pub low: f64,
    pub high: f64,
    pub messages: f64,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct GroupSummaryView {
    pub name: String,
    pub state: Option<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct GroupView {
    pub name: String,
    pub state: Option<String>,
    /// None when the broker could not describe the group (`membersError` says why).
    pub members: Option<Vec<MemberView>>,
    pub members_error: Option<String>,
    pub lag: Vec<PartitionLagView>,
    pub total_lag: f64,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MemberView {
    pub id: String,
    pub client_id: String,
    pub host: String,
    pub assignment: Vec<(String, Vec<i32>)>,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PartitionLagView {
    pub topic: String,
    pub partition: i32,
    /// None: the group never committed on this partition.
    pub committed: Option<f64>,
    pub end_offset: Option<f64>,
    pub lag: f64,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ResetPlanView {
    pub group: String,
    pub topic: String,
    pub partitions: Vec<PartitionResetView>,
    pub lag_before: f64,
    pub lag_after: f64,
    /// False for the preview.
    pub applied: bool,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PartitionResetView {
    pub partition: i32,
    pub old: Option<f64>,
    pub new: f64,
    pub lag_before: f64,
    pub lag_after: f64,
}

fn catalog_view(c: TopicCatalog) -> TopicCatalogView {
    TopicCatalogView {
        cluster_id: c.cluster_id,
        brokers: c.brokers.into_iter().map(|b| BrokerView { id: b.id, host: b.host, port: b.port }).collect(),
        topics: c
            .topics
            .into_iter()
            .map(|t| TopicView {
                partitions: t
                    .partitions
                    .iter()
                    .map(|p| PartitionView {
                        id: p.id,
                        leader: p.leader,
                        replicas: p.replicas.clone(),
                        isr: p.isr.clone(),
                        low: p.low as f64,
                        high: p.high as f64,
                        messages: p.messages() as f64,
                    })
                    .collect(),
                name: t.name,
                replication: u32::try_from(t.replication).unwrap_or(u32::MAX),
                messages: t.messages as f64,
                configs: t.configs,
                configs_error: t.configs_error,
            })
            .collect(),
        groups: c.groups.into_iter().map(|g| GroupSummaryView { name: g.name, state: g.state }).collect(),
        groups_error: c.groups_error,
    }
}

fn lag_view(l: &ConsumerLag) -> PartitionLagView {
    PartitionLagView {
        topic: l.stream.clone(),
        partition: l.partition.unwrap_or_default(),
        committed: l.committed.map(|n| n as f64),
        end_offset: l.end_offset.map(|n| n as f64),
        lag: l.pending.unwrap_or_default() as f64,
    }
}

fn group_view(g: GroupDetail) -> GroupView {
    GroupView {
        lag: g.lag.iter().map(lag_view).collect(),
        total_lag: g.total_lag as f64,
        name: g.name,
        state: g.state,
        members: g.members.map(|members| {
            members
                .into_iter()
                .map(|m| MemberView { id: m.id, client_id: m.client_id, host: m.host, assignment: m.assignment })
                .collect()
        }),
        members_error: g.members_error,
    }
}

fn plan_view(p: OffsetResetPlan) -> ResetPlanView {
    ResetPlanView {
        partitions: p
            .partitions
            .iter()
            .map(|r| PartitionResetView {
                partition: r.partition,
                old: r.old.map(|n| n as f64),
                new: r.new as f64,
                lag_before: r.lag_before as f64,
                lag_after: r.lag_after as f64,
            })
            .collect(),
        group: p.group,
        topic: p.topic,
        lag_before: p.lag_before as f64,
        lag_after: p.lag_after as f64,
        applied: p.applied,
    }
}

/// Brokers, topics (partitions, offsets, settings) and consumer groups.
#[tauri::command]
#[specta::specta]
pub async fn kafka_catalog(state: State<'_, AppState>, profile: String) -> Result<TopicCatalogView> {
    let resolved = state.workspace.resolve(Audience::User, &profile).await?;
    Ok(catalog_view(state.workspace.topic_catalog(&resolved).await?))
}

/// One group: members where the broker describes them, lag per partition.
#[tauri::command]
#[specta::specta]
pub async fn kafka_group(
    state: State<'_, AppState>,
    profile: String,
    group: String,
    topic: Option<String>,
) -> Result<GroupView> {
    let resolved = state.workspace.resolve(Audience::User, &profile).await?;
    Ok(group_view(state.workspace.consumer_group(&resolved, &group, topic.as_deref()).await?))
}

/// The plan of an offset reset (`apply` false: the preview the dialog shows), or the reset.
/// `to` is earliest, latest, an offset or an RFC 3339 time.
#[tauri::command]
#[specta::specta]
pub async fn kafka_reset_offsets(
    state: State<'_, AppState>,
    profile: String,
    group: String,
    topic: String,
    to: String,
    partition: Option<i32>,
    apply: bool,
) -> Result<ResetPlanView> {
    let resolved = state.workspace.resolve(Audience::User, &profile).await?;
    let reset = OffsetReset { group, topic, to: TopicStart::parse(&to)?, partition };
    Ok(plan_view(state.workspace.reset_offsets(&resolved, &reset, apply).await?))
}
