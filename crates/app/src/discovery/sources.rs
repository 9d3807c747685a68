//! Where connection settings are written down: environment variables (`DATABASE_URL`,
//! `REDIS_URL`, libpq's `PG*`), `.env` files and Compose files in a folder the user picks.
//! Each source yields candidates with the secret it holds, which stays in memory and
//! reaches the keyring only when the user confirms (docs/discovery.md).

use std::path::{Path, PathBuf};

use dbdock_core::{ConnectionTarget, Engine, Error, Result, Secret};
use serde::{Deserialize, Serialize};

/// Where a candidate was written down: enough to read it again when the user adds it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Origin {
    /// A loopback port or a port in the range the user gave.
    Port {
        host: String,
        port: u16,
    },
    Socket {
        path: PathBuf,
    },
    /// Variables of DB Dock's own environment (a URL in one, or libpq's `PG*` set).
    Environment {
        variables: Vec<String>,
    },
    /// `KEY=url` in a `.env` file.
    EnvFile {
        path: PathBuf,
        key: String,
    },
    /// A service of a Compose file.
    Compose {
        path: PathBuf,
        service: String,
    },
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Port { host, port } => write!(f, "port {host}:{port}"),
            Origin::Socket { path } => write!(f, "socket {}", path.display()),
            Origin::Environment { variables } => write!(f, "environment {}", variables.join(", ")),
            Origin::EnvFile { path, key } => write!(f, "{} {key}", path.display()),
            Origin::Compose { path, service } => write!(f, "{} service {service}", path.display()),
        }
    }
}

/// Settings found in a source, secret included.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub origin: Origin,
    pub target: ConnectionTarget,
    /// The source names its secret but does not hold it (`${PG_PASSWORD}` in a Compose file).
    pub secret_elsewhere: Option<String>,
}

impl Candidate {
    fn new(origin: Origin, target: ConnectionTarget) -> Candidate {
        Candidate { origin, target, secret_elsewhere: None }
    }
}

/// Candidates in the environment `vars` (name, value): every value that parses as a
/// server URL, and libpq's `PGHOST`/`PGPORT`/`PGUSER`/`PGDATABASE`/`PGPASSWORD`.
pub fn environment(vars: &[(String, String)]) -> Vec<Candidate> {
    let mut found: Vec<Candidate> = vars
        .iter()
        .filter_map(|(name, value)| {
            let target = server_url(value)?;
            Some(Candidate::new(Origin::Environment { variables: vec![name.clone()] }, target))
        })
        .collect();
    let get = |key: &str| vars.iter().find(|(n, _)| n == key).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty());
    if get("PGHOST").is_some() || get("PGDATABASE").is_some() || get("PGUSER").is_some() {
        let host = get("PGHOST").unwrap_or("localhost");
        let mut url = url::Url::parse("postgres://localhost/").ok();
        if let Some(url) = url.as_mut() {
            if host.starts_with('/') {
                // libpq reads a host that is a path as the folder of the unix socket.
                url.query_pairs_mut().append_pair("host", host);
            } else if url.set_host(Some(host)).is_err() {
                return found;
            }
            let _ = url.set_port(get("PGPORT").and_then(|p| p.parse().ok()));
            let _ = url.set_username(get("PGUSER").unwrap_or("postgres"));
            url.set_path(get("PGDATABASE").unwrap_or("postgres"));
        }
        let variables = ["PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD"]
            .into_iter()
            .filter(|v| get(v).is_some())
            .map(str::to_owned)
            .collect();
        if let Some(Ok(target)) = url.map(|u| ConnectionTarget::parse(u.as_str())) {
            let password = get("PGPASSWORD").map(|p| Secret::new(p.to_owned()));
            found.push(Candidate::new(Origin::Environment { variables }, target.with_password(password)));
        }
    }
    found
}

/// A value that is a server URL DB Dock connects to (a SQLite path is no server).
fn server_url(value: &str) -> Option<ConnectionTarget> {
    if !value.contains("://") {
        return None;
    }
    ConnectionTarget::parse(value).ok().filter(|t| t.engine() != Engine::Sqlite)
}

/// The `.env` files of `folder` (`.env`, `.env.local`, `.env.development`, …).
pub fn env_files(folder: &Path) -> Result<Vec<Candidate>> {
    let mut found = Vec::new();
    for path in files_in(folder, |name| name == ".env" || name.starts_with(".env."))? {
        let entries = dotenvy::from_path_iter(&path)
            .map_err(|e| Error::invalid_input(format!("cannot read {}: {e}", path.display())))?;
        for entry in entries {
            // A line dotenvy cannot read is skipped, not fatal: the rest of the file counts.
            let Ok((key, value)) = entry else { continue };
            if let Some(target) = server_url(&value) {
                found.push(Candidate::new(Origin::EnvFile { path: path.clone(), key }, target));
            }
        }
    }
    Ok(found)
}

pub(super) fn files_in(folder: &Path, wanted: impl Fn(&str) -> bool) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(folder)
        .map_err(|e| Error::invalid_input(format!("cannot read the folder {}: {e}", folder.display())))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(&wanted))
        .collect();
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn urls_and_libpq_variables_become_candidates_with_their_secret() {
        let found = environment(&vars(&[
            ("DATABASE_URL", "postgres://app:s3cret@127.0.0.1:5433/shop"),
            ("REDIS_URL", "redis://localhost:6380/1"),
            ("HOME", "/root"),
            ("SQLITE_URL", "sqlite://x.db"),
            ("PGHOST", "127.0.0.1"),
            ("PGUSER", "report"),
            ("PGPASSWORD", "pw"),
        ]));
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(found[0].target.engine(), Engine::Postgres);
        assert_eq!(found[0].target.password().map(Secret::expose), Some("s3cret"));
        assert!(!found[0].target.url_without_secret().contains("s3cret"));
        assert_eq!(found[1].target.engine(), Engine::Redis);
        assert_eq!(found[2].target.url_without_secret(), "postgres://report@127.0.0.1/postgres");
        assert_eq!(found[2].target.password().map(Secret::expose), Some("pw"));
        let Origin::Environment { variables } = &found[2].origin else { panic!("{:?}", found[2].origin) };
        assert_eq!(variables, &["PGHOST", "PGUSER", "PGPASSWORD"]);
    }

    #[test]
    fn env_files_of_a_folder_are_read_and_other_files_are_not() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::internal(e.to_string()))?;
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text);
        write(".env", "# app\nDATABASE_URL=\"mysql://root:pw@127.0.0.1:3306/app\"\nDEBUG=1\n")
            .and_then(|()| write(".env.local", "NATS_URL=nats://127.0.0.1:4222\n"))
            .and_then(|()| write("settings.env.txt", "X_URL=redis://127.0.0.1\n"))
            .map_err(|e| Error::internal(e.to_string()))?;
        let found = env_files(dir.path())?;
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].target.engine(), Engine::Mysql);
        assert_eq!(found[0].target.password().map(Secret::expose), Some("pw"));
        assert_eq!(found[1].target.engine(), Engine::Nats);
        assert!(env_files(&dir.path().join("missing")).is_err());
        Ok(())
    }
}
