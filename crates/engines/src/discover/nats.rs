//! NATS: the server greets first with `INFO {json}` and says its version, whether it
//! wants credentials and whether JetStream is on.

use super::exchange::Frame;
use super::{Identity, Protocol};

/// The `INFO` line, up to its CRLF.
pub(super) fn frame(buf: &[u8]) -> Frame {
    match buf.windows(2).position(|w| w == b"\r\n") {
        Some(end) => Frame::Complete(end),
        None => Frame::More,
    }
}

pub(super) fn identify(line: &[u8]) -> Result<Identity, String> {
    let json = line.strip_prefix(b"INFO ").ok_or("no INFO line")?;
    let info: serde_json::Value = serde_json::from_slice(json).map_err(|_| "its INFO is not JSON")?;
    let version = info.get("version").and_then(|v| v.as_str()).ok_or("its INFO has no version")?;
    let mut identity = Identity::new(Protocol::Nats, "NATS");
    identity.version = Some(version.to_owned());
    identity.auth_required = Some(info.get("auth_required").and_then(serde_json::Value::as_bool).unwrap_or(false));
    let jetstream = info.get("jetstream").and_then(serde_json::Value::as_bool).unwrap_or(false);
    identity.detail = Some(if jetstream { "JetStream on" } else { "JetStream off" }.into());
    Ok(identity)
}
