//! The MCP server: seven tools (names of mcp-dbs, so its users feel at home: docs/architecture.md) and
//! the `database://` resources, each call written to the audit log.

use std::sync::Arc;
use std::time::{Duration, Instant};

use dbdock_app::{OpenConnection, Opening, SchemaSearch, ai_may_write};
use dbdock_core::{Error, ErrorCode, QueryOptions, Result, Secret};
use dbdock_store::{AuditCompletion, AuditEntry};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResult, Implementation, ListResourceTemplatesResult, ListResourcesResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, ResourceContents, ServerCapabilities,
    ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::audit::AuditTicket;
use crate::endpoint::{AiCaps, Endpoint, scrub, scrub_json};
use crate::render::{Rendered, error_result, error_text};
use crate::resources;
use crate::streams::Subscriptions;

const INSTRUCTIONS: &str = "DB Dock gives you the user's own database connections. Start with list-connections: it \
names each connection (its connectionId), its engine and your access, which is read-only unless the user allowed \
more. Explore before querying: search-objects with detail 'names' first, then 'summary' or 'full' for the tables you \
need (or read database://{connectionId}/schema). Run one SELECT per execute-query call and pass values in params \
($1, $2 on PostgreSQL; ? on MySQL and SQLite; @P1, @P2 on SQL Server) instead of writing them into the SQL. \
MongoDB connections take shell syntax instead of SQL (db.orders.find({status: 'open'}).sort({at: -1}).limit(20), \
db.orders.aggregate([...]), countDocuments, distinct, findOne) or a command document ({\"find\": \"orders\", \
\"filter\": {...}}); their collections appear as tables whose columns are field paths inferred from sampled \
documents (address.city, items[].sku). Results are capped (200 rows and \
256 KiB unless the user set other caps) and say truncated: true when cut: page with LIMIT/OFFSET or filter more \
narrowly. Writes go through execute-update and work only where the user allowed read-write access; when a call \
fails with READ_ONLY_VIOLATION or PERMISSION_DENIED, tell the user instead of working around it. Every call is \
logged where the user can see it.";

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

#[derive(Clone)]
pub struct DbDockServer {
    pub(crate) endpoint: Arc<Endpoint>,
    transport: &'static str,
    tool_router: ToolRouter<Self>,
    /// This session's event subscriptions (stream tools); they end with the session.
    pub(crate) subscriptions: Arc<Subscriptions>,
}

/// What one call did, for the audit log.
pub(crate) struct Call<'a> {
    pub tool: &'static str,
    pub profile: Option<&'a str>,
    pub statement: Option<&'a str>,
    pub params: Option<&'a [Value]>,
}

#[tool_router]
impl DbDockServer {
    pub fn new(endpoint: Arc<Endpoint>, transport: &'static str) -> Self {
        DbDockServer {
            endpoint,
            transport,
            tool_router: Self::tool_router() + Self::stream_router(),
            subscriptions: Arc::new(Subscriptions::default()),
        }
    }

    /// The `running` row of a call about to run; the error (`AUDIT_UNAVAILABLE`) is what
    /// the client gets when it cannot be written.
    async fn audit_start(
        &self,
        ctx: &RequestContext<RoleServer>,
        call: &Call<'_>,
        secret: Option<&Secret>,
    ) -> Result<AuditTicket> {
        let client = ctx.client_info();
        self.endpoint
            .audit()
            .start(&AuditEntry {
                id: 0,
                at: String::new(),
                client: client.as_ref().map(|c| c.name.clone()),
                client_version: client.as_ref().map(|c| c.version.clone()),
                transport: self.transport.to_owned(),
                tool: call.tool.to_owned(),
                profile: call.profile.map(str::to_owned),
                statement: call.statement.map(|text| scrub(secret, text)),
                params: call.params.map(|p| scrub_json(secret, &Value::from(p.to_vec()))),
                rows: None,
                bytes: None,
                duration_ms: 0.0,
                outcome: String::new(),
                error_code: None,
                error_message: None,
            })
            .await
    }

