//! `dbdock watch`: live events on stdout until `--count` messages or `--timeout` seconds.
//! Messages go to stdout (a line each); the monitor's lifecycle (connected, reconnecting,
//! …) goes to stderr and to the event log in the store, so a script reading stdout sees
//! only messages and a person still sees every gap.

use std::io::{self, BufWriter, Write};
use std::time::Duration;

use dbdock_app::Workspace;
use dbdock_core::{Error, Event, EventKind, Result, WatchTarget, payload_as_text};
use dbdock_engines::MonitorOptions;

use crate::args::{WatchArgs, WatchFormat};
use crate::context::{open_store, resolve};
use crate::interrupt::Interrupt;

pub async fn run(args: WatchArgs) -> Result<()> {
    let what = WatchTarget::parse(&args.target)?;
    let (resolved, _) = resolve(&args.connection).await?;
    if args.enable_keyspace_events {
        enable_keyspace_events(&resolved.target, &what).await?;
    }
    let options = MonitorOptions {
        capacity: args.buffer.max(1),
        profile: args.connection.profile.clone(),
        ..MonitorOptions::default()
    };
    // The workspace writes the lifecycle to the event log. The log is a convenience here:
    // a home that cannot be opened only loses it.
    let workspace = match open_store().await {
        Ok(store) => Some(Workspace::new(store)),
        Err(e) => {
            eprintln!("warning: lifecycle events will not be logged: {e}");
            None
        }
    };
    let monitor = match &workspace {
        Some(workspace) => workspace.watch(resolved, what, options).await?,
        None => dbdock_engines::watch(resolved.target, what, options).await?,
    };
    let deadline = args.timeout.map(|secs| tokio::time::Instant::now() + Duration::from_secs_f64(secs.max(0.0)));
    let mut out = BufWriter::new(io::stdout().lock());
    let mut messages = 0_u64;
    let mut interrupt = Interrupt::ctrl_c()?;
    let outcome = loop {
        if args.count.is_some_and(|n| messages >= n) {
            break Ok(());
        }
        let next = tokio::select! {
            event = monitor.recv() => event,
            () = sleep_until(deadline) => break Ok(()),
            () = interrupt.recv() => break Ok(()),
        };
        let Some(event) = next else {
            break Err(Error::connection_failed(format!("the monitor on {} stopped", monitor.target())));
        };
        if event.kind == EventKind::Lifecycle {
            // Flush first, so stdout and stderr interleave in the order things happened.
            let _ = out.flush();
            print_lifecycle(&event, args.format);
            continue;
        }
        messages += 1;
        if let Err(e) = write_message(&mut out, &event, args.format) {
            if e.kind() == io::ErrorKind::BrokenPipe {
                break Ok(());
            }
            break Err(Error::internal(format!("cannot write output: {e}")));
        }
        // Keep the terminal live when messages trickle in; batch when they pour.
        if monitor.status().buffered == 0 {
            let _ = out.flush();
        }
    };
    let _ = out.flush();
    drop(out);
    let status = monitor.status();
    if status.dropped > 0 {
        eprintln!(
            "note: {} message(s) were dropped because output fell {} behind (raise --buffer)",
            status.dropped, status.capacity
        );
    }
    monitor.stop().await;
    if let Some(workspace) = workspace {
        workspace.close().await;
    }
    outcome
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

fn write_message(out: &mut impl Write, event: &Event, format: WatchFormat) -> io::Result<()> {
    match format {
        WatchFormat::Json => {
            serde_json::to_writer(&mut *out, event)?;
            writeln!(out)
        }
        WatchFormat::Table => {
            let time = event.ts.get(11..23).unwrap_or(&event.ts);
            let payload = payload_as_text(&event.payload);
            let headers = event.headers.iter().map(|(k, v)| format!(" {k}={v}")).collect::<String>();
            writeln!(out, "{time}  {}{headers}  {}", event.channel, payload.replace('\n', "\\n"))
        }
    }
}

fn print_lifecycle(event: &Event, format: WatchFormat) {
    match format {
        WatchFormat::Json => {
            if let Ok(text) = serde_json::to_string(event) {
                eprintln!("{text}");
            }
        }
        WatchFormat::Table => {
            let time = event.ts.get(11..23).unwrap_or(&event.ts);
            let state = event.state.map(|s| format!("{s:?}").to_lowercase()).unwrap_or_default();
            eprintln!("{time}  [{}] {state}: {}", event.severity.as_str(), payload_as_text(&event.payload));
        }
    }
}

#[cfg(feature = "redis")]
async fn enable_keyspace_events(target: &dbdock_core::ConnectionTarget, what: &WatchTarget) -> Result<()> {
    if !matches!(what, WatchTarget::Keyspace(_)) {
        return Err(Error::invalid_input("--enable-keyspace-events goes with a keyspace:GLOB target"));
    }
    let before = dbdock_engines::redis::enable_keyspace_events(target).await?;
    eprintln!("note: notify-keyspace-events was '{before}'; it is now enabled for keyspace events (KEA)");
    Ok(())
}

#[cfg(not(feature = "redis"))]
async fn enable_keyspace_events(_: &dbdock_core::ConnectionTarget, _: &WatchTarget) -> Result<()> {
    Err(Error::unsupported("this build of dbdock has no Redis engine"))
}
