//! MongoDB through the official driver. Queries arrive in any of the formats of README "MongoDB queries"
//! ([`shell`]), become one server command ([`request`]), pass the read-only rule
//! ([`guard`]) when the call is read-only, and come back as rows ([`render`]). Collections
//! are tables whose columns are inferred from a sample of documents ([`schema`]).

use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures_util::TryStreamExt;
use mongodb::bson::{Bson, Document, doc};
use mongodb::options::ClientOptions;
use mongodb::{Client, Database as MongoDatabase};
use tokio::sync::Mutex;

use dbdock_core::{
    Column, ConnectionTarget, Database, Engine, Error, ErrorCode, ExecOutcome, IndexInfo, LoginAccess, QueryOptions,
    QueryResult, Result, SchemaInfo, TableInfo, TableKind, TableRef, Value, WritePreview, resolve_table,
};

use crate::OpenOptions;
use crate::rows::{RowCollector, host_port, one_line};

mod access;
mod cancel;
pub mod changes;
mod guard;
pub mod literal;
mod render;
pub mod request;
mod schema;
pub mod shell;

use render::DocumentRows;
use request::{Request, Shape};

/// The database the mongo shell uses when the URL names none.
const DEFAULT_DATABASE: &str = "test";
/// Databases that hold the server's own data, left out of listings.
const SYSTEM_DATABASES: [&str; 3] = ["admin", "local", "config"];

pub fn adapter(target: ConnectionTarget, options: OpenOptions) -> Result<Box<dyn Database>> {
    Ok(Box::new(Mongo::new(target, options)))
}

pub struct Mongo {
    target: ConnectionTarget,
    options: OpenOptions,
    /// The database `db` stands for in queries.
    database: String,
    /// Whether the URL named a database: listings then show only it, unqualified.
    database_given: bool,
    client: Mutex<Option<Client>>,
}

/// The profile's TLS settings as the driver's `ClientOptions::tls`, over the URL's own
/// `tls*` options (docs/network.md): disable is `Tls::Disabled`; prefer and require are TLS
/// with `allow_invalid_certificates` (a MongoDB port speaks TLS or not, it offers no choice,
/// so prefer is require); verify-* check it, against
/// the CA file (`ca_file_path`, in place of the bundled roots) when one is given. With
/// rustls the driver always checks the certificate's name against the host it connects to
/// (it has no `allow_invalid_hostnames`), so verify-ca checks it as verify-full does, and
/// either is refused towards another name (a TLS server name, or the server's own name
/// behind an SSH tunnel). The driver takes a client certificate and its key in one PEM file
/// (`cert_key_file_path`): separate files are refused with how to join them.
fn with_tls(options: &mut ClientOptions, target: &ConnectionTarget) -> Result<()> {
    use dbdock_core::TlsMode;
    use mongodb::options::Tls;

    let tls = crate::tls::checked(target)?;
    let from_url = match &options.tls {
        Some(Tls::Enabled(url_options)) => Some(url_options.clone()),
        _ => None,
    };
    // (TLS, whether the certificate is checked)
    let (on, checked) = match tls.effective_mode() {
        None => (from_url.is_some(), from_url.as_ref().is_none_or(|o| o.allow_invalid_certificates != Some(true))),
        Some(TlsMode::Disable) => (false, false),
        Some(TlsMode::Prefer | TlsMode::Require) => (true, false),
        Some(TlsMode::VerifyCa | TlsMode::VerifyFull) => (true, true),
    };
    if !on {
        if tls.cert_file.is_some() {
            return Err(Error::invalid_input(
                "a client certificate needs TLS, which this MongoDB URL does not use: add tls=true or set a TLS mode",
            ));
        }
        if tls.mode == Some(TlsMode::Disable) {
            options.tls = Some(Tls::Disabled);
        }
        return Ok(());
    }
    let mut driver = from_url.unwrap_or_default();
    driver.allow_invalid_certificates = Some(!checked);
    if let Some(ca) = &tls.ca_file {
        driver.ca_file_path = Some(ca.into());
    }
    if let (Some(cert), Some(key)) = (&tls.cert_file, &tls.key_file) {
        driver.cert_key_file_path = Some(one_pem_file(cert, key)?.into());
    }
    if checked {
        crate::tls::refuse_other_name(
            target,
            "the MongoDB driver",
            "use TLS mode require (encrypted, the certificate unchecked) on a network you trust, or connect by the \
             name the certificate carries",
        )?;
    }
    options.tls = Some(Tls::Enabled(driver));
    Ok(())
}

