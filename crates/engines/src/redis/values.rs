//! A key's value a page at a time, per type (docs/redis.md, "Key browser"): a string by
//! byte range (`GETRANGE`), a hash or set by cursor (`HSCAN`, `SSCAN`), a list by index
//! (`LRANGE`), a sorted set by rank or score (`ZRANGE`), a stream by id (`XRANGE`,
//! `XREVRANGE`), a RedisJSON document whole up to the page size. Replies are read in RESP3
//! and RESP2 alike.

use dbdock_core::{Blob, DEFAULT_VALUE_PAGE, Error, Result, STRING_PAGE_BYTES, ValueEntry, ValuePage, ValueRequest};
use redis::Value;

use super::commands::RedisCommands;

pub(super) async fn page(redis: &RedisCommands, key_type: &str, request: &ValueRequest) -> Result<ValuePage> {
    let key = request.key.as_str();
    let count = request.count.unwrap_or(DEFAULT_VALUE_PAGE).clamp(1, 10_000);
    let send = |cmd: redis::Cmd| async move { redis.send_on(request.db, &cmd).await };
    let total = match length_command(key_type) {
        Some(name) => int(&send(redis::cmd(name).arg(key).to_owned()).await?).and_then(|n| u64::try_from(n).ok()),
        None => None,
    };
    let offset = |what: &str| -> Result<i64> {
        request.cursor.as_deref().map_or(Ok(0), |c| {
            c.parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| Error::invalid_input(format!("'{c}' is not a {what} position (pass back `next`)")))
        })
    };
    let (entries, next) = match key_type {
        "none" => return Err(Error::not_found(format!("no key '{key}' in Redis database {}", request.db))),
        "string" => {
            let start = offset("byte")?;
            let end = start + i64::from(STRING_PAGE_BYTES) - 1;
            let bytes = bytes(&send(redis::cmd("GETRANGE").arg(key).arg(start).arg(end).to_owned()).await?);
            let more = total.is_some_and(|t| (end + 1) < t as i64);
            let mut value = Blob::from_bytes(&bytes);
            if more || start > 0 {
                value.json = false;
            }
            (vec![ValueEntry { value, ..ValueEntry::default() }], more.then(|| (end + 1).to_string()))
        }
        "hash" | "set" => {
            let mut cmd = redis::cmd(if key_type == "hash" { "HSCAN" } else { "SSCAN" });
            cmd.arg(key).arg(request.cursor.as_deref().unwrap_or("0"));
            if let Some(pattern) = &request.pattern {
                cmd.arg("MATCH").arg(pattern);
            }
            cmd.arg("COUNT").arg(count);
            let (next, items) = scan_items(send(cmd).await?)?;
            let entries = if key_type == "hash" {
                pairs(items).into_iter().map(|(f, v)| entry(Some(text(&f)), None, None, &v)).collect()
            } else {
                items.iter().map(|m| entry(None, None, None, m)).collect()
            };
            (entries, (next != "0").then_some(next))
        }
        "list" => {
            let start = offset("list")?;
            let stop = start + i64::from(count) - 1;
            // From the end: -1 is the last element.
            let (from, to) = if request.reverse { (-stop - 1, -start - 1) } else { (start, stop) };
            let items = items(send(redis::cmd("LRANGE").arg(key).arg(from).arg(to).to_owned()).await?);
            let len = total.unwrap_or(0) as i64;
            let mut entries: Vec<ValueEntry> = items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let index = if request.reverse { len + from + i as i64 } else { start + i as i64 };
                    entry(None, Some(index), None, v)
                })
                .collect();
            if request.reverse {
                entries.reverse();
            }
            let more = entries.len() == count as usize && (stop + 1) < len;
            (entries, more.then(|| (stop + 1).to_string()))
        }
        "zset" => {
            let start = offset("sorted set")?;
            let mut cmd = redis::cmd("ZRANGE");
            cmd.arg(key);
            match &request.score_range {
                Some((min, max)) => {
                    let (low, high) = if request.reverse { (max, min) } else { (min, max) };
                    cmd.arg(low).arg(high).arg("BYSCORE");
                    if request.reverse {
                        cmd.arg("REV");
                    }
                    cmd.arg("LIMIT").arg(start).arg(count);
                }
                None => {
                    cmd.arg(start).arg(start + i64::from(count) - 1);
                    if request.reverse {
                        cmd.arg("REV");
                    }
                }
            }
            cmd.arg("WITHSCORES");
            let found = pairs(items(send(cmd).await?));
            let entries: Vec<ValueEntry> = found
                .iter()
                .enumerate()
                .map(|(i, (member, score))| entry(None, Some(start + i as i64), number(score), member))
                .collect();
            let more = entries.len() == count as usize;
            (entries, more.then(|| (start + i64::from(count)).to_string()))
        }
        "stream" => {
            // `(id` is exclusive: the next page starts after the last entry shown.
            let after = request.cursor.as_deref().map(|id| format!("({id}"));
            let mut cmd = redis::cmd(if request.reverse { "XREVRANGE" } else { "XRANGE" });
            match (request.reverse, &after) {
                (false, after) => cmd.arg(&request.key).arg(after.as_deref().unwrap_or("-")).arg("+"),
                (true, after) => cmd.arg(&request.key).arg(after.as_deref().unwrap_or("+")).arg("-"),
            };
            cmd.arg("COUNT").arg(count);
            let entries: Vec<ValueEntry> = items(send(cmd).await?).into_iter().map(stream_entry).collect();
            let next =
                (entries.len() == count as usize).then(|| entries.last().and_then(|e| e.field.clone())).flatten();
            (entries, next)
        }
        "ReJSON-RL" => {
            let json = send(redis::cmd("JSON.GET").arg(key).to_owned()).await?;
            (vec![ValueEntry { value: Blob::from_bytes(&bytes(&json)), ..ValueEntry::default() }], None)
        }
        other => {
            return Err(Error::unsupported(format!(
                "'{key}' is a {other}, which the key browser does not read; run its module's commands in the console"
            )));
        }
    };
    Ok(ValuePage { key_type: key_type.to_owned(), total, entries, next })
}

