//! Finding servers to add as profiles: the loopback default ports and unix sockets, ports
//! the user names, and settings written in the environment, `.env` and Compose files.
//! Every server is told by its handshake (`dbdock_engines::discover`); only loopback and
//! hosts the user typed are ever contacted; secrets found in a source reach the keyring
//! only through [`Workspace::adopt`], which the user confirms (docs/discovery.md).

mod compose;
mod sources;

use std::path::PathBuf;

use dbdock_core::{ConnectionTarget, Engine, Error, Profile, Result, Secret};
use dbdock_engines::discover::{Address, Answer, Patience, Protocol, identify};
use dbdock_store::NewProfile;
use serde::Serialize;

use sources::Candidate;
pub use sources::Origin;

use crate::Workspace;

/// The most ports one scan of a user's range knocks on.
pub const MAX_SCAN_PORTS: usize = 1024;

/// Unix sockets where PostgreSQL and MySQL/MariaDB listen on Debian, Fedora, macOS and
/// Homebrew installs.
const SOCKETS: [(&str, Protocol); 5] = [
    ("/var/run/postgresql/.s.PGSQL.5432", Protocol::Postgres),
    ("/tmp/.s.PGSQL.5432", Protocol::Postgres),
    ("/run/mysqld/mysqld.sock", Protocol::Mysql),
    ("/var/lib/mysql/mysql.sock", Protocol::Mysql),
    ("/tmp/mysql.sock", Protocol::Mysql),
];

/// What to look at.
#[derive(Debug, Clone, Default)]
pub struct DiscoveryRequest {
    /// The default port of every protocol on 127.0.0.1, and the usual unix sockets.
    pub defaults: bool,
    /// A host and ports the user typed (the host may be anywhere: the user chose it).
    pub host: Option<String>,
    pub ports: Vec<u16>,
    /// DB Dock's own environment variables (`DATABASE_URL`, `REDIS_URL`, `PG*`, …).
    pub environment: bool,
    /// A folder whose `.env` and Compose files are read.
    pub folder: Option<PathBuf>,
}

/// How a finding's address answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Probed {
    /// Written in a file or variable but not contacted: its host is not on loopback and the
    /// user did not type it.
    NotProbed { reason: String },
    #[serde(untagged)]
    Answered(Answer),
}

/// A server found, as offered to the user.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub origin: Origin,
    pub address: Option<Address>,
    pub probed: Probed,
    /// The engine a profile for it would use (`None`: not a server DB Dock connects to).
    pub engine: Option<Engine>,
    /// The profile's URL, without any secret.
    pub url: Option<String>,
    pub suggested_name: Option<String>,
    /// The source holds a secret; it is saved only if the user says so when adding.
    pub has_secret: bool,
    /// Where the source says the secret comes from when it does not hold it.
    pub secret_elsewhere: Option<String>,
    /// A saved profile already points at this server.
    pub saved_as: Option<String>,
}

