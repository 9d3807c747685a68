//! Which database or streaming server answers at an address, told by a real protocol
//! handshake and never by the port number alone (docs/discovery.md).
//!
//! The handshakes go no further than a server lets an anonymous client: a greeting, a
//! version question, and for the engines that allow it a login with no password, which
//! tells whether the server asks for one. Nothing here needs an engine's driver, so
//! discovery works whichever engines a build carries.

mod exchange;
mod kafka;
mod mongodb;
mod mssql;
mod mysql;
mod nats;
mod postgres;
mod redis;

use std::path::PathBuf;
use std::time::Duration;

use dbdock_core::Engine;
use serde::Serialize;

use exchange::Conn;

/// A wire protocol discovery knows how to recognise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Protocol {
    Postgres,
    Mysql,
    Mssql,
    Mongodb,
    Redis,
    Nats,
    Kafka,
}

impl Protocol {
    pub const ALL: [Protocol; 7] = [
        Protocol::Postgres,
        Protocol::Mysql,
        Protocol::Mssql,
        Protocol::Mongodb,
        Protocol::Redis,
        Protocol::Nats,
        Protocol::Kafka,
    ];

    /// The port a server of this protocol listens on unless told otherwise.
    pub fn default_port(self) -> u16 {
        match self {
            Protocol::Postgres => 5432,
            Protocol::Mysql => 3306,
            Protocol::Mssql => 1433,
            Protocol::Mongodb => 27017,
            Protocol::Redis => 6379,
            Protocol::Nats => 4222,
            Protocol::Kafka => 9092,
        }
    }

    /// The engine a profile for this server uses (`None` would be a protocol DB Dock finds
    /// but cannot connect to).
    pub fn engine(self) -> Option<Engine> {
        match self {
            Protocol::Postgres => Some(Engine::Postgres),
            Protocol::Mysql => Some(Engine::Mysql),
            Protocol::Mssql => Some(Engine::Mssql),
            Protocol::Mongodb => Some(Engine::Mongodb),
            Protocol::Redis => Some(Engine::Redis),
            Protocol::Nats => Some(Engine::Nats),
            Protocol::Kafka => Some(Engine::Kafka),
        }
    }

    /// The client speaks first (the server says nothing until asked).
    fn client_first(self) -> bool {
        !matches!(self, Protocol::Mysql | Protocol::Nats)
    }
}

/// Where to knock.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Address {
    Tcp {
        host: String,
        port: u16,
    },
    /// A unix socket file (PostgreSQL's `.s.PGSQL.5432`, MySQL's `mysqld.sock`).
    Unix {
        path: PathBuf,
    },
}

impl std::fmt::Display for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Address::Tcp { host, port } if host.contains(':') => write!(f, "[{host}]:{port}"),
            Address::Tcp { host, port } => write!(f, "{host}:{port}"),
            Address::Unix { path } => write!(f, "{}", path.display()),
        }
    }
}

/// A server recognised by its handshake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    pub protocol: Protocol,
    /// What the server calls itself: PostgreSQL, MariaDB, MySQL, SQL Server, MongoDB,
    /// Redis, Valkey, NATS, Kafka.
    pub product: String,
    pub version: Option<String>,
    /// `Some(true)` when the server refused a login without a password (or always needs
    /// one), `Some(false)` when it let one in, `None` when the handshake cannot tell.
    pub auth_required: Option<bool>,
    /// Anything else the handshake told (JetStream on, the login the probe tried).
    pub detail: Option<String>,
}

impl Identity {
    fn new(protocol: Protocol, product: impl Into<String>) -> Identity {
        Identity { protocol, product: product.into(), version: None, auth_required: None, detail: None }
    }
}

/// What knocking at an address found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Answer {
    Identified(Identity),
    /// Something listens but answered no handshake DB Dock knows: it is not labelled.
    Unknown {
        reason: String,
    },
    /// Nothing accepted the connection (refused, timed out, no such socket).
    Closed {
        reason: String,
    },
}

/// How long each step of a probe may wait for the server.
#[derive(Debug, Clone, Copy)]
pub struct Patience {
    pub connect: Duration,
    /// How long a silent server is given to send a greeting before the client speaks.
    pub greeting: Duration,
    pub reply: Duration,
}

