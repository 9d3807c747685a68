//! Exporting the event log: every row once, in order, in JSON Lines and CSV, and a file that
//! is replaced only when the export is whole.

use dbdock_app::{ExportFormat, Workspace};
use dbdock_core::{Category, ConnectionState, Event, EventKind, Severity};
use dbdock_store::{EventFilter, EventRetention, Home, Store};

fn event(n: u64, message: &str) -> Event {
    Event {
        monitor_id: "m-1".into(),
        profile: Some("cache".into()),
        target: "channel:orders".into(),
        channel: "channel:orders".into(),
        kind: EventKind::Lifecycle,
        severity: if n == 2 { Severity::Error } else { Severity::Info },
        category: Category::ServerLifecycle,
        payload: message.as_bytes().to_vec(),
        json: None,
        size: 0,
        headers: Vec::new(),
        state: Some(ConnectionState::Connected),
        server_ts: None,
        position: None,
        ts: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        sequence: n,
    }
}

async fn workspace_with_events() -> (std::sync::Arc<Workspace>, tempfile::TempDir) {
    let home = tempfile::tempdir().unwrap();
    let store = Store::open(Home::at(home.path())).await.unwrap();
    for (n, message) in [(1, "subscribed"), (2, "lost, \"really\"\nreconnecting"), (3, "subscribed again")] {
        store.record_event(&event(n, message), EventRetention::default()).await.unwrap();
    }
    (Workspace::new(store), home)
}

#[tokio::test]
async fn json_lines_and_csv_hold_every_event_once_in_order() {
    let (workspace, _home) = workspace_with_events().await;
    let mut jsonl = Vec::new();
    let count = workspace.export_events(&EventFilter::default(), ExportFormat::Jsonl, &mut jsonl).await.unwrap();
    assert_eq!(count, 3);
    let lines: Vec<serde_json::Value> =
        String::from_utf8(jsonl).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let messages: Vec<&str> = lines.iter().map(|l| l["message"].as_str().unwrap()).collect();
    assert_eq!(messages, ["subscribed", "lost, \"really\"\nreconnecting", "subscribed again"]);
    assert_eq!(lines[1]["severity"], "error");

    let mut csv = Vec::new();
    let only_errors = EventFilter { min_severity: Some(Severity::Error), ..EventFilter::default() };
    assert_eq!(workspace.export_events(&only_errors, ExportFormat::Csv, &mut csv).await.unwrap(), 1);
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    assert_eq!(reader.headers().unwrap().iter().next(), Some("id"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][8], "lost, \"really\"\nreconnecting", "quotes and line breaks survive");
}

#[tokio::test]
async fn a_failed_export_leaves_the_old_file_and_no_partial_one() {
    let (workspace, home) = workspace_with_events().await;
    let path = home.path().join("events.jsonl");
    assert_eq!(workspace.export_events_to(&EventFilter::default(), ExportFormat::Jsonl, &path).await.unwrap(), 3);
    assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 3);
    let nowhere = home.path().join("missing-folder").join("events.csv");
    let error = workspace.export_events_to(&EventFilter::default(), ExportFormat::Csv, &nowhere).await.unwrap_err();
    assert!(error.message.contains("missing-folder"), "{error:?}");
    let listing = dbdock_testkit::dir_listing(home.path());
    assert!(listing.iter().all(|f| !f.ends_with(".dbdock-partial")), "{listing:?}");
}

#[test]
fn a_monitors_events_export_as_watch_prints_them_or_as_csv() {
    let events = [event(1, "{\"price\": 1.5}"), event(2, "a,b\nc")];
    let mut jsonl = Vec::new();
    assert_eq!(dbdock_app::write_monitor_events(&events, ExportFormat::Jsonl, &mut jsonl).unwrap(), 2);
    let lines: Vec<String> = String::from_utf8(jsonl).unwrap().lines().map(str::to_owned).collect();
    let watch: Vec<String> = events.iter().map(|e| serde_json::to_string(e).unwrap()).collect();
    assert_eq!(lines, watch, "the same objects as dbdock watch --format json");

    let mut csv = Vec::new();
    dbdock_app::write_monitor_events(&events, ExportFormat::Csv, &mut csv).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!((&rows[1][4], &rows[1][6], &rows[1][9]), ("lifecycle", "2", "a,b\nc"));
}
