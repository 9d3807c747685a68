//! `dbdock`: the headless face of DB Dock. Queries and schemas from the shell now; the MCP
//! endpoint and profile commands build on the same crates.

mod approvals;
mod args;
mod audit;
mod config;
mod context;
mod demo;
mod discover;
mod events;
mod interrupt;
mod kafka;
mod keys;
mod mcp;
mod profile;
mod query;
mod render;
mod telemetry;
mod watch;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use dbdock_core::{Error, ErrorCode, Result};

use crate::args::{Cli, Command};

fn main() -> ExitCode {
    // `--version` names the engines this build has, from the engine registry.
    let matches = Cli::command().version(&*version().leak()).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    if let Err(e) = init_logging(&cli) {
        return fail(&e);
    }
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return fail(&Error::internal(format!("cannot start the async runtime: {e}"))),
    };
    let outcome = runtime.block_on(run(cli));
    // The stdio MCP endpoint stopped by a signal leaves a blocking read of stdin that
    // returns only when the client writes or closes it: do not wait for it.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// `0.1.0 (engines: SQLite, PostgreSQL, …)`.
fn version() -> String {
    let engines: Vec<&str> = dbdock_engines::enabled_engines().iter().map(|e| e.spec().label).collect();
    format!("{} (engines: {})", env!("CARGO_PKG_VERSION"), engines.join(", "))
}

/// One line on stderr with the stable code; 2 for a usage error, 1 for everything the
/// database or the network reported.
fn fail(error: &Error) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "error[{}]: {}", error.code, error.message);
    match error.code {
        ErrorCode::InvalidInput => ExitCode::from(2),
        _ => ExitCode::from(1),
    }
}

/// Diagnostics go to stderr, quiet unless `RUST_LOG` asks; stdout stays clean for data.
/// The MCP endpoint with `--otlp-endpoint` (or `DBDOCK_OTLP_ENDPOINT`) also exports its
/// tool-call spans there; `mcp::run` flushes them before it returns.
fn init_logging(cli: &Cli) -> Result<()> {
    let otlp = match &cli.command {
        Command::Mcp(args) if args.command.is_none() => args.otlp_endpoint.as_deref(),
        _ => None,
    };
    telemetry::init(otlp)
}

/// Runs one subcommand; each lives in a module of its own.
async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Query(args) => query::query(args).await,
        Command::Schema(args) => query::schema(args).await,
        Command::Profile(command) => profile::run(command).await,
        Command::Mcp(args) => mcp::run(args).await,
        Command::Audit(args) => audit::run(args).await,
        Command::Stats(args) => {
            let store = context::open_store().await?;
            let stats = store.ai_stats(args.minutes).await;
            store.close().await;
            context::print(&render::stats(&stats?, args.format)?)
        }
        Command::Approvals(command) => approvals::run(command).await,
        Command::Demo(args) => demo::run(args).await,
        Command::Watch(args) => watch::run(args).await,
        Command::Discover(args) => discover::run(args).await,
        Command::Events(command) => events::run(command).await,
        Command::Config(command) => config::run(command).await,
        Command::Kafka(command) => kafka::run(command).await,
        Command::Keys(args) => keys::keys(args).await,
        Command::Key(args) => keys::key(args).await,
    }
}
