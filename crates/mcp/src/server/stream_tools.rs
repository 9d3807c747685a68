//! The stream tools (README, "The MCP endpoint"): `sample-events` collects
//! until N events or T milliseconds, whichever comes first; `subscribe` / `read-events` /
//! `unsubscribe` keep a bounded buffer per handle; `publish` and `request` write and so
//! need read-write access; `stream-lag` reads consumer lag; `reset-consumer-offset` moves
//! a Kafka group's committed offsets, a write like publish. Watching is a read: any
//! exposed profile may be watched.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use dbdock_core::{Error, ErrorCode, Event, OffsetReset, OffsetResetPlan, TopicStart, WatchTarget, WritePreview};
use dbdock_engines::{Monitor, MonitorOptions, Routing};
use dbdock_store::ResolvedProfile;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResponse, CallToolResult};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::Mutex;

use super::approval::{asked_or, awaiting_user, respond};
use super::responses::{
    EventsRead, LagReport, PublishedReport, ReplyReport, Sampled, StoppedBy, Subscribed, Unsubscribed,
};
use super::{Call, DbDockServer};
use crate::render::Rendered;

/// Live subscriptions per session: more would let one client hold many server connections.
pub const MAX_SUBSCRIPTIONS: usize = 8;
/// A subscription nobody read for this long is closed.
pub const IDLE_EXPIRY: Duration = Duration::from_secs(300);
/// Events a subscription keeps between reads; past it the oldest are dropped and counted.
const SUBSCRIPTION_BUFFER: usize = 10_000;
const DEFAULT_MAX_EVENTS: usize = 100;
const MAX_EVENTS: usize = 1_000;
const DEFAULT_SAMPLE_MS: u64 = 5_000;
const MAX_WAIT_MS: u64 = 60_000;

struct Subscription {
    monitor: Monitor,
    profile: String,
    last_used: Instant,
    /// Events taken from the monitor that did not fit in a read-events answer: the next
    /// read returns them first, so none is lost.
    unsent: VecDeque<Event>,
}

/// One session's subscriptions.
#[derive(Default)]
pub struct Subscriptions {
    live: Mutex<HashMap<String, Subscription>>,
}

impl crate::metrics::MonitorSource for Subscriptions {
    /// The state of each subscription, for the endpoint's metrics.
    fn statuses(&self) -> std::pin::Pin<Box<dyn Future<Output = Vec<dbdock_core::MonitorStatus>> + Send + '_>> {
        Box::pin(async { self.live.lock().await.values().map(|s| s.monitor.status()).collect() })
    }
}

