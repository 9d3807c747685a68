//! One audit row per call (docs/safety.md): written as `running` before anything reaches
//! a database (nothing runs when that fails), completed with the outcome after. The tool's
//! name comes from the request ([`super::ToolName`]); tools only say what they touch.

use std::time::Instant;

use dbdock_app::{OpenConnection, Opening};
use dbdock_core::{AuditOutcome, Result, Secret};
use dbdock_store::{AuditCompletion, AuditEntry, ResolvedProfile};
use rmcp::RoleServer;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use serde_json::Value;
use tracing::Instrument;

use super::{DbDockServer, ToolName};
use crate::audit::AuditTicket;
use crate::endpoint::{scrub, scrub_json};
use crate::metrics::CallFigures;
use crate::render::{Rendered, error_result};

tokio::task_local! {
    /// The audit row of the call running on this task (an approval request links to it).
    static AUDIT_ID: i64;
}

/// The audit row of the call being served, inside [`DbDockServer::audited`].
pub(crate) fn current_audit_id() -> Option<i64> {
    AUDIT_ID.try_with(|id| *id).ok()
}

/// What one call touches, for the audit log.
pub(crate) struct Call<'a> {
    pub profile: Option<&'a str>,
    pub statement: Option<&'a str>,
    pub params: Option<&'a [Value]>,
}

impl DbDockServer {
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
                tool: ctx.extensions.get::<ToolName>().map_or_else(|| "unknown".to_owned(), |t| t.0.clone()),
                profile: call.profile.map(str::to_owned),
                statement: call.statement.map(|text| scrub(secret, text)),
                params: call.params.map(|p| scrub_json(secret, &Value::from(p.to_vec()))),
                rows: None,
                bytes: None,
                duration_ms: 0.0,
                outcome: AuditOutcome::Running,
                error_code: None,
                error_message: None,
            })
            .await
    }

    /// The call's `tracing` span, in the caller's trace when its `_meta` names one. The
    /// statement (scrubbed as in the audit log) only with `--otlp-statements`; parameters
    /// never.
    fn call_span(
        &self,
        ctx: &RequestContext<RoleServer>,
        tool: &str,
        call: &Call<'_>,
        secret: Option<&Secret>,
    ) -> tracing::Span {
        let span = tracing::info_span!(
            "mcp.tool_call",
            otel.kind = "server",
            tool,
            connection = call.profile,
            transport = self.transport,
            token = self.caller(ctx).token_name(),
            outcome = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            error.code = tracing::field::Empty,
            db.statement = tracing::field::Empty,
        );
        #[cfg(feature = "otlp")]
        if let Some(traceparent) = ctx.meta.get_traceparent() {
            use opentelemetry::propagation::TextMapPropagator;
            use tracing_opentelemetry::OpenTelemetrySpanExt;
            // W3C trace context (SEP-414); one that does not parse starts a trace of its own.
            let mut carrier = std::collections::HashMap::from([("traceparent".to_owned(), traceparent.to_owned())]);
            if let Some(state) = ctx.meta.get_tracestate() {
                carrier.insert("tracestate".to_owned(), state.to_owned());
            }
            let parent = opentelemetry_sdk::propagation::TraceContextPropagator::new().extract(&carrier);
            let _ = span.set_parent(parent);
        }
        if self.endpoint.trace_statements()
            && let Some(text) = call.statement
        {
            span.record("db.statement", scrub(secret, text));
        }
        span
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
        let tool = ctx.extensions.get::<ToolName>().map_or("unknown", |t| t.0.as_str());
        let span = self.call_span(ctx, tool, &call, secret);
        let ticket = self.audit_start(ctx, &call, secret).instrument(dbdock_core::stage!("audit_start")).await?;
        let started = Instant::now();
        let outcome = AUDIT_ID.scope(ticket.id(), work()).instrument(span.clone()).await;
        let (rows, bytes, error) = match &outcome {
            Ok(r) => (r.rows, r.bytes, None),
            Err(e) => (None, None, Some(e)),
        };
        let (duration, ended) =
            (started.elapsed(), if error.is_some() { AuditOutcome::Error } else { AuditOutcome::Ok });
        span.record("outcome", ended.as_str());
        if let Some(e) = error {
            span.record("otel.status_code", "ERROR");
            span.record("error.code", e.code.as_str());
        }
        self.endpoint.metrics().record_call(&CallFigures {
            tool,
            connection: call.profile,
            outcome: ended,
            duration,
            rows,
            bytes,
        });
        let _enqueue = dbdock_core::stage!("audit_enqueue").entered();
        ticket.complete(AuditCompletion {
            rows,
            bytes,
            duration_ms: duration.as_secs_f64() * 1000.0,
            outcome: ended,
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
    pub(crate) async fn on_connection(
        &self,
        ctx: &RequestContext<RoleServer>,
        call: Call<'_>,
        connection_id: &str,
        work: impl AsyncFnOnce(&OpenConnection) -> Result<Rendered>,
    ) -> CallToolResult {
        let opening = self.endpoint.prepare(connection_id).instrument(dbdock_core::stage!("profile")).await;
        let secret = opening.as_ref().ok().and_then(Opening::secret).cloned();
        self.audited_tool(ctx, call, secret.as_ref(), async || {
            let open = self.endpoint.open(opening?).instrument(dbdock_core::stage!("open")).await?;
            work(&open).await
        })
        .await
    }

    /// The body every stream tool shares: resolve the profile (the store and the keyring
    /// only: the call is audited before any connection opens), do the work, audit.
    pub(crate) async fn on_stream(
        &self,
        ctx: &RequestContext<RoleServer>,
        call: Call<'_>,
        connection_id: &str,
        work: impl AsyncFnOnce(&ResolvedProfile) -> Result<Rendered>,
    ) -> CallToolResult {
        let resolved = self.endpoint.stream_profile(connection_id).await;
        let secret = resolved.as_ref().ok().and_then(|r| r.target.password()).cloned();
        self.audited_tool(ctx, call, secret.as_ref(), async || work(&resolved?).await).await
    }
}
