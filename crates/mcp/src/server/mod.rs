//! The MCP server: the tools (names of mcp-dbs, so its users feel at home:
//! docs/architecture.md) and the `database://` resources, each call written to the audit
//! log exactly once. Shared plumbing lives here and in `audit`; each tool family has its
//! own file (`sql_tools`, `stream_tools`).

mod approval;
mod audit;
mod responses;
mod sql_tools;
mod stream_tools;

use std::sync::Arc;
use std::time::{Duration, Instant};

use dbdock_app::OpenConnection;
use dbdock_core::{Error, ErrorCode, QueryOptions, Result};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, Implementation, ListResourceTemplatesResult, ListResourcesResult,
    PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, ResourceContents,
    ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, tool_handler};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::caller::Caller;
use crate::endpoint::{AiCaps, Endpoint};
use crate::render::error_text;
use crate::resources;

pub(crate) use audit::Call;
use stream_tools::Subscriptions;

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
narrowly. Writes go through execute-update and work only where the user allowed read-write access, or, where the \
access is 'ask', once the user approves the exact statement (a human sees it, its parameters and a dry-run preview; \
the call waits for them). When a call fails with READ_ONLY_VIOLATION or PERMISSION_DENIED, tell the user instead of \
working around it. Every call is logged where the user can see it.";

#[derive(Clone)]
pub struct DbDockServer {
    pub(crate) endpoint: Arc<Endpoint>,
    transport: &'static str,
    tool_router: ToolRouter<Self>,
    /// This session's event subscriptions (stream tools); they end with the session.
    pub(crate) subscriptions: Arc<Subscriptions>,
}

/// The name of the tool (or `read-resource`) a request calls, put into the request's
/// context by the server before routing: the audit row takes it from there, so no tool
/// names itself.
#[derive(Debug, Clone)]
pub(crate) struct ToolName(pub String);

impl DbDockServer {
    pub fn new(endpoint: Arc<Endpoint>, transport: &'static str) -> Self {
        let subscriptions = Arc::new(Subscriptions::default());
        let source: Arc<dyn crate::metrics::MonitorSource> = subscriptions.clone();
        endpoint.metrics().watch_subscriptions(Arc::downgrade(&source));
        DbDockServer {
            endpoint,
            transport,
            tool_router: describe_engines(Self::sql_router() + Self::stream_router()),
            subscriptions,
        }
    }

    /// Who sent the request of `ctx` (docs/safety.md, "HTTP tokens").
    pub(crate) fn caller(&self, ctx: &RequestContext<RoleServer>) -> Caller {
        Caller::of(ctx, self.transport)
    }

    /// Runs `work` under the profile's time limit and the client's cancellation. Dropping
    /// the work cancels the statement on the server (the engines' cancel-on-drop).
    pub(crate) async fn guarded<T>(
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

    /// A write this call asks for, as the approval queue files it: `statement` and
    /// `params` exactly as they will run, shown with the profile's secret masked.
    pub(crate) fn write_request(
        &self,
        ctx: &RequestContext<RoleServer>,
        profile: &dbdock_core::Profile,
        secret: Option<&dbdock_core::Secret>,
        tool: &str,
        statement: &str,
        params: Value,
    ) -> dbdock_app::WriteRequest {
        dbdock_app::WriteRequest {
            profile: profile.clone(),
            tool: tool.to_owned(),
            statement: statement.to_owned(),
            shown_statement: crate::endpoint::scrub(secret, statement),
            shown_params: crate::endpoint::scrub_json(secret, &params),
            params,
            client: ctx.client_info().map(|c| c.name),
            audit_id: audit::current_audit_id(),
        }
    }

    pub(crate) fn read_options(open: &OpenConnection) -> QueryOptions {
        QueryOptions {
            max_rows: usize::try_from(open.profile.row_cap()).ok(),
            max_bytes: usize::try_from(open.profile.byte_cap()).ok(),
            read_only: true,
            cancellable: true,
            isolated: false,
        }
    }
}

/// Fills the engine lists of the tools' descriptions from the engine registry, so they
/// name exactly the engines of this build that can do what the tool does: `{explain}`
/// (engines that show plans) and `{targets}` (every watch target, by engine).
fn describe_engines(mut router: ToolRouter<DbDockServer>) -> ToolRouter<DbDockServer> {
    let enabled = dbdock_engines::enabled_engines();
    let labels = |wanted: fn(&dbdock_core::Capabilities) -> bool| {
        let names: Vec<&str> = enabled.iter().filter(|e| wanted(&e.capabilities())).map(|e| e.spec().label).collect();
        names.join(", ")
    };
    let (explain, targets) = (labels(|c| c.explain), dbdock_core::WatchTarget::help(enabled.iter().copied()));
    for route in router.map.values_mut() {
        if let Some(text) = route.attr.description.as_mut() {
            *text = text.replace("{explain}", &explain).replace("{targets}", &targets).into();
        }
    }
    router
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for DbDockServer {
    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        mut context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        context.extensions.insert(ToolName(request.name.to_string()));
        context.extensions.insert(approval::ClientAnswer {
            request_state: request.request_state.clone(),
            input_responses: request.input_responses.clone(),
        });
        let caller = self.caller(&context);
        let call = rmcp::handler::server::tool::ToolCallContext::new(self, request, context);
        caller.scope(self.tool_router.call(call)).await
    }

    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().enable_resources().build())
            .with_server_info(Implementation::new("dbdock", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let profiles = self
            .caller(&ctx)
            .scope(self.endpoint.exposed_profiles())
            .await
            .map_err(|e| ErrorData::internal_error(error_text(&e), None))?;
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
        mut ctx: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        ctx.extensions.insert(ToolName("read-resource".to_owned()));
        let caller = self.caller(&ctx);
        caller.scope(self.read_resource_as_caller(request, ctx)).await
    }
}

impl DbDockServer {
    async fn read_resource_as_caller(
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
        let secret = opening.as_ref().and_then(|o| o.as_ref().ok()).and_then(dbdock_app::Opening::secret).cloned();
        let profile = parsed.as_ref().ok().map(|a| a.connection_id.clone());
        let call = Call { profile: profile.as_deref(), statement: Some(&uri), params: None };
        let outcome = self
            .audited(&ctx, call, secret.as_ref(), async || {
                let address = parsed?;
                let opening = opening.ok_or_else(|| Error::internal("a parsed resource address was not prepared"))?;
                let mut rendered = match opening? {
                    // A server of topics (Kafka) describes its topics and groups instead.
                    dbdock_app::Opening::Resolved(_, resolved) if resources::is_topic_server(&resolved.profile) => {
                        resources::read_topics(&self.endpoint.workspace().topic_catalog(&resolved).await?, &address)?
                    }
                    opening => resources::read(&*self.endpoint.open(opening).await?, &address).await?,
                };
                // A resource goes out as its text only: that is what the audit counts.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_descriptions_name_the_engines_of_this_build() {
        let router = describe_engines(DbDockServer::sql_router() + DbDockServer::stream_router());
        let text = |name: &str| router.map[name].attr.description.clone().unwrap_or_default().into_owned();
        for tool in router.list_all() {
            let description = tool.description.unwrap_or_default();
            assert!(!description.contains("{explain}") && !description.contains("{targets}"), "{description}");
        }
        assert!(text("explain-query").contains("(SQLite, PostgreSQL, MySQL / MariaDB;"), "{}", text("explain-query"));
        assert!(text("sample-events").contains("lag:STREAM/CONSUMER, kv:BUCKET (NATS)"), "{}", text("sample-events"));
    }
}