    /// Runs `work` as one audited call: its row is written first (nothing runs when that
    /// fails) and completed with the outcome after (docs/safety.md).
    pub(crate) async fn audited(
        &self,
        ctx: &RequestContext<RoleServer>,
        call: Call<'_>,
        secret: Option<&Secret>,
        work: impl AsyncFnOnce() -> Result<Rendered>,
    ) -> Result<Rendered> {
        let ticket = self.audit_start(ctx, &call, secret).await?;
        let started = Instant::now();
        let outcome = work().await;
        let (rows, bytes, error) = match &outcome {
            Ok(r) => (r.rows, r.bytes, None),
            Err(e) => (None, None, Some(e)),
        };
        ticket.complete(AuditCompletion {
            rows,
            bytes,
            duration_ms: started.elapsed().as_secs_f64() * 1000.0,
            outcome: if error.is_some() { "error" } else { "ok" }.to_owned(),
            error_code: error.map(|e| e.code.as_str().to_owned()),
            error_message: error.map(|e| scrub(secret, &e.message)),
        });
        outcome
    }

    /// [`DbDockServer::audited`] as a tool result.
    pub(crate) async fn audited_tool(
        &self,
        ctx: &RequestContext<RoleServer>,
        call: Call<'_>,
        secret: Option<&Secret>,
        work: impl AsyncFnOnce() -> Result<Rendered>,
    ) -> CallToolResult {
        match self.audited(ctx, call, secret, work).await {
            Ok(rendered) => rendered.into_result(),
            Err(e) => error_result(&e),
        }
    }

    /// The body every connection tool shares: resolve the profile (no database yet), write
    /// the audit row, open the connection, do the work, complete the row.
    async fn on_connection(
        &self,
        ctx: &RequestContext<RoleServer>,
        call: Call<'_>,
        connection_id: &str,
        work: impl AsyncFnOnce(&OpenConnection) -> Result<Rendered>,
    ) -> CallToolResult {
        let opening = self.endpoint.prepare(connection_id).await;
        let secret = opening.as_ref().ok().and_then(Opening::secret).cloned();
        self.audited_tool(ctx, call, secret.as_ref(), async || {
            let open = self.endpoint.open(opening?).await?;
            work(&open).await
        })
        .await
    }

    /// Runs `work` under the profile's time limit and the client's cancellation. Dropping
    /// the work cancels the statement on the server (the engines' cancel-on-drop).
    async fn guarded<T>(
        open: &OpenConnection,
        ct: &CancellationToken,
        work: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        // The server's statement timeout fires first; this is the backstop for SQLite and
        // for a network that stops answering.
        let limit = open.timeout() + Duration::from_secs(2);
        let started = Instant::now();
        let server_side = open.profile.engine.capabilities().cancel_on_server;
        let timed_out = || {
            Error::timeout(format!(
                "the statement ran longer than the {} s limit of connection '{}' and was {}; make it cheaper (filter, \
                 LIMIT, check the plan with explain-query) or ask the user to raise the timeout",
                open.timeout().as_secs(),
                open.profile.name,
                if server_side { "cancelled on the server" } else { "abandoned" }
            ))
        };
        tokio::select! {
            outcome = tokio::time::timeout(limit, work) => match outcome {
                // Only a statement that really ran for the whole limit gets the statement
                // advice; other timeouts (a busy pool, a lock wait) keep their own words.
                Ok(Err(e)) if e.code == ErrorCode::Timeout && started.elapsed() >= open.timeout() => Err(timed_out()),
                Ok(outcome) => outcome,
                Err(_) => Err(timed_out()),
            },
            () = ct.cancelled() => Err(Error::new(ErrorCode::Cancelled, if server_side {
                "the call was cancelled; the statement was cancelled on the server"
            } else {
                "the call was cancelled"
            })),
        }
    }

    fn read_options(open: &OpenConnection) -> QueryOptions {
        QueryOptions {
            max_rows: usize::try_from(open.profile.row_cap()).ok(),
            max_bytes: usize::try_from(open.profile.byte_cap()).ok(),
            read_only: true,
            cancellable: true,
            isolated: false,
        }
    }

