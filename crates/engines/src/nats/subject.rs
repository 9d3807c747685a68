//! Subjects, queue groups, stream names and headers, checked before anything reaches the
//! server: the server answers a bad subject with an asynchronous `-ERR` (or closes the
//! connection), which a caller would see as silence, so DB Dock refuses them up front with
//! a message that says what is wrong.

use std::str::FromStr;

use async_nats::{HeaderMap, HeaderName};
use dbdock_core::{Error, Result};

/// A subject to subscribe to: dot-separated tokens, none empty, no whitespace; `*` and `>`
/// are wildcards only as whole tokens, and `>` only as the last one.
pub(super) fn check_subscribe(subject: &str) -> Result<()> {
    check_tokens(subject)?;
    let tokens: Vec<&str> = subject.split('.').collect();
    for (i, token) in tokens.iter().enumerate() {
        if token.len() > 1 && (token.contains('*') || token.contains('>')) {
            return Err(Error::invalid_input(format!(
                "'{subject}': a wildcard must be a whole token (write orders.* or orders.>, not '{token}')"
            )));
        }
        if *token == ">" && i + 1 != tokens.len() {
            return Err(Error::invalid_input(format!(
                "'{subject}': '>' matches the rest, so it must be the last token"
            )));
        }
    }
    Ok(())
}

/// A subject to publish or send a request to: a concrete subject, no wildcards.
pub(super) fn check_publish(subject: &str) -> Result<()> {
    check_tokens(subject)?;
    if subject.split('.').any(|t| t == "*" || t == ">") {
        return Err(Error::invalid_input(format!(
            "'{subject}' has a wildcard: messages are published to one concrete subject (wildcards are for subscribing)"
        )));
    }
    Ok(())
}

fn check_tokens(subject: &str) -> Result<()> {
    if subject.is_empty() {
        return Err(Error::invalid_input("the subject is empty"));
    }
    if subject.chars().any(char::is_whitespace) {
        return Err(Error::invalid_input(format!(
            "'{subject}': a NATS subject cannot contain spaces or other whitespace"
        )));
    }
    if subject.split('.').any(str::is_empty) {
        return Err(Error::invalid_input(format!(
            "'{subject}' has an empty token: subjects are tokens separated by single dots (orders.eu.created)"
        )));
    }
    Ok(())
}

pub(super) fn check_queue(queue: &str) -> Result<()> {
    if queue.is_empty() || queue.chars().any(char::is_whitespace) {
        return Err(Error::invalid_input(format!(
            "'{queue}' is not a queue group name: it must be non-empty, with no whitespace"
        )));
    }
    Ok(())
}

/// A JetStream stream, consumer or KV bucket name: the server puts it inside API subjects,
/// so dots, wildcards, whitespace and path separators are refused.
pub(super) fn check_name(what: &str, name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::invalid_input(format!("the {what} name is empty")));
    }
    if let Some(bad) = name.chars().find(|c| c.is_whitespace() || ['.', '*', '>', '/', '\\'].contains(c)) {
        return Err(Error::invalid_input(format!(
            "'{name}' is not a valid {what} name: it cannot contain '{}'",
            bad.escape_default()
        )));
    }
    Ok(())
}

/// Caller headers as a NATS header map; invalid names or values are refused rather than
/// letting async-nats panic on them or a newline break the protocol framing.
pub(super) fn header_map(headers: &[(String, String)]) -> Result<Option<HeaderMap>> {
    if headers.is_empty() {
        return Ok(None);
    }
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let header = HeaderName::from_str(name)
            .map_err(|e| Error::invalid_input(format!("'{name}' is not a valid NATS header name: {e}")))?;
        if value.contains(['\r', '\n']) {
            return Err(Error::invalid_input(format!("the value of header '{name}' contains a line break")));
        }
        map.append(header, value.as_str());
    }
    Ok(Some(map))
}

/// A message's headers as name/value pairs, one pair per value, names sorted so that
/// events are stable to read and to test.
pub(super) fn header_pairs(headers: Option<&HeaderMap>) -> Vec<(String, String)> {
    let Some(headers) = headers else { return Vec::new() };
    let mut pairs: Vec<(String, String)> = headers
        .iter()
        .flat_map(|(name, values)| values.iter().map(move |v| (name.to_string(), v.to_string())))
        .collect();
    pairs.sort();
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscribe_subjects_take_whole_token_wildcards() {
        for ok in ["a", "a.b", "a.*", "a.>", "*.b", ">", "a.*.c"] {
            assert!(check_subscribe(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a..b", ".a", "a.", "a b", "a.b*", "a.>.c", "a\tb"] {
            let err = check_subscribe(bad).err();
            assert_eq!(err.map(|e| e.code), Some(dbdock_core::ErrorCode::InvalidInput), "{bad}");
        }
    }

    #[test]
    fn publish_subjects_have_no_wildcards() {
        assert!(check_publish("orders.eu").is_ok());
        assert!(check_publish("orders.*").is_err());
        assert!(check_publish("orders.>").is_err());
    }

    #[test]
    fn headers_round_trip_and_bad_ones_are_refused() {
        let map = header_map(&[("b".into(), "2".into()), ("a".into(), "1".into()), ("a".into(), "3".into())]);
        let map = map.ok().flatten();
        assert_eq!(
            header_pairs(map.as_ref()),
            vec![("a".into(), "1".into()), ("a".into(), "3".into()), ("b".into(), "2".into())]
        );
        assert!(header_map(&[("bad:name".into(), "x".into())]).is_err());
        assert!(header_map(&[("ok".into(), "x\r\ny".into())]).is_err());
        assert!(check_name("stream", "ORDERS").is_ok());
        assert!(check_name("stream", "a.b").is_err());
    }
}
