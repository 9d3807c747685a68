//! Streamable HTTP on loopback only. Every request but `GET /health` needs a bearer token
//! (named tokens with scopes, profiles and limits: [`admission`]); a request whose `Origin`
//! is not local is refused (a web page the user visits cannot reach the endpoint), and
//! rmcp itself refuses a `Host` that is not loopback (DNS rebinding).
//!
//! Routes: `/mcp` (the MCP endpoint), `/metrics` (Prometheus text, tokens with the
//! `metrics` scope), `/health` (`ok` and the version, no token).
//!
//! Limits keep one local program from exhausting the endpoint (docs/safety.md): a request
//! body over [`HttpLimits::max_body_bytes`] gets 413 as soon as the excess is read; past
//! [`HttpLimits::max_connections`] open connections a new one gets 503 at once (refused,
//! not queued: a queued client would hang with no answer, and the AI clients that use the
//! endpoint need a few connections each); headers that take longer than
//! [`HttpLimits::header_read_timeout`] close the connection; a session idle for
//! [`HttpLimits::idle_session`] is closed (its client starts a new one).

mod admission;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use dbdock_core::{Error, Result};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode, header};
use hyper_util::rt::{TokioIo, TokioTimer};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use tokio::io::AsyncWriteExt;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::caller::Caller;
use crate::metrics::Gauges;
use crate::{DbDockServer, Endpoint};
use admission::{Admission, Refusal};

/// The path the endpoint answers on: `http://127.0.0.1:PORT/mcp`.
pub const MCP_PATH: &str = "/mcp";
const METRICS_PATH: &str = "/metrics";
const HEALTH_PATH: &str = "/health";

type Body = BoxBody<Bytes, Infallible>;

/// What one client may ask of the HTTP endpoint.
#[derive(Debug, Clone, Copy)]
pub struct HttpLimits {
    /// Largest request body; a larger one gets 413. MCP messages are small JSON.
    pub max_body_bytes: usize,
    /// Most connections open at once; one more gets 503.
    pub max_connections: usize,
    /// Longest time a client may take to send a request's headers.
    pub header_read_timeout: Duration,
    /// An MCP session with no request for this long is closed.
    pub idle_session: Duration,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            max_body_bytes: 4 * 1024 * 1024,
            max_connections: 64,
            header_read_timeout: Duration::from_secs(10),
            idle_session: Duration::from_secs(30 * 60),
        }
    }
}

/// Sent, without reading the request, on a connection past the cap.
const TOO_MANY_CONNECTIONS: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n\
Connection: close\r\nRetry-After: 1\r\nContent-Length: 66\r\n\r\n\
service unavailable: too many connections to the DB Dock endpoint\n";

fn text(status: StatusCode, message: impl Into<Bytes>) -> Response<Body> {
    let mut response = Response::new(Full::new(message.into()).boxed());
    *response.status_mut() = status;
    response
}

fn reject(status: StatusCode, message: &'static str) -> Response<Body> {
    let mut response = text(status, message);
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
    }
    response
}

/// 429 with the error as every face shows it (`{code, message}`) and, for the rate,
/// `Retry-After` in whole seconds.
fn limited(token: &str, refusal: &Refusal) -> Response<Body> {
    let (message, retry) = match refusal {
        Refusal::Rate(wait) => (
            format!("token '{token}' sent more requests per second than its limit allows; retry later"),
            wait.as_secs_f64().ceil().max(1.0),
        ),
        Refusal::Concurrency => {
            (format!("token '{token}' has as many requests in flight as its limit allows; retry when one ends"), 1.0)
        }
    };
    let error = Error::new(dbdock_core::ErrorCode::RateLimited, message);
    let body = serde_json::to_vec(&error).unwrap_or_default();
    let mut response = text(StatusCode::TOO_MANY_REQUESTS, body);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/json"));
    headers.insert(header::RETRY_AFTER, header::HeaderValue::from(retry as u64));
    response
}

fn origin_is_local(origin: &str) -> bool {
    let Ok(uri) = origin.parse::<http::Uri>() else { return false };
    matches!(uri.scheme_str(), Some("http" | "https"))
        && matches!(uri.host(), Some("localhost" | "127.0.0.1" | "[::1]"))
}

fn bearer(request: &Request<Incoming>) -> &str {
    request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("")
}

/// The request with its body read into memory, or 413 as soon as it is longer than
/// `max_bytes` (a declared length is checked before reading anything).
async fn read_body(
    request: Request<Incoming>,
    max_bytes: usize,
) -> std::result::Result<Request<Full<Bytes>>, Response<Body>> {
    let too_large = || reject(StatusCode::PAYLOAD_TOO_LARGE, "payload too large: the request body is over the limit");
    let declared =
        request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_bytes as u64) {
        return Err(too_large());
    }
    let (parts, body) = request.into_parts();
    match Limited::new(body, max_bytes).collect().await {
        Ok(collected) => Ok(Request::from_parts(parts, Full::new(collected.to_bytes()))),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Err(_) => Err(reject(StatusCode::BAD_REQUEST, "bad request: the body could not be read")),
    }
}

/// Serves MCP over streamable HTTP on `addr` (which must be a loopback address) until
/// `shutdown` fires, with the default [`HttpLimits`].
pub async fn serve_http(endpoint: Arc<Endpoint>, addr: SocketAddr, shutdown: CancellationToken) -> Result<()> {
    serve_http_with_limits(endpoint, addr, shutdown, HttpLimits::default()).await
}

