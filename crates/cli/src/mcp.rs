//! `dbdock mcp`: the MCP endpoint on stdio or loopback HTTP, and writing AI clients'
//! configurations (`install`, `uninstall`).

use dbdock_core::{Error, Result};
use dbdock_mcp::install::{Client, ClientEnv, ServerSpec};

use crate::args::{InstallArgs, McpArgs, McpCommand};
use crate::context::{open_store, print};
use crate::render;

pub async fn run(args: McpArgs) -> Result<()> {
    match args.command {
        Some(McpCommand::Install(install)) => return client_config(install).await,
        Some(McpCommand::Uninstall(uninstall)) => {
            let env = ClientEnv::current()?;
            let change = dbdock_mcp::install::uninstall(uninstall.client.into(), &env, uninstall.dry_run)?;
            return print(&render::config_change(&change)?);
        }
        None => {}
    }
    let store = open_store().await?;
    let home = store.home().clone();
    let config = dbdock_mcp::EndpointConfig { profiles: args.profiles, allow_adhoc: args.allow_adhoc };
    let endpoint = dbdock_mcp::Endpoint::new(store, config);
    let Some(addr) = args.http else {
        // A client that stops the endpoint with SIGTERM still gets every call audited.
        let shutdown = tokio_util::sync::CancellationToken::new();
        let on_signal = shutdown.clone();
        tokio::spawn(async move {
            shutdown_signal().await;
            on_signal.cancel();
        });
        return dbdock_mcp::serve_stdio(endpoint, shutdown).await;
    };
    let (token, created) = dbdock_mcp::http_token(&home)?;
    let shutdown = tokio_util::sync::CancellationToken::new();
    let on_signal = shutdown.clone();
    // Stop on Ctrl-C or SIGTERM, so the audit log is flushed before the process ends.
    tokio::spawn(async move {
        shutdown_signal().await;
        on_signal.cancel();
    });
    let token_path = home.root().join("mcp-http-token");
    let note = if created {
        format!("bearer token (shown once, kept in {}): {token}", token_path.display())
    } else {
        format!("bearer token: in {}", token_path.display())
    };
    eprintln!("DB Dock MCP endpoint on http://{addr}/mcp\n{note}");
    let outcome = dbdock_mcp::serve_http(endpoint.clone(), addr, token, shutdown).await;
    endpoint.close().await;
    outcome
}

/// `dbdock mcp install`: the entry names this very binary, so the client spawns the
/// `dbdock` that wrote it. Profiles named with --profile must exist.
async fn client_config(args: InstallArgs) -> Result<()> {
    let client: Client = args.client.into();
    if !args.profiles.is_empty() {
        let store = open_store().await?;
        let known = store.profiles().await;
        store.close().await;
        let known: Vec<String> = known?.into_iter().map(|p| p.name).collect();
        if let Some(missing) = args.profiles.iter().find(|p| !known.iter().any(|k| k.eq_ignore_ascii_case(p))) {
            return Err(Error::not_found(format!(
                "no profile named '{missing}'; the profiles are: {}",
                known.join(", ")
            )));
        }
    }
    // Not canonicalized: that would turn a stable symlink (Homebrew's bin) into a versioned
    // path, and give Windows a \\?\ verbatim path.
    let command = std::env::current_exe()
        .map_err(|e| Error::internal(format!("cannot tell where this dbdock binary is: {e}")))?;
    let spec = ServerSpec {
        command,
        profiles: args.profiles,
        per_profile: args.per_profile,
        home: std::env::var_os("DBDOCK_HOME").filter(|h| !h.is_empty()).map(std::path::PathBuf::from),
    };
    let change = dbdock_mcp::install::install(client, &ClientEnv::current()?, &spec, args.dry_run)?;
    print(&render::config_change(&change)?)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
