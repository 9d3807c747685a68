//! Stream entries as events: reading an `XREAD` reply, and mapping an entry's fields to a
//! payload and headers. Pure, so the mapping is tested without a server.

use dbdock_core::payload_as_text;
use redis::Value;

/// The field whose value is an entry's payload (what `dbdock publish` writes).
pub(super) const PAYLOAD_FIELD: &str = "payload";

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    pub id: String,
    /// In the order the entry has them (a map would lose it).
    pub fields: Vec<(Vec<u8>, Vec<u8>)>,
}

/// The entries of an `XREAD … STREAMS key id` reply, oldest first: RESP2 answers
/// `[[key, [[id, [field, value, …]], …]]]`, RESP3 a map from key to the same list, and a
/// block that timed out answers nil.
pub(super) fn entries(reply: Value) -> Result<Vec<Entry>, String> {
    let per_key = match reply {
        Value::Nil => return Ok(Vec::new()),
        Value::Array(keys) => keys
            .into_iter()
            .map(|pair| match pair {
                Value::Array(mut pair) if pair.len() == 2 => Ok(pair.swap_remove(1)),
                other => Err(format!("unexpected XREAD reply element {other:?}")),
            })
            .collect::<Result<Vec<_>, _>>()?,
        Value::Map(pairs) => pairs.into_iter().map(|(_, entries)| entries).collect(),
        other => return Err(format!("unexpected XREAD reply {other:?}")),
    };
    let mut out = Vec::new();
    for list in per_key {
        out.extend(range(list)?);
    }
    Ok(out)
}

/// The entries of an `XRANGE`/`XREVRANGE` reply (or of one key in an `XREAD` reply).
pub(super) fn range(reply: Value) -> Result<Vec<Entry>, String> {
    let Value::Array(list) = reply else { return Err(format!("unexpected stream entry list {reply:?}")) };
    list.into_iter().map(entry_of).collect()
}

fn entry_of(value: Value) -> Result<Entry, String> {
    let Value::Array(parts) = value else { return Err(format!("unexpected stream entry {value:?}")) };
    let mut parts = parts.into_iter();
    let id = match parts.next() {
        Some(Value::BulkString(id)) => String::from_utf8_lossy(&id).into_owned(),
        Some(Value::SimpleString(id)) => id,
        other => return Err(format!("unexpected stream entry id {other:?}")),
    };
    let flat = match parts.next() {
        Some(Value::Array(flat)) => flat,
        // An entry deleted while still pending has no fields.
        Some(Value::Nil) | None => Vec::new(),
        Some(Value::Map(pairs)) => pairs.into_iter().flat_map(|(k, v)| [k, v]).collect(),
        Some(other) => return Err(format!("unexpected fields of stream entry {id}: {other:?}")),
    };
    let mut fields = Vec::with_capacity(flat.len() / 2);
    let mut flat = flat.into_iter();
    while let (Some(name), Some(value)) = (flat.next(), flat.next()) {
        fields.push((bytes(name), bytes(value)));
    }
    Ok(Entry { id, fields })
}

fn bytes(value: Value) -> Vec<u8> {
    match value {
        Value::BulkString(b) => b,
        Value::SimpleString(s) => s.into_bytes(),
        Value::Int(i) => i.to_string().into_bytes(),
        Value::Nil => Vec::new(),
        other => format!("{other:?}").into_bytes(),
    }
}

/// An entry as an event's payload and headers: the `payload` field is the payload and the
/// other fields are headers; an entry without one is shown whole, as a JSON object of its
/// fields, so nothing it says is hidden.
pub(super) fn message(fields: Vec<(Vec<u8>, Vec<u8>)>) -> (Vec<u8>, Vec<(String, String)>) {
    let mut payload = None;
    let mut headers = Vec::with_capacity(fields.len());
    for (name, value) in fields {
        if payload.is_none() && name == PAYLOAD_FIELD.as_bytes() {
            payload = Some(value);
        } else {
            headers.push((payload_as_text(&name).into_owned(), payload_as_text(&value).into_owned()));
        }
    }
    match payload {
        Some(payload) => (payload, headers),
        None => {
            let object: serde_json::Map<String, serde_json::Value> =
                headers.into_iter().map(|(name, value)| (name, serde_json::Value::String(value))).collect();
            (serde_json::Value::Object(object).to_string().into_bytes(), Vec::new())
        }
    }
}

/// The server time an entry id (`<ms>-<seq>`) carries, as RFC 3339 UTC with milliseconds.
pub(super) fn id_timestamp(id: &str) -> Option<String> {
    let millis: i64 = id.split_once('-').map_or(id, |(ms, _)| ms).parse().ok()?;
    let time = chrono::DateTime::from_timestamp_millis(millis)?;
    Some(time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn bulk(text: &str) -> Value {
        Value::BulkString(text.as_bytes().to_vec())
    }

    fn entry(id: &str, fields: &[&str]) -> Value {
        Value::Array(vec![bulk(id), Value::Array(fields.iter().map(|f| bulk(f)).collect())])
    }

    #[test]
    fn xread_replies_are_read_in_order_resp2_and_resp3() {
        let list = Value::Array(vec![entry("1-0", &["payload", "a", "k", "v"]), entry("1-1", &["x", "1"])]);
        let resp2 = Value::Array(vec![Value::Array(vec![bulk("s"), list.clone()])]);
        let resp3 = Value::Map(vec![(bulk("s"), list)]);
        for reply in [resp2, resp3] {
            let got = entries(reply).unwrap();
            assert_eq!(got.len(), 2);
            assert_eq!(got[0].id, "1-0");
            assert_eq!(got[0].fields, vec![(b"payload".to_vec(), b"a".to_vec()), (b"k".to_vec(), b"v".to_vec())]);
            assert_eq!(got[1].id, "1-1");
        }
        assert!(entries(Value::Nil).unwrap().is_empty());
        assert!(entries(Value::Int(3)).is_err());
        let deleted = Value::Array(vec![Value::Array(vec![
            bulk("s"),
            Value::Array(vec![Value::Array(vec![bulk("2-0"), Value::Nil])]),
        ])]);
        assert_eq!(entries(deleted).unwrap()[0].fields, Vec::new());
    }

    #[test]
    fn the_payload_field_is_the_payload_and_the_rest_are_headers() {
        let fields = vec![(b"trace".to_vec(), b"t1".to_vec()), (b"payload".to_vec(), vec![0xff, 0x01])];
        let (payload, headers) = message(fields);
        assert_eq!(payload, vec![0xff, 0x01]);
        assert_eq!(headers, vec![("trace".to_owned(), "t1".to_owned())]);
    }

    #[test]
    fn an_entry_without_payload_is_shown_as_a_json_object_in_field_order() {
        let fields = vec![(b"b".to_vec(), b"2".to_vec()), (b"a".to_vec(), b"x\"y".to_vec())];
        let (payload, headers) = message(fields);
        assert_eq!(String::from_utf8(payload).unwrap(), r#"{"b":"2","a":"x\"y"}"#);
        assert!(headers.is_empty());
    }

    #[test]
    fn entry_ids_carry_the_server_time_in_milliseconds() {
        assert_eq!(id_timestamp("1700000000123-4").as_deref(), Some("2023-11-14T22:13:20.123Z"));
        assert_eq!(id_timestamp("0-1").as_deref(), Some("1970-01-01T00:00:00.000Z"));
        assert_eq!(id_timestamp("nonsense"), None);
    }
}
