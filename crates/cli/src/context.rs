//! What every command shares: the store and workspace, the connection a `--profile` or
//! `--url` names, parameter parsing, and printing to stdout.

use std::io::{self, BufWriter, Write};

use dbdock_app::Workspace;
use dbdock_core::{ConnectionTarget, Database, Error, Profile, ProfileSource, Result, secret_env_var};
use dbdock_engines::OpenOptions;
use dbdock_store::{Home, ResolvedProfile, Store};

use crate::args::Connection;

pub async fn open_store() -> Result<Store> {
    Store::open(Home::resolve()?).await
}

/// Writes `text` to stdout; a closed pipe (`dbdock … | head`) is not an error.
pub fn print(text: &str) -> Result<()> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Error::internal(format!("cannot write output: {e}"))),
        _ => Ok(()),
    }
}

/// [`print`] with a line end.
pub fn print_line(text: &str) -> Result<()> {
    print(&format!("{text}\n"))
}

/// The profile a `--profile` names (secret, jump hosts and TLS included), or a `--url` as
/// a profile of this command only, reached directly; and its connection options.
pub async fn resolve(connection: &Connection) -> Result<(ResolvedProfile, OpenOptions)> {
    match (&connection.profile, &connection.url) {
        (Some(name), _) => {
            let store = open_store().await?;
            let resolved = store.resolve(name).await;
            store.close().await;
            let resolved = resolved?;
            let options = OpenOptions::for_profile(&resolved.profile, None);
            Ok((resolved, options))
        }
        (None, Some(url)) => {
            let target = ConnectionTarget::parse(url)?;
            let profile = Profile::transient(ProfileSource::Adhoc, "url", &target, false, "cli");
            Ok((ResolvedProfile::direct(profile, target), OpenOptions::default()))
        }
        (None, None) => Err(Error::invalid_input("give --profile NAME or --url URL")),
    }
}

/// Where a profile's secret comes from, for display.
pub fn secret_source(profile: &Profile, keyring_service: &str) -> String {
    if std::env::var_os(secret_env_var(&profile.name)).is_some() {
        format!("from {}", secret_env_var(&profile.name))
    } else if profile.source == ProfileSource::Environment {
        if profile.has_secret { "from MCP_* variables".into() } else { "none".into() }
    } else if profile.has_secret {
        format!("OS keyring ({keyring_service})")
    } else {
        "none".into()
    }
}

/// A `--param` value: an integer, a float that prints back exactly as typed, `true`,
/// `false` and `null` mean themselves; a JSON string (`'"42"'`) is that text; anything else
/// is text as typed. Engines convert further to the type the statement declares, so
/// `--param 12345678901234567890.0123456789` reaches a numeric column as exact text.
pub fn cli_param(text: &str) -> serde_json::Value {
    use serde_json::Value;
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Number(n)) if n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.to_string() == text) => {
            Value::Number(n)
        }
        Ok(v @ (Value::Bool(_) | Value::Null | Value::String(_))) => v,
        _ => Value::String(text.to_owned()),
    }
}

/// A connection of the command's own to the profile or URL.
pub async fn open(connection: &Connection) -> Result<Box<dyn Database>> {
    open_with(connection, |_| {}).await
}

/// Opens the connection with `adjust` applied to the options the profile (or defaults) give.
/// A profile is opened by the workspace (through its SSH tunnel, if it has one); a bare
/// URL has none, and is opened directly.
pub async fn open_with(connection: &Connection, adjust: impl FnOnce(&mut OpenOptions)) -> Result<Box<dyn Database>> {
    let (resolved, mut options) = resolve(connection).await?;
    adjust(&mut options);
    if connection.profile.is_none() {
        return dbdock_engines::open(resolved.target, options).await;
    }
    let workspace = Workspace::new(open_store().await?);
    let db = workspace.open_once(&resolved, options).await;
    workspace.close().await;
    db
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
