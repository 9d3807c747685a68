//! Compose files: each service whose image is a database or streaming server DB Dock
//! knows, with the host port it publishes and the login its image's environment
//! variables set (`POSTGRES_PASSWORD`, `MYSQL_ROOT_PASSWORD`, `MONGO_INITDB_ROOT_*`,
//! `MSSQL_SA_PASSWORD`). A value Compose would interpolate (`${PG_PASSWORD}`) is not a
//! password: the candidate says where it comes from instead.

use std::path::Path;

use dbdock_core::{ConnectionTarget, Engine, Error, Result, Secret};
use serde_yaml_ng::Value;

use super::sources::{Candidate, Origin};

/// The services of the Compose files of `folder`.
pub fn compose_files(folder: &Path) -> Result<Vec<Candidate>> {
    let mut found = Vec::new();
    let names = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];
    for path in super::sources::files_in(folder, |name| names.contains(&name))? {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::invalid_input(format!("cannot read {}: {e}", path.display())))?;
        found.extend(services(&path, &text)?);
    }
    Ok(found)
}

pub fn services(path: &Path, text: &str) -> Result<Vec<Candidate>> {
    let doc: Value = serde_yaml_ng::from_str(text)
        .map_err(|e| Error::invalid_input(format!("{} is not a Compose file: {e}", path.display())))?;
    let Some(services) = doc.get("services").and_then(Value::as_mapping) else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for (name, service) in services {
        let (Some(name), Some(image)) = (name.as_str(), service.get("image").and_then(Value::as_str)) else {
            continue;
        };
        let Some(engine) = engine_of(image) else { continue };
        let Some(container_port) = engine.default_port() else { continue };
        let Some((host, port)) = published(service, container_port) else { continue };
        let env = environment(service);
        let login = Login::of(engine, &env);
        let mut url = match url::Url::parse(&format!("{}://{host}:{port}/", engine.spec().schemes[0])) {
            Ok(url) => url,
            Err(_) => continue,
        };
        if let Some(user) = &login.user {
            let _ = url.set_username(user);
        }
        if let Some(db) = &login.database {
            url.set_path(db);
        }
        let Ok(target) = ConnectionTarget::parse(url.as_str()) else { continue };
        let (password, elsewhere) = match login.password {
            // Only the variable names are shown: literal text around them may be secret.
            Some(p) if p.contains("${") => (None, Some(variable_references(&p))),
            Some(p) => (Some(Secret::new(p)), None),
            None => (None, None),
        };
        found.push(Candidate {
            origin: Origin::Compose { path: path.to_owned(), service: name.to_owned() },
            target: target.with_password(password),
            secret_elsewhere: elsewhere,
        });
    }
    Ok(found)
}

/// The `${…}` references of a Compose value, and nothing else of it.
fn variable_references(value: &str) -> String {
    let mut found = Vec::new();
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else { break };
        found.push(&rest[start..=start + len]);
        rest = &rest[start + len + 1..];
    }
    found.join(" ")
}

/// The engine of an image (`postgres:16`, `bitnami/mariadb`, `mcr.microsoft.com/mssql/server:2022-latest`).
fn engine_of(image: &str) -> Option<Engine> {
    let path = image.split(['@']).next().unwrap_or(image);
    let path = path.rsplit_once(':').filter(|(_, tag)| !tag.contains('/')).map_or(path, |(p, _)| p);
    let base = path.rsplit('/').next().unwrap_or(path);
    match base {
        _ if path.contains("mssql") => Some(Engine::Mssql),
        "postgres" | "postgis" | "timescaledb" | "postgresql" => Some(Engine::Postgres),
        "mysql" | "mariadb" | "percona-server" => Some(Engine::Mysql),
        "mongo" | "mongodb" | "mongodb-community-server" => Some(Engine::Mongodb),
        "redis" | "valkey" | "redis-stack-server" | "redis-stack" => Some(Engine::Redis),
        "nats" => Some(Engine::Nats),
        "kafka" | "cp-kafka" | "redpanda" => Some(Engine::Kafka),
        _ => None,
    }
}

/// The host address and port where the service publishes `container_port`: short syntax
/// (`"5433:5432"`, `"127.0.0.1:5433:5432"`) or long (`target`/`published`/`host_ip`).
/// A port published on every interface is reached on loopback.
fn published(service: &Value, container_port: u16) -> Option<(String, u16)> {
    let loopback = |ip: &str| if ip.is_empty() || ip == "0.0.0.0" || ip == "::" { "127.0.0.1" } else { ip }.to_owned();
    for entry in service.get("ports")?.as_sequence()? {
        if let Some(text) = entry.as_str().map(str::to_owned).or_else(|| entry.as_u64().map(|n| n.to_string())) {
            let text = text.split('/').next().unwrap_or(&text).to_owned();
            let parts: Vec<&str> = text.rsplitn(3, ':').collect();
            if let [target, host_port, rest @ ..] = parts.as_slice()
                && target.parse::<u16>().ok() == Some(container_port)
                && let Ok(port) = host_port.parse()
            {
                return Some((loopback(rest.first().copied().unwrap_or("")), port));
            }
        } else if entry.get("target").and_then(Value::as_u64) == Some(u64::from(container_port)) {
            let port = match entry.get("published")? {
                Value::Number(n) => u16::try_from(n.as_u64()?).ok()?,
                Value::String(s) => s.parse().ok()?,
                _ => return None,
            };
            return Some((loopback(entry.get("host_ip").and_then(Value::as_str).unwrap_or("")), port));
        }
    }
    None
}