/// The command that tells a type's length (bytes of a string, entries of the rest).
pub(super) fn length_command(key_type: &str) -> Option<&'static str> {
    Some(match key_type {
        "string" => "STRLEN",
        "hash" => "HLEN",
        "list" => "LLEN",
        "set" => "SCARD",
        "zset" => "ZCARD",
        "stream" => "XLEN",
        _ => return None,
    })
}

fn entry(field: Option<String>, index: Option<i64>, score: Option<f64>, value: &Value) -> ValueEntry {
    ValueEntry { field, index, score, value: Blob::from_bytes(&bytes(value)) }
}

/// `[id, [field, value, …]]` as an entry: the id as its field, the fields as a JSON object.
fn stream_entry(value: Value) -> ValueEntry {
    let mut parts = items(value).into_iter();
    let id = parts.next().map(|v| text(&v));
    let fields: serde_json::Map<String, serde_json::Value> = pairs(parts.next().map(items).unwrap_or_default())
        .into_iter()
        .map(|(f, v)| (text(&f), serde_json::Value::String(String::from_utf8_lossy(&bytes(&v)).into_owned())))
        .collect();
    let json = serde_json::Value::Object(fields).to_string();
    ValueEntry { field: id, value: Blob::from_bytes(json.as_bytes()), ..ValueEntry::default() }
}

/// `[cursor, [key, …]]`, a `SCAN` reply, with the keys as text.
pub(super) fn scan_reply(value: Value) -> Result<(String, Vec<String>)> {
    let (cursor, keys) = scan_items(value)?;
    Ok((cursor, keys.iter().map(text).collect()))
}

