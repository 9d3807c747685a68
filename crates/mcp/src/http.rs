//! Streamable HTTP on loopback only. Every request needs the bearer token; a request
//! whose `Origin` is not local is refused (a web page the user visits cannot reach the
//! endpoint), and rmcp itself refuses a `Host` that is not loopback (DNS rebinding).
//!
//! Limits keep one local program from exhausting the endpoint (docs/safety.md): a request
//! body over [`HttpLimits::max_body_bytes`] gets 413 as soon as the excess is read; past
//! [`HttpLimits::max_connections`] open connections a new one gets 503 at once (refused,
//! not queued: a queued client would hang with no answer, and the AI clients that use the
//! endpoint need a few connections each); headers that take longer than
//! [`HttpLimits::header_read_timeout`] close the connection.

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

use crate::{DbDockServer, Endpoint};

/// The path the endpoint answers on: `http://127.0.0.1:PORT/mcp`.
pub const MCP_PATH: &str = "/mcp";

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
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            max_body_bytes: 4 * 1024 * 1024,
            max_connections: 64,
            header_read_timeout: Duration::from_secs(10),
        }
    }
}

/// Sent, without reading the request, on a connection past the cap.
const TOO_MANY_CONNECTIONS: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n\
Connection: close\r\nRetry-After: 1\r\nContent-Length: 66\r\n\r\n\
service unavailable: too many connections to the DB Dock endpoint\n";

fn reject(status: StatusCode, message: &'static str) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from_static(message.as_bytes())).boxed());
    *response.status_mut() = status;
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
    }
    response
}

fn origin_is_local(origin: &str) -> bool {
    let Ok(uri) = origin.parse::<http::Uri>() else { return false };
    matches!(uri.scheme_str(), Some("http" | "https"))
        && matches!(uri.host(), Some("localhost" | "127.0.0.1" | "[::1]"))
}

/// Compares the whole token whatever the input, so timing says nothing about it.
fn token_ok(request: &Request<Incoming>, token: &str) -> bool {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    given.len() == token.len() && given.bytes().zip(token.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
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
pub async fn serve_http(
    endpoint: Arc<Endpoint>,
    addr: SocketAddr,
    token: String,
    shutdown: CancellationToken,
) -> Result<()> {
    serve_http_with_limits(endpoint, addr, token, shutdown, HttpLimits::default()).await
}

/// [`serve_http`] with other limits.
pub async fn serve_http_with_limits(
    endpoint: Arc<Endpoint>,
    addr: SocketAddr,
    token: String,
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
    let service = StreamableHttpService::new(
        move || Ok(DbDockServer::new(Arc::clone(&factory_endpoint), "http")),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Error::connection_failed(format!("cannot listen on {addr}: {e}")))?;
    let token: Arc<str> = token.into();
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
        let (service, token) = (service.clone(), Arc::clone(&token));
        let handler = hyper::service::service_fn(move |request: Request<Incoming>| {
            let (service, token) = (service.clone(), Arc::clone(&token));
            async move {
                let origin = request.headers().get(header::ORIGIN).map(|o| o.to_str().map(origin_is_local));
                Ok::<_, Infallible>(match origin {
                    Some(Ok(false) | Err(_)) => reject(StatusCode::FORBIDDEN, "forbidden: the Origin is not local"),
                    _ if !token_ok(&request, &token) => {
                        reject(StatusCode::UNAUTHORIZED, "unauthorized: send Authorization: Bearer <token>")
                    }
                    _ if request.uri().path() != MCP_PATH => {
                        reject(StatusCode::NOT_FOUND, "not found: the endpoint is /mcp")
                    }
                    _ => match read_body(request, limits.max_body_bytes).await {
                        Ok(request) => service.handle(request).await,
                        Err(refused) => refused,
                    },
                })
            }
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
