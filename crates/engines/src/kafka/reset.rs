//! Moving a consumer group's committed offsets on one topic: the plan (old and new offset
//! and the lag before and after, per partition) is computed the same way for the preview
//! and for the run, and the run is refused while the group has active members, as Kafka
//! itself refuses (docs/kafka.md, "Offset reset").

use dbdock_core::{
    ConnectionTarget, Error, ErrorCode, OffsetReset, OffsetResetPlan, PartitionReset, Result, TopicStart,
};
use rdkafka::consumer::{CommitMode, Consumer};
use rdkafka::{Offset, TopicPartitionList};

use super::catalog::{committed, describe, partitions};
use super::client::{self, REQUEST_TIMEOUT, blocking};

/// The plan of `reset`, and with `apply` the reset itself (then the plan as committed).
pub(super) async fn reset_offsets(
    target: &ConnectionTarget,
    reset: &OffsetReset,
    apply: bool,
) -> Result<OffsetResetPlan> {
    let plan = plan(target, reset).await?;
    if !apply {
        return Ok(plan);
    }
    // Where the broker describes groups, an active group is refused before anything is
    // sent; where it cannot, the commit itself is refused by a broker that tracks members
    // (UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION), mapped to the same code.
    if let Ok((state, members)) = describe(target, &reset.group).await
        && !members.is_empty()
    {
        return Err(active_members(&reset.group, members.len(), &state));
    }
    let (t, group, new) = (target.clone(), reset.group.clone(), plan.partitions.clone());
    let topic = reset.topic.clone();
    blocking(move || {
        let consumer = client::consumer(&t, Some(&group))?;
        let mut list = TopicPartitionList::new();
        for p in &new {
            list.add_partition_offset(&topic, p.partition, Offset::Offset(p.new))
                .map_err(|e| Error::internal(format!("cannot list partition {}: {e}", p.partition)))?;
        }
        consumer.commit(&list, CommitMode::Sync).map_err(|e| {
            let error = client::error(&t, &format!("committing group {group}'s offsets"), &e, Some(consumer.context()));
            if error.code == ErrorCode::InUse { active_members(&group, 0, "") } else { error }
        })
    })
    .await?;
    Ok(OffsetResetPlan { applied: true, ..plan })
}

fn active_members(group: &str, count: usize, state: &str) -> Error {
    let who = if count > 0 { format!("{count} active member(s), state {state}") } else { "active members".to_owned() };
    Error::new(
        ErrorCode::InUse,
        format!(
            "group {group} has {who}: Kafka moves a group's offsets only while no consumer of it runs. Stop its \
             consumers, then reset again. Nothing was changed."
        ),
    )
}

async fn plan(target: &ConnectionTarget, reset: &OffsetReset) -> Result<OffsetResetPlan> {
    let (t, r) = (target.clone(), reset.clone());
    blocking(move || {
        let consumer = client::consumer(&t, None)?;
        let mut parts = partitions(&consumer, &t, Some(&r.topic))?;
        if let Some(wanted) = r.partition {
            parts.retain(|(_, p, _, _)| *p == wanted);
            if parts.is_empty() {
                return Err(Error::not_found(format!("topic {} has no partition {wanted}", r.topic)));
            }
        }
        let old = committed(&t, &r.group, &parts)?;
        let by_time = match r.to {
            TopicStart::Time(ms) => Some(offsets_for_time(&consumer, &t, &r.topic, &parts, ms)?),
            _ => None,
        };
        let partitions = parts
            .iter()
            .zip(old)
            .enumerate()
            .map(|(i, ((_, partition, low, high), old))| {
                let new = match r.to {
                    TopicStart::Earliest => *low,
                    TopicStart::Latest => *high,
                    TopicStart::Offset(n) => n.clamp(*low, *high),
                    TopicStart::Time(_) => by_time.as_ref().map_or(*high, |v| v[i]),
                };
                let lag = |from: i64| u64::try_from(high - from.max(*low)).unwrap_or(0);
                PartitionReset {
                    partition: *partition,
                    old,
                    new,
                    lag_before: lag(old.unwrap_or(*low)),
                    lag_after: lag(new),
                }
            })
            .collect();
        Ok(OffsetResetPlan { group: r.group, topic: r.topic, partitions, applied: false, ..Default::default() }
            .totalled())
    })
    .await
}

/// The first offset at or after `ms` in each partition (the end where none is).
pub(super) fn offsets_for_time(
    consumer: &client::Reader,
    target: &ConnectionTarget,
    topic: &str,
    parts: &[(String, i32, i64, i64)],
    ms: i64,
) -> Result<Vec<i64>> {
    let mut list = TopicPartitionList::new();
    for (_, partition, _, _) in parts {
        list.add_partition_offset(topic, *partition, Offset::Offset(ms))
            .map_err(|e| Error::internal(format!("cannot list partition {partition}: {e}")))?;
    }
    let found = consumer
        .offsets_for_times(list, REQUEST_TIMEOUT)
        .map_err(|e| client::error(target, "finding offsets by time", &e, Some(consumer.context())))?;
    Ok(parts
        .iter()
        .map(|(_, partition, _, high)| match found.find_partition(topic, *partition).map(|e| e.offset()) {
            Some(Offset::Offset(n)) if n >= 0 => n,
            _ => *high,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use rdkafka::error::{KafkaError, RDKafkaErrorCode};

    use super::*;

    /// A broker that tracks members refuses a non-member's commit to an active group with
    /// one of these codes; each is the coded refusal, not a query failure. (The tansu test
    /// broker accepts such a commit, so this mapping is what the suite can check.)
    #[test]
    fn a_commit_refused_for_active_members_is_in_use() {
        let target = ConnectionTarget::parse("kafka://127.0.0.1:9092").unwrap_or_else(|e| panic!("{e}"));
        for code in [
            RDKafkaErrorCode::UnknownMemberId,
            RDKafkaErrorCode::IllegalGeneration,
            RDKafkaErrorCode::RebalanceInProgress,
        ] {
            let e = client::error(&target, "committing", &KafkaError::ConsumerCommit(code), None);
            assert_eq!(e.code, ErrorCode::InUse, "{code:?}");
        }
        let refusal = active_members("billing", 2, "Stable");
        assert_eq!(refusal.code, ErrorCode::InUse);
        assert!(refusal.message.contains("2 active member(s)") && refusal.message.contains("Nothing was changed"));
    }
}