/// [`serve_http`] with other limits.
pub async fn serve_http_with_limits(
    endpoint: Arc<Endpoint>,
    addr: SocketAddr,
    shutdown: CancellationToken,
    limits: HttpLimits,
) -> Result<()> {
    if !addr.ip().is_loopback() {
        return Err(Error::invalid_input(format!(
            "the HTTP endpoint binds to loopback only (127.0.0.1 or [::1]), not {}",
            addr.ip()
        )));
    }
    let config = StreamableHttpServerConfig::default()
        .with_allowed_origins(["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"])
        .with_cancellation_token(shutdown.child_token());
    let factory_endpoint = Arc::clone(&endpoint);
    let mut sessions = LocalSessionManager::default();
    sessions.session_config.keep_alive = Some(limits.idle_session);
    let service = StreamableHttpService::new(
        move || Ok(DbDockServer::new(Arc::clone(&factory_endpoint), "http")),
        Arc::new(sessions),
        config,
    );
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Error::connection_failed(format!("cannot listen on {addr}: {e}")))?;
    let admission = Arc::new(Admission::default());
    let connections = Arc::new(Semaphore::new(limits.max_connections));
    loop {
        let (mut stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            },
            () = shutdown.cancelled() => return Ok(()),
        };
        // An answer goes out in several small writes (headers, then the event stream's
        // chunks): without TCP_NODELAY, Nagle's algorithm holds the last one back until the
        // client's delayed ACK, 40 ms on Linux, on every request.
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
        let Ok(permit) = Arc::clone(&connections).try_acquire_owned() else {
            tokio::spawn(async move {
                let answer = async {
                    stream.write_all(TOO_MANY_CONNECTIONS).await?;
                    stream.shutdown().await
                };
                let _ = tokio::time::timeout(Duration::from_secs(1), answer).await;
            });
            tracing::warn!(max = limits.max_connections, "refused an HTTP connection: too many open");
            continue;
        };
        let (service, endpoint, admission) = (service.clone(), Arc::clone(&endpoint), Arc::clone(&admission));
        let handler = hyper::service::service_fn(move |request: Request<Incoming>| {
            let (service, endpoint, admission) = (service.clone(), Arc::clone(&endpoint), Arc::clone(&admission));
            async move { Ok::<_, Infallible>(route(request, &service, &endpoint, &admission, limits).await) }
        });
        tokio::spawn(async move {
            let served = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout)
                .serve_connection(TokioIo::new(stream), handler)
                .await;
            if let Err(e) = served {
                tracing::debug!(error = %e, "HTTP connection ended with an error");
            }
            drop(permit);
        });
    }
}

type McpService = StreamableHttpService<DbDockServer, LocalSessionManager>;

/// One request: the Origin, then `/health` (open), then the token, then the route.
async fn route(
    mut request: Request<Incoming>,
    service: &McpService,
    endpoint: &Arc<Endpoint>,
    admission: &Admission,
    limits: HttpLimits,
) -> Response<Body> {
    let origin = request.headers().get(header::ORIGIN).map(|o| o.to_str().map(origin_is_local));
    if matches!(origin, Some(Ok(false) | Err(_))) {
        return reject(StatusCode::FORBIDDEN, "forbidden: the Origin is not local");
    }
    let path = request.uri().path().to_owned();
    if path == HEALTH_PATH {
        let body = serde_json::json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}).to_string();
        return text(StatusCode::OK, body);
    }
    let token = match admission.authenticate(endpoint.workspace().store(), bearer(&request)).await {
        Ok(Some(token)) => Arc::new(token),
        Ok(None) => {
            endpoint.metrics().record_unauthorized();
            return reject(StatusCode::UNAUTHORIZED, "unauthorized: send Authorization: Bearer <token>");
        }
        Err(e) => {
            tracing::error!(error = %e, "could not read the tokens");
            return reject(StatusCode::SERVICE_UNAVAILABLE, "service unavailable: DB Dock cannot read its tokens");
        }
    };
    if let Err(refusal) = admission.take_rate(&token) {
        endpoint.metrics().record_limited(&token.name, "rate");
        return limited(&token.name, &refusal);
    }
    match path.as_str() {
        METRICS_PATH if token.has(dbdock_core::TokenScope::Metrics) => metrics(endpoint).await,
        METRICS_PATH => reject(StatusCode::FORBIDDEN, "forbidden: this token has no metrics scope"),
        MCP_PATH => {
            // The standing event stream (GET) stays open for the whole session: only
            // requests that do work count against the concurrency limit.
            let slot = if request.method() == http::Method::POST {
                match admission.take_slot(&token) {
                    Ok(slot) => Some(slot),
                    Err(refusal) => {
                        endpoint.metrics().record_limited(&token.name, "concurrency");
                        return limited(&token.name, &refusal);
                    }
                }
            } else {
                None
            };
            request.extensions_mut().insert(Caller::Token(token));
            let response = match read_body(request, limits.max_body_bytes).await {
                Ok(request) => service.handle(request).await,
                Err(refused) => refused,
            };
            // The slot is held until the answer (a stream, maybe) has been sent whole.
            response.map(|body| {
                body.map_frame(move |frame| {
                    let _held = &slot;
                    frame
                })
                .boxed()
            })
        }
        _ => reject(StatusCode::NOT_FOUND, "not found: the endpoint is /mcp"),
    }
}

/// `GET /metrics`: the counters and the state of the endpoint now.
async fn metrics(endpoint: &Endpoint) -> Response<Body> {
    let connections = endpoint.workspace().connection_states().borrow().clone();
    let gauges = Gauges {
        connections,
        monitors: endpoint.metrics().monitors().await,
        pending_approvals: endpoint.workspace().store().pending_approval_count().await.ok(),
    };
    let mut response = text(StatusCode::OK, endpoint.metrics().render(&gauges));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, header::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    response
}