impl Subscriptions {
    /// Closes the subscriptions idle past [`IDLE_EXPIRY`].
    async fn expire_idle(&self) {
        let expired: Vec<Subscription> = {
            let mut live = self.live.lock().await;
            let ids: Vec<String> =
                live.iter().filter(|(_, s)| s.last_used.elapsed() > IDLE_EXPIRY).map(|(id, _)| id.clone()).collect();
            ids.iter().filter_map(|id| live.remove(id)).collect()
        };
        for subscription in expired {
            subscription.monitor.stop().await;
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SampleArgs {
    /// The connection's name, as list-connections shows it.
    pub connection_id: String,
    /// What to watch: channel:NAME, pattern:GLOB, keyspace:GLOB, stream:KEY (Redis);
    /// subject:SUBJECT (NATS, * and > wildcards), lag:STREAM/CONSUMER, kv:BUCKET; notify:CHANNEL
    /// (PostgreSQL); changes:COLLECTION (MongoDB).
    pub target: String,
    /// Stop after this many messages (default 100, at most 1000).
    pub max_events: Option<usize>,
    /// Stop after this many milliseconds (default 5000, at most 60000).
    pub timeout_ms: Option<u64>,
    /// Keep only messages whose JSON payload has these fields equal to these values
    /// (a field may be a dotted path: {"symbol": "ACME", "venue.mic": "XNAS"}); the
    /// others are passed over and counted. With topic:NAME@earliest (or @TIMESTAMP) on
    /// Kafka this finds past messages, e.g. the latest quote for one symbol.
    #[serde(default)]
    pub filter: serde_json::Map<String, Value>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubscribeArgs {
    /// The connection's name, as list-connections shows it.
    pub connection_id: String,
    /// What to watch, as for sample-events.
    pub target: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReadArgs {
    /// The handle subscribe returned.
    pub subscription_id: String,
    /// At most this many events (default 100, at most 1000).
    pub max_events: Option<usize>,
    /// When nothing is buffered, wait up to this many milliseconds for the first event (default 1000).
    pub wait_ms: Option<u64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnsubscribeArgs {
    /// The handle subscribe returned.
    pub subscription_id: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PublishArgs {
    /// The connection's name, as list-connections shows it.
    pub connection_id: String,
    /// Where to publish: channel:NAME or stream:KEY (Redis), subject:SUBJECT (NATS), notify:CHANNEL
    /// (PostgreSQL), topic:NAME (Kafka).
    pub target: String,
    /// The message, as text.
    pub payload: String,
    /// Headers (NATS, Kafka) or extra stream fields (Redis streams).
    #[serde(default)]
    pub headers: HashMap<String, String>,
    /// Kafka: the message key (it picks the partition unless one is given).
    pub key: Option<String>,
    /// Kafka: the partition to write to.
    pub partition: Option<i32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RequestArgs {
    /// The connection's name (a NATS connection).
    pub connection_id: String,
    /// subject:SUBJECT to send the request to.
    pub target: String,
    /// The request body, as text.
    pub payload: String,
    /// Headers to send.
    #[serde(default)]
    pub headers: HashMap<String, String>,
    /// Give up after this many milliseconds (default 5000, at most 60000).
    pub timeout_ms: Option<u64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LagArgs {
    /// The connection's name (NATS, Redis or Kafka).
    pub connection_id: String,
    /// The JetStream stream, the Redis stream key, or the Kafka topic (on Kafka it may be
    /// empty when consumer names a group: every topic the group committed on).
    pub stream: String,
    /// One JetStream consumer, Redis consumer group or Kafka consumer group (default: all of them).
    pub consumer: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResetOffsetArgs {
    /// The connection's name (a Kafka connection).
    pub connection_id: String,
    /// The consumer group whose committed offsets move.
    pub group: String,
    /// The topic whose partitions' offsets move.
    pub topic: String,
    /// Where to: earliest, latest, an offset, or a time (RFC 3339, e.g. 2026-12-07T10:00:00Z: the
    /// first message at or after it).
    pub to: String,
    /// Only this partition (default: every partition of the topic).
    pub partition: Option<i32>,
    /// Only show the plan (old and new offsets, lag before and after); nothing changes.
    #[serde(default)]
    pub dry_run: bool,
}

/// The events that fit in `max_bytes` once encoded (see render.rs), as JSON, and how many
/// of `events` that is; at least one is always sent.
fn events_json(events: &[Event], max_bytes: u64) -> (Vec<Value>, usize) {
    let budget = usize::try_from(max_bytes).unwrap_or(usize::MAX);
    let mut out = Vec::with_capacity(events.len());
    let mut used = 0;
    for event in events {
        let value = serde_json::to_value(event).unwrap_or(Value::Null);
        used += crate::render::encoded_cost(&value) + 2;
        if used > budget && !out.is_empty() {
            break;
        }
        out.push(value);
    }
    let sent = out.len();
    (out, sent)
}

fn sorted_headers(headers: &HashMap<String, String>) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = headers.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    pairs.sort();
    pairs
}

fn max_bytes(resolved: &ResolvedProfile) -> u64 {
    resolved.profile.max_bytes.unwrap_or(crate::endpoint::DEFAULT_MAX_BYTES)
}

#[tool_router(router = stream_router, vis = "pub(crate)")]
impl DbDockServer {
    #[tool(
        name = "sample-events",
        description = "Watch a live source for a short while and get what arrived: stops at maxEvents messages or timeoutMs milliseconds, whichever comes first. Targets: {targets} (NATS subjects take * and > wildcards). Only messages published during the window are seen, except on Kafka topics started @earliest, @OFFSET or @TIMESTAMP. filter keeps only messages whose JSON fields equal the values given.",
        annotations(read_only_hint = true, destructive_hint = false, idempotent_hint = false, open_world_hint = true)
    )]
    async fn sample_events(
        &self,
        Parameters(args): Parameters<SampleArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        let call = Call { profile: Some(&args.connection_id), statement: Some(&args.target), params: None };
        self.on_stream(&ctx, call, &args.connection_id, async |resolved| {
            let what = WatchTarget::parse(&args.target)?;
            let max = args.max_events.unwrap_or(DEFAULT_MAX_EVENTS).clamp(1, MAX_EVENTS);
            let wait = Duration::from_millis(args.timeout_ms.unwrap_or(DEFAULT_SAMPLE_MS).min(MAX_WAIT_MS));
            let options = MonitorOptions {
                // Passed-over messages pass through the buffer too.
                capacity: if args.filter.is_empty() { MAX_EVENTS } else { SUBSCRIPTION_BUFFER },
                profile: Some(resolved.profile.name.clone()),
                ..MonitorOptions::default()
            };
            let started = Instant::now();
            let monitor = self.endpoint.workspace().watch(resolved.clone(), what, options).await?;
            let (events, passed_over) = monitor.sample_where(max, wait, |e| e.json_matches(&args.filter)).await;
            let status = monitor.status();
            monitor.stop().await;
            let messages = events.iter().filter(|e| e.kind == dbdock_core::EventKind::Message).count();
            let (events_sent, sent) = events_json(&events, max_bytes(resolved));
            let truncated = sent < events.len();
            let events = events_sent;
            let body = Sampled {
                events,
                messages,
                stopped_by: if messages >= max { StoppedBy::MaxEvents } else { StoppedBy::Timeout },
                elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                truncated,
                dropped: status.dropped,
                passed_over,
            };
            Ok(Rendered { rows: Some(messages as u64), ..Rendered::json(&body) })
        })
        .await
    }

    #[tool(
        name = "subscribe",
        description = "Start watching a live source (same targets as sample-events) and get a subscriptionId; then call read-events repeatedly to get what arrived since the last read, and unsubscribe when done. At most 8 subscriptions per session; one unread for 5 minutes is closed. The buffer keeps the newest 10000 events and counts what it drops.",
        annotations(read_only_hint = true, destructive_hint = false, idempotent_hint = false, open_world_hint = true)
    )]
    async fn subscribe(
        &self,
        Parameters(args): Parameters<SubscribeArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        let call = Call { profile: Some(&args.connection_id), statement: Some(&args.target), params: None };
        self.subscriptions.expire_idle().await;
        self.on_stream(&ctx, call, &args.connection_id, async |resolved| {
            let what = WatchTarget::parse(&args.target)?;
            if self.subscriptions.live.lock().await.len() >= MAX_SUBSCRIPTIONS {
                return Err(Error::new(
                    ErrorCode::PermissionDenied,
                    format!("this session already has {MAX_SUBSCRIPTIONS} subscriptions: unsubscribe one first"),
                ));
            }
            let options = MonitorOptions {
                capacity: SUBSCRIPTION_BUFFER,
                profile: Some(resolved.profile.name.clone()),
                ..MonitorOptions::default()
            };
            let monitor = self.endpoint.workspace().watch(resolved.clone(), what, options).await?;
            let id = monitor.id().to_owned();
            let status = monitor.status();
            let subscription = Subscription {
                monitor,
                profile: resolved.profile.name.clone(),
                last_used: Instant::now(),
                unsent: VecDeque::new(),
            };
            self.subscriptions.live.lock().await.insert(id.clone(), subscription);
            Ok(Rendered::json(&Subscribed { subscription_id: id, target: status.target, state: status.state }))
        })
        .await
    }

    #[tool(
        name = "read-events",
        description = "Get the events a subscription buffered since the last read (oldest first), waiting up to waitMs for the first one when none are buffered. Also returns the subscription's status: state, totals, and how many events were dropped because they were not read in time.",
        annotations(read_only_hint = true, destructive_hint = false, idempotent_hint = false, open_world_hint = true)
    )]
    async fn read_events(
        &self,
        Parameters(args): Parameters<ReadArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        self.subscriptions.expire_idle().await;
        let max = args.max_events.unwrap_or(DEFAULT_MAX_EVENTS).clamp(1, MAX_EVENTS);
        let wait = Duration::from_millis(args.wait_ms.unwrap_or(1_000).min(MAX_WAIT_MS));
        let profile = self.subscriptions.live.lock().await.get(&args.subscription_id).map(|s| s.profile.clone());
        let call = Call { profile: profile.as_deref(), statement: Some(&args.subscription_id), params: None };
        self.audited_tool(&ctx, call, None, async || {
            let profile = profile.as_deref().ok_or_else(|| unknown_subscription(&args.subscription_id))?;
            // The cap comes first: nothing is taken from the buffer for a call that fails.
            let max_bytes = max_bytes(&self.endpoint.stream_profile(profile).await?);
            // Taken out of the map while waiting, so other calls are not blocked; put back after.
            let mut subscription = self
                .subscriptions
                .live
                .lock()
                .await
                .remove(&args.subscription_id)
                .ok_or_else(|| unknown_subscription(&args.subscription_id))?;
            let mut events: Vec<Event> = subscription.unsent.drain(..).collect();
            if events.len() < max {
                let wait = if events.is_empty() { wait } else { Duration::ZERO };
                events.extend(subscription.monitor.read(max - events.len(), wait).await);
            }
            let (sent, count) = events_json(&events, max_bytes);
            // What did not fit waits for the next read, in order.
            subscription.unsent.extend(events.into_iter().skip(count));
            let status = subscription.monitor.status();
            let unsent = subscription.unsent.len();
            subscription.last_used = Instant::now();
            self.subscriptions.live.lock().await.insert(args.subscription_id.clone(), subscription);
            let body = EventsRead { events: sent, truncated: unsent > 0, unread: unsent, status };
            Ok(Rendered { rows: Some(count as u64), ..Rendered::json(&body) })
        })
        .await
    }

    #[tool(
        name = "unsubscribe",
        description = "Stop a subscription and free its buffer. Returns its final totals.",
        annotations(read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn unsubscribe(
        &self,
        Parameters(args): Parameters<UnsubscribeArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        let profile = self.subscriptions.live.lock().await.get(&args.subscription_id).map(|s| s.profile.clone());
        let call = Call { profile: profile.as_deref(), statement: Some(&args.subscription_id), params: None };
        self.audited_tool(&ctx, call, None, async || {
            let subscription = self
                .subscriptions
                .live
                .lock()
                .await
                .remove(&args.subscription_id)
                .ok_or_else(|| unknown_subscription(&args.subscription_id))?;
            let status = subscription.monitor.status();
            subscription.monitor.stop().await;
            Ok(Rendered::json(&Unsubscribed { stopped: true, status, unread: subscription.unsent.len() }))
        })
        .await
    }

    #[tool(
        name = "publish",
        description = "Publish one message: channel:NAME or stream:KEY (Redis; headers become stream fields), subject:SUBJECT (NATS, with headers), notify:CHANNEL (PostgreSQL), topic:NAME (Kafka, with headers, key and partition). A write: runs where the user allowed read-write access; where the access is 'ask' a human sees the target and payload and it runs only if they approve (PERMISSION_DENIED or TIMEOUT otherwise); elsewhere it fails with READ_ONLY_VIOLATION: then ask the user.",
        annotations(read_only_hint = false, destructive_hint = false, idempotent_hint = false, open_world_hint = true)
    )]
    async fn publish(
        &self,
        Parameters(args): Parameters<PublishArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResponse {
        let params = [Value::String(args.payload.clone())];
        let call = Call { profile: Some(&args.connection_id), statement: Some(&args.target), params: Some(&params) };
        let headers = sorted_headers(&args.headers);
        let mut asked = None;
        let result = self
            .on_stream(&ctx, call, &args.connection_id, async |resolved| {
                let what = WatchTarget::parse(&args.target)?;
                let request = self.stream_write(&ctx, resolved, "publish", &args.target, &args.payload, &headers);
                let preview = async || WritePreview::not_run(format!("publishes one message to {}", args.target));
                let written = self
                    .gated_write(&ctx, &request, "publishing", preview, async |_| {
                        let workspace = self.endpoint.workspace();
                        let routing = Routing { key: args.key.clone(), partition: args.partition };
                        let published =
                            workspace.publish(resolved, &what, args.payload.as_bytes(), &headers, &routing).await?;
                        Ok((published, 1))
                    })
                    .await?;
                Ok(match asked_or(written, &mut asked) {
                    Some(published) => Rendered::json(&PublishedReport {
                        published: true,
                        receivers: published.receivers,
                        sequence: published.sequence,
                        partition: published.partition,
                    }),
                    None => awaiting_user(),
                })
            })
            .await;
        respond(asked, result)
    }

    #[tool(
        name = "request",
        description = "Send a NATS request (subject:SUBJECT) and wait up to timeoutMs for the reply; returns the reply's subject, payload and headers. It publishes, so it needs read-write access (or the user's approval on 'ask') like publish.",
        annotations(read_only_hint = false, destructive_hint = false, idempotent_hint = false, open_world_hint = true)
    )]
    async fn request(
        &self,
        Parameters(args): Parameters<RequestArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResponse {
        let params = [Value::String(args.payload.clone())];
        let call = Call { profile: Some(&args.connection_id), statement: Some(&args.target), params: Some(&params) };
        let headers = sorted_headers(&args.headers);
        let mut asked = None;
        let result = self
            .on_stream(&ctx, call, &args.connection_id, async |resolved| {
                let what = WatchTarget::parse(&args.target)?;
                let timeout = Duration::from_millis(args.timeout_ms.unwrap_or(DEFAULT_SAMPLE_MS).min(MAX_WAIT_MS));
                let request = self.stream_write(&ctx, resolved, "request", &args.target, &args.payload, &headers);
                let preview = async || WritePreview::not_run(format!("sends one request to {}", args.target));
                let written = self
                    .gated_write(&ctx, &request, "the request", preview, async |_| {
                        let workspace = self.endpoint.workspace();
                        let reply =
                            workspace.request(resolved, &what, args.payload.as_bytes(), &headers, timeout).await?;
                        Ok((reply, 1))
                    })
                    .await?;
                Ok(match asked_or(written, &mut asked) {
                    Some(reply) => Rendered::json(&ReplyReport {
                        payload: dbdock_core::payload_as_text(&reply.payload).into_owned(),
                        json: Event::json_view(&reply.payload),
                        subject: reply.subject,
                        headers: reply.headers,
                    }),
                    None => awaiting_user(),
                })
            })
            .await;
        respond(asked, result)
    }

    /// A publish or request as the approval queue files it: where, the payload and the
    /// headers.
    fn stream_write(
        &self,
        ctx: &RequestContext<RoleServer>,
        resolved: &ResolvedProfile,
        tool: &str,
        target: &str,
        payload: &str,
        headers: &[(String, String)],
    ) -> dbdock_app::WriteRequest {
        let headers: serde_json::Map<String, Value> =
            headers.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
        let params = serde_json::json!([payload, headers]);
        self.write_request(ctx, &resolved.profile, resolved.target.password(), tool, target, params)
    }

    #[tool(
        name = "stream-lag",
        description = "How far consumers are behind: for a NATS JetStream stream, each consumer's pending (not yet delivered), ack_pending and redelivered counts; for a Redis stream, each consumer group's lag and pending entries; for a Kafka topic (stream), each consumer group's lag per partition (pending = end offset - committed offset) and totalPending. Give consumer to get one group or consumer; on Kafka a group with an empty stream gives every topic it committed on.",
        annotations(read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn stream_lag(
        &self,
        Parameters(args): Parameters<LagArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        let call = Call { profile: Some(&args.connection_id), statement: Some(&args.stream), params: None };
        self.on_stream(&ctx, call, &args.connection_id, async |resolved| {
            let lag = self.endpoint.workspace().stream_lag(resolved, &args.stream, args.consumer.as_deref()).await?;
            let total_pending = lag.iter().filter_map(|l| l.pending).sum();
            Ok(Rendered {
                rows: Some(lag.len() as u64),
                ..Rendered::json(&LagReport { consumers: lag, total_pending })
            })
        })
        .await
    }

    #[tool(
        name = "reset-consumer-offset",
        description = "Move a Kafka consumer group's committed offsets on a topic (every partition, or one) to earliest, latest, an offset, or the first message at or after a time. Returns each partition's old and new offset and the lag before and after. dryRun only shows that plan (a read). Otherwise a write: runs where the user allowed read-write access; on 'ask' a human sees the plan and it runs only if they approve; elsewhere READ_ONLY_VIOLATION. Refused with IN_USE while the group has active members (stop its consumers first).",
        annotations(read_only_hint = false, destructive_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    async fn reset_consumer_offset(
        &self,
        Parameters(args): Parameters<ResetOffsetArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResponse {
        let reset = TopicStart::parse(&args.to).map(|to| OffsetReset {
            group: args.group.clone(),
            topic: args.topic.clone(),
            to,
            partition: args.partition,
        });
        let described =
            reset.as_ref().map_or_else(|_| format!("reset {} on {}", args.group, args.topic), OffsetReset::describe);
        let call = Call { profile: Some(&args.connection_id), statement: Some(&described), params: None };
        let mut asked = None;
        let result = self
            .on_stream(&ctx, call, &args.connection_id, async |resolved| {
                let reset = reset.clone()?;
                let workspace = self.endpoint.workspace();
                if args.dry_run {
                    let plan = workspace.reset_offsets(resolved, &reset, false).await?;
                    return Ok(Rendered { rows: Some(plan.partitions.len() as u64), ..Rendered::json(&plan) });
                }
                let params = serde_json::json!([args.to, args.partition]);
                let request = self.write_request(
                    &ctx,
                    &resolved.profile,
                    resolved.target.password(),
                    "reset-consumer-offset",
                    &described,
                    params,
                );
                let preview = async || match workspace.reset_offsets(resolved, &reset, false).await {
                    Ok(plan) => WritePreview {
                        rows_affected: Some(plan.partitions.len() as u64),
                        ..WritePreview::not_run(plan_text(&plan))
                    },
                    Err(e) => WritePreview::failed(e),
                };
                let written = self
                    .gated_write(&ctx, &request, "the offset reset", preview, async |_| {
                        let plan = workspace.reset_offsets(resolved, &reset, true).await?;
                        let partitions = plan.partitions.len() as u64;
                        Ok((plan, partitions))
                    })
                    .await?;
                Ok(match asked_or(written, &mut asked) {
                    Some(plan) => Rendered { rows: Some(plan.partitions.len() as u64), ..Rendered::json(&plan) },
                    None => awaiting_user(),
                })
            })
            .await;
        respond(asked, result)
    }
}

/// A reset plan in words, for the person approving it.
fn plan_text(plan: &OffsetResetPlan) -> String {
    let partitions: Vec<String> = plan
        .partitions
        .iter()
        .map(|p| {
            let old = p.old.map_or_else(|| "none".to_owned(), |n| n.to_string());
            format!("partition {}: {old} -> {} (lag {} -> {})", p.partition, p.new, p.lag_before, p.lag_after)
        })
        .collect();
    format!(
        "moves group {}'s committed offsets on {}: {}; total lag {} -> {}",
        plan.group,
        plan.topic,
        partitions.join("; "),
        plan.lag_before,
        plan.lag_after
    )
}

fn unknown_subscription(id: &str) -> Error {
    Error::not_found(format!(
        "no subscription '{id}' in this session (it may have been unsubscribed or closed after {} minutes unread); \
         call subscribe again",
        IDLE_EXPIRY.as_secs() / 60
    ))
}