/// The service's environment, from either the list (`- KEY=value`) or the map form.
fn environment(service: &Value) -> Vec<(String, String)> {
    match service.get("environment") {
        Some(Value::Mapping(map)) => map
            .iter()
            .filter_map(|(k, v)| {
                let value = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => return None,
                };
                Some((k.as_str()?.to_owned(), value))
            })
            .collect(),
        Some(Value::Sequence(items)) => items
            .iter()
            .filter_map(|i| i.as_str()?.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
            .collect(),
        _ => Vec::new(),
    }
}

/// The login an image's documented variables create.
struct Login {
    user: Option<String>,
    password: Option<String>,
    database: Option<String>,
}

impl Login {
    fn of(engine: Engine, env: &[(String, String)]) -> Login {
        let get = |key: &str| env.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).filter(|v| !v.is_empty());
        let first = |keys: &[&str]| keys.iter().find_map(|k| get(k));
        match engine {
            Engine::Postgres => Login {
                user: Some(get("POSTGRES_USER").unwrap_or_else(|| "postgres".into())),
                password: get("POSTGRES_PASSWORD"),
                database: first(&["POSTGRES_DB", "POSTGRES_USER"]).or_else(|| Some("postgres".into())),
            },
            Engine::Mysql => match first(&["MYSQL_ROOT_PASSWORD", "MARIADB_ROOT_PASSWORD"]) {
                Some(root) => Login {
                    user: Some("root".into()),
                    password: Some(root),
                    database: first(&["MYSQL_DATABASE", "MARIADB_DATABASE"]),
                },
                None => Login {
                    user: first(&["MYSQL_USER", "MARIADB_USER"]).or_else(|| Some("root".into())),
                    password: first(&["MYSQL_PASSWORD", "MARIADB_PASSWORD"]),
                    database: first(&["MYSQL_DATABASE", "MARIADB_DATABASE"]),
                },
            },
            Engine::Mongodb => Login {
                user: get("MONGO_INITDB_ROOT_USERNAME"),
                password: get("MONGO_INITDB_ROOT_PASSWORD"),
                database: None,
            },
            Engine::Mssql => Login {
                user: Some("sa".into()),
                password: first(&["MSSQL_SA_PASSWORD", "SA_PASSWORD"]),
                database: None,
            },
            Engine::Redis => Login { user: None, password: get("REDIS_PASSWORD"), database: None },
            Engine::Nats | Engine::Kafka | Engine::Sqlite => Login { user: None, password: None, database: None },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
services:
  db:
    image: postgres:16
    ports: ["127.0.0.1:5433:5432"]
    environment:
      POSTGRES_USER: shop
      POSTGRES_PASSWORD: s3cret
  cache:
    image: valkey/valkey:8
    ports:
      - "6380:6379"
  sql:
    image: mcr.microsoft.com/mssql/server:2022-latest
    ports:
      - target: 1433
        published: "14330"
    environment:
      - MSSQL_SA_PASSWORD=${SA_PASSWORD}
  web:
    image: nginx
    ports: ["8080:80"]
  internal:
    image: mariadb:11
"#;

    #[test]
    fn known_images_become_candidates_with_the_published_port_and_login() -> Result<()> {
        let found = services(Path::new("compose.yaml"), FILE)?;
        let urls: Vec<String> = found.iter().map(|c| c.target.url_without_secret()).collect();
        assert_eq!(
            urls,
            ["postgres://shop@127.0.0.1:5433/shop", "redis://127.0.0.1:6380/", "sqlserver://sa@127.0.0.1:14330/"]
        );
        assert_eq!(found[0].target.password().map(Secret::expose), Some("s3cret"));
        assert!(found[2].target.password().is_none(), "an interpolated value is no password");
        assert_eq!(found[2].secret_elsewhere.as_deref(), Some("${SA_PASSWORD}"));
        assert!(services(Path::new("x.yml"), "services: [unclosed").is_err());
        assert_eq!(variable_references("pre-s3cret${A}mid${B:-x}"), "${A} ${B:-x}", "literal text is never shown");
        Ok(())
    }

    #[test]
    fn images_are_told_by_name_not_by_a_substring_of_another() {
        assert_eq!(engine_of("docker.io/library/postgres:16-alpine"), Some(Engine::Postgres));
        assert_eq!(engine_of("localhost:5000/mariadb"), Some(Engine::Mysql));
        assert_eq!(engine_of("bitnami/redis@sha256:abc"), Some(Engine::Redis));
        assert_eq!(engine_of("postgres-exporter"), None);
        assert_eq!(engine_of("grafana/grafana"), None);
    }
}
