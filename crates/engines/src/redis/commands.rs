//! Redis as a [`Database`]: one command per call, typed as for `redis-cli`, its reply as
//! rows (docs/redis.md). A read-only call runs only the reads of [`read_list`], and only
//! where the server's own flags for the command agree; no call may run a command that
//! would change the shared connection's session or hold it (`read_list::check_any`).

use std::collections::HashMap;
use std::time::Instant;

use async_trait::async_trait;
use dbdock_core::{
    ConnectionTarget, Database, Engine, Error, ExecOutcome, QueryOptions, QueryResult, Result, SchemaInfo, TableInfo,
    TableRef,
};
use redis::aio::MultiplexedConnection;
use redis::{ErrorKind, Value};
use tokio::sync::Mutex;

use super::client::Server;
use super::{command_line, read_list, reply};
use crate::OpenOptions;

pub fn adapter(target: ConnectionTarget, options: OpenOptions) -> Result<Box<dyn Database>> {
    let _ = options;
    let resp3 = Server::open_resp3(&target)?;
    Ok(Box::new(RedisCommands {
        db: resp3.db()?,
        resp3,
        target,
        connections: Mutex::new(HashMap::new()),
        flags: Mutex::new(HashMap::new()),
    }))
}

pub struct RedisCommands {
    target: ConnectionTarget,
    resp3: Server,
    /// The logical database the profile selects; commands run there.
    pub(super) db: u32,
    /// One multiplexed connection per logical database in use (the key browser may look at
    /// others than the profile's): a shared connection must never be moved by `SELECT`.
    connections: Mutex<HashMap<u32, MultiplexedConnection>>,
    /// `COMMAND INFO` flags by command name, learned once per connection.
    flags: Mutex<HashMap<String, Option<Vec<String>>>>,
}

/// One command, split and named.
struct Command {
    words: Vec<Vec<u8>>,
    name: String,
}

impl Command {
    fn parse(text: &str, params: &[serde_json::Value]) -> Result<Command> {
        if !params.is_empty() {
            return Err(Error::invalid_input(
                "Redis commands take their arguments in the command itself (quote them as for redis-cli), not as \
                 parameters",
            ));
        }
        let words = command_line::split(text)?;
        let name = read_list::command_name(&words);
        read_list::check_any(&name, &words)?;
        Ok(Command { words, name })
    }

    fn cmd(&self) -> redis::Cmd {
        let mut cmd = redis::cmd(&String::from_utf8_lossy(&self.words[0]));
        for word in &self.words[1..] {
            cmd.arg(word.as_slice());
        }
        cmd
    }
}

impl RedisCommands {
    async fn connection(&self, db: u32) -> Result<MultiplexedConnection> {
        let mut slots = self.connections.lock().await;
        if let Some(connection) = slots.get(&db) {
            return Ok(connection.clone());
        }
        let other = if db == self.db { None } else { Some(self.resp3.on_db(db)?) };
        let resp3 = other.as_ref().unwrap_or(&self.resp3);
        let connection = match resp3.connection().await {
            Ok(connection) => connection,
            // A server older than Redis 6 does not know HELLO 3 and answers with an error of
            // its own: it gets RESP2, which the rows read as well (flat lists for maps).
            Err(e) if e.code == dbdock_core::ErrorCode::QueryFailed => {
                let plain = Server::open(&self.target)?;
                if db == self.db { plain } else { plain.on_db(db)? }.connection().await?
            }
            Err(e) => return Err(e),
        };
        if db == self.db {
            self.flags.lock().await.clear();
        }
        slots.insert(db, connection.clone());
        Ok(connection)
    }

    async fn send(&self, cmd: &redis::Cmd) -> Result<Value> {
        self.send_on(self.db, cmd).await
    }

    /// One command on logical database `db`.
    pub(super) async fn send_on(&self, db: u32, cmd: &redis::Cmd) -> Result<Value> {
        let mut connection = self.connection(db).await?;
        let sent = cmd.query_async::<Value>(&mut connection).await;
        self.answer(db, sent).await
    }

    /// Several commands in one round trip; each answer in order.
    pub(super) async fn pipeline_on(&self, db: u32, pipe: &redis::Pipeline) -> Result<Vec<Value>> {
        let mut connection = self.connection(db).await?;
        let sent = pipe.query_async::<Vec<Value>>(&mut connection).await;
        self.answer(db, sent).await
    }

    /// The reply, or the error in DB Dock's terms; a lost connection is dropped so that the
    /// next call connects afresh.
    async fn answer<T>(&self, db: u32, sent: redis::RedisResult<T>) -> Result<T> {
        match sent {
            Ok(value) => Ok(value),
            Err(e) => {
                if matches!(e.kind(), ErrorKind::Io) || e.is_connection_dropped() || e.is_timeout() {
                    self.connections.lock().await.remove(&db);
                }
                Err(self.resp3.error(&e))
            }
        }
    }