/// The one file that holds a client certificate and its key, as the MongoDB driver wants.
fn one_pem_file<'a>(cert: &'a str, key: &str) -> Result<&'a str> {
    let holds_key = || {
        std::fs::read_to_string(cert).is_ok_and(|text| {
            text.lines().any(|l| l.trim().starts_with("-----BEGIN ") && l.trim().ends_with("PRIVATE KEY-----"))
        })
    };
    if cert == key || holds_key() {
        return Ok(cert);
    }
    Err(Error::invalid_input(format!(
        "MongoDB takes the client certificate and its key in one PEM file, and {cert} holds no key: join them \
         (cat {cert} {key} > client.pem) and give that file as both the certificate and the key"
    )))
}

impl Mongo {
    pub fn new(target: ConnectionTarget, options: OpenOptions) -> Self {
        let given = target.database();
        Mongo {
            database: given.clone().unwrap_or_else(|| DEFAULT_DATABASE.to_owned()),
            database_given: given.is_some(),
            target,
            options,
            client: Mutex::new(None),
        }
    }

    async fn client(&self) -> Result<Client> {
        let mut slot = self.client.lock().await;
        if let Some(client) = slot.as_ref() {
            return Ok(client.clone());
        }
        let mut options =
            ClientOptions::parse(self.target.url_with_secret().expose()).await.map_err(|e| self.map_error(e))?;
        with_tls(&mut options, &self.target)?;
        options.connect_timeout = Some(self.options.connect_timeout);
        options.server_selection_timeout = Some(self.options.connect_timeout);
        options.app_name.get_or_insert_with(|| "DB Dock".to_owned());
        options.max_pool_size = Some(self.options.max_connections.max(1));
        let client = Client::with_options(options).map_err(|e| self.map_error(e))?;
        // The driver connects lazily: a ping proves the server answers and the login works.
        client.database("admin").run_command(doc! {"ping": 1}).await.map_err(|e| self.map_error(e))?;
        *slot = Some(client.clone());
        Ok(client)
    }

    /// Drops this handle's client so the next call connects afresh.
    async fn forget_client(&self) {
        self.client.lock().await.take();
    }

    async fn db(&self) -> Result<MongoDatabase> {
        Ok(self.client().await?.database(&self.database))
    }

