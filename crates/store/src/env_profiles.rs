//! Profiles defined by the environment variables of mcp-dbs (README, "Profiles and secrets"), so its users
//! switch to `dbdock mcp` by changing only the command. They are read-only, named
//! `sqlite`, `postgres`, `mssql` and `mongodb`, and live for one process.

use dbdock_core::{ConnectionTarget, Error, Profile, ProfileSource, Result, Secret};
use url::Url;

use crate::ResolvedProfile;

fn truthy(value: Option<String>) -> bool {
    value.is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
}

fn port(var: &dyn Fn(&str) -> Option<String>, name: &str, default: u16) -> Result<u16> {
    match var(name) {
        None => Ok(default),
        Some(text) => {
            text.trim().parse().map_err(|_| Error::invalid_input(format!("{name}='{text}' is not a port number")))
        }
    }
}

fn server_url(scheme: &str, host: &str, port: u16, user: Option<String>, database: Option<String>) -> Result<Url> {
    let mut url = Url::parse(&format!("{scheme}://{host}:{port}/"))
        .map_err(|e| Error::invalid_input(format!("bad host '{host}' in the MCP_* variables: {e}")))?;
    if let Some(user) = user.filter(|u| !u.is_empty()) {
        let _ = url.set_username(&user);
    }
    if let Some(db) = database.filter(|d| !d.is_empty()) {
        url.set_path(&db);
    }
    Ok(url)
}

fn resolved(name: &str, target: ConnectionTarget, create_if_missing: bool) -> ResolvedProfile {
    let profile = Profile::transient(ProfileSource::Environment, name, &target, create_if_missing, "mcp-dbs");
    ResolvedProfile::direct(profile, target)
}

/// The profiles the `MCP_*` variables define. `var` reads one variable (the process
/// environment in production, a map in tests).
pub fn env_profiles(var: impl Fn(&str) -> Option<String>) -> Result<Vec<ResolvedProfile>> {
    let var = |name: &str| var(name).filter(|v| !v.is_empty());
    let mut found = Vec::new();

    if let Some(file) = var("MCP_SQLITE_FILENAME") {
        let create = truthy(var("MCP_SQLITE_CREATE_IF_NOT_EXISTS"));
        found.push(resolved("sqlite", ConnectionTarget::sqlite_file(file), create));
    }

    if ["MCP_POSTGRES_HOST", "MCP_POSTGRES_DATABASE", "MCP_POSTGRES_USER"].iter().any(|v| var(v).is_some()) {
        let host = var("MCP_POSTGRES_HOST").unwrap_or_else(|| "localhost".into());
        let mut url = server_url(
            "postgres",
            &host,
            port(&var, "MCP_POSTGRES_PORT", 5432)?,
            var("MCP_POSTGRES_USER"),
            var("MCP_POSTGRES_DATABASE"),
        )?;
        if truthy(var("MCP_POSTGRES_SSL")) {
            url.set_query(Some("sslmode=require"));
        }
        let target =
            ConnectionTarget::parse(url.as_str())?.with_password(var("MCP_POSTGRES_PASSWORD").map(Secret::new));
        found.push(resolved("postgres", target, false));
    }

    if let Some(server) = var("MCP_MSSQL_SERVER") {
        let mut url = server_url(
            "sqlserver",
            &server,
            port(&var, "MCP_MSSQL_PORT", 1433)?,
            var("MCP_MSSQL_USER"),
            var("MCP_MSSQL_DATABASE"),
        )?;
        let mut query = Vec::new();
        if truthy(var("MCP_MSSQL_ENCRYPT")) {
            query.push("encrypt=true");
        }
        if truthy(var("MCP_MSSQL_TRUST_SERVER_CERTIFICATE")) {
            query.push("trustServerCertificate=true");
        }
        if !query.is_empty() {
            url.set_query(Some(&query.join("&")));
        }
        let target = ConnectionTarget::parse(url.as_str())?.with_password(var("MCP_MSSQL_PASSWORD").map(Secret::new));
        found.push(resolved("mssql", target, false));
    }

    if let Some(uri) = var("MCP_MONGODB_URI") {
        let parsed = ConnectionTarget::parse(&uri)?;
        let password = parsed.password().cloned();
        let mut url =
            parsed.url().cloned().ok_or_else(|| Error::invalid_input("MCP_MONGODB_URI is not a mongodb:// URL"))?;
        if let Some(db) = var("MCP_MONGODB_DATABASE") {
            url.set_path(&db);
        }
        if let Some(size) = var("MCP_MONGODB_MAX_POOL_SIZE") {
            url.query_pairs_mut().append_pair("maxPoolSize", &size);
        }
        let target = ConnectionTarget::parse(url.as_str())?.with_password(password);
        found.push(resolved("mongodb", target, false));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Vec<ResolvedProfile> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        env_profiles(|k| map.get(k).cloned()).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn postgres_variables_make_a_read_only_profile_with_the_port() {
        let found = from(&[
            ("MCP_POSTGRES_HOST", "db.local"),
            ("MCP_POSTGRES_PORT", "6543"),
            ("MCP_POSTGRES_DATABASE", "shop"),
            ("MCP_POSTGRES_USER", "app"),
            ("MCP_POSTGRES_PASSWORD", "pa:ss@word"),
            ("MCP_POSTGRES_SSL", "true"),
        ]);
        assert_eq!(found.len(), 1);
        let p = &found[0];
        assert_eq!(p.profile.name, "postgres");
        assert_eq!(p.profile.access, dbdock_core::Access::ReadOnly);
        assert_eq!(p.profile.url, "postgres://app@db.local:6543/shop?sslmode=require");
        assert_eq!(p.target.password().map(Secret::expose), Some("pa:ss@word"));
        assert!(!format!("{:?}", p.profile).contains("pa:ss"));
    }

    #[test]
    fn every_engine_and_nothing_without_variables() {
        assert!(from(&[]).is_empty());
        let found = from(&[
            ("MCP_SQLITE_FILENAME", "/tmp/x.db"),
            ("MCP_SQLITE_CREATE_IF_NOT_EXISTS", "true"),
            ("MCP_MSSQL_SERVER", "sql.local"),
            ("MCP_MSSQL_USER", "sa"),
            ("MCP_MSSQL_ENCRYPT", "true"),
            ("MCP_MSSQL_TRUST_SERVER_CERTIFICATE", "true"),
            ("MCP_MONGODB_URI", "mongodb://u:pw@m1:27017/?replicaSet=rs0"),
            ("MCP_MONGODB_DATABASE", "app"),
        ]);
        let names: Vec<&str> = found.iter().map(|p| p.profile.name.as_str()).collect();
        assert_eq!(names, ["sqlite", "mssql", "mongodb"]);
        assert!(found[0].profile.create_if_missing);
        assert_eq!(found[1].profile.url, "sqlserver://sa@sql.local:1433/?encrypt=true&trustServerCertificate=true");
        assert_eq!(found[2].target.password().map(Secret::expose), Some("pw"));
    }

    #[test]
    fn a_bad_port_is_reported() {
        let map: HashMap<String, String> = [("MCP_POSTGRES_HOST", "h"), ("MCP_POSTGRES_PORT", "54x")]
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        let err = env_profiles(|k| map.get(k).cloned()).err().map(|e| e.message).unwrap_or_default();
        assert!(err.contains("MCP_POSTGRES_PORT"), "{err}");
    }
}
