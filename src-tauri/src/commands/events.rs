//! Events view: monitors started from the app stream their events to the window through a
//! `Channel` (never global events), and their status and the persisted lifecycle log can
//! be read at any time.

use std::time::Duration;

use dbdock_app::Audience;
use dbdock_core::{
    Category, ConnectionState, Event, EventKind, MonitorStatus, Result, Severity, WatchTarget, payload_as_text,
};
use dbdock_engines::MonitorOptions;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;
use tauri::ipc::Channel;

use crate::AppState;
use crate::state::RunningMonitor;

/// Events a monitor keeps for a window that falls behind.
const APP_BUFFER: usize = 50_000;
/// Events sent to the window per message.
const BATCH: usize = 500;

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct EventView {
    pub monitor_id: String,
    pub target: String,
    pub channel: String,
    pub kind: EventKind,
    pub severity: Severity,
    pub category: Category,
    /// The payload as text (`\x…` hex when it is not UTF-8).
    pub payload: String,
    /// The payload pretty-printed, when it is a JSON object or array.
    pub json: Option<String>,
    pub size: u32,
    pub headers: Vec<(String, String)>,
    pub state: Option<ConnectionState>,
    pub server_ts: Option<String>,
    /// Kafka: the message's partition, offset and key.
    pub partition: Option<i32>,
    pub offset: Option<f64>,
    pub key: Option<String>,
    pub ts: String,
    pub sequence: f64,
}

