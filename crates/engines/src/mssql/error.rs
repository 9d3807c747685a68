//! tiberius errors as DB Dock errors: SQL Server's error numbers mapped to stable codes,
//! network and TLS failures named with the host and what to try, all on one line and
//! scrubbed of the password.

use std::io::ErrorKind;

use dbdock_core::{Error, ErrorCode, Secret};

use crate::rows::one_line;

/// What an error means for the connection it happened on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    /// The server answered with an error; the connection is fine.
    Usable,
    /// I/O, TLS or protocol trouble: the connection must not be reused.
    Broken,
}

pub(crate) fn fate(e: &tiberius::error::Error) -> Fate {
    match e {
        tiberius::error::Error::Server(_)
        | tiberius::error::Error::Conversion(_)
        | tiberius::error::Error::Encoding(_)
        | tiberius::error::Error::Utf8
        | tiberius::error::Error::Utf16
        | tiberius::error::Error::ParseInt(_)
        | tiberius::error::Error::BulkInput(_) => Fate::Usable,
        _ => Fate::Broken,
    }
}

/// SQL Server error numbers with a DB Dock meaning of their own.
pub(crate) fn classify(number: u32) -> Option<ErrorCode> {
    Some(match number {
        // Login failed; untrusted domain; account disabled or locked; password expired.
        18456 | 18452 | 18470 | 18486 | 18487 | 18488 => ErrorCode::AuthFailed,
        // "Cannot open database requested by the login": the name is wrong far more often than
        // the grant, and the message says both (see `message`).
        4060 => ErrorCode::NotFound,
        // Permission denied on an object, a column, a database, a statement, server state.
        229 | 230 | 262 | 297 | 300 | 916 | 15247 => ErrorCode::PermissionDenied,
        // The database or filegroup is read-only; an update on a read-only replica.
        3906 | 3908 | 3910 | 3917 | 978 => ErrorCode::ReadOnlyViolation,
        // Lock request timeout.
        1222 => ErrorCode::Timeout,
        // The batch was cancelled (an attention from the client).
        3617 | 3980 => ErrorCode::Cancelled,
        // Conversion of a value (often a parameter) to the column's type failed.
        241 | 245 | 8114 | 8115 | 8169 => ErrorCode::InvalidInput,
        // Azure SQL: database unavailable, service busy, resource limits — try again later.
        40613 | 40197 | 40501 | 10928 | 10929 | 49918 | 49919 | 49920 => ErrorCode::ConnectionFailed,
        _ => return None,
    })
}

/// Turns a tiberius error into a DB Dock error. `addr` is `host:port` for network messages.
pub(crate) fn map(e: tiberius::error::Error, addr: &str, secret: Option<&Secret>) -> Error {
    use tiberius::error::Error as T;
    let error = match e {
        T::Server(token) => {
            let number = token.code();
            let code = classify(number).unwrap_or(ErrorCode::QueryFailed);
            let text = one_line(token.message());
            let message = match number {
                4060 => format!(
                    "{text} (error 4060): the database does not exist, or this login may not use it; check the \
                     database name in the URL"
                ),
                18456 => format!("{text} (error 18456): check the user name and password"),
                _ => format!("{text} (error {number})"),
            };
            Error::new(code, message)
        }
        T::Io { kind, message } => io_error(kind, &message, addr),
        T::Tls(message) => tls_error(&message, addr),
        T::Protocol(message) => {
            Error::connection_failed(format!("protocol error talking to {addr}: {}", one_line(&message)))
        }
        T::Routing { host, port } => Error::connection_failed(format!(
            "{addr} redirected the connection to {host}:{port} more than once; connect to that address directly"
        )),
        T::Conversion(m) | T::Encoding(m) => Error::query_failed(format!("cannot decode a value: {}", one_line(&m))),
        other => Error::query_failed(one_line(&other.to_string())),
    };
    match secret {
        Some(s) => error.scrub(s),
        None => error,
    }
}

fn io_error(kind: ErrorKind, message: &str, addr: &str) -> Error {
    match kind {
        ErrorKind::ConnectionRefused => Error::connection_failed(format!(
            "connection refused by {addr}: is SQL Server running, and listening for TCP on that port?"
        )),
        ErrorKind::TimedOut => Error::timeout(format!("connecting to {addr} timed out")),
        // The server closed the connection during the TLS handshake or the login.
        ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset | ErrorKind::BrokenPipe => {
            Error::connection_failed(format!(
                "{addr} closed the connection ({}); if it happened while connecting, check the encrypt option \
                 (encrypt=true is the default; some servers need encrypt=false or trustServerCertificate=true)",
                one_line(message)
            ))
        }
        _ => Error::connection_failed(format!("cannot talk to {addr}: {}", one_line(message))),
    }
}

/// tiberius's own text for a rejected certificate names its Rust API; keep the reason and
/// say what to change in the URL instead.
fn tls_error(message: &str, addr: &str) -> Error {
    let reason = message.split(". To connect anyway").next().unwrap_or(message);
    let reason = reason.trim_start_matches("the server's certificate was rejected during the TLS handshake: ");
    Error::connection_failed(format!(
        "TLS with {addr} failed: the server's certificate was not accepted ({}). If the server uses a self-signed \
         certificate (SQL Server's default), give the CA file that signed it, or add trustServerCertificate=true to \
         the URL (TLS mode require) — only on a network you trust",
        one_line(reason)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_numbers_map_to_codes() {
        assert_eq!(classify(18456), Some(ErrorCode::AuthFailed));
        assert_eq!(classify(4060), Some(ErrorCode::NotFound));
        assert_eq!(classify(229), Some(ErrorCode::PermissionDenied));
        assert_eq!(classify(3906), Some(ErrorCode::ReadOnlyViolation));
        assert_eq!(classify(208), None, "an unknown table is a failed query");
        assert_eq!(classify(102), None);
    }

    #[test]
    fn network_errors_name_the_address_and_hide_the_secret() {
        let e = map(
            tiberius::error::Error::Io { kind: ErrorKind::ConnectionRefused, message: "refused".into() },
            "db:1433",
            None,
        );
        assert_eq!(e.code, ErrorCode::ConnectionFailed);
        assert!(e.message.contains("db:1433"), "{e}");
        let e = map(
            tiberius::error::Error::Tls(
                "the server's certificate was rejected during the TLS handshake: invalid peer \
                 certificate: UnknownIssuer. To connect anyway you can: (1) trust_cert_ca(s3cret)"
                    .into(),
            ),
            "db:1433",
            Some(&Secret::new("s3cret")),
        );
        assert_eq!(e.code, ErrorCode::ConnectionFailed);
        assert!(e.message.contains("UnknownIssuer") && e.message.contains("trustServerCertificate=true"), "{e}");
        assert!(!e.message.contains("trust_cert_ca"), "{e}");
        let e =
            map(tiberius::error::Error::Protocol("bad s3cret token".into()), "db:1433", Some(&Secret::new("s3cret")));
        assert!(!e.message.contains("s3cret"), "{e}");
    }
}