    /// The server's flags for `name` (`None`: the user may not ask, so the list and the
    /// ACL are what stand).
    async fn flags(&self, name: &str) -> Result<Option<Vec<String>>> {
        if let Some(known) = self.flags.lock().await.get(name) {
            return Ok(known.clone());
        }
        let flags = match self.send(redis::cmd("COMMAND").arg("INFO").arg(name)).await {
            Ok(Value::Array(infos)) => match infos.into_iter().next() {
                Some(Value::Array(info)) => Some(flag_names(info.get(2))),
                _ => {
                    return Err(Error::invalid_input(format!(
                        "Redis at {} has no command {}",
                        self.resp3.address(),
                        name.replace('|', " ").to_ascii_uppercase()
                    )));
                }
            },
            Ok(_) => None,
            Err(e) if e.code == dbdock_core::ErrorCode::PermissionDenied => None,
            Err(e) => return Err(e),
        };
        self.flags.lock().await.insert(name.to_owned(), flags.clone());
        Ok(flags)
    }

    async fn run(&self, command: &Command, limits: &QueryOptions) -> Result<QueryResult> {
        if limits.read_only {
            if !read_list::is_listed(&command.name) {
                // The server's flags give the reason where they can; the refusal stands
                // whatever they say (or when they cannot be read).
                let writes = matches!(self.flags(&command.name).await, Ok(Some(f)) if f.iter().any(|f| f == "write"));
                return Err(read_list::refusal(&command.name, writes));
            }
            if let Some(flags) = self.flags(&command.name).await? {
                read_list::check_flags(&command.name, &flags)?;
            }
        }
        let started = Instant::now();
        let value = self.send(&command.cmd()).await?;
        Ok(reply::to_result(&command.name, value, limits, started))
    }
}

/// Redis has keys, not tables: the faces ask [`dbdock_core::KeyBrowser`] instead.
fn no_tables() -> Error {
    Error::unsupported(
        "Redis has keys, not tables: browse them by prefix (dbdock keys, the app's key browser, MCP search-objects)",
    )
}

fn flag_names(flags: Option<&Value>) -> Vec<String> {
    let items = match flags {
        Some(Value::Array(items) | Value::Set(items)) => items.as_slice(),
        _ => &[],
    };
    items
        .iter()
        .filter_map(|f| match f {
            Value::SimpleString(s) => Some(s.to_ascii_lowercase()),
            Value::BulkString(b) => Some(String::from_utf8_lossy(b).to_ascii_lowercase()),
            Value::Okay => Some("ok".to_owned()),
            _ => None,
        })
        .collect()
}

#[async_trait]
impl Database for RedisCommands {
    fn engine(&self) -> Engine {
        Engine::Redis
    }

    fn target(&self) -> &ConnectionTarget {
        &self.target
    }

    async fn connect(&self) -> Result<()> {
        self.connection(self.db).await.map(|_| ())
    }

    async fn disconnect(&self) {
        self.connections.lock().await.clear();
    }

    async fn query(&self, text: &str, params: &[serde_json::Value], limits: &QueryOptions) -> Result<QueryResult> {
        self.run(&Command::parse(text, params)?, limits).await
    }

    async fn execute(&self, text: &str, params: &[serde_json::Value], limits: &QueryOptions) -> Result<ExecOutcome> {
        let command = Command::parse(text, params)?;
        let result = self.run(&command, &QueryOptions { max_rows: Some(1), ..*limits }).await?;
        // DEL, HSET, … answer with how many they changed; SET and the like with OK.
        let rows_affected = match result.rows.first().and_then(|row| row.first()) {
            Some(dbdock_core::Value::Int(n)) => u64::try_from(*n).unwrap_or(0),
            Some(dbdock_core::Value::Null) | None => 0,
            Some(_) => 1,
        };
        Ok(ExecOutcome { rows_affected })
    }

    async fn list_tables(&self) -> Result<Vec<TableRef>> {
        Err(no_tables())
    }

    async fn table_schema(&self, name: &str) -> Result<TableInfo> {
        let _ = name;
        Err(no_tables())
    }

    async fn schema(&self) -> Result<SchemaInfo> {
        Err(no_tables())
    }

    async fn server_version(&self) -> Result<String> {
        match self.send(redis::cmd("INFO").arg("server")).await? {
            Value::VerbatimString { text, .. } | Value::SimpleString(text) => Ok(super::version_from_info(&text)),
            Value::BulkString(bytes) => Ok(super::version_from_info(&String::from_utf8_lossy(&bytes))),
            _ => Ok("Redis (version not reported)".to_owned()),
        }
    }

    async fn ping(&self) -> Result<()> {
        self.send(&redis::cmd("PING")).await.map(|_| ())
    }

    fn keys(&self) -> Option<&dyn dbdock_core::KeyBrowser> {
        Some(self)
    }
}
