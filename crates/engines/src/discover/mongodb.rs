//! MongoDB: `hello` in an OP_MSG (every server answers it before login), then
//! `buildInfo` for the version and `listDatabases` to see whether a login is needed
//! (error 13, Unauthorized). A few BSON types are read by hand: the probe needs only the
//! top-level fields of three small answers.

use std::time::Duration;

use super::exchange::{Conn, Frame, cstr, i32_le};
use super::{Identity, Protocol};

const OP_MSG: i32 = 2013;
const UNAUTHORIZED: i32 = 13;

pub(super) async fn identify(conn: &mut Conn, wait: Duration) -> Result<Identity, String> {
    let hello = command(conn, 1, "hello", wait).await?;
    if !hello.iter().any(|(name, _)| name == "maxWireVersion") {
        return Err("an OP_MSG answer without maxWireVersion".into());
    }
    let mut identity = Identity::new(Protocol::Mongodb, "MongoDB");
    if let Ok(build) = command(conn, 2, "buildInfo", wait).await {
        identity.version = text_field(&build, "version");
    }
    if let Ok(list) = command(conn, 3, "listDatabases", wait).await {
        identity.auth_required = match number_field(&list, "ok") {
            Some(ok) if ok >= 1.0 => Some(false),
            _ if number_field(&list, "code") == Some(f64::from(UNAUTHORIZED)) => Some(true),
            _ => None,
        };
    }
    if identity.version.is_none() {
        identity.version = number_field(&hello, "maxWireVersion").map(|wire| format!("wire version {wire}"));
    }
    Ok(identity)
}

#[derive(Debug, Clone, PartialEq)]
enum Field {
    Text(String),
    Number(f64),
    Other,
}

fn text_field(doc: &[(String, Field)], name: &str) -> Option<String> {
    doc.iter().find_map(|(n, v)| match v {
        Field::Text(t) if n == name => Some(t.clone()),
        _ => None,
    })
}

fn number_field(doc: &[(String, Field)], name: &str) -> Option<f64> {
    doc.iter().find_map(|(n, v)| match v {
        Field::Number(x) if n == name => Some(*x),
        _ => None,
    })
}

/// Runs `{name: 1, $db: "admin"}` and returns the answer's top-level fields.
async fn command(conn: &mut Conn, id: i32, name: &str, wait: Duration) -> Result<Vec<(String, Field)>, String> {
    let mut doc = Vec::new();
    doc.push(0x10);
    doc.extend_from_slice(name.as_bytes());
    doc.push(0);
    doc.extend_from_slice(&1i32.to_le_bytes());
    doc.push(0x02);
    doc.extend_from_slice(b"$db\0");
    doc.extend_from_slice(&6i32.to_le_bytes());
    doc.extend_from_slice(b"admin\0");
    doc.push(0);
    let doc_len = i32::try_from(doc.len() + 4).unwrap_or(i32::MAX);
    let body_len = 16 + 4 + 1 + doc.len() + 4;
    let mut message = Vec::with_capacity(body_len);
    message.extend_from_slice(&i32::try_from(body_len).unwrap_or(i32::MAX).to_le_bytes());
    message.extend_from_slice(&id.to_le_bytes());
    message.extend_from_slice(&0i32.to_le_bytes());
    message.extend_from_slice(&OP_MSG.to_le_bytes());
    message.extend_from_slice(&0u32.to_le_bytes()); // flag bits
    message.push(0); // section kind 0: the body
    message.extend_from_slice(&doc_len.to_le_bytes());
    message.extend(doc);
    let reply = conn.ask(&message, wait, frame).await?;
    if i32_le(&reply[8..]) != id || i32_le(&reply[12..]) != OP_MSG || reply.len() < 21 || reply[20] != 0 {
        return Err("not an OP_MSG answer to the probe".into());
    }
    read_document(&reply[21..]).ok_or_else(|| "an OP_MSG answer with an unreadable document".into())
}

