//! The streaming operations of every face: monitors, publish, request/reply, lag.
//!
//! Monitors started through the workspace write their lifecycle (connected,
//! reconnecting, error, stopped) to the event log, from every face, so the user sees every
//! gap in the Events view whether the monitor was started by the app, `dbdock watch` or
//! an AI client.

use std::sync::Arc;

use std::time::Duration;

use dbdock_core::{ConsumerLag, Event, GroupDetail, OffsetReset, OffsetResetPlan, Result, TopicCatalog, WatchTarget};
use dbdock_engines::{LifecycleObserver, Monitor, MonitorOptions, Published, Reply, Routing};
use dbdock_store::{EventRetention, ResolvedProfile, Store};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Starts the monitor, and the task that writes its lifecycle (it ends once the monitor is
/// gone and every event is written).
pub(crate) async fn watch(
    store: &Store,
    resolved: ResolvedProfile,
    what: WatchTarget,
    mut options: MonitorOptions,
) -> Result<(Monitor, JoinHandle<()>)> {
    options.profile.get_or_insert_with(|| resolved.profile.name.clone());
    let route = crate::network::route(store, &resolved, crate::DEFAULT_TIMEOUT).await?;
    // The observer runs on the engine's task: it only hands the event over; a task of
    // its own writes it, and ends when the monitor (and so the sender) is gone.
    let (sender, mut received) = mpsc::unbounded_channel::<Event>();
    options.on_lifecycle = Some(LifecycleObserver(Arc::new(move |event: &Event| {
        let _ = sender.send(event.clone());
    })));
    let store = store.clone();
    let writer = tokio::spawn(async move {
        while let Some(event) = received.recv().await {
            if let Err(e) = store.record_event(&event, EventRetention::default()).await {
                tracing::warn!(error = %e, "cannot write a monitor's lifecycle event to the event log");
            }
        }
    });
    let mut monitor = dbdock_engines::watch(route.target, what, options).await?;
    if let Some(tunnel) = route.tunnel {
        monitor.keep_alive(Box::new(tunnel));
    }
    Ok((monitor, writer))
}

impl crate::Workspace {
    /// Publishes `payload` on what `what` names (a channel, subject, stream, notify
    /// channel or topic) of a resolved profile. Access is the caller's to check
    /// (`ai_write_access`).
    pub async fn publish(
        &self,
        resolved: &ResolvedProfile,
        what: &WatchTarget,
        payload: &[u8],
        headers: &[(String, String)],
        routing: &Routing,
    ) -> Result<Published> {
        let route = self.route(resolved).await?;
        dbdock_engines::publish(&route.target, what, payload, headers, routing).await
    }

    /// Brokers, topics and consumer groups (Kafka).
    pub async fn topic_catalog(&self, resolved: &ResolvedProfile) -> Result<TopicCatalog> {
        let route = self.route(resolved).await?;
        dbdock_engines::topic_catalog(&route.target).await
    }

    /// One consumer group's members and lag (of `topic`, or of every topic it committed on).
    pub async fn consumer_group(
        &self,
        resolved: &ResolvedProfile,
        group: &str,
        topic: Option<&str>,
    ) -> Result<GroupDetail> {
        let route = self.route(resolved).await?;
        dbdock_engines::consumer_group(&route.target, group, topic).await
    }

    /// What resetting a group's offsets would do, or (`apply`) does. Access is the
    /// caller's to check, as for every write (`ai_write_access` for AI clients; the app
    /// and the CLI act for the user, after showing this plan).
    pub async fn reset_offsets(
        &self,
        resolved: &ResolvedProfile,
        reset: &OffsetReset,
        apply: bool,
    ) -> Result<OffsetResetPlan> {
        let route = self.route(resolved).await?;
        dbdock_engines::reset_offsets(&route.target, reset, apply).await
    }

    /// Sends a request and waits up to `timeout` for its reply.
    pub async fn request(
        &self,
        resolved: &ResolvedProfile,
        what: &WatchTarget,
        payload: &[u8],
        headers: &[(String, String)],
        timeout: Duration,
    ) -> Result<Reply> {
        let route = self.route(resolved).await?;
        dbdock_engines::request(&route.target, what, payload, headers, timeout).await
    }

    /// How far the consumers of `stream` (or one of them) are behind.
    pub async fn stream_lag(
        &self,
        resolved: &ResolvedProfile,
        stream: &str,
        consumer: Option<&str>,
    ) -> Result<Vec<ConsumerLag>> {
        let route = self.route(resolved).await?;
        dbdock_engines::stream_lag(&route.target, stream, consumer).await
    }

    /// The route of a one-off call: its tunnel (if any) lives for the call.
    async fn route(&self, resolved: &ResolvedProfile) -> Result<crate::network::Route> {
        crate::network::route(&self.store, resolved, crate::DEFAULT_TIMEOUT).await
    }
}
