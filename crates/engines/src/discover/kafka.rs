//! Kafka: an ApiVersions request (version 0, which every broker answers). The answer
//! repeats the request's correlation id and lists the APIs the broker serves; it carries
//! no product version, and SASL cannot be told apart without trying it.

use std::time::Duration;

use super::exchange::{Conn, Frame, i32_be};
use super::{Identity, Protocol};

const API_VERSIONS: i16 = 18;
const CORRELATION: i32 = 0x0DBD_0C01;
const CLIENT_ID: &[u8] = b"dbdock-discover";

pub(super) async fn identify(conn: &mut Conn, wait: Duration) -> Result<Identity, String> {
    let mut body = Vec::new();
    body.extend_from_slice(&API_VERSIONS.to_be_bytes());
    body.extend_from_slice(&0i16.to_be_bytes());
    body.extend_from_slice(&CORRELATION.to_be_bytes());
    body.extend_from_slice(&i16::try_from(CLIENT_ID.len()).unwrap_or(0).to_be_bytes());
    body.extend_from_slice(CLIENT_ID);
    let mut request = i32::try_from(body.len()).unwrap_or(0).to_be_bytes().to_vec();
    request.extend(body);
    let reply = conn.ask(&request, wait, frame).await?;
    if reply.len() < 14 || i32_be(&reply[4..]) != CORRELATION {
        return Err("an answer that is not Kafka's ApiVersions".into());
    }
    let error = i16::from_be_bytes([reply[8], reply[9]]);
    let apis = i32_be(&reply[10..]);
    // 0: fine; 35: UNSUPPORTED_VERSION (the broker still lists what it serves).
    if !matches!(error, 0 | 35) || !(0..=1000).contains(&apis) {
        return Err("an ApiVersions answer Kafka does not send".into());
    }
    let mut identity = Identity::new(Protocol::Kafka, "Kafka");
    identity.detail = Some(format!("{apis} APIs served"));
    Ok(identity)
}

/// A response: a big-endian size that does not count itself, then the body.
fn frame(buf: &[u8]) -> Frame {
    super::exchange::by_length(buf, 4, |b| usize::try_from(i32_be(b)).unwrap_or(0), 4)
}
