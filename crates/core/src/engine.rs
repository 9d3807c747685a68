//! The kinds of server DB Dock talks to, and each one's registration: its names, URL
//! schemes, default port, dialect, watch kinds and capabilities. Everything that used to
//! choose by engine name (the faces, the UI, MCP descriptions) reads [`EngineSpec`]
//! instead, so a new engine is one entry here plus its module in `dbdock-engines`
//! (docs/adding-an-engine.md).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Dialect;

/// The kinds of server DB Dock can talk to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Engine {
    Sqlite,
    Postgres,
    Mysql,
    Mssql,
    Mongodb,
    Redis,
    Nats,
    Kafka,
}

/// The language a connection's statements are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum QueryLanguage {
    Sql,
    /// MongoDB shell syntax or command documents.
    MongoShell,
    /// One Redis command, its arguments quoted as for `redis-cli`.
    RedisCommand,
}

/// What an engine can do. The faces show and offer exactly these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Capabilities {
    /// The language of its statements (it is a database); none for streaming-only servers.
    pub query: Option<QueryLanguage>,
    /// A schema (tables or collections, columns or inferred fields) to browse.
    pub browse: bool,
    /// The server shows a statement's plan without running it.
    pub explain: bool,
    /// A dropped call is cancelled on the server, not only abandoned by the client.
    pub cancel_on_server: bool,
    /// A read-only transaction (or mode) stands behind DB Dock's statement check
    /// (docs/safety.md); without one, read-only rests on the check and the login.
    pub read_only_transaction: bool,
    /// DB Dock can create a least-privilege login for AI clients on it.
    pub creates_read_only_login: bool,
    /// Live events: `watch_kinds` says which targets.
    pub watch: bool,
    pub publish: bool,
    /// Request/reply (NATS).
    pub request: bool,
    /// Consumer lag of streams (JetStream, Redis consumer groups).
    pub stream_lag: bool,
    /// Topics and consumer groups to browse, and group offsets to reset (Kafka).
    pub consumer_groups: bool,
    /// Keys to browse by prefix, with typed values read a page at a time (Redis).
    pub key_browser: bool,
}

/// One engine's registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineSpec {
    pub engine: Engine,
    /// The stable lowercase name used in profiles, JSON and MCP.
    pub name: &'static str,
    /// The name people know it by.
    pub label: &'static str,
    /// URL schemes that select it; the first is the one DB Dock writes.
    pub schemes: &'static [&'static str],
    pub default_port: Option<u16>,
    /// The SQL dialect of its statement check, for SQL engines.
    pub dialect: Option<Dialect>,
    /// The watch target kinds it serves (`channel`, `subject`, …), see [`crate::WatchTarget`].
    pub watch_kinds: &'static [&'static str],
    /// Where read-only rests on a list of commands rather than on a read-only mode
    /// (Redis): the commands a read-only call may run, lowercase, `container|sub` for
    /// subcommands. Empty elsewhere. The console completes from it.
    pub read_commands: &'static [&'static str],
    pub capabilities: Capabilities,
}

const NOTHING: Capabilities = Capabilities {
    query: None,
    browse: false,
    explain: false,
    cancel_on_server: false,
    read_only_transaction: false,
    creates_read_only_login: false,
    watch: false,
    publish: false,
    request: false,
    stream_lag: false,
    consumer_groups: false,
    key_browser: false,
};

const SQLITE: EngineSpec = EngineSpec {
    engine: Engine::Sqlite,
    name: "sqlite",
    label: "SQLite",
    schemes: &["sqlite"],
    default_port: None,
    dialect: Some(Dialect::Sqlite),
    watch_kinds: &[],
    read_commands: &[],
    // SQLite's read-only connection plus its authorizer; a dropped call is interrupted
    // in-process, which is as good as a server-side cancel.
    capabilities: Capabilities {
        query: Some(QueryLanguage::Sql),
        browse: true,
        explain: true,
        cancel_on_server: false,
        read_only_transaction: true,
        ..NOTHING
    },
};

const POSTGRES: EngineSpec = EngineSpec {
    engine: Engine::Postgres,
    name: "postgres",
    label: "PostgreSQL",
    schemes: &["postgres", "postgresql"],
    default_port: Some(5432),
    dialect: Some(Dialect::Postgres),
    watch_kinds: &["notify"],
    read_commands: &[],
    capabilities: Capabilities {
        query: Some(QueryLanguage::Sql),
        browse: true,
        explain: true,
        cancel_on_server: true,
        read_only_transaction: true,
        creates_read_only_login: true,
        watch: true,
        publish: true,
        ..NOTHING
    },
};

const MYSQL: EngineSpec = EngineSpec {
    engine: Engine::Mysql,
    name: "mysql",
    label: "MySQL / MariaDB",
    schemes: &["mysql", "mariadb"],
    default_port: Some(3306),
    dialect: Some(Dialect::Mysql),
    watch_kinds: &[],
    read_commands: &[],
    capabilities: Capabilities {
        query: Some(QueryLanguage::Sql),
        browse: true,
        explain: true,
        cancel_on_server: true,
        read_only_transaction: true,
        creates_read_only_login: true,
        ..NOTHING
    },
};

const MSSQL: EngineSpec = EngineSpec {
    engine: Engine::Mssql,
    name: "mssql",
    label: "SQL Server",
    schemes: &["sqlserver", "mssql"],
    default_port: Some(1433),
    dialect: Some(Dialect::Mssql),
    watch_kinds: &[],
    read_commands: &[],
    capabilities: Capabilities { query: Some(QueryLanguage::Sql), browse: true, cancel_on_server: true, ..NOTHING },
};