impl From<&Event> for EventView {
    fn from(e: &Event) -> Self {
        EventView {
            monitor_id: e.monitor_id.clone(),
            target: e.target.clone(),
            channel: e.channel.clone(),
            kind: e.kind,
            severity: e.severity,
            category: e.category,
            payload: payload_as_text(&e.payload).into_owned(),
            json: e.json.as_ref().and_then(|j| serde_json::to_string_pretty(j).ok()),
            size: u32::try_from(e.size).unwrap_or(u32::MAX),
            headers: e.headers.clone(),
            state: e.state,
            server_ts: e.server_ts.clone(),
            partition: e.position.as_ref().map(|p| p.partition),
            offset: e.position.as_ref().map(|p| p.offset as f64),
            key: e.position.as_ref().and_then(|p| p.key.clone()),
            ts: e.ts.clone(),
            sequence: e.sequence as f64,
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MonitorView {
    pub monitor_id: String,
    pub profile: String,
    pub target: String,
    pub state: ConnectionState,
    pub events_total: f64,
    pub bytes_total: f64,
    pub dropped: f64,
    pub buffered: u32,
    pub events_per_sec: f64,
    pub bytes_per_sec: f64,
    pub reconnect_attempts: u32,
    pub last_error: Option<String>,
}

fn view(profile: &str, s: &MonitorStatus) -> MonitorView {
    MonitorView {
        monitor_id: s.monitor_id.clone(),
        profile: profile.to_owned(),
        target: s.target.clone(),
        state: s.state,
        events_total: s.events_total as f64,
        bytes_total: s.bytes_total as f64,
        dropped: s.dropped as f64,
        buffered: u32::try_from(s.buffered).unwrap_or(u32::MAX),
        events_per_sec: s.events_per_sec,
        bytes_per_sec: s.bytes_per_sec,
        reconnect_attempts: s.reconnect_attempts,
        last_error: s.last_error.clone(),
    }
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LoggedEventView {
    pub id: u32,
    pub ts: String,
    pub profile: Option<String>,
    pub target: String,
    pub severity: String,
    pub state: Option<String>,
    pub message: String,
}

/// Starts watching `target` on `profile`; its events go to `on_event` in batches until
/// `stop_monitor`. Lifecycle events are also written to the event log.
#[tauri::command]
#[specta::specta]
pub async fn start_monitor(
    state: State<'_, AppState>,
    profile: String,
    target: String,
    on_event: Channel<Vec<EventView>>,
) -> Result<MonitorView> {
    let what = WatchTarget::parse(&target)?;
    let resolved = state.workspace.resolve(Audience::User, &profile).await?;
    let options = MonitorOptions { capacity: APP_BUFFER, profile: Some(profile.clone()), ..MonitorOptions::default() };
    // The workspace writes the monitor's lifecycle to the event log.
    let monitor = std::sync::Arc::new(state.workspace.watch(resolved, what, options).await?);
    let status = view(&profile, &monitor.status());
    let feeding = monitor.clone();
    let captured = std::sync::Arc::new(std::sync::Mutex::new(std::collections::VecDeque::new()));
    let keeping = captured.clone();
    let forward = tokio::spawn(async move {
        loop {
            let events = feeding.read(BATCH, Duration::from_millis(500)).await;
            if events.is_empty() {
                continue;
            }
            if let Ok(mut kept) = keeping.lock() {
                kept.extend(events.iter().cloned());
                let over = kept.len().saturating_sub(APP_BUFFER);
                kept.drain(..over);
            }
            // The window is gone (closed, reloaded): stop forwarding.
            if on_event.send(events.iter().map(EventView::from).collect()).is_err() {
                break;
            }
        }
    });
    let running = RunningMonitor { profile, monitor, captured, forward: forward.abort_handle() };
    state.monitors.lock().await.insert(status.monitor_id.clone(), running);
    Ok(status)
}

#[tauri::command]
#[specta::specta]
pub async fn stop_monitor(state: State<'_, AppState>, monitor_id: String) -> Result<bool> {
    let Some(running) = state.monitors.lock().await.remove(&monitor_id) else { return Ok(false) };
    // The last handle to go (this one or the aborted forwarder's) stops the monitor.
    running.forward.abort();
    drop(running);
    Ok(true)
}

/// Starts a monitor that gave up reconnecting (`error`) on a fresh schedule; `false` if it
/// is not running or did not give up.
#[tauri::command]
#[specta::specta]
pub async fn retry_monitor(state: State<'_, AppState>, monitor_id: String) -> Result<bool> {
    Ok(state.monitors.lock().await.get(&monitor_id).is_some_and(|r| r.monitor.retry()))
}

#[tauri::command]
#[specta::specta]
pub async fn monitor_statuses(state: State<'_, AppState>) -> Result<Vec<MonitorView>> {
    Ok(state.monitors.lock().await.values().map(|r| view(&r.profile, &r.monitor.status())).collect())
}

/// The newest `limit` lifecycle events of every monitor, newest first.
#[tauri::command]
#[specta::specta]
pub async fn event_log(state: State<'_, AppState>, limit: u32) -> Result<Vec<LoggedEventView>> {
    let events = state.store().events(limit.min(1_000)).await?;
    Ok(events
        .into_iter()
        .map(|e| LoggedEventView {
            id: u32::try_from(e.id).unwrap_or(u32::MAX),
            ts: e.ts,
            profile: e.profile,
            target: e.target,
            severity: e.severity,
            state: e.state,
            message: e.message,
        })
        .collect())
}

/// The file format of an event export.
#[derive(Debug, Clone, Copy, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum EventExportFormat {
    /// JSON Lines: one object a line.
    Jsonl,
    Csv,
}

impl From<EventExportFormat> for dbdock_app::ExportFormat {
    fn from(format: EventExportFormat) -> Self {
        match format {
            EventExportFormat::Jsonl => dbdock_app::ExportFormat::Jsonl,
            EventExportFormat::Csv => dbdock_app::ExportFormat::Csv,
        }
    }
}

/// Which events an export takes, as the Events view's export bar sends it (empty: all).
#[derive(Debug, Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct EventExportForm {
    pub path: String,
    pub format: EventExportFormat,
    pub monitor: String,
    /// A date, a date and time (UTC) or a span back from now (`2h`).
    pub since: String,
    pub until: String,
    pub min_severity: Option<dbdock_core::Severity>,
    pub text: String,
}

/// Writes the event log's events the form takes to its file; returns how many.
#[tauri::command]
#[specta::specta]
pub async fn export_event_log(state: State<'_, AppState>, form: EventExportForm) -> Result<u32> {
    let given = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let time = |s: &str| given(s).map(|t| dbdock_app::time_bound(&t)).transpose();
    let filter = dbdock_store::EventFilter {
        monitor: given(&form.monitor),
        profile: None,
        since: time(&form.since)?,
        until: time(&form.until)?,
        min_severity: form.min_severity,
        text: given(&form.text),
    };
    let path = std::path::PathBuf::from(form.path.trim());
    if path.as_os_str().is_empty() {
        return Err(dbdock_core::Error::invalid_input("name the file to export to"));
    }
    let format = dbdock_app::ExportFormat::from(form.format);
    let count = state.workspace.export_events_to(&filter, format, &path).await?;
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}

/// Writes the events monitor `monitor_id` captured (the newest 50,000 sent to the window)
/// to `path` as JSON Lines or CSV; how many.
#[tauri::command]
#[specta::specta]
pub async fn export_monitor_events(
    state: State<'_, AppState>,
    monitor_id: String,
    path: String,
    format: EventExportFormat,
) -> Result<u32> {
    let snapshot: Vec<dbdock_core::Event> = {
        let monitors = state.monitors.lock().await;
        let running = monitors
            .get(&monitor_id)
            .ok_or_else(|| dbdock_core::Error::not_found(format!("no monitor {monitor_id} is running")))?;
        let kept = running.captured.lock().map_err(|_| dbdock_core::Error::internal("the captured events are lost"))?;
        kept.iter().cloned().collect()
    };
    let format = dbdock_app::ExportFormat::from(format);
    let mut file = dbdock_core::WholeFile::create(std::path::Path::new(path.trim()))?;
    let count = dbdock_app::write_monitor_events(&snapshot, format, &mut file)?;
    file.commit()?;
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}
