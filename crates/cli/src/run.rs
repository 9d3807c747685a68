//! The commands, each a thin layer over the engines.

use dbdock_core::{ConnectionTarget, Database, Error, QueryOptions, Result};
use dbdock_engines::OpenOptions;
use dbdock_store::{Home, Store};

use dbdock_mcp::install::{Client, ClientEnv, ServerSpec};

use crate::args::{Cli, Command, Connection, DemoArgs, InstallArgs, McpArgs, McpCommand, QueryArgs, SchemaArgs};
use crate::{output, profile, watch};

pub async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Query(args) => query(args).await,
        Command::Schema(args) => schema(args).await,
        Command::Profile(command) => profile::run(command).await,
        Command::Mcp(args) => mcp(args).await,
        Command::Audit(args) => {
            let store = open_store().await?;
            let entries = store.audit_entries(args.limit).await;
            store.close().await;
            output::print_audit(&entries?, args.format)
        }
        Command::Demo(args) => demo(args).await,
        Command::Watch(args) => watch::run(args).await,
    }
}

pub async fn open_store() -> Result<Store> {
    Store::open(Home::resolve()?).await
}

async fn open(connection: &Connection) -> Result<Box<dyn Database>> {
    open_with(connection, |_| {}).await
}

/// Opens the connection with `adjust` applied to the options the profile (or defaults) give.
async fn open_with(connection: &Connection, adjust: impl FnOnce(&mut OpenOptions)) -> Result<Box<dyn Database>> {
    let (target, mut options, _) = resolve(connection).await?;
    adjust(&mut options);
    dbdock_engines::open(target, options).await
}

/// The target a `--profile` or `--url` names, the profile's connection options, and the
/// profile's name.
pub async fn resolve(connection: &Connection) -> Result<(ConnectionTarget, OpenOptions, Option<String>)> {
    match (&connection.profile, &connection.url) {
        (Some(name), _) => {
            let store = open_store().await?;
            let resolved = store.resolve(name).await;
            store.close().await;
            let resolved = resolved?;
            let options = OpenOptions::for_profile(&resolved.profile, None);
            Ok((resolved.target, options, Some(name.clone())))
        }
        (None, Some(url)) => Ok((ConnectionTarget::parse(url)?, OpenOptions::default(), None)),
        (None, None) => Err(Error::invalid_input("give --profile NAME or --url URL")),
    }
}

async fn query(args: QueryArgs) -> Result<()> {
    let db = open(&args.connection).await?;
    let params: Vec<serde_json::Value> = args.params.iter().map(|p| cli_param(p)).collect();
    let limits = QueryOptions { max_rows: Some(args.limit), ..QueryOptions::default() };
    let result = db.query(&args.query, &params, &limits).await;
    db.disconnect().await;
    output::print_result(&result?, args.format, args.limit)
}

async fn schema(args: SchemaArgs) -> Result<()> {
    let db = open_with(&args.connection, |options| options.schema_sample = args.sample).await?;
    let outcome = match &args.table {
        Some(name) => db.table_schema(name).await.map(|t| output::print_table(&t, args.format)),
        None => db.schema().await.map(|s| output::print_schema(&s, args.format)),
    };
    db.disconnect().await;
    outcome?
}

async fn mcp(args: McpArgs) -> Result<()> {
    match args.command {
        Some(McpCommand::Install(install)) => return client_config(install).await,
        Some(McpCommand::Uninstall(uninstall)) => {
            let env = ClientEnv::current()?;
            let change = dbdock_mcp::install::uninstall(Client::parse(&uninstall.client)?, &env, uninstall.dry_run)?;
            return output::print_config_change(&change);
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
    let client = Client::parse(&args.client)?;
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
    output::print_config_change(&change)
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

async fn demo(args: DemoArgs) -> Result<()> {
    let path = match args.path {
        Some(path) => path,
        None => Home::resolve()?.demo_database_path(),
    };
    dbdock_engines::demo::create_demo_database(&path).await?;
    output::print_line(&format!("sqlite:{}", path.display()))
}

/// A `--param` value: an integer, a float that prints back exactly as typed, `true`,
/// `false` and `null` mean themselves; a JSON string (`'"42"'`) is that text; anything else
/// is text as typed. Engines convert further to the type the statement declares, so
/// `--param 12345678901234567890.0123456789` reaches a numeric column as exact text.
fn cli_param(text: &str) -> serde_json::Value {
    use serde_json::Value;
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Number(n)) if n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.to_string() == text) => {
            Value::Number(n)
        }
        Ok(v @ (Value::Bool(_) | Value::Null | Value::String(_))) => v,
        _ => Value::String(text.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::cli_param;
    use serde_json::json;

    #[test]
    fn params_read_as_json_scalars_or_text() {
        assert_eq!(cli_param("42"), json!(42));
        assert_eq!(cli_param("-7"), json!(-7));
        assert_eq!(cli_param("2.5"), json!(2.5));
        assert_eq!(cli_param("null"), json!(null));
        assert_eq!(cli_param("true"), json!(true));
        assert_eq!(cli_param("\"42\""), json!("42"));
        assert_eq!(cli_param("007"), json!("007"));
        assert_eq!(cli_param("12345678901234567890.0123456789"), json!("12345678901234567890.0123456789"));
        assert_eq!(cli_param("99999999999999999999999"), json!("99999999999999999999999"));
        assert_eq!(cli_param("1e3"), json!("1e3"));
        assert_eq!(cli_param("hello world"), json!("hello world"));
        assert_eq!(cli_param("[1,2]"), json!("[1,2]"));
    }
}