    fn map_error(&self, err: mongodb::error::Error) -> Error {
        use mongodb::error::ErrorKind;
        let error = match err.kind.as_ref() {
            ErrorKind::Authentication { message, .. } => {
                Error::auth_failed(format!("MongoDB refused the login: {}", one_line(message)))
            }
            ErrorKind::ServerSelection { message, .. } => Error::connection_failed(format!(
                "no MongoDB server at {} answered within {} s: {}{}",
                host_port(&self.target),
                self.options.connect_timeout.as_secs(),
                one_line(message),
                crate::tls::advice(message)
            )),
            ErrorKind::DnsResolve { message, .. } => {
                Error::connection_failed(format!("cannot resolve the MongoDB host: {}", one_line(message)))
            }
            ErrorKind::Io(io) => Error::connection_failed(format!(
                "cannot talk to {}: {}",
                host_port(&self.target),
                one_line(&io.to_string())
            )),
            ErrorKind::InvalidTlsConfig { message, .. } => {
                Error::invalid_input(format!("bad TLS options: {}", one_line(message)))
            }
            ErrorKind::InvalidArgument { message, .. } => Error::invalid_input(one_line(message)),
            ErrorKind::Command(command) => {
                let code = match command.code {
                    50 => ErrorCode::Timeout,
                    13 => ErrorCode::PermissionDenied,
                    18 => ErrorCode::AuthFailed,
                    26 => ErrorCode::NotFound,
                    59 | 115 => ErrorCode::Unsupported,
                    _ => ErrorCode::QueryFailed,
                };
                let hint = if code == ErrorCode::Timeout {
                    " (the statement time limit, sent as maxTimeMS; narrow the filter or add an index)"
                } else {
                    ""
                };
                Error::new(code, format!("{} ({}){hint}", one_line(&command.message), command.code_name))
            }
            other => Error::query_failed(one_line(&other.to_string())),
        };
        match self.target.password() {
            Some(p) => error.scrub(p),
            None => error,
        }
    }

    fn parse(&self, text: &str, params: &[serde_json::Value]) -> Result<Request> {
        shell::parse_request(text, params).map_err(|e| Error::invalid_input(e.describe(text)))
    }

    /// Sends `command` and reads its reply as rows, under the caps and the time limit. A
    /// read is tagged so that, if this call is dropped or outlives the backstop, its
    /// operation is killed on the server ([`cancel`]).
    async fn run(&self, mut command: Document, shape: Shape, limits: &QueryOptions) -> Result<QueryResult> {
        let client = self.client().await?;
        let name = command.keys().next().cloned().unwrap_or_default();
        let kill_on_drop = guard::is_read_command(&name).then(|| {
            let tag = cancel::new_tag();
            request::tag(&mut command, &tag);
            cancel::KillOnDrop::new(client.clone(), tag)
        });
        let work = self.run_unbounded(client.database(&self.database), command, shape, limits);
        let outcome = match self.options.statement_timeout {
            // maxTimeMS makes the server stop; this backstop covers commands that take none.
            Some(limit) => tokio::time::timeout(limit + Duration::from_secs(2), work).await.map_err(|_| {
                Error::timeout(format!("the MongoDB command ran longer than the {} s time limit", limit.as_secs()))
            }),
            None => Ok(work.await),
        };
        match outcome {
            // The backstop fired: dropping the armed guard kills the operation.
            Err(timed_out) => Err(timed_out),
            Ok(done) => {
                if let Some(kill_on_drop) = kill_on_drop {
                    kill_on_drop.disarm();
                }
                done
            }
        }
    }

    async fn run_unbounded(
        &self,
        db: MongoDatabase,
        command: Document,
        shape: Shape,
        limits: &QueryOptions,
    ) -> Result<QueryResult> {
        let started = Instant::now();
        if shape == Shape::Cursor {
            let mut cursor = db.run_cursor_command(command).await.map_err(|e| self.map_error(e))?;
            let mut rows = DocumentRows::new(*limits);
            // Dropping the cursor early (a cap reached) kills it on the server.
            while let Some(doc) = cursor.try_next().await.map_err(|e| self.map_error(e))? {
                if !rows.offer(&doc) {
                    break;
                }
            }
            return Ok(rows.into_result(started));
        }
        let reply = db.run_command(command).await.map_err(|e| self.map_error(e))?;
        match shape {
            Shape::Count => {
                let n = reply.get("n").map_or(Value::Null, render::to_cell);
                let mut collector = RowCollector::new(*limits);
                collector.offer(|| vec![n]);
                Ok(collector.into_result(vec![Column { name: "count".into(), type_name: "long".into() }], started))
            }
            Shape::Distinct => {
                let mut collector = RowCollector::new(*limits);
                if let Ok(values) = reply.get_array("values") {
                    for value in values {
                        if !collector.offer(|| vec![render::to_cell(value)]) {
                            break;
                        }
                    }
                }
                Ok(collector.into_result(vec![Column { name: "value".into(), type_name: "mixed".into() }], started))
            }
            Shape::Write => {
                check_write_reply(&reply)?;
                let mut rows = DocumentRows::new(*limits);
                rows.offer(&write_summary(&reply));
                Ok(rows.into_result(started))
            }
            Shape::Reply | Shape::Cursor => {
                let mut reply = reply;
                for internal in ["ok", "$clusterTime", "operationTime"] {
                    reply.remove(internal);
                }
                let mut rows = DocumentRows::new(*limits);
                rows.offer(&reply);
                Ok(rows.into_result(started))
            }
        }
    }