impl Workspace {
    /// Looks where `request` says, knocking on every address at once. `vars` is the
    /// environment to read (the process's in production). Closed ports are left out; an
    /// address that answers no known handshake is listed as unknown.
    pub async fn discover(&self, request: &DiscoveryRequest, vars: &[(String, String)]) -> Result<Vec<Finding>> {
        if request.ports.len() > MAX_SCAN_PORTS {
            return Err(Error::invalid_input(format!(
                "{} ports to scan: name at most {MAX_SCAN_PORTS} at once",
                request.ports.len()
            )));
        }
        let mut knocks: Vec<(Origin, Address, Option<Protocol>)> = Vec::new();
        if request.defaults {
            for protocol in Protocol::ALL {
                let (host, port) = ("127.0.0.1".to_owned(), protocol.default_port());
                knocks.push((Origin::Port { host: host.clone(), port }, Address::Tcp { host, port }, Some(protocol)));
            }
            for (path, protocol) in existing_sockets() {
                knocks.push((Origin::Socket { path: path.clone() }, Address::Unix { path }, Some(protocol)));
            }
        }
        if !request.ports.is_empty() {
            let host = request.host.clone().unwrap_or_else(|| "127.0.0.1".into());
            for &port in &request.ports {
                let origin = Origin::Port { host: host.clone(), port };
                knocks.push((origin, Address::Tcp { host: host.clone(), port }, None));
            }
        }
        let mut candidates = Vec::new();
        if request.environment {
            candidates.extend(sources::environment(vars));
        }
        if let Some(folder) = &request.folder {
            candidates.extend(sources::env_files(folder)?);
            candidates.extend(compose::compose_files(folder)?);
        }
        let profiles = self.store.stored_profiles().await?;
        let patience = Patience::default();
        let scans = knocks.into_iter().map(|(origin, address, expected)| async move {
            let answer = identify(&address, expected, patience).await;
            (origin, address, answer)
        });
        let checks = candidates.into_iter().map(|candidate| async move {
            let (address, probed) = match candidate.target.server_address() {
                Some((host, port)) if is_loopback(&host) => {
                    let address = Address::Tcp { host, port };
                    let answer = identify(&address, protocol_of(candidate.target.engine()), patience).await;
                    (Some(address), Probed::Answered(answer))
                }
                found => (
                    found.map(|(host, port)| Address::Tcp { host, port }),
                    Probed::NotProbed {
                        reason: "not on this machine: DB Dock contacts only loopback and hosts you type".into(),
                    },
                ),
            };
            (candidate, address, probed)
        });
        let (scanned, checked) =
            tokio::join!(futures_util::future::join_all(scans), futures_util::future::join_all(checks));
        let mut findings: Vec<Finding> = scanned
            .into_iter()
            .filter(|(_, _, answer)| !matches!(answer, Answer::Closed { .. }))
            .map(|(origin, address, answer)| port_finding(origin, address, answer))
            .collect();
        findings.extend(checked.into_iter().map(|(candidate, address, probed)| Finding {
            engine: Some(candidate.target.engine()),
            url: Some(candidate.target.url_without_secret()),
            suggested_name: None,
            has_secret: candidate.target.password().is_some(),
            secret_elsewhere: candidate.secret_elsewhere,
            saved_as: None,
            origin: candidate.origin,
            address,
            probed,
        }));
        name_findings(&mut findings, &profiles);
        Ok(findings)
    }

    /// Saves `finding` as profile `name`. The secret its source holds goes to the keyring
    /// only with `keep_secret` (the user confirmed); it is read from the source again now,
    /// so it never travelled through a face. `password` is one the user typed instead.
    pub async fn adopt(
        &self,
        origin: &Origin,
        url: &str,
        name: &str,
        keep_secret: bool,
        password: Option<Secret>,
        vars: &[(String, String)],
    ) -> Result<Profile> {
        let mut target = ConnectionTarget::parse(url)?;
        if target.password().is_some() {
            return Err(Error::invalid_input("the URL of a finding carries no secret: give the password separately"));
        }
        if keep_secret && password.is_none() {
            let source = self.reread(origin, vars)?;
            let secret = source.and_then(|c| c.target.password().cloned()).ok_or_else(|| {
                Error::not_found(format!("{origin} holds no secret any more: it changed since it was read"))
            })?;
            target = target.with_password(Some(secret));
        } else if password.is_some() {
            target = target.with_password(password);
        }
        self.store.add_profile(NewProfile::new(name, target)).await
    }

    /// The candidate at `origin`, read from its source again.
    fn reread(&self, origin: &Origin, vars: &[(String, String)]) -> Result<Option<Candidate>> {
        let found = match origin {
            Origin::Environment { .. } => sources::environment(vars),
            Origin::EnvFile { path, .. } => sources::env_files(path.parent().unwrap_or(path))?,
            Origin::Compose { path, .. } => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| Error::invalid_input(format!("cannot read {}: {e}", path.display())))?;
                compose::services(path, &text)?
            }
            Origin::Port { .. } | Origin::Socket { .. } => return Ok(None),
        };
        Ok(found.into_iter().find(|c| &c.origin == origin))
    }
}

/// Ports as a person types them: `5000-5010, 6380` (empty: none), at most
/// [`MAX_SCAN_PORTS`].
pub fn parse_ports(text: &str) -> Result<Vec<u16>> {
    let mut ports = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (from, to) = part.split_once('-').unwrap_or((part, part));
        let parse = |p: &str| {
            p.trim().parse::<u16>().map_err(|_| Error::invalid_input(format!("'{}' is not a port number", p.trim())))
        };
        let (from, to) = (parse(from)?, parse(to)?);
        if from == 0 || from > to {
            return Err(Error::invalid_input(format!("'{part}' is not a port range: write FROM-TO, FROM <= TO")));
        }
        if usize::from(to - from) + ports.len() >= MAX_SCAN_PORTS {
            return Err(Error::invalid_input(format!("more than {MAX_SCAN_PORTS} ports: scan fewer at once")));
        }
        ports.extend(from..=to);
    }
    Ok(ports)
}

