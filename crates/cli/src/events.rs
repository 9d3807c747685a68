//! `dbdock events export`: the event log to JSON Lines or CSV.

use dbdock_app::{ExportFormat, Workspace, time_bound};
use dbdock_core::{Result, Severity};
use dbdock_store::EventFilter;

use crate::args::{EventsCommand, EventsExportArgs, ExportFormatArg, SeverityArg};
use crate::context::{open_store, print_line};

pub async fn run(command: EventsCommand) -> Result<()> {
    let EventsCommand::Export(args) = command;
    let filter = filter(&args)?;
    let format = match args.format {
        ExportFormatArg::Jsonl => ExportFormat::Jsonl,
        ExportFormatArg::Csv => ExportFormat::Csv,
    };
    let workspace = Workspace::new(open_store().await?);
    let exported = match &args.file {
        Some(path) => match workspace.export_events_to(&filter, format, path).await {
            Ok(count) => print_line(&format!("exported {count} events to {}", path.display())),
            Err(e) => Err(e),
        },
        None => {
            let stdout = std::io::stdout();
            workspace.export_events(&filter, format, std::io::BufWriter::new(stdout.lock())).await.map(|_| ())
        }
    };
    workspace.close().await;
    exported
}

fn filter(args: &EventsExportArgs) -> Result<EventFilter> {
    let time = |t: &Option<String>| t.as_deref().map(time_bound).transpose();
    Ok(EventFilter {
        monitor: args.monitor.clone(),
        profile: args.profile.clone(),
        since: time(&args.since)?,
        until: time(&args.until)?,
        min_severity: args.severity.map(|s| match s {
            SeverityArg::Info => Severity::Info,
            SeverityArg::Warning => Severity::Warning,
            SeverityArg::Error => Severity::Error,
            SeverityArg::Critical => Severity::Critical,
        }),
        text: args.text.clone(),
    })
}
