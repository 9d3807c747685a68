//! PostgreSQL: a startup message as user `postgres` with no password. The server answers
//! with an authentication request (a password is required), with "authentication ok"
//! followed by its parameters (`server_version` among them), or with an error (no such
//! role, no `pg_hba.conf` entry), each of which only PostgreSQL sends in this shape.

use std::time::Duration;

use super::exchange::{Conn, Frame, cstr, i32_be};
use super::{Identity, Protocol};

const USER: &str = "postgres";

pub(super) async fn identify(conn: &mut Conn, wait: Duration) -> Result<Identity, String> {
    conn.write(&startup()).await?;
    let mut identity = Identity::new(Protocol::Postgres, "PostgreSQL");
    loop {
        let message = conn.read_frame(wait, message).await.map_err(|e| e.to_string())?;
        let (kind, body) = (message[0], &message[5..]);
        match kind {
            b'R' if body.len() >= 4 => match i32_be(body) {
                0 => identity.auth_required = Some(false),
                // Cleartext, MD5, SASL (SCRAM), GSS, SSPI: a password or ticket is needed.
                2..=12 => {
                    identity.auth_required = Some(true);
                    break;
                }
                _ => return Err("an authentication request PostgreSQL does not send".into()),
            },
            b'S' => {
                if let Some(("server_version", rest)) = cstr(body)
                    && let Some((version, _)) = cstr(rest)
                {
                    identity.version = Some(version.to_owned());
                }
            }
            b'E' => {
                let (code, text) = error_fields(body).ok_or("an error message PostgreSQL does not send")?;
                // 28000/28P01: this login is refused (no role, no hba entry, password failed).
                identity.auth_required = code.starts_with("28").then_some(true);
                identity.detail = Some(format!("login as {USER} refused: {text}"));
                break;
            }
            b'K' | b'N' => {}
            b'Z' => break,
            _ => return Err("an answer PostgreSQL does not send".into()),
        }
    }
    // Polite goodbye (Terminate); the server closes its side.
    let _ = conn.write(&[b'X', 0, 0, 0, 4]).await;
    Ok(identity)
}

fn startup() -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&196_608i32.to_be_bytes()); // protocol 3.0
    for (key, value) in [("user", USER), ("database", "postgres"), ("application_name", "dbdock-discover")] {
        body.extend_from_slice(key.as_bytes());
        body.push(0);
        body.extend_from_slice(value.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut message = (i32::try_from(body.len() + 4).unwrap_or(i32::MAX)).to_be_bytes().to_vec();
    message.extend(body);
    message
}

/// One backend message: a type byte, then a big-endian length that counts itself.
fn message(buf: &[u8]) -> Frame {
    if buf.is_empty() {
        return Frame::More;
    }
    if !matches!(buf[0], b'R' | b'S' | b'E' | b'K' | b'N' | b'Z') {
        return Frame::Invalid;
    }
    super::exchange::by_length(buf, 5, |b| usize::try_from(i32_be(&b[1..])).unwrap_or(0), 1)
}

/// The SQLSTATE (`C`) and message (`M`) of an ErrorResponse; `None` unless both are there.
fn error_fields(mut body: &[u8]) -> Option<(String, String)> {
    let (mut code, mut text) = (None, None);
    while let Some((&field, rest)) = body.split_first() {
        if field == 0 {
            break;
        }
        let (value, rest) = cstr(rest)?;
        match field {
            b'C' => code = Some(value.to_owned()),
            b'M' => text = Some(value.to_owned()),
            _ => {}
        }
        body = rest;
    }
    Some((code?, text?))
}
