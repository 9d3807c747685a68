//! Streamable HTTP on loopback only. Every request needs the bearer token; a request
//! whose `Origin` is not local is refused (a web page the user visits cannot reach the
//! endpoint), and rmcp itself refuses a `Host` that is not loopback (DNS rebinding).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use dbdock_core::{Error, Result};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode, header};
use hyper_util::rt::TokioIo;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

use crate::{DbDockServer, Endpoint};

/// The path the endpoint answers on: `http://127.0.0.1:PORT/mcp`.
pub const MCP_PATH: &str = "/mcp";

type Body = BoxBody<Bytes, Infallible>;

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

/// Serves MCP over streamable HTTP on `addr` (which must be a loopback address) until
/// `shutdown` fires.
pub async fn serve_http(
    endpoint: Arc<Endpoint>,
    addr: SocketAddr,
    token: String,
    shutdown: CancellationToken,
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
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            },
            () = shutdown.cancelled() => return Ok(()),
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
                    _ => service.handle(request).await,
                })
            }
        });
        tokio::spawn(async move {
            if let Err(e) =
                hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), handler).await
            {
                tracing::debug!(error = %e, "HTTP connection ended with an error");
            }
        });
    }
}
