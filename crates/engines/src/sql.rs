//! What the sqlx-based engines share: turning sqlx errors into DB Dock errors with stable
//! codes, and reading a row stream under the caps.

use std::io::ErrorKind;

use dbdock_core::{ConnectionTarget, Error, ErrorCode, Value};

use crate::rows::{RowCollector, host_port, one_line};

/// Advice on a refused certificate (`tls.rs`); SQLite has no TLS.
#[cfg(any(feature = "postgres", feature = "mysql"))]
use crate::tls::advice as tls_advice;
#[cfg(not(any(feature = "postgres", feature = "mysql")))]
fn tls_advice(_detail: &str) -> &'static str {
    ""
}

/// Maps a sqlx error to a DB Dock error. `classify` maps the engine's own error codes
/// (SQLSTATE, MySQL error numbers) to a DB Dock code. Driver text is scrubbed of the
/// password and folded onto one line.
pub(crate) fn map_error(
    err: sqlx::Error,
    target: &ConnectionTarget,
    classify: impl Fn(&dyn sqlx::error::DatabaseError) -> Option<ErrorCode>,
) -> Error {
    let error = match err {
        sqlx::Error::Database(db) => {
            let code = classify(db.as_ref()).unwrap_or(ErrorCode::QueryFailed);
            Error::new(code, one_line(db.message()))
        }
        sqlx::Error::Io(io) => match io.kind() {
            ErrorKind::ConnectionRefused => Error::connection_failed(format!(
                "connection refused by {}: is the server running, and on that port?",
                host_port(target)
            )),
            ErrorKind::TimedOut => Error::timeout(format!("connecting to {} timed out", host_port(target))),
            // sqlx reports a certificate rustls refused as an I/O error.
            _ => {
                let detail = one_line(&io.to_string());
                Error::connection_failed(format!(
                    "cannot talk to {}: {detail}{}",
                    host_port(target),
                    tls_advice(&detail)
                ))
            }
        },
        sqlx::Error::Tls(e) => {
            let detail = one_line(&e.to_string());
            Error::connection_failed(format!("TLS with {} failed: {detail}{}", host_port(target), tls_advice(&detail)))
        }
        sqlx::Error::Configuration(e) => {
            Error::invalid_input(format!("bad connection option: {}", one_line(&e.to_string())))
        }
        // Every pooled connection is busy (or none could be opened in time): a wait, not a
        // broken connection, so it must not trigger a reconnect.
        sqlx::Error::PoolTimedOut => Error::timeout(format!(
            "no connection to {} became free in time: other statements are still running, or the server is slow to \
             accept connections",
            host_port(target)
        )),
        sqlx::Error::PoolClosed => Error::connection_failed("the connection was closed; connect again"),
        sqlx::Error::RowNotFound => Error::not_found("the statement returned no row"),
        sqlx::Error::Protocol(e) => Error::connection_failed(format!("protocol error: {}", one_line(&e))),
        other => Error::query_failed(one_line(&other.to_string())),
    };
    match target.password() {
        Some(p) => error.scrub(p),
        None => error,
    }
}

/// Reads `rows` into `collector` until the stream ends or a cap is reached.
pub(crate) async fn collect<R>(
    mut rows: impl futures_util::Stream<Item = Result<R, sqlx::Error>> + Unpin,
    collector: &mut RowCollector,
    mut decode: impl FnMut(&R) -> Vec<Value>,
    map_err: impl Fn(sqlx::Error) -> Error,
) -> Result<(), Error> {
    use futures_util::TryStreamExt;
    while let Some(row) = rows.try_next().await.map_err(&map_err)? {
        if !collector.offer(|| decode(&row)) {
            break;
        }
    }
    Ok(())
}