    fn max_time_ms(&self) -> Option<u64> {
        self.options.statement_timeout.map(|t| u64::try_from(t.as_millis()).unwrap_or(u64::MAX))
    }

    /// `(database, collection name, kind)` for every collection the listings show.
    async fn collections(&self) -> Result<Vec<TableRef>> {
        let client = self.client().await?;
        let databases = if self.database_given {
            vec![self.database.clone()]
        } else {
            let mut names = client.list_database_names().await.map_err(|e| self.map_error(e))?;
            names.retain(|n| !SYSTEM_DATABASES.contains(&n.as_str()));
            names
        };
        let mut tables = Vec::new();
        for database in databases {
            let mut cursor = client
                .database(&database)
                .run_cursor_command(doc! {"listCollections": 1, "authorizedCollections": true})
                .await
                .map_err(|e| self.map_error(e))?;
            while let Some(spec) = cursor.try_next().await.map_err(|e| self.map_error(e))? {
                let Ok(name) = spec.get_str("name") else { continue };
                if name.starts_with("system.") {
                    continue;
                }
                let kind = if spec.get_str("type") == Ok("view") { TableKind::View } else { TableKind::Table };
                let schema = (!self.database_given).then(|| database.clone());
                tables.push(TableRef { schema, name: name.to_owned(), kind });
            }
        }
        tables.sort();
        Ok(tables)
    }

    async fn describe(&self, table: &TableRef) -> Result<TableInfo> {
        let client = self.client().await?;
        let db = client.database(table.schema.as_deref().unwrap_or(&self.database));
        let sample = doc! {
            "aggregate": &table.name,
            "pipeline": [{"$sample": {"size": i64::from(self.options.schema_sample)}}],
            "cursor": {},
        };
        let docs: Vec<Document> = db
            .run_cursor_command(sample)
            .await
            .map_err(|e| self.map_error(e))?
            .try_collect()
            .await
            .map_err(|e| self.map_error(e))?;
        let inferred = schema::Inferred::from_sample(&docs);
        let columns = inferred.columns();
        let indexes = if table.kind == TableKind::View { Vec::new() } else { self.indexes(&db, &table.name).await? };
        let estimated_rows = match db.run_command(doc! {"count": &table.name}).await {
            Ok(reply) => reply.get("n").and_then(as_i64),
            Err(_) => None,
        };
        Ok(TableInfo {
            schema: table.schema.clone(),
            name: table.name.clone(),
            kind: table.kind,
            primary_key: columns.iter().filter(|c| c.primary_key).map(|c| c.name.clone()).collect(),
            columns,
            indexes,
            foreign_keys: Vec::new(),
            comment: Some(format!("fields inferred from {} sampled documents", inferred.sampled())),
            estimated_rows,
        })
    }