/// A message whose little-endian length (counting itself) leads its 16-byte header.
fn frame(buf: &[u8]) -> Frame {
    super::exchange::by_length(buf, 16, |b| usize::try_from(i32_le(b)).unwrap_or(0), 0)
}

/// The top-level fields of a BSON document. Types the probe does not read are skipped by
/// their size; a type it cannot size ends the reading with `None`.
fn read_document(bytes: &[u8]) -> Option<Vec<(String, Field)>> {
    let len = usize::try_from(i32_le(bytes.get(..4)?)).ok()?;
    let mut rest = bytes.get(4..len.checked_sub(1)?)?;
    let mut fields = Vec::new();
    while let Some((&kind, after)) = rest.split_first() {
        let (name, after) = cstr(after)?;
        let sized = |n: usize| after.get(n..).map(|r| (Field::Other, r));
        let (value, next) = match kind {
            0x01 => (Field::Number(f64::from_le_bytes(after.get(..8)?.try_into().ok()?)), after.get(8..)?),
            0x02 => {
                let n = usize::try_from(i32_le(after.get(..4)?)).ok()?;
                let text = std::str::from_utf8(after.get(4..4 + n.checked_sub(1)?)?).ok()?;
                (Field::Text(text.to_owned()), after.get(4 + n..)?)
            }
            0x10 => (Field::Number(f64::from(i32_le(after.get(..4)?))), after.get(4..)?),
            #[allow(clippy::cast_precision_loss)] // a wire version or error code: small
            0x12 => (Field::Number(i64::from_le_bytes(after.get(..8)?.try_into().ok()?) as f64), after.get(8..)?),
            0x03 | 0x04 => sized(usize::try_from(i32_le(after.get(..4)?)).ok()?)?,
            0x05 => sized(usize::try_from(i32_le(after.get(..4)?)).ok()? + 5)?,
            0x07 => sized(12)?,
            0x08 => (Field::Number(f64::from(*after.first()?)), after.get(1..)?),
            0x09 | 0x11 => sized(8)?,
            0x0A | 0x7F | 0xFF => sized(0)?,
            0x13 => sized(16)?,
            _ => return None,
        };
        fields.push((name.to_owned(), value));
        rest = next;
    }
    Some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_fields_the_probe_needs_and_skips_the_rest() {
        // {ok: 1.0, version: "7.0.1", sub: {a: 1}, code: 13i32, flag: true}
        let mut doc = Vec::new();
        doc.push(0x01);
        doc.extend_from_slice(b"ok\0");
        doc.extend_from_slice(&1.0f64.to_le_bytes());
        doc.push(0x02);
        doc.extend_from_slice(b"version\0");
        doc.extend_from_slice(&6i32.to_le_bytes());
        doc.extend_from_slice(b"7.0.1\0");
        doc.push(0x03);
        doc.extend_from_slice(b"sub\0");
        doc.extend_from_slice(&12i32.to_le_bytes());
        doc.extend_from_slice(&[0x10, b'a', 0, 1, 0, 0, 0, 0]);
        doc.push(0x10);
        doc.extend_from_slice(b"code\0");
        doc.extend_from_slice(&13i32.to_le_bytes());
        doc.push(0x08);
        doc.extend_from_slice(b"flag\0");
        doc.push(1);
        doc.push(0);
        let mut bytes = i32::try_from(doc.len() + 4).unwrap_or_default().to_le_bytes().to_vec();
        bytes.extend(doc);
        let fields = read_document(&bytes).unwrap_or_default();
        assert_eq!(text_field(&fields, "version").as_deref(), Some("7.0.1"));
        assert_eq!(number_field(&fields, "ok"), Some(1.0));
        assert_eq!(number_field(&fields, "code"), Some(13.0));
        assert_eq!(fields.len(), 5);
        assert_eq!(read_document(&bytes[..bytes.len() - 3]), None, "a cut document is not read");
    }
}
