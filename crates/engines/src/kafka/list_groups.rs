//! Listing consumer groups with the Kafka protocol's `ListGroups` request, sent to each
//! broker (a broker lists the groups it coordinates). librdkafka's own group list also
//! describes every group (`DescribeGroups`), which some brokers cannot answer (the tansu
//! test broker drops the connection), so the names come from here on plain-text
//! listeners; TLS and SASL listeners use librdkafka's list (docs/kafka.md).

use std::time::Duration;

use dbdock_core::{Error, GroupSummary, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const LIST_GROUPS: i16 = 16;
/// Version 0: no tagged fields, no state filter; every broker since Kafka 0.9 answers it.
const VERSION: i16 = 0;
/// A broker's answer larger than this is not a group list.
const MAX_RESPONSE: usize = 64 << 20;

/// The groups every broker coordinates, sorted by name.
pub(super) async fn list(brokers: &[(String, u16)], timeout: Duration) -> Result<Vec<GroupSummary>> {
    let mut groups = Vec::new();
    for (host, port) in brokers {
        let answer = tokio::time::timeout(timeout, ask(host, *port)).await.map_err(|_| {
            Error::timeout(format!("broker {host}:{port} did not list its groups within {} s", timeout.as_secs()))
        })??;
        groups.extend(answer);
    }
    groups.sort_by(|a: &GroupSummary, b| a.name.cmp(&b.name));
    groups.dedup_by(|a, b| a.name == b.name);
    Ok(groups)
}

async fn ask(host: &str, port: u16) -> Result<Vec<GroupSummary>> {
    let failed = |e: std::io::Error| Error::connection_failed(format!("listing groups on broker {host}:{port}: {e}"));
    let mut stream = TcpStream::connect((host, port)).await.map_err(failed)?;
    stream.write_all(&request(1)).await.map_err(failed)?;
    let size = usize::try_from(stream.read_i32().await.map_err(failed)?).unwrap_or(0);
    if size > MAX_RESPONSE {
        return Err(Error::query_failed(format!("broker {host}:{port} answered ListGroups with {size} bytes")));
    }
    let mut body = vec![0; size];
    stream.read_exact(&mut body).await.map_err(failed)?;
    parse(&body).map_err(|why| Error::query_failed(format!("broker {host}:{port} sent a ListGroups answer that {why}")))
}

/// The request, length-prefixed: header v1 (api key, version, correlation id, client id)
/// and v0's empty body.
fn request(correlation: i32) -> Vec<u8> {
    let client = b"dbdock";
    let mut body = Vec::new();
    body.extend(LIST_GROUPS.to_be_bytes());
    body.extend(VERSION.to_be_bytes());
    body.extend(correlation.to_be_bytes());
    body.extend((client.len() as i16).to_be_bytes());
    body.extend(client);
    let mut framed = (body.len() as i32).to_be_bytes().to_vec();
    framed.extend(body);
    framed
}

/// Response v0: correlation id, error code, then `[group_id, protocol_type]`.
fn parse(body: &[u8]) -> std::result::Result<Vec<GroupSummary>, String> {
    let mut reader = Reader { bytes: body, at: 0 };
    let _correlation = reader.i32()?;
    let error = reader.i16()?;
    if error != 0 {
        return Err(format!("carries error code {error}"));
    }
    let count = reader.i32()?;
    let mut groups = Vec::with_capacity(usize::try_from(count).unwrap_or(0).min(10_000));
    for _ in 0..count.max(0) {
        let name = reader.string()?;
        let _protocol_type = reader.string()?;
        groups.push(GroupSummary { name, state: None });
    }
    Ok(groups)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> std::result::Result<&[u8], String> {
        let slice = self.bytes.get(self.at..self.at + n).ok_or("ends early")?;
        self.at += n;
        Ok(slice)
    }
    fn i16(&mut self) -> std::result::Result<i16, String> {
        let b = self.take(2)?;
        Ok(i16::from_be_bytes([b[0], b[1]]))
    }
    fn i32(&mut self) -> std::result::Result<i32, String> {
        let b = self.take(4)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn string(&mut self) -> std::result::Result<String, String> {
        let len = self.i16()?;
        let bytes = self.take(usize::try_from(len).map_err(|_| "has a null string")?)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| "has a string that is not UTF-8".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_list_answer_is_read_and_a_short_one_refused() {
        let mut body = Vec::new();
        body.extend(7i32.to_be_bytes());
        body.extend(0i16.to_be_bytes());
        body.extend(2i32.to_be_bytes());
        for (name, kind) in [("billing", "consumer"), ("audit", "consumer")] {
            body.extend((name.len() as i16).to_be_bytes());
            body.extend(name.as_bytes());
            body.extend((kind.len() as i16).to_be_bytes());
            body.extend(kind.as_bytes());
        }
        let groups = parse(&body).unwrap_or_default();
        assert_eq!(groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(), ["billing", "audit"]);
        assert!(parse(&body[..body.len() - 3]).is_err());
        let framed = request(1);
        assert_eq!(i32::from_be_bytes([framed[0], framed[1], framed[2], framed[3]]) as usize, framed.len() - 4);
    }
}
