//! MySQL and MariaDB: the server greets first with protocol 10 and its version string
//! (MariaDB's starts `5.5.5-` for old clients' sake). The probe then logs in as `root`
//! with an empty password: an OK says no password is needed, an "access denied" that one
//! is.

use std::time::Duration;

use super::exchange::{Conn, Frame, cstr};
use super::{Identity, Protocol};

const USER: &str = "root";

// Capability flags of the probe's login (the minimum a 4.1+ server accepts).
const CLIENT_LONG_PASSWORD: u32 = 0x1;
const CLIENT_PROTOCOL_41: u32 = 0x200;
const CLIENT_SECURE_CONNECTION: u32 = 0x8000;
const CLIENT_PLUGIN_AUTH: u32 = 0x8_0000;

/// One packet: a 3-byte little-endian length and a sequence number, then the payload.
pub(super) fn frame(buf: &[u8]) -> Frame {
    super::exchange::by_length(buf, 4, |b| usize::from(b[0]) | usize::from(b[1]) << 8 | usize::from(b[2]) << 16, 4)
}

/// Reads the greeting `packet` and tries the password-less login.
pub(super) async fn identify(conn: &mut Conn, packet: &[u8], wait: Duration) -> Result<Identity, String> {
    let payload = &packet[4..];
    let mut identity = Identity::new(Protocol::Mysql, "MySQL");
    match payload.first() {
        Some(10) => {}
        // An error instead of a greeting (too many connections, host blocked): still MySQL's
        // shape, a 0xFF marker, a 2-byte code and a `#` before the SQL state.
        Some(0xFF) if payload.len() > 3 => {
            identity.detail = Some(format!("the server refused the probe: {}", error_text(payload)));
            return Ok(identity);
        }
        _ => return Err("a greeting in a protocol other than MySQL's version 10".into()),
    }
    let (version, _) = cstr(&payload[1..]).ok_or("a MySQL-like greeting without a version")?;
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("a MySQL-like greeting with an unreadable version".into());
    }
    let version = version.strip_prefix("5.5.5-").unwrap_or(version);
    if version.contains("MariaDB") {
        identity.product = "MariaDB".into();
    }
    identity.version = Some(version.split('-').next().unwrap_or(version).to_owned());
    identity.auth_required = login(conn, wait).await;
    identity.detail = Some(match identity.auth_required {
        Some(true) => format!("login as {USER} without a password refused"),
        Some(false) => format!("login as {USER} without a password accepted"),
        None => "whether a password is needed could not be told".into(),
    });
    Ok(identity)
}

/// `Some(false)` when `root` gets in with no password, `Some(true)` when refused.
async fn login(conn: &mut Conn, wait: Duration) -> Option<bool> {
    let flags = CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH;
    let mut payload = Vec::new();
    payload.extend_from_slice(&flags.to_le_bytes());
    payload.extend_from_slice(&(16u32 << 20).to_le_bytes()); // max packet size
    payload.push(45); // utf8mb4
    payload.extend_from_slice(&[0; 23]);
    payload.extend_from_slice(USER.as_bytes());
    payload.push(0);
    payload.push(0); // an empty auth response
    payload.extend_from_slice(b"mysql_native_password\0");
    let mut reply = conn.ask(&packet(1, &payload), wait, frame).await.ok()?;
    if reply.get(4) == Some(&0xFE) {
        // Auth switch to another plugin: the empty password is the same in every plugin.
        let seq = reply[3].wrapping_add(1);
        reply = conn.ask(&packet(seq, &[]), wait, frame).await.ok()?;
    }
    match reply.get(4) {
        Some(0x00) => Some(false),
        Some(0xFF) => Some(true),
        _ => None,
    }
}

fn packet(seq: u8, payload: &[u8]) -> Vec<u8> {
    let len = u32::try_from(payload.len()).unwrap_or(0).to_le_bytes();
    let mut packet = vec![len[0], len[1], len[2], seq];
    packet.extend_from_slice(payload);
    packet
}

fn error_text(payload: &[u8]) -> String {
    let text = payload.get(3..).unwrap_or_default();
    let text = if text.first() == Some(&b'#') { text.get(6..).unwrap_or_default() } else { text };
    String::from_utf8_lossy(text).into_owned()
}
