//! Exporting the event log to JSON Lines or CSV, streamed row by row from the store so a
//! million events never sit in memory, and written as a [`WholeFile`] so a failed export
//! never leaves half a file where the user's was.

use std::io::Write;
use std::path::Path;

use dbdock_core::{Error, Event, Result, WholeFile, payload_as_text};
use dbdock_store::{EventFilter, LoggedEvent};

use crate::Workspace;

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON object a line, the event log's columns as keys.
    Jsonl,
    /// A header row, then one row an event.
    Csv,
}

const CSV_HEADER: [&str; 9] =
    ["id", "ts", "monitor_id", "profile", "target", "severity", "category", "state", "message"];

impl Workspace {
    /// Writes the events `filter` takes to `out`, oldest first; returns how many.
    pub async fn export_events<W: Write>(&self, filter: &EventFilter, format: ExportFormat, out: W) -> Result<u64> {
        let failed = |e: &dyn std::fmt::Display| Error::internal(format!("cannot write the export: {e}"));
        match format {
            ExportFormat::Jsonl => {
                let mut out = out;
                let count = self
                    .store
                    .each_event(filter, |event| {
                        serde_json::to_writer(&mut out, &event).map_err(|e| failed(&e))?;
                        out.write_all(b"\n").map_err(|e| failed(&e))
                    })
                    .await?;
                out.flush().map_err(|e| failed(&e))?;
                Ok(count)
            }
            ExportFormat::Csv => {
                let mut csv = csv::Writer::from_writer(out);
                csv.write_record(CSV_HEADER).map_err(|e| failed(&e))?;
                let count = self
                    .store
                    .each_event(filter, |event| csv.write_record(csv_row(&event)).map_err(|e| failed(&e)))
                    .await?;
                csv.flush().map_err(|e| failed(&e))?;
                Ok(count)
            }
        }
    }

    /// [`Workspace::export_events`] to the file `path`, replaced only once it is whole.
    pub async fn export_events_to(&self, filter: &EventFilter, format: ExportFormat, path: &Path) -> Result<u64> {
        let mut file = WholeFile::create(path)?;
        let count = self.export_events(filter, format, &mut file).await?;
        file.commit()?;
        Ok(count)
    }
}

/// Writes events a monitor captured: JSON Lines as `dbdock watch --format json` prints
/// them, or CSV (time, monitor, target, channel, kind, severity, sequence, size, server
/// time, payload as text). Returns how many.
pub fn write_monitor_events<'a, W: Write>(
    events: impl IntoIterator<Item = &'a Event>,
    format: ExportFormat,
    out: W,
) -> Result<u64> {
    let failed = |e: &dyn std::fmt::Display| Error::internal(format!("cannot write the export: {e}"));
    let mut count = 0;
    match format {
        ExportFormat::Jsonl => {
            let mut out = out;
            for event in events {
                serde_json::to_writer(&mut out, event).map_err(|e| failed(&e))?;
                out.write_all(b"\n").map_err(|e| failed(&e))?;
                count += 1;
            }
            out.flush().map_err(|e| failed(&e))?;
        }
        ExportFormat::Csv => {
            let mut csv = csv::Writer::from_writer(out);
            let header = [
                "ts",
                "monitor_id",
                "target",
                "channel",
                "kind",
                "severity",
                "sequence",
                "size",
                "server_ts",
                "payload",
            ];
            csv.write_record(header).map_err(|e| failed(&e))?;
            for e in events {
                let kind =
                    serde_json::to_value(e.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
                let row = [
                    e.ts.clone(),
                    e.monitor_id.clone(),
                    e.target.clone(),
                    e.channel.clone(),
                    kind,
                    e.severity.as_str().to_owned(),
                    e.sequence.to_string(),
                    e.size.to_string(),
                    e.server_ts.clone().unwrap_or_default(),
                    payload_as_text(&e.payload).into_owned(),
                ];
                csv.write_record(row).map_err(|e| failed(&e))?;
                count += 1;
            }
            csv.flush().map_err(|e| failed(&e))?;
        }
    }
    Ok(count)
}

fn csv_row(e: &LoggedEvent) -> [String; 9] {
    [
        e.id.to_string(),
        e.ts.clone(),
        e.monitor_id.clone(),
        e.profile.clone().unwrap_or_default(),
        e.target.clone(),
        e.severity.clone(),
        e.category.clone(),
        e.state.clone().unwrap_or_default(),
        e.message.clone(),
    ]
}

/// [`parse_time_bound`] at the current time.
pub fn time_bound(text: &str) -> Result<String> {
    parse_time_bound(text, chrono::Utc::now())
}

/// A time bound as a person types it: an ISO 8601 date or date-time (`2026-12-07`,
/// `2026-12-07T10:30`), or a span back from `now` (`90s`, `30m`, `2h`, `7d`), as the event
/// log's timestamps are written (UTC, `…T…Z`), so the two compare as text.
pub fn parse_time_bound(text: &str, now: chrono::DateTime<chrono::Utc>) -> Result<String> {
    let text = text.trim();
    let bytes = text.as_bytes();
    let is_date = bytes.len() >= 10
        && bytes[..10].iter().enumerate().all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() });
    if is_date {
        return Ok(text.trim_end_matches('Z').replace(' ', "T"));
    }
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => 0,
    };
    match number.parse::<i64>() {
        Ok(n) if seconds > 0 => {
            let at = now - chrono::Duration::seconds(n.saturating_mul(seconds));
            Ok(at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        }
        _ => Err(Error::invalid_input(format!(
            "'{text}' is not a time: write a date (2026-12-07), a date and time (2026-12-07T10:30) or a span back \
             from now (30m, 2h, 7d)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_dates_or_spans_back_from_now() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-07T12:00:00Z").map(|t| t.to_utc());
        let now = now.unwrap_or_default();
        let bound = |t: &str| parse_time_bound(t, now).ok();
        assert_eq!(bound("2026-12-01").as_deref(), Some("2026-12-01"));
        assert_eq!(bound("2026-12-01 10:30").as_deref(), Some("2026-12-01T10:30"));
        assert_eq!(bound("2h").as_deref(), Some("2026-12-07T10:00:00.000Z"));
        assert_eq!(bound("7d").as_deref(), Some("2026-11-30T12:00:00.000Z"));
        for bad in ["yesterday", "2h30", "12/07/2026", "-3d", ""] {
            assert!(bound(bad).is_none(), "{bad}");
        }
    }
}