impl Default for Patience {
    fn default() -> Self {
        // Loopback answers in well under a millisecond; these bound a hung listener so a
        // scan of every default port stays under a second.
        Patience {
            connect: Duration::from_millis(300),
            greeting: Duration::from_millis(120),
            reply: Duration::from_millis(400),
        }
    }
}

/// Knocks at `address`. A server that greets first (MySQL, NATS) is told by its greeting;
/// otherwise the `expected` protocol is tried, or with `None` every client-first protocol
/// in turn, each on a connection of its own so one protocol's failure cannot confuse the
/// next.
pub async fn identify(address: &Address, expected: Option<Protocol>, patience: Patience) -> Answer {
    let mut conn = match Conn::open(address, patience.connect).await {
        Ok(conn) => conn,
        Err(reason) => return Answer::Closed { reason },
    };
    if !conn.greeting(patience.greeting).await.is_empty() {
        return recognise_greeting(&mut conn, patience).await;
    }
    if conn.closed() {
        return Answer::Unknown { reason: "the connection was closed without a word".into() };
    }
    let order: Vec<Protocol> = match expected {
        Some(p) if p.client_first() => vec![p],
        Some(_) => {
            return Answer::Unknown { reason: "no greeting arrived where the server should have sent one".into() };
        }
        None => Protocol::ALL.into_iter().filter(|p| p.client_first()).collect(),
    };
    let mut first = Some(conn);
    let mut refusals = Vec::new();
    for protocol in order {
        let mut conn = match first.take() {
            Some(conn) => conn,
            None => match Conn::open(address, patience.connect).await {
                Ok(conn) => conn,
                Err(reason) => return Answer::Closed { reason },
            },
        };
        match ask(protocol, &mut conn, patience.reply).await {
            Ok(identity) => return Answer::Identified(identity),
            Err(reason) => refusals.push(format!("{}: {reason}", protocol_label(protocol))),
        }
    }
    Answer::Unknown { reason: format!("no known handshake was answered ({})", refusals.join("; ")) }
}

async fn recognise_greeting(conn: &mut Conn, patience: Patience) -> Answer {
    let greeting = conn.pending().to_vec();
    if greeting.starts_with(b"INFO ") {
        let line = conn.read_frame(patience.reply, nats::frame).await;
        return match line.map_err(|e| e.to_string()).and_then(|line| nats::identify(&line)) {
            Ok(identity) => Answer::Identified(identity),
            Err(reason) => Answer::Unknown { reason: format!("a greeting like NATS's, but {reason}") },
        };
    }
    match conn.read_frame(patience.reply, mysql::frame).await {
        Ok(packet) => match mysql::identify(conn, &packet, patience.reply).await {
            Ok(identity) => Answer::Identified(identity),
            Err(reason) => Answer::Unknown { reason },
        },
        Err(_) => {
            Answer::Unknown { reason: format!("it sent a greeting no known server sends: {}", preview(&greeting)) }
        }
    }
}

async fn ask(protocol: Protocol, conn: &mut Conn, wait: Duration) -> Result<Identity, String> {
    match protocol {
        Protocol::Postgres => postgres::identify(conn, wait).await,
        Protocol::Redis => redis::identify(conn, wait).await,
        Protocol::Mongodb => mongodb::identify(conn, wait).await,
        Protocol::Mssql => mssql::identify(conn, wait).await,
        Protocol::Kafka => kafka::identify(conn, wait).await,
        Protocol::Mysql | Protocol::Nats => Err("the server sends the first word".into()),
    }
}

fn protocol_label(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Postgres => "PostgreSQL",
        Protocol::Mysql => "MySQL",
        Protocol::Mssql => "SQL Server",
        Protocol::Mongodb => "MongoDB",
        Protocol::Redis => "Redis",
        Protocol::Nats => "NATS",
        Protocol::Kafka => "Kafka",
    }
}

/// The first bytes of an unknown answer, printable, for the reason shown to the user.
fn preview(bytes: &[u8]) -> String {
    let shown: String =
        bytes.iter().take(24).map(|&b| if b.is_ascii_graphic() || b == b' ' { b as char } else { '.' }).collect();
    format!("{shown:?}{}", if bytes.len() > 24 { "…" } else { "" })
}