fn scan_items(value: Value) -> Result<(String, Vec<Value>)> {
    let mut parts = items(value).into_iter();
    match (parts.next(), parts.next()) {
        (Some(cursor), Some(page)) => Ok((text(&cursor), items(page))),
        _ => Err(Error::query_failed("Redis answered a SCAN with something other than [cursor, keys]")),
    }
}

/// The elements of an array or set; a map's keys and values in turn.
pub(super) fn items(value: Value) -> Vec<Value> {
    match value {
        Value::Array(items) | Value::Set(items) => items,
        Value::Map(pairs) => pairs.into_iter().flat_map(|(k, v)| [k, v]).collect(),
        Value::Nil => Vec::new(),
        other => vec![other],
    }
}

/// Field/value pairs from a flat list (RESP2), a list of pairs (RESP3 `WITHSCORES`) or a map.
fn pairs(items: Vec<Value>) -> Vec<(Value, Value)> {
    if items.iter().all(|i| matches!(i, Value::Array(a) if a.len() == 2)) && !items.is_empty() {
        return items
            .into_iter()
            .filter_map(|i| {
                let mut pair = self::items(i).into_iter();
                Some((pair.next()?, pair.next()?))
            })
            .collect();
    }
    let mut flat = items.into_iter();
    let mut out = Vec::new();
    while let (Some(k), Some(v)) = (flat.next(), flat.next()) {
        out.push((k, v));
    }
    out
}

/// A map reply (RESP3) or a flat field/value list (RESP2) by field name.
pub(super) fn fields(value: Value) -> std::collections::HashMap<String, Value> {
    let flat = match value {
        Value::Map(pairs) => return pairs.into_iter().map(|(k, v)| (text(&k), v)).collect(),
        other => items(other),
    };
    pairs(flat).into_iter().map(|(k, v)| (text(&k), v)).collect()
}

pub(super) fn bytes(value: &Value) -> Vec<u8> {
    match value {
        Value::BulkString(b) => b.clone(),
        Value::SimpleString(s) => s.clone().into_bytes(),
        Value::VerbatimString { text, .. } => text.clone().into_bytes(),
        Value::Int(n) => n.to_string().into_bytes(),
        Value::Double(d) => d.to_string().into_bytes(),
        Value::Okay => b"OK".to_vec(),
        _ => Vec::new(),
    }
}

pub(super) fn text(value: &Value) -> String {
    String::from_utf8_lossy(&bytes(value)).into_owned()
}

pub(super) fn int(value: &Value) -> Option<i64> {
    match value {
        Value::Int(n) => Some(*n),
        other => text(other).parse().ok(),
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Double(d) => Some(*d),
        other => text(other).parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_read_resp2_and_resp3_alike() {
        let bulk = |s: &str| Value::BulkString(s.as_bytes().to_vec());
        let flat = pairs(vec![bulk("a"), bulk("1"), bulk("b"), bulk("2")]);
        let nested = pairs(vec![
            Value::Array(vec![bulk("a"), Value::Double(1.0)]),
            Value::Array(vec![bulk("b"), Value::Double(2.0)]),
        ]);
        assert_eq!(flat.len(), 2);
        assert_eq!(nested.len(), 2);
        assert_eq!(text(&flat[1].0), "b");
        assert_eq!(number(&nested[1].1), Some(2.0));
        assert_eq!(number(&flat[1].1), Some(2.0));
    }

    #[test]
    fn stream_entries_keep_their_id_and_fields() {
        let bulk = |s: &str| Value::BulkString(s.as_bytes().to_vec());
        let e = stream_entry(Value::Array(vec![bulk("1-1"), Value::Array(vec![bulk("a"), bulk("x")])]));
        assert_eq!(e.field.as_deref(), Some("1-1"));
        assert_eq!(e.value.text, r#"{"a":"x"}"#);
        assert!(e.value.json);
    }
}
