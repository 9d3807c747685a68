//! SQL Server: a TDS PRELOGIN packet. The answer is a PRELOGIN response (a tabular-result
//! packet) whose VERSION option carries the server's major, minor and build numbers. SQL
//! Server always needs a login (a password, or Windows or Entra sign-in).

use std::time::Duration;

use super::exchange::{Conn, Frame};
use super::{Identity, Protocol};

const PRELOGIN: u8 = 0x12;
const TABULAR_RESULT: u8 = 0x04;
const OPTION_VERSION: u8 = 0x00;
const OPTION_ENCRYPTION: u8 = 0x01;
const TERMINATOR: u8 = 0xFF;
const ENCRYPT_NOT_SUPPORTED: u8 = 0x02;

pub(super) async fn identify(conn: &mut Conn, wait: Duration) -> Result<Identity, String> {
    let reply = conn.ask(&prelogin(), wait, frame).await?;
    if reply[0] != TABULAR_RESULT {
        return Err("a TDS packet that is not a PRELOGIN answer".into());
    }
    let (major, minor, build) = version(&reply[8..]).ok_or("a PRELOGIN answer without a version")?;
    let mut identity = Identity::new(Protocol::Mssql, "SQL Server");
    identity.version = Some(format!("{major}.{minor}.{build}"));
    identity.auth_required = Some(true);
    Ok(identity)
}

fn prelogin() -> Vec<u8> {
    // Two options (5 bytes each) and the terminator, then their data: a zero client
    // version (6 bytes) and "encryption not supported" (the probe goes no further).
    let table_len: u16 = 11;
    let mut payload = vec![OPTION_VERSION];
    payload.extend_from_slice(&table_len.to_be_bytes());
    payload.extend_from_slice(&6u16.to_be_bytes());
    payload.push(OPTION_ENCRYPTION);
    payload.extend_from_slice(&(table_len + 6).to_be_bytes());
    payload.extend_from_slice(&1u16.to_be_bytes());
    payload.push(TERMINATOR);
    payload.extend_from_slice(&[0; 6]);
    payload.push(ENCRYPT_NOT_SUPPORTED);
    let len = u16::try_from(payload.len() + 8).unwrap_or(u16::MAX).to_be_bytes();
    let mut packet = vec![PRELOGIN, 0x01, len[0], len[1], 0, 0, 1, 0];
    packet.extend(payload);
    packet
}

/// One TDS packet: an 8-byte header whose bytes 2–3 hold the whole packet's length.
fn frame(buf: &[u8]) -> Frame {
    if buf.first().is_some_and(|&t| t != TABULAR_RESULT) {
        return Frame::Invalid;
    }
    super::exchange::by_length(buf, 8, |b| usize::from(u16::from_be_bytes([b[2], b[3]])), 0)
}

/// The VERSION option of a PRELOGIN payload: major, minor, build.
fn version(payload: &[u8]) -> Option<(u8, u8, u16)> {
    let mut table = payload;
    loop {
        let (&token, rest) = table.split_first()?;
        if token == TERMINATOR {
            return None;
        }
        let offset = usize::from(u16::from_be_bytes([*rest.first()?, *rest.get(1)?]));
        let len = usize::from(u16::from_be_bytes([*rest.get(2)?, *rest.get(3)?]));
        if token == OPTION_VERSION && len >= 4 {
            let data = payload.get(offset..offset + 4)?;
            return Some((data[0], data[1], u16::from_be_bytes([data[2], data[3]])));
        }
        table = rest.get(4..)?;
    }
}
