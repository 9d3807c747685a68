//! Redis and Valkey: `INFO server` in RESP. The answer is a bulk string with
//! `redis_version:` (and `valkey_version:` on Valkey), or `-NOAUTH` when a password is
//! set.

use std::time::Duration;

use super::exchange::{Conn, Frame};
use super::{Identity, Protocol};

const INFO_SERVER: &[u8] = b"*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n";

pub(super) async fn identify(conn: &mut Conn, wait: Duration) -> Result<Identity, String> {
    let reply = conn.ask(INFO_SERVER, wait, frame).await?;
    let mut identity = Identity::new(Protocol::Redis, "Redis");
    if reply.starts_with(b"-NOAUTH") || reply.starts_with(b"-WRONGPASS") {
        identity.auth_required = Some(true);
        return Ok(identity);
    }
    let text = String::from_utf8_lossy(&reply);
    let field = |name: &str| text.lines().find_map(|line| line.strip_prefix(name)).map(|v| v.trim().to_owned());
    let version = field("redis_version:").ok_or("a RESP answer without redis_version")?;
    identity.auth_required = Some(false);
    identity.version = Some(version);
    if let Some(valkey) = field("valkey_version:") {
        identity.product = "Valkey".into();
        identity.version = Some(valkey);
    }
    identity.detail = field("redis_mode:").map(|mode| format!("{mode} mode"));
    Ok(identity)
}

/// One RESP reply: an error or status line, or a bulk string of the declared length.
fn frame(buf: &[u8]) -> Frame {
    let Some(end) = buf.windows(2).position(|w| w == b"\r\n") else {
        return if buf.len() > 32 || buf.first().is_some_and(|b| !b"$-+".contains(b)) {
            Frame::Invalid
        } else {
            Frame::More
        };
    };
    match buf[0] {
        b'-' | b'+' => Frame::Complete(end),
        b'$' => match std::str::from_utf8(&buf[1..end]).ok().and_then(|n| n.parse::<usize>().ok()) {
            Some(len) if end + 2 + len + 2 <= buf.len() => Frame::Complete(end + 2 + len),
            Some(len) if len < 1 << 20 => Frame::More,
            _ => Frame::Invalid,
        },
        _ => Frame::Invalid,
    }
}
