//! DB Dock's MCP endpoint: the tools, resources and instructions an AI client sees, on
//! stdio (`dbdock mcp`) and streamable HTTP bound to loopback (`dbdock mcp --http`).
//!
//! This crate joins the engines and the store. Safety lives below it (the engines enforce
//! read-only access in the database itself); here it decides which profiles are exposed,
//! with what access and caps, and records every call in the audit log.

mod audit;
mod caller;
mod endpoint;
mod http;
pub mod install;
mod login;
mod metrics;
mod render;
mod resources;
mod server;

pub use endpoint::{Endpoint, EndpointConfig};
pub use http::{HttpLimits, serve_http, serve_http_with_limits};
pub use metrics::Metrics;
pub use server::DbDockServer;

/// Serves one MCP session on stdin/stdout until the client closes stdin or `shutdown`
/// fires; either way the audit log is flushed before it returns.
pub async fn serve_stdio(
    endpoint: std::sync::Arc<Endpoint>,
    shutdown: tokio_util::sync::CancellationToken,
) -> dbdock_core::Result<()> {
    #[cfg(unix)]
    if let Ok((read, write)) = stdio_pipes() {
        return serve_pipe(endpoint, read, write, shutdown).await;
    }
    serve_pipe(endpoint, tokio::io::stdin(), tokio::io::stdout(), shutdown).await
}

/// stdin and stdout as non-blocking pipes that the runtime's reactor polls, when they are
/// pipes (as an AI client starts `dbdock mcp`): tokio's `stdin()` and `stdout()` do each
/// read and write on a blocking thread, two thread hops per call (docs/architecture.md,
/// "The MCP hot path"). Nothing else in the endpoint writes to stdout.
///
/// Both or neither: making one a tokio pipe sets its file non-blocking, and the fallback's
/// blocking reads would then fail with EAGAIN as soon as the client is slower than the
/// server (stdin a pipe, stdout a file or a terminal).
#[cfg(unix)]
fn stdio_pipes() -> std::io::Result<(tokio::net::unix::pipe::Receiver, tokio::net::unix::pipe::Sender)> {
    use std::os::fd::AsFd;
    use std::os::unix::fs::FileTypeExt;
    let stdin = std::io::stdin().as_fd().try_clone_to_owned()?;
    let stdout = std::io::stdout().as_fd().try_clone_to_owned()?;
    for fd in [&stdin, &stdout] {
        if !std::fs::File::from(fd.try_clone()?).metadata()?.file_type().is_fifo() {
            return Err(std::io::Error::other("stdin and stdout are not both pipes"));
        }
    }
    let read = tokio::net::unix::pipe::Receiver::from_owned_fd(stdin)?;
    let write = tokio::net::unix::pipe::Sender::from_owned_fd(stdout)?;
    Ok((read, write))
}

/// [`serve_stdio`] on any pair of byte streams (the benchmarks use an in-memory pipe).
pub async fn serve_pipe<R, W>(
    endpoint: std::sync::Arc<Endpoint>,
    read: R,
    write: W,
    shutdown: tokio_util::sync::CancellationToken,
) -> dbdock_core::Result<()>
where
    R: tokio::io::AsyncRead + Send + Unpin + 'static,
    W: tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    use rmcp::ServiceExt;
    let server = DbDockServer::new(endpoint.clone(), "stdio");
    let running = server
        .serve_with_ct((read, write), shutdown)
        .await
        .map_err(|e| dbdock_core::Error::connection_failed(format!("the MCP client did not initialize: {e}")));
    let outcome = match running {
        Ok(running) => {
            let _ = running.waiting().await;
            Ok(())
        }
        Err(e) => Err(e),
    };
    endpoint.close().await;
    outcome
}
