//! The connection and SQL tools: list, connect, disconnect, query, update, explain,
//! search. Every SQL rule lives below (the workspace and the engines); these adapt
//! arguments and render answers.

use dbdock_app::{Audience, OpenConnection, Opening, SchemaSearch};
use dbdock_core::{ConnectionState, Error, QueryOptions, QueryResult, Result};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResponse, CallToolResult};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::approval::{RunAs, asked_or, awaiting_user, respond};
use super::responses::{Connected, ConnectionListing, Connections, Disconnected, RowsAffected};
use super::{Call, DbDockServer};
use crate::caller::Caller;
use crate::endpoint::AiCaps;
use crate::login::login_report;
use crate::render::Rendered;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionArgs {
    /// The connection's name, as list-connections shows it.
    pub connection_id: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectArgs {
    /// The connection's name, as list-connections shows it.
    pub connection_id: String,
    /// Only where the user started the endpoint with --allow-adhoc: a URL to open, read-only, under connectionId.
    pub url: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct QueryArgs {
    /// The connection's name, as list-connections shows it.
    pub connection_id: String,
    /// One SQL statement in the connection's dialect. On MongoDB: shell syntax
    /// (`db.users.find({age: {$gt: 25}}).sort({name: 1}).limit(10)`, `db.users.aggregate([…])`,
    /// `findOne`, `countDocuments`, `distinct`, writes like `db.users.updateOne(filter, update)`), a
    /// command document (`{"find": "users", "filter": {…}}`), `{"collection": "users", "pipeline": […]}`,
    /// `{"collection": "users", "match": {…}, "limit": 10}` or `{"collection": "users", "status": "active"}`.
    pub query: String,
    /// Values for the placeholders, in order ($1, $2 … on PostgreSQL; ? on MySQL and SQLite; @P1,
    /// @P2 … on SQL Server). On MongoDB only a pipeline array or a bare stage object takes one: the
    /// collection name.
    #[serde(default)]
    pub params: Vec<Value>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ObjectType {
    #[default]
    Any,
    Table,
    View,
    Column,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Detail {
    /// Qualified names and kinds only: cheap, start here.
    #[default]
    Names,
    /// Names with their columns and types on one line each.
    Summary,
    /// Everything: columns, keys, indexes, foreign keys, comments.
    Full,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchArgs {
    /// The connection's name, as list-connections shows it.
    pub connection_id: String,
    /// Case-insensitive name pattern: a substring, or a glob with * and ? (for example `order*`).
    pub pattern: Option<String>,
    /// What to match: tables, views, columns (by column name), or any (the default).
    pub object_type: Option<ObjectType>,
    /// How much to return per match: names (default), summary or full.
    pub detail: Option<Detail>,
    /// Most matches to return (default 100 for names, 20 for summary, 5 for full).
    pub limit: Option<u32>,
}

impl QueryArgs {
    fn call(&self) -> Call<'_> {
        Call { profile: Some(&self.connection_id), statement: Some(&self.query), params: Some(&self.params) }
    }
}

#[tool_router(router = sql_router, vis = "pub(crate)")]
impl DbDockServer {
    #[tool(
        name = "list-connections",
        description = "List the database connections you may use: connectionId, engine, your access (read-only, read-write or ask), whether it is open, its caps, and whether its login can write (loginCanWrite). Call this first.",
        annotations(read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn list_connections(&self, ctx: RequestContext<RoleServer>) -> CallToolResult {
        let call = Call { profile: None, statement: None, params: None };
        let caller = self.caller(&ctx);
        self.audited_tool(&ctx, call, None, async || {
            let profiles = self.endpoint.exposed_profiles().await?;
            let mut logins = self.endpoint.login_reports(&profiles).await;
            let mut connections = Vec::with_capacity(profiles.len());
            for p in profiles {
                let state = self.endpoint.status(&p.name).await.map_or(ConnectionState::Disconnected, |s| s.state);
                let login = logins.remove(&p.name).unwrap_or_else(|| login_report(&p, None));
                connections.push(ConnectionListing {
                    connection_id: p.name.clone(),
                    engine: p.engine,
                    access: caller.access(p.access),
                    state,
                    // Masked again: a profile saved before every credential position went to
                    // the keyring may still hold a NATS token as its URL user.
                    url: dbdock_core::redact_url_text(&p.url),
                    max_rows: p.row_cap(),
                    max_bytes: p.byte_cap(),
                    timeout_secs: p.timeout_secs.unwrap_or(dbdock_app::DEFAULT_TIMEOUT.as_secs()),
                    login,
                });
            }
            Ok(Rendered::json(&Connections { connections }))
        })
        .await
    }

    #[tool(
        name = "connect-database",
        description = "Open a connection by its connectionId and report its state and server version. Optional: connections also open on first use.",
        annotations(read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn connect_database(
        &self,
        Parameters(args): Parameters<ConnectArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        let call = Call { profile: Some(&args.connection_id), statement: None, params: None };
        // A saved profile's secret is known before connecting; an ad-hoc URL's is the
        // client's own and is scrubbed from the error it gets back.
        // Asking for a connection that gave up reconnecting is the retry: it starts afresh.
        let gave_up =
            self.endpoint.status(&args.connection_id).await.is_some_and(|s| s.state == ConnectionState::Error);
        if gave_up {
            self.endpoint.disconnect(&args.connection_id).await;
        }
        let opening = match &args.url {
            Some(_) => None,
            None => Some(self.endpoint.prepare(&args.connection_id).await),
        };
        let secret = opening.as_ref().and_then(|o| o.as_ref().ok()).and_then(Opening::secret).cloned();
        self.audited_tool(&ctx, call, secret.as_ref(), async || {
            let opening = match (opening, &args.url) {
                (Some(opening), _) => opening?,
                (None, Some(url)) => self.endpoint.adhoc(&args.connection_id, url).await?,
                (None, None) => return Err(Error::internal("connect-database has neither a profile nor a URL")),
            };
            // A streaming server has no statements and no connection to keep: it is
            // probed (connected, asked its version, let go), as `dbdock profile test` does.
            if let Opening::Resolved(_, resolved) = &opening
                && resolved.profile.engine.capabilities().query.is_none()
            {
                let (profile, probe) =
                    (resolved.profile.clone(), self.endpoint.workspace().probe_resolved((**resolved).clone()).await?);
                return Ok(Rendered::json(&Connected {
                    connection_id: profile.name,
                    engine: profile.engine,
                    access: Caller::current().access(profile.access),
                    state: ConnectionState::Connected,
                    latency_ms: Some(probe.latency_ms),
                    server_version: probe.server_version,
                }));
            }
            let open = self.endpoint.open(opening).await?;
            let version = open.live.database().server_version().await?;
            let status = open.live.status();
            Ok(Rendered::json(&Connected {
                connection_id: open.profile.name.clone(),
                engine: open.profile.engine,
                access: Caller::current().access(open.profile.access),
                state: status.state,
                latency_ms: status.latency_ms,
                server_version: version,
            }))
        })
        .await
    }

    #[tool(
        name = "disconnect-database",
        description = "Close a connection. It reopens on the next call that uses it.",
        annotations(read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn disconnect_database(
        &self,
        Parameters(args): Parameters<ConnectionArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        let call = Call { profile: Some(&args.connection_id), statement: None, params: None };
        self.audited_tool(&ctx, call, None, async || {
            let was_open = self.endpoint.disconnect(&args.connection_id).await;
            Ok(Rendered::json(&Disconnected {
                connection_id: args.connection_id.clone(),
                was_open,
                state: ConnectionState::Disconnected,
            }))
        })
        .await
    }

    #[tool(
        name = "execute-query",
        description = "Run ONE read-only SQL statement (SELECT, WITH … SELECT, VALUES, SHOW, EXPLAIN), or on MongoDB one read in shell syntax (db.users.find({…}).sort({…}).limit(n), aggregate, countDocuments, distinct, findOne) or as a command document, or on Redis one read command as for redis-cli (HGETALL user:1, SCAN 0 MATCH user:* COUNT 100, XRANGE s - + COUNT 10, TYPE k, MEMORY USAGE k; writes, KEYS, CONFIG and scripts are refused), and get its rows: the text has a `name:type` header line, then one tab-separated line per row (NULL is NULL; a text that could be misread is written as a JSON string), then the row count; structuredContent has {columns, rows, row_count, truncated}. Bind values with params ($1 on PostgreSQL, ? on MySQL/SQLite, @P1 on SQL Server) instead of writing them into the SQL. The database itself enforces read-only (Redis has no read-only mode: there the command's own flags and the login's ACL stand behind the list); results are capped (truncated: true says so) and the statement is cancelled when it exceeds the connection's time limit.",
        annotations(read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn execute_query(
        &self,
        Parameters(args): Parameters<QueryArgs>,
        ctx: RequestContext<RoleServer>,
        ct: CancellationToken,
    ) -> CallToolResult {
        self.read_rows(&ctx, &args, &ct, async |open, options| {
            open.live.query(&args.query, &args.params, options).await
        })
        .await
    }

    #[tool(
        name = "execute-update",
        description = "Run ONE statement that changes data or schema (INSERT, UPDATE, DELETE, DDL; on MongoDB insertOne/insertMany/updateOne/updateMany/replaceOne/deleteOne/deleteMany in shell syntax, {collection, operation: {updateOne: {filter, update}}}, or a write command; on Redis one command such as SET k v or HSET h f v) and get rows_affected. Works where the user allowed read-write access. Where the access is 'ask', a human sees this exact statement, its parameters and a dry-run preview of the rows it changes, and it runs only if they approve: the call waits for them (or your client asks them) and returns the real result, PERMISSION_DENIED with their reason, or TIMEOUT. Elsewhere it fails with READ_ONLY_VIOLATION: then ask the user, do not work around it. Bind values with params.",
        annotations(read_only_hint = false, destructive_hint = true, idempotent_hint = false, open_world_hint = false)
    )]
    async fn execute_update(
        &self,
        Parameters(args): Parameters<QueryArgs>,
        ctx: RequestContext<RoleServer>,
        ct: CancellationToken,
    ) -> CallToolResponse {
        let options = QueryOptions { read_only: false, cancellable: true, isolated: true, ..QueryOptions::default() };
        let rendered = |rows_affected: u64| Rendered {
            rows: Some(rows_affected),
            ..Rendered::json(&RowsAffected { rows_affected })
        };
        let mut asked = None;
        let result = self
            .on_connection(&ctx, args.call(), &args.connection_id, async |open| {
                let workspace = self.endpoint.workspace();
                let params = Value::from(args.params.clone());
                let request =
                    self.write_request(&ctx, &open.profile, open.secret(), "execute-update", &args.query, params);
                let preview = async || workspace.preview_write(&open.profile.name, &args.query, &args.params).await;
                let written = self
                    .gated_write(&ctx, &request, "the write", preview, async |run_as| {
                        let user;
                        let connection = match run_as {
                            RunAs::Ai => open,
                            RunAs::User => {
                                user = workspace.connection(Audience::User, &open.profile.name).await?;
                                &*user
                            }
                        };
                        let execute = connection.live.execute(&args.query, &args.params, &options);
                        let done = Self::guarded(connection, &ct, execute).await?;
                        Ok((done.rows_affected, done.rows_affected))
                    })
                    .await?;
                Ok(match asked_or(written, &mut asked) {
                    Some(rows_affected) => rendered(rows_affected),
                    None => awaiting_user(),
                })
            })
            .await;
        respond(asked, result)
    }

    #[tool(
        name = "explain-query",
        description = "Show the database's plan for ONE read-only statement without running it ({explain}; JSON plans where the engine has them). Use it to check that a query will use indexes before running a heavy one.",
        annotations(read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn explain_query(
        &self,
        Parameters(args): Parameters<QueryArgs>,
        ctx: RequestContext<RoleServer>,
        ct: CancellationToken,
    ) -> CallToolResult {
        self.read_rows(&ctx, &args, &ct, async |open, options| open.explain(&args.query, &args.params, options).await)
            .await
    }

    #[tool(
        name = "search-objects",
        description = "Find tables, views and columns by name, disclosing schema progressively: detail 'names' (default) lists qualified names and kinds; 'summary' adds each table's columns and types; 'full' gives columns, primary key, foreign keys, indexes and comments. Start with names, then ask for summary or full on the few tables you need. On Redis it lists key prefixes (and keys) with key counts and types from a bounded SCAN sample, estimates marked; a pattern ending in the delimiter (user:) lists the level under that prefix.",
        annotations(read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn search_objects(
        &self,
        Parameters(args): Parameters<SearchArgs>,
        ctx: RequestContext<RoleServer>,
        ct: CancellationToken,
    ) -> CallToolResult {
        let call = Call { profile: Some(&args.connection_id), statement: args.pattern.as_deref(), params: None };
        self.on_connection(&ctx, call, &args.connection_id, async |open| {
            Self::guarded(open, &ct, Self::search(open, &args)).await
        })
        .await
    }

    /// The body of the read tools: the profile's read options, under its time limit and
    /// the client's cancellation, rows rendered under its caps.
    async fn read_rows(
        &self,
        ctx: &RequestContext<RoleServer>,
        args: &QueryArgs,
        ct: &CancellationToken,
        read: impl AsyncFnOnce(&OpenConnection, &QueryOptions) -> Result<QueryResult>,
    ) -> CallToolResult {
        self.on_connection(ctx, args.call(), &args.connection_id, async |open| {
            let options = Self::read_options(open);
            let result = Self::guarded(open, ct, read(open, &options)).await?;
            let _render = dbdock_core::stage!("render").entered();
            Ok(Rendered::query(&result, open.profile.row_cap(), open.profile.byte_cap()))
        })
        .await
    }

    async fn search(open: &OpenConnection, args: &SearchArgs) -> Result<Rendered> {
        let search = SchemaSearch {
            pattern: args.pattern.clone().unwrap_or_default(),
            kind: match args.object_type.unwrap_or_default() {
                ObjectType::Any => dbdock_app::ObjectKind::Any,
                ObjectType::Table => dbdock_app::ObjectKind::Table,
                ObjectType::View => dbdock_app::ObjectKind::View,
                ObjectType::Column => dbdock_app::ObjectKind::Column,
            },
            detail: match args.detail.unwrap_or_default() {
                Detail::Names => dbdock_app::Detail::Names,
                Detail::Summary => dbdock_app::Detail::Summary,
                Detail::Full => dbdock_app::Detail::Full,
            },
            limit: args.limit,
        };
        Ok(Rendered::schema_search(&open.search_schema(&search).await?))
    }
}