    async fn indexes(&self, db: &MongoDatabase, collection: &str) -> Result<Vec<IndexInfo>> {
        let mut cursor =
            db.run_cursor_command(doc! {"listIndexes": collection}).await.map_err(|e| self.map_error(e))?;
        let mut indexes = Vec::new();
        while let Some(spec) = cursor.try_next().await.map_err(|e| self.map_error(e))? {
            let name = spec.get_str("name").unwrap_or_default().to_owned();
            let columns = spec
                .get_document("key")
                .map(|key| {
                    key.iter()
                        .map(|(field, direction)| match direction {
                            Bson::Int32(1) | Bson::Int64(1) | Bson::Double(1.0) => field.clone(),
                            Bson::Int32(-1) | Bson::Int64(-1) | Bson::Double(-1.0) => format!("{field} DESC"),
                            other => format!("{field} ({})", render::to_json(other)),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let primary = name == "_id_";
            indexes.push(IndexInfo { unique: primary || spec.get_bool("unique") == Ok(true), primary, name, columns });
        }
        Ok(indexes)
    }
}

fn as_i64(value: &Bson) -> Option<i64> {
    match value {
        Bson::Int32(n) => Some(i64::from(*n)),
        Bson::Int64(n) => Some(*n),
        Bson::Double(d) => Some(*d as i64),
        _ => None,
    }
}

/// A write's reply carries per-document errors instead of failing the command.
fn check_write_reply(reply: &Document) -> Result<()> {
    if let Ok(errors) = reply.get_array("writeErrors")
        && let Some(Bson::Document(first)) = errors.first()
    {
        let message = first.get_str("errmsg").unwrap_or("write failed");
        return Err(Error::query_failed(format!(
            "{} (error {}{})",
            one_line(message),
            first.get("code").map(ToString::to_string).unwrap_or_default(),
            if errors.len() > 1 { format!("; {} documents failed in all", errors.len()) } else { String::new() }
        )));
    }
    if let Ok(concern) = reply.get_document("writeConcernError") {
        return Err(Error::query_failed(format!(
            "write concern not satisfied: {}",
            one_line(concern.get_str("errmsg").unwrap_or("unknown"))
        )));
    }
    Ok(())
}

/// `n` (matched or written), `modified` and the upserted ids, as one row.
fn write_summary(reply: &Document) -> Document {
    let mut summary = Document::new();
    summary.insert("n", reply.get("n").cloned().unwrap_or(Bson::Int32(0)));
    if let Some(modified) = reply.get("nModified") {
        summary.insert("modified", modified.clone());
    }
    if let Ok(upserted) = reply.get_array("upserted") {
        let ids: Vec<Bson> =
            upserted.iter().filter_map(|u| u.as_document().and_then(|d| d.get("_id")).cloned()).collect();
        summary.insert("upserted", ids);
    }
    summary
}

/// What a write did, in the terms of [`ExecOutcome`]: documents inserted or deleted,
/// or modified plus upserted.
/// What a write command would touch, without running it: an insert's documents, or the
/// documents each update or delete statement's filter matches now (one at most where it
/// changes one), counted with the statement's own filter (docs/safety.md, "Approval").
async fn preview_write(
    db: &MongoDatabase,
    command: &Document,
    max_time_ms: Option<u64>,
) -> Result<WritePreview, String> {
    let name = command.keys().next().cloned().unwrap_or_default();
    let collection = command.get_str(&name).map_err(|_| format!("'{name}' names no collection"))?.to_owned();
    let (statements, filter_key) = match name.as_str() {
        "insert" => {
            let n = command.get_array("documents").map_or(0, Vec::len) as u64;
            return Ok(WritePreview {
                rows_affected: Some(n),
                note: Some(format!("inserts {n} document(s) into {collection}")),
                ..WritePreview::default()
            });
        }
        "update" => ("updates", "q"),
        "delete" => ("deletes", "q"),
        other => return Err(format!("'{other}' is not previewed: decide on the command itself")),
    };
    let mut matched = 0u64;
    for statement in command.get_array(statements).map_err(|e| e.to_string())? {
        let Bson::Document(statement) = statement else { continue };
        let filter = statement.get_document(filter_key).cloned().unwrap_or_default();
        let one = match name.as_str() {
            "update" => !statement.get_bool("multi").unwrap_or(false),
            _ => statement.get("limit").and_then(as_i64) == Some(1),
        };
        let mut count = doc! {"count": &collection, "query": filter, "limit": i64::from(one)};
        if let Some(ms) = max_time_ms {
            count.insert("maxTimeMS", i64::try_from(ms).unwrap_or(i64::MAX));
        }
        let reply = db.run_command(count).await.map_err(|e| e.to_string())?;
        matched += reply.get("n").and_then(as_i64).and_then(|n| u64::try_from(n).ok()).unwrap_or(0);
    }
    Ok(WritePreview {
        rows_affected: Some(matched),
        note: Some(format!("{matched} document(s) in {collection} match the filter now; not dry-run")),
        ..WritePreview::default()
    })
}

fn rows_affected(command_name: &str, reply: &Document) -> u64 {
    let get = |key: &str| reply.get(key).and_then(as_i64).unwrap_or(0);
    let n = match command_name {
        "update" => get("nModified") + reply.get_array("upserted").map_or(0, |u| u.len() as i64),
        _ => get("n"),
    };
    u64::try_from(n).unwrap_or(0)
}

#[async_trait]
impl Database for Mongo {
    fn engine(&self) -> Engine {
        Engine::Mongodb
    }

    fn target(&self) -> &ConnectionTarget {
        &self.target
    }

    async fn connect(&self) -> Result<()> {
        self.client().await.map(|_| ())
    }

    async fn disconnect(&self) {
        if let Some(client) = self.client.lock().await.take() {
            client.shutdown().await;
        }
    }

    async fn query(&self, text: &str, params: &[serde_json::Value], limits: &QueryOptions) -> Result<QueryResult> {
        let request = self.parse(text, params)?;
        let (command, shape) = request.into_command(self.max_time_ms());
        if limits.read_only {
            guard::check_read_only(&command)?;
        }
        self.run(command, shape, limits).await
    }

    async fn execute(&self, text: &str, params: &[serde_json::Value], limits: &QueryOptions) -> Result<ExecOutcome> {
        let request = self.parse(text, params)?;
        let (command, shape) = request.into_command(self.max_time_ms());
        if limits.read_only {
            guard::check_read_only(&command)?;
        }
        let name = command.keys().next().cloned().unwrap_or_default();
        if shape == Shape::Cursor || shape == Shape::Count || shape == Shape::Distinct {
            return Err(Error::invalid_input(format!(
                "'{name}' reads; run it as a query (execute-query, dbdock query) to see its results"
            )));
        }
        if guard::is_read_command(&name) {
            // Tagged, time-limited and killed if dropped, as every read is.
            self.run(command, shape, limits).await?;
            return Ok(ExecOutcome { rows_affected: 0 });
        }
        let db = self.db().await?;
        let reply = db.run_command(command).await.map_err(|e| self.map_error(e))?;
        if shape == Shape::Write {
            check_write_reply(&reply)?;
        }
        Ok(ExecOutcome { rows_affected: rows_affected(&name, &reply) })
    }

    async fn preview(&self, text: &str, params: &[serde_json::Value]) -> WritePreview {
        let command = match self.parse(text, params) {
            Ok(request) => request.into_command(self.max_time_ms()).0,
            Err(e) => return WritePreview::failed(e),
        };
        let db = match self.db().await {
            Ok(db) => db,
            Err(e) => return WritePreview::failed(e),
        };
        preview_write(&db, &command, self.max_time_ms()).await.unwrap_or_else(WritePreview::not_run)
    }

    async fn list_tables(&self) -> Result<Vec<TableRef>> {
        self.collections().await
    }

    async fn table_schema(&self, name: &str) -> Result<TableInfo> {
        let tables = self.collections().await?;
        let table = resolve_table(&tables, name)?;
        self.describe(table).await
    }

    async fn schema(&self) -> Result<SchemaInfo> {
        let mut tables = Vec::new();
        for table in self.collections().await? {
            tables.push(self.describe(&table).await?);
        }
        Ok(SchemaInfo { database: self.database.clone(), tables })
    }

    async fn server_version(&self) -> Result<String> {
        let reply = self.db().await?.run_command(doc! {"buildInfo": 1}).await.map_err(|e| self.map_error(e))?;
        Ok(format!("MongoDB {}", reply.get_str("version").unwrap_or("(unknown version)")))
    }

    async fn login_access(&self) -> Result<LoginAccess> {
        let db = self.db().await?;
        let status = db
            .run_command(doc! {"connectionStatus": 1, "showPrivileges": true})
            .await
            .map_err(|e| self.map_error(e))?;
        let auth = status.get_document("authInfo").cloned().unwrap_or_default();
        if let Some(access) = access::from_auth_info(&auth) {
            return Ok(access);
        }
        // Nobody is logged in: either the server checks no logins at all, or it refuses
        // this client everything. A read tells which.
        match db.run_command(doc! {"listCollections": 1, "nameOnly": true}).await {
            Ok(_) => Ok(LoginAccess {
                login: "(no login)".to_owned(),
                can_write: true,
                evidence: vec!["authentication is off: every client can write".to_owned()],
            }),
            Err(e) => match self.map_error(e) {
                denied if denied.code == ErrorCode::PermissionDenied => Ok(LoginAccess {
                    login: "(no login)".to_owned(),
                    can_write: false,
                    evidence: vec!["not logged in, and the server refuses unauthenticated clients".to_owned()],
                }),
                other => Err(other),
            },
        }
    }

    async fn ping(&self) -> Result<()> {
        let client = self.client().await?;
        client.database("admin").run_command(doc! {"ping": 1}).await.map(|_| ()).map_err(|e| self.map_error(e))
    }
}

#[cfg(test)]
mod tls_tests {
    use super::*;
    use dbdock_core::{TlsMode, TlsOptions};
    use mongodb::options::Tls;

    #[test]
    fn the_client_certificate_and_key_must_be_one_file() {
        let dir = tempfile::tempdir().expect("dir");
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).expect("write");
            path.display().to_string()
        };
        let cert = write("c.pem", "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n");
        let key = write("k.pem", "-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n");
        let both = write(
            "both.pem",
            &format!(
                "{}{}",
                std::fs::read_to_string(&cert).expect("read"),
                std::fs::read_to_string(&key).expect("read")
            ),
        );
        let tls = |cert: &str, key: &str| TlsOptions {
            mode: Some(TlsMode::Require),
            cert_file: Some(cert.to_owned()),
            key_file: Some(key.to_owned()),
            ..TlsOptions::default()
        };
        let target = |t: TlsOptions| ConnectionTarget::parse("mongodb://u@db.example/x").expect("parses").with_tls(t);

        let mut options = ClientOptions::default();
        let e = with_tls(&mut options, &target(tls(&cert, &key))).expect_err("two files");
        assert!(e.code == ErrorCode::InvalidInput && e.message.contains("one PEM file"), "{e}");
        with_tls(&mut options, &target(tls(&both, &both))).expect("one file");
        match &options.tls {
            Some(Tls::Enabled(o)) => {
                assert_eq!(o.allow_invalid_certificates, Some(true));
                assert_eq!(o.cert_key_file_path.as_deref(), Some(std::path::Path::new(&both)));
            }
            other => panic!("TLS is required: {other:?}"),
        }
        // Through a tunnel, the driver would check the name against 127.0.0.1: refused.
        let verify = TlsOptions { mode: Some(TlsMode::VerifyFull), ..TlsOptions::default() };
        let tunneled = target(verify).through_tunnel(40000).expect("tunnel");
        let e = with_tls(&mut ClientOptions::default(), &tunneled).expect_err("another name");
        assert!(e.code == ErrorCode::Unsupported && e.message.contains("db.example"), "{e}");
    }
}
