//! `dbdock mcp`: the MCP endpoint on stdio or loopback HTTP, and writing AI clients'
//! configurations (`install`, `uninstall`).

use dbdock_core::{Error, Result};
use dbdock_mcp::install::{ClientEnv, ServerSpec};

use crate::args::{InstallArgs, McpArgs, McpCommand, TokenCommand};
use crate::context::{open_store, print};
use crate::interrupt::Interrupt;
use crate::render;

pub async fn run(args: McpArgs) -> Result<()> {
    match args.command {
        Some(McpCommand::Install(install)) => return client_config(install).await,
        Some(McpCommand::Uninstall(uninstall)) => {
            let env = ClientEnv::current()?;
            let change = dbdock_mcp::install::uninstall(uninstall.client, &env, uninstall.dry_run)?;
            return print(&render::config_change(&change)?);
        }
        Some(McpCommand::Token(command)) => return tokens(command).await,
        None => {}
    }
    let outcome = serve(args).await;
    // The spans still queued go to the collector (at most 2 s) before the runtime stops.
    let _ = tokio::task::spawn_blocking(crate::telemetry::flush).await;
    outcome
}

/// The endpoint itself, on stdio or HTTP, until the client leaves or a signal stops it.
async fn serve(args: McpArgs) -> Result<()> {
    // Listening before anything else: a signal from here on stops the endpoint cleanly.
    let mut interrupt = Interrupt::ctrl_c_or_terminate()?;
    let store = open_store().await?;
    let config = dbdock_mcp::EndpointConfig {
        profiles: args.profiles,
        allow_adhoc: args.allow_adhoc,
        trace_statements: args.otlp_statements && args.otlp_endpoint.is_some(),
    };
    let endpoint = dbdock_mcp::Endpoint::new(store, config);
    // Ctrl-C or SIGTERM stops the endpoint the way a leaving client does, so every call is
    // still audited and the log flushed before the process ends.
    let shutdown = tokio_util::sync::CancellationToken::new();
    let on_signal = shutdown.clone();
    tokio::spawn(async move {
        interrupt.recv().await;
        on_signal.cancel();
    });
    let Some(addr) = args.http else {
        return dbdock_mcp::serve_stdio(endpoint, shutdown).await;
    };
    let made = endpoint.workspace().store().ensure_default_token().await?;
    // The token goes to the terminal once; the home keeps only its hash.
    let note = match made {
        Some(token) => format!(
            "bearer token '{}' (shown once; only its hash is kept): {}",
            dbdock_store::DEFAULT_TOKEN_NAME,
            token.expose()
        ),
        None => "bearer tokens: dbdock mcp token list (make one with dbdock mcp token add NAME)".to_owned(),
    };
    eprintln!("DB Dock MCP endpoint on http://{addr}/mcp\n{note}");
    let outcome = dbdock_mcp::serve_http(endpoint.clone(), addr, shutdown).await;
    endpoint.close().await;
    outcome
}

/// `dbdock mcp install`: the entry names this very binary, so the client spawns the
/// `dbdock` that wrote it. Profiles named with --profile must exist.
async fn client_config(args: InstallArgs) -> Result<()> {
    let client = args.client;
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

/// `dbdock mcp token add|list|revoke`.
async fn tokens(command: TokenCommand) -> Result<()> {
    let store = open_store().await?;
    let outcome = match command {
        TokenCommand::Add(args) => {
            let new = dbdock_core::NewToken {
                name: args.name,
                scopes: args.scopes.into_iter().map(Into::into).collect(),
                profiles: args.profiles,
                expires_days: args.expires,
                rate_per_sec: args.rate,
                max_concurrent: args.concurrent,
            };
            match store.add_token(&new).await {
                // stdout gets the token alone, so `TOKEN=$(dbdock mcp token add …)` works.
                Ok((info, token)) => {
                    eprintln!("{}", render::token_made(&info));
                    print(&format!("{}\n", token.expose()))
                }
                Err(e) => Err(e),
            }
        }
        TokenCommand::List { format } => match store.tokens().await {
            Ok(tokens) => print(&render::tokens(&tokens, format)?),
            Err(e) => Err(e),
        },
        TokenCommand::Revoke { name } => match store.revoke_token(&name).await {
            Ok(()) => print(&format!("revoked token '{name}'; a running endpoint refuses it from its next request\n")),
            Err(e) => Err(e),
        },
    };
    store.close().await;
    outcome
}