const MONGODB: EngineSpec = EngineSpec {
    engine: Engine::Mongodb,
    name: "mongodb",
    label: "MongoDB",
    schemes: &["mongodb", "mongodb+srv"],
    default_port: Some(27017),
    dialect: None,
    watch_kinds: &["changes"],
    read_commands: &[],
    capabilities: Capabilities {
        query: Some(QueryLanguage::MongoShell),
        browse: true,
        cancel_on_server: true,
        watch: true,
        ..NOTHING
    },
};

const REDIS: EngineSpec = EngineSpec {
    engine: Engine::Redis,
    name: "redis",
    label: "Redis",
    schemes: &["redis", "rediss"],
    default_port: Some(6379),
    dialect: None,
    watch_kinds: &["channel", "pattern", "keyspace", "stream"],
    read_commands: crate::read_commands::REDIS,
    capabilities: Capabilities {
        query: Some(QueryLanguage::RedisCommand),
        watch: true,
        publish: true,
        stream_lag: true,
        key_browser: true,
        ..NOTHING
    },
};

const NATS: EngineSpec = EngineSpec {
    engine: Engine::Nats,
    name: "nats",
    label: "NATS",
    schemes: &["nats", "tls"],
    default_port: Some(4222),
    dialect: None,
    watch_kinds: &["subject", "lag", "kv"],
    read_commands: &[],
    capabilities: Capabilities { watch: true, publish: true, request: true, stream_lag: true, ..NOTHING },
};

const KAFKA: EngineSpec = EngineSpec {
    engine: Engine::Kafka,
    name: "kafka",
    label: "Kafka",
    schemes: &["kafka", "kafka+ssl"],
    default_port: Some(9092),
    dialect: None,
    watch_kinds: &["topic", "lag"],
    read_commands: &[],
    capabilities: Capabilities { watch: true, publish: true, stream_lag: true, consumer_groups: true, ..NOTHING },
};

impl Engine {
    pub const ALL: [Engine; 8] = [
        Engine::Sqlite,
        Engine::Postgres,
        Engine::Mysql,
        Engine::Mssql,
        Engine::Mongodb,
        Engine::Redis,
        Engine::Nats,
        Engine::Kafka,
    ];

    /// The engine's registration: the one place that says what it is and can do.
    pub fn spec(self) -> &'static EngineSpec {
        match self {
            Engine::Sqlite => &SQLITE,
            Engine::Postgres => &POSTGRES,
            Engine::Mysql => &MYSQL,
            Engine::Mssql => &MSSQL,
            Engine::Mongodb => &MONGODB,
            Engine::Redis => &REDIS,
            Engine::Nats => &NATS,
            Engine::Kafka => &KAFKA,
        }
    }

    /// The stable lowercase name used in profiles, JSON and MCP.
    pub fn as_str(self) -> &'static str {
        self.spec().name
    }

    pub fn capabilities(self) -> Capabilities {
        self.spec().capabilities
    }

    /// The engine a URL scheme names, if any.
    pub fn from_scheme(scheme: &str) -> Option<Engine> {
        Engine::ALL.into_iter().find(|e| e.spec().schemes.iter().any(|s| s.eq_ignore_ascii_case(scheme)))
    }

    /// The port a server of this engine listens on unless told otherwise.
    pub fn default_port(self) -> Option<u16> {
        self.spec().default_port
    }

    /// The engines whose capabilities pass `wanted`, as a list for people
    /// ("PostgreSQL, Redis and NATS").
    pub fn labels_where(wanted: impl Fn(&Capabilities) -> bool) -> String {
        let labels: Vec<&str> =
            Engine::ALL.into_iter().filter(|e| wanted(&e.capabilities())).map(|e| e.spec().label).collect();
        match labels.split_last() {
            None => String::new(),
            Some((last, [])) => (*last).to_owned(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        }
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registration_names_its_own_engine_and_unique_schemes() {
        let mut schemes = std::collections::HashSet::new();
        for engine in Engine::ALL {
            let spec = engine.spec();
            assert_eq!(spec.engine, engine);
            assert_eq!(serde_json::to_value(engine).ok(), Some(serde_json::Value::from(spec.name)));
            for scheme in spec.schemes {
                assert!(schemes.insert(*scheme), "scheme {scheme} registered twice");
                assert_eq!(Engine::from_scheme(&scheme.to_uppercase()), Some(engine));
            }
            // Watch kinds and the watch capability go together, and each kind parses to
            // a target of this engine.
            assert_eq!(spec.capabilities.watch, !spec.watch_kinds.is_empty(), "{engine}");
            for kind in spec.watch_kinds {
                let target = crate::WatchTarget::parse(&format!("{kind}:a/b"))
                    .and_then(|t| t.for_engine(engine))
                    .map(|t| t.engine());
                assert_eq!(target.ok(), Some(engine), "{kind}");
            }
            assert_eq!(spec.dialect.is_some(), spec.capabilities.query == Some(QueryLanguage::Sql), "{engine}");
        }
        assert_eq!(Engine::from_scheme("ftp"), None);
    }

    #[test]
    fn lists_engines_by_capability_for_people() {
        assert_eq!(Engine::labels_where(|c| c.request), "NATS");
        assert_eq!(Engine::labels_where(|c| c.stream_lag), "Redis, NATS and Kafka");
        assert_eq!(Engine::labels_where(|c| c.publish), "PostgreSQL, Redis, NATS and Kafka");
    }
}