    #[tool(
        name = "list-connections",
        description = "List the database connections you may use: connectionId, engine, your access (read-only, read-write or ask), whether it is open, its caps, and whether its login can write (loginCanWrite). Call this first.",
        annotations(read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn list_connections(&self, ctx: RequestContext<RoleServer>) -> CallToolResult {
        let call = Call { tool: "list-connections", profile: None, statement: None, params: None };
        self.audited_tool(&ctx, call, None, async || {
            let mut list = Vec::new();
            let profiles = self.endpoint.exposed_profiles().await?;
            let mut logins = self.endpoint.login_reports(&profiles).await;
            for p in profiles {
                let status = self.endpoint.status(&p.name).await;
                let mut entry = json!({
                    "connectionId": p.name,
                    "engine": p.engine,
                    "access": p.access,
                    "state": status.as_ref().map_or(json!("disconnected"), |s| json!(s.state)),
                    // Masked again: a profile saved before every credential position went to
                    // the keyring may still hold a NATS token as its URL user.
                    "url": dbdock_core::redact_url_text(&p.url),
                    "maxRows": p.max_rows.unwrap_or(crate::endpoint::DEFAULT_MAX_ROWS),
                    "maxBytes": p.max_bytes.unwrap_or(crate::endpoint::DEFAULT_MAX_BYTES),
                    "timeoutSecs": p.timeout_secs.unwrap_or(dbdock_app::DEFAULT_TIMEOUT.as_secs()),
                });
                // loginCanWrite, and a warning where read-only rests on the filter alone.
                if let (Some(Value::Object(login)), Some(entry)) = (logins.remove(&p.name), entry.as_object_mut()) {
                    entry.extend(login);
                }
                list.push(entry);
            }
            Ok(Rendered::json(&json!({ "connections": list })))
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
        let call = Call { tool: "connect-database", profile: Some(&args.connection_id), statement: None, params: None };
        // A saved profile's secret is known before connecting; an ad-hoc URL's is the
        // client's own and is scrubbed from the error it gets back.
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
                    (resolved.profile.clone(), dbdock_app::probe_resolved((**resolved).clone()).await?);
                return Ok(Rendered::json(&json!({
                    "connectionId": profile.name,
                    "engine": profile.engine,
                    "access": profile.access,
                    "state": "connected",
                    "latencyMs": probe.latency_ms,
                    "serverVersion": probe.server_version,
                })));
            }
            let open = self.endpoint.open(opening).await?;
            let version = open.live.database().server_version().await?;
            let status = open.live.status();
            Ok(Rendered::json(&json!({
                "connectionId": open.profile.name,
                "engine": open.profile.engine,
                "access": open.profile.access,
                "state": status.state,
                "latencyMs": status.latency_ms,
                "serverVersion": version,
            })))
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
        let call =
            Call { tool: "disconnect-database", profile: Some(&args.connection_id), statement: None, params: None };
        self.audited_tool(&ctx, call, None, async || {
            let was_open = self.endpoint.disconnect(&args.connection_id).await;
            Ok(Rendered::json(
                &json!({ "connectionId": args.connection_id, "wasOpen": was_open, "state": "disconnected" }),
            ))
        })
        .await
    }

    #[tool(
        name = "execute-query",
        description = "Run ONE read-only SQL statement (SELECT, WITH … SELECT, VALUES, SHOW, EXPLAIN), or on MongoDB one read in shell syntax (db.users.find({…}).sort({…}).limit(n), aggregate, countDocuments, distinct, findOne) or as a command document, and get its rows as {columns, rows, row_count, truncated}. Bind values with params ($1 on PostgreSQL, ? on MySQL/SQLite, @P1 on SQL Server) instead of writing them into the SQL. The database itself enforces read-only; results are capped (truncated: true says so) and the statement is cancelled when it exceeds the connection's time limit.",
        annotations(read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn execute_query(
        &self,
        Parameters(args): Parameters<QueryArgs>,
        ctx: RequestContext<RoleServer>,
        ct: CancellationToken,
    ) -> CallToolResult {
        let call = Call {
            tool: "execute-query",
            profile: Some(&args.connection_id),
            statement: Some(&args.query),
            params: Some(&args.params),
        };
        self.on_connection(&ctx, call, &args.connection_id, async |open| {
            let options = Self::read_options(open);
            let result = Self::guarded(open, &ct, open.live.query(&args.query, &args.params, &options)).await?;
            Ok(Rendered::query(&result, open.profile.row_cap(), open.profile.byte_cap()))
        })
        .await
    }

    #[tool(
        name = "execute-update",
        description = "Run ONE statement that changes data or schema (INSERT, UPDATE, DELETE, DDL; on MongoDB insertOne/insertMany/updateOne/updateMany/replaceOne/deleteOne/deleteMany in shell syntax, {collection, operation: {updateOne: {filter, update}}}, or a write command) and get rows_affected. Works only on connections where the user allowed read-write access; elsewhere it fails with READ_ONLY_VIOLATION or PERMISSION_DENIED: then ask the user, do not work around it. Bind values with params.",
        annotations(read_only_hint = false, destructive_hint = true, idempotent_hint = false, open_world_hint = false)
    )]
    async fn execute_update(
        &self,
        Parameters(args): Parameters<QueryArgs>,
        ctx: RequestContext<RoleServer>,
        ct: CancellationToken,
    ) -> CallToolResult {
        let call = Call {
            tool: "execute-update",
            profile: Some(&args.connection_id),
            statement: Some(&args.query),
            params: Some(&args.params),
        };
        self.on_connection(&ctx, call, &args.connection_id, async |open| {
            ai_may_write(&open.profile, "the write")?;
            let options =
                QueryOptions { read_only: false, cancellable: true, isolated: true, ..QueryOptions::default() };
            let done = Self::guarded(open, &ct, open.live.execute(&args.query, &args.params, &options)).await?;
            Ok(Rendered {
                rows: Some(done.rows_affected),
                ..Rendered::json(&json!({ "rows_affected": done.rows_affected }))
            })
        })
        .await
    }

    #[tool(
        name = "explain-query",
        description = "Show the database's plan for ONE read-only statement without running it (PostgreSQL and MySQL: JSON plan; SQLite: EXPLAIN QUERY PLAN). Use it to check that a query will use indexes before running a heavy one.",
        annotations(read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn explain_query(
        &self,
        Parameters(args): Parameters<QueryArgs>,
        ctx: RequestContext<RoleServer>,
        ct: CancellationToken,
    ) -> CallToolResult {
        let call = Call {
            tool: "explain-query",
            profile: Some(&args.connection_id),
            statement: Some(&args.query),
            params: Some(&args.params),
        };
        self.on_connection(&ctx, call, &args.connection_id, async |open| {
            let options = Self::read_options(open);
            let result = Self::guarded(open, &ct, open.explain(&args.query, &args.params, &options)).await?;
            Ok(Rendered::query(&result, open.profile.row_cap(), open.profile.byte_cap()))
        })
        .await
    }

    #[tool(
        name = "search-objects",
        description = "Find tables, views and columns by name, disclosing schema progressively: detail 'names' (default) lists qualified names and kinds; 'summary' adds each table's columns and types; 'full' gives columns, primary key, foreign keys, indexes and comments. Start with names, then ask for summary or full on the few tables you need.",
        annotations(read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn search_objects(
        &self,
        Parameters(args): Parameters<SearchArgs>,
        ctx: RequestContext<RoleServer>,
        ct: CancellationToken,
    ) -> CallToolResult {
        let call = Call {
            tool: "search-objects",
            profile: Some(&args.connection_id),
            statement: args.pattern.as_deref(),
            params: None,
        };
        self.on_connection(&ctx, call, &args.connection_id, async |open| {
            Self::guarded(open, &ct, Self::search(open, &args)).await
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
        Ok(Rendered::json(&open.search_schema(&search).await?))
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for DbDockServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().enable_resources().build())
            .with_server_info(Implementation::new("dbdock", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let profiles =
            self.endpoint.exposed_profiles().await.map_err(|e| ErrorData::internal_error(error_text(&e), None))?;
        Ok(ListResourcesResult::with_all_items(resources::concrete(&profiles)))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(ListResourceTemplatesResult::with_all_items(resources::templates()))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let uri = request.uri.clone();
        let parsed = resources::parse(&uri);
        let opening = match &parsed {
            Ok(address) => Some(self.endpoint.prepare(&address.connection_id).await),
            Err(_) => None,
        };
        let secret = opening.as_ref().and_then(|o| o.as_ref().ok()).and_then(Opening::secret).cloned();
        let profile = parsed.as_ref().ok().map(|a| a.connection_id.clone());
        let call = Call { tool: "read-resource", profile: profile.as_deref(), statement: Some(&uri), params: None };
        let outcome = self
            .audited(&ctx, call, secret.as_ref(), async || {
                let address = parsed?;
                let opening = opening.ok_or_else(|| Error::internal("a parsed resource address was not prepared"))?;
                let open = self.endpoint.open(opening?).await?;
                // A resource goes out as its text only: that is what the audit counts.
                let mut rendered = resources::read(&open, &address).await?;
                rendered.structured = Value::Null;
                rendered.bytes = Some(rendered.encoded_len() as u64);
                Ok(rendered)
            })
            .await;
        match outcome {
            Ok(rendered) => Ok(ReadResourceResult::new(vec![
                ResourceContents::text(rendered.text, uri).with_mime_type("application/json"),
            ])
            .into()),
            Err(e) if e.code == ErrorCode::NotFound => Err(ErrorData::resource_not_found(error_text(&e), None)),
            Err(e) if e.code == ErrorCode::InvalidInput => Err(ErrorData::invalid_params(error_text(&e), None)),
            Err(e) => Err(ErrorData::internal_error(error_text(&e), None)),
        }
    }
}
