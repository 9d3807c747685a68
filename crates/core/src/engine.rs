use std::fmt;

use serde::{Deserialize, Serialize};

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
}

impl Engine {
    pub const ALL: [Engine; 7] =
        [Engine::Sqlite, Engine::Postgres, Engine::Mysql, Engine::Mssql, Engine::Mongodb, Engine::Redis, Engine::Nats];

    /// The stable lowercase name used in profiles, JSON and MCP.
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
            Engine::Mysql => "mysql",
            Engine::Mssql => "mssql",
            Engine::Mongodb => "mongodb",
            Engine::Redis => "redis",
            Engine::Nats => "nats",
        }
    }

    /// The engine a URL scheme names, if any.
    pub fn from_scheme(scheme: &str) -> Option<Engine> {
        Some(match scheme.to_ascii_lowercase().as_str() {
            "sqlite" => Engine::Sqlite,
            "postgres" | "postgresql" => Engine::Postgres,
            "mysql" | "mariadb" => Engine::Mysql,
            "sqlserver" | "mssql" => Engine::Mssql,
            "mongodb" | "mongodb+srv" => Engine::Mongodb,
            "redis" | "rediss" => Engine::Redis,
            "nats" | "tls" => Engine::Nats,
            _ => return None,
        })
    }

    /// The port a server of this engine listens on unless told otherwise.
    pub fn default_port(self) -> Option<u16> {
        match self {
            Engine::Sqlite => None,
            Engine::Postgres => Some(5432),
            Engine::Mysql => Some(3306),
            Engine::Mssql => Some(1433),
            Engine::Mongodb => Some(27017),
            Engine::Redis => Some(6379),
            Engine::Nats => Some(4222),
        }
    }

    /// Whether the engine speaks SQL (and so implements [`crate::Database`] with SQL text).
    pub fn is_sql(self) -> bool {
        matches!(self, Engine::Sqlite | Engine::Postgres | Engine::Mysql | Engine::Mssql)
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