fn existing_sockets() -> Vec<(PathBuf, Protocol)> {
    let mut seen = std::collections::HashSet::new();
    SOCKETS
        .iter()
        .map(|(path, protocol)| (PathBuf::from(path), *protocol))
        .filter(|(path, _)| path.exists())
        // /var/run is a link to /run on most systems: one socket, listed once.
        .filter(|(path, _)| seen.insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.clone())))
        .collect()
}

fn protocol_of(engine: Engine) -> Option<Protocol> {
    Protocol::ALL.into_iter().find(|p| p.engine() == Some(engine))
}

pub(crate) fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A finding of a port or socket scan, with the URL a profile for it would have.
fn port_finding(origin: Origin, address: Address, answer: Answer) -> Finding {
    let identity = match &answer {
        Answer::Identified(identity) => Some(identity),
        _ => None,
    };
    let engine = identity.and_then(|i| i.protocol.engine());
    let url = identity.and_then(|i| profile_url(i.protocol, &address));
    Finding {
        origin,
        address: Some(address),
        probed: Probed::Answered(answer),
        engine,
        url,
        suggested_name: None,
        has_secret: false,
        secret_elsewhere: None,
        saved_as: None,
    }
}

/// The URL of a profile for a server found at `address`: the login its engine's packages
/// set up (`postgres`, `root`, `sa`), which the user can change before adding.
fn profile_url(protocol: Protocol, address: &Address) -> Option<String> {
    let engine = protocol.engine()?;
    let scheme = engine.spec().schemes[0];
    Some(match address {
        Address::Tcp { .. } => {
            let at = address.to_string();
            match engine {
                Engine::Postgres => format!("{scheme}://postgres@{at}/postgres"),
                Engine::Mysql => format!("{scheme}://root@{at}/"),
                Engine::Mssql => format!("{scheme}://sa@{at}"),
                Engine::Redis => format!("{scheme}://{at}/0"),
                _ => format!("{scheme}://{at}"),
            }
        }
        Address::Unix { path } => {
            let folder = path.parent()?.to_str()?;
            let file = path.to_str()?;
            match engine {
                // libpq and sqlx take the socket's folder as `host`.
                Engine::Postgres => format!("{scheme}://postgres@localhost/postgres?host={folder}"),
                Engine::Mysql => format!("{scheme}://root@localhost/?socket={file}"),
                _ => return None,
            }
        }
    })
}

/// The server a target reaches, with every loopback name as one.
fn server_key(target: &ConnectionTarget) -> Option<(String, u16)> {
    let (host, port) = target.server_address()?;
    Some((if is_loopback(&host) { "loopback".to_owned() } else { host.to_ascii_lowercase() }, port))
}

/// Suggests a free profile name for each finding with a URL, and marks those a saved
/// profile already reaches.
fn name_findings(findings: &mut [Finding], profiles: &[Profile]) {
    let mut taken: std::collections::HashSet<String> = profiles.iter().map(|p| p.name.to_ascii_lowercase()).collect();
    for finding in findings.iter_mut() {
        let (Some(engine), Some(url)) = (finding.engine, &finding.url) else { continue };
        let Ok(target) = ConnectionTarget::parse(url) else { continue };
        let server = server_key(&target);
        finding.saved_as = profiles
            .iter()
            .find(|p| p.engine == engine && ConnectionTarget::parse(&p.url).ok().and_then(|t| server_key(&t)) == server)
            .map(|p| p.name.clone());
        let base = match (&finding.origin, &server) {
            (Origin::Compose { service, .. }, _) => service.clone(),
            (_, Some((_, port))) if Some(*port) != engine.default_port() => format!("local-{}-{port}", engine.as_str()),
            _ => format!("local-{}", engine.as_str()),
        };
        let base: String = base
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '-' })
            .collect();
        let name = (1..)
            .map(|n| if n == 1 { base.clone() } else { format!("{base}-{n}") })
            .find(|n| !taken.contains(&n.to_ascii_lowercase()))
            .unwrap_or(base);
        taken.insert(name.to_ascii_lowercase());
        finding.suggested_name = Some(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_read_as_typed_and_bounded() {
        assert_eq!(parse_ports("").ok(), Some(vec![]));
        assert_eq!(parse_ports("5432, 6380-6382").ok(), Some(vec![5432, 6380, 6381, 6382]));
        for bad in ["0", "70000", "9-3", "a-b", "1-2000"] {
            assert!(parse_ports(bad).is_err(), "{bad}");
        }
    }
}
