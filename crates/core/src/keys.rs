//! What a key-value server (Redis) holds, as the key browser shows it: logical databases,
//! a tree of key prefixes counted from a bounded scan, one key's facts, and its value a
//! page at a time (docs/redis.md, "Key browser"). Nothing here reads a whole keyspace or a
//! whole value: every call is bounded by a scan budget or a page size.

use async_trait::async_trait;
use serde::Serialize;

use crate::Result;

/// Keys a prefix level's scan looks at before it answers (unless it reaches the end first).
pub const DEFAULT_SCAN_BUDGET: u32 = 20_000;
/// Children a level lists (prefixes first, the fullest first, then keys); the rest are
/// counted in [`PrefixLevel::hidden`].
pub const MAX_CHILDREN_SHOWN: usize = 1000;
/// Entries of a value per page.
pub const DEFAULT_VALUE_PAGE: u32 = 100;
/// A string value's bytes per page.
pub const STRING_PAGE_BYTES: u32 = 64 * 1024;

/// One logical database (`SELECT n`) and how many keys it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyDatabase {
    pub index: u32,
    pub keys: u64,
    /// Keys with a time to live.
    pub expires: u64,
}

/// One level of the key tree: what comes after `prefix`, up to the next delimiter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrefixQuery {
    pub db: u32,
    /// Empty for the top of the tree; otherwise ends with the delimiter (`user:`).
    pub prefix: String,
    /// `:` unless the user chose another.
    pub delimiter: String,
    /// Continue an earlier scan of this level (its `cursor`); `None` starts one.
    pub cursor: Option<String>,
    /// Keys to look at before answering (default [`DEFAULT_SCAN_BUDGET`]).
    pub budget: Option<u32>,
    /// Only keys of this type (`SCAN … TYPE`).
    pub key_type: Option<String>,
}

/// A level of the key tree as far as one bounded scan saw it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PrefixLevel {
    pub db: u32,
    pub prefix: String,
    pub delimiter: String,
    /// Keys in the whole database (`DBSIZE`).
    pub total_keys: u64,
    /// Keys under `prefix` that this scan met.
    pub seen: u64,
    /// The scan reached the end: the counts are exact.
    pub complete: bool,
    /// Where to go on when not complete (pass it back as `PrefixQuery::cursor`; the counts
    /// of the next answer add to these).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// The share of the keyspace the scan has covered so far (1 when complete): counts
    /// divided by it estimate the whole.
    pub covered: f64,
    /// Children met but not listed (a level lists the fullest prefixes first, then keys, up
    /// to a thousand).
    pub hidden: u64,
    pub children: Vec<PrefixNode>,
}

/// A key, or a prefix with keys under it, one step below a level's prefix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrefixNode {
    /// The full key, or the full prefix ending with the delimiter.
    pub name: String,
    /// What the tree shows: the part after the level's prefix.
    pub label: String,
    /// A key itself (not a prefix).
    pub is_key: bool,
    /// Keys the scan met under it (1 for a key).
    pub keys: u64,
    /// The types seen: the key's own, or those of the keys sampled under a prefix.
    pub types: Vec<String>,
}

/// A page of keys from a cursor scan (`SCAN cursor MATCH … TYPE … COUNT …`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyScan {
    pub db: u32,
    /// A Redis glob (`user:*`); `None` for every key.
    pub pattern: Option<String>,
    pub key_type: Option<String>,
    /// `None` or `0` starts a scan.
    pub cursor: Option<String>,
    /// About this many keys (default 100; the server may return a few more or fewer).
    pub count: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KeyPage {
    pub keys: Vec<KeyName>,
    /// Pass back to go on; `None` when the scan is over.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyName {
    pub name: String,
    #[serde(rename = "type")]
    pub key_type: String,
}

/// One key's facts. A fact the server will not tell (an ACL without `MEMORY`, an old
/// server) is `None`, not an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KeyInfo {
    pub name: String,
    #[serde(rename = "type")]
    pub key_type: String,
    /// Milliseconds left to live; `None` when the key does not expire.
    pub ttl_ms: Option<i64>,
    pub memory_bytes: Option<u64>,
    pub encoding: Option<String>,
    /// Bytes of a string, entries of anything else.
    pub length: Option<u64>,
}

/// Which page of a key's value to read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValueRequest {
    pub db: u32,
    pub key: String,
    /// Where the previous page ended (its `next`); `None` for the first page.
    pub cursor: Option<String>,
    /// Entries per page (default [`DEFAULT_VALUE_PAGE`]); for strings, a page is
    /// [`STRING_PAGE_BYTES`] bytes.
    pub count: Option<u32>,
    /// Sorted sets: members whose score is within these bounds (`ZRANGE … BYSCORE`, Redis
    /// syntax: `-inf`, `(5`, `10`), instead of by rank.
    pub score_range: Option<(String, String)>,
    /// Lists and sorted sets by rank, streams by id: from the end backwards.
    pub reverse: bool,
    /// Hashes and sets: only fields or members matching this glob.
    pub pattern: Option<String>,
}

/// One page of a value.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ValuePage {
    #[serde(rename = "type")]
    pub key_type: String,
    /// Entries in the whole value (bytes of a string), where the server says cheaply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    pub entries: Vec<ValueEntry>,
    /// Pass back as `cursor` for the next page; `None` on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// One entry of a value: what it has depends on the type.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ValueEntry {
    /// A hash's field; a stream entry's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// A list element's index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<i64>,
    /// A sorted set member's score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// The value, member or element; a string's page; a stream entry's fields as JSON.
    pub value: Blob,
}

/// Bytes as a person reads them: text when they are UTF-8 (and said to be JSON when they
/// parse as such), hex otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Blob {
    pub text: String,
    /// `text` is the bytes in hex (`0a1b…`): they are not UTF-8.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub hex: bool,
    /// The text parses as a JSON object or array.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub json: bool,
    /// The value was longer and is cut here (its full length in bytes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cut_from: Option<u64>,
}

/// Longest single value shown in a page entry; the rest is cut (a string key pages on).
pub const MAX_ENTRY_BYTES: usize = 16 * 1024;

impl Blob {
    pub fn from_bytes(bytes: &[u8]) -> Blob {
        let cut = (bytes.len() > MAX_ENTRY_BYTES).then_some(bytes.len() as u64);
        let shown = &bytes[..bytes.len().min(MAX_ENTRY_BYTES)];
        match std::str::from_utf8(shown) {
            Ok(text) => Blob::text(text, cut),
            // A cut may fall inside a character: a few bytes at the end are not a reason for hex.
            Err(e) if cut.is_some() && e.error_len().is_none() => Blob::text(&String::from_utf8_lossy(shown), cut),
            Err(_) => Blob { text: hex(shown), hex: true, json: false, cut_from: cut },
        }
    }

    fn text(text: &str, cut_from: Option<u64>) -> Blob {
        let trimmed = text.trim_start();
        let json = cut_from.is_none()
            && (trimmed.starts_with('{') || trimmed.starts_with('['))
            && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok();
        Blob { text: text.to_owned(), hex: false, json, cut_from }
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// A consumer group of a stream (`XINFO GROUPS`, `XINFO CONSUMERS`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StreamGroup {
    pub name: String,
    /// Entries delivered to the group's consumers and not yet acknowledged.
    pub pending: u64,
    /// Entries not yet delivered to the group (Redis 7; `None` when the server cannot tell).
    pub lag: Option<u64>,
    pub last_delivered_id: String,
    pub consumers: Vec<StreamConsumer>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StreamConsumer {
    pub name: String,
    /// Entries delivered to it and not yet acknowledged.
    pub pending: u64,
    /// Since it last read or claimed, in milliseconds.
    pub idle_ms: u64,
}

/// The keyspace in brief, for an AI client or `dbdock schema`: the top prefixes with their
/// counts, types and a few example keys.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KeySpace {
    pub db: u32,
    pub databases: Vec<KeyDatabase>,
    pub delimiter: String,
    pub total_keys: u64,
    /// Counts are exact (the scan went through every key); otherwise they are what a scan
    /// of `covered` of the keyspace met, and `estimated_keys` scales them up.
    pub complete: bool,
    pub covered: f64,
    /// Prefixes and keys met but not listed (see [`MAX_CHILDREN_SHOWN`]).
    pub hidden: u64,
    pub prefixes: Vec<PrefixSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrefixSummary {
    /// `user:` (a prefix) or a whole key name.
    pub prefix: String,
    pub is_key: bool,
    pub keys: u64,
    /// `keys` scaled by the share of the keyspace scanned.
    pub estimated_keys: u64,
    pub types: Vec<String>,
}

impl KeySpace {
    pub fn from_level(level: PrefixLevel, databases: Vec<KeyDatabase>) -> KeySpace {
        let covered = if level.complete { 1.0 } else { level.covered.clamp(f64::MIN_POSITIVE, 1.0) };
        let prefixes = level
            .children
            .into_iter()
            .map(|node| PrefixSummary {
                estimated_keys: if level.complete { node.keys } else { (node.keys as f64 / covered).round() as u64 },
                prefix: node.name,
                is_key: node.is_key,
                keys: node.keys,
                types: node.types,
            })
            .collect();
        KeySpace {
            db: level.db,
            databases,
            delimiter: level.delimiter,
            total_keys: level.total_keys,
            complete: level.complete,
            covered: level.covered,
            hidden: level.hidden,
            prefixes,
        }
    }
}

/// Browsing the keys of a key-value server. Every call reads a bounded amount: a scan
/// budget, a page.
#[async_trait]
pub trait KeyBrowser: Send + Sync {
    /// The logical database the profile selects (where commands run).
    fn default_db(&self) -> u32;

    /// The logical databases, with their key counts (those holding keys, and the one the
    /// profile selects).
    async fn databases(&self) -> Result<Vec<KeyDatabase>>;

    /// One level of the key tree, counted from a scan of at most the query's budget.
    async fn key_prefixes(&self, query: &PrefixQuery) -> Result<PrefixLevel>;

    /// A page of keys matching a pattern and type.
    async fn scan_keys(&self, scan: &KeyScan) -> Result<KeyPage>;

    /// One key's type, time to live, memory, encoding and length; `NOT_FOUND` if it is gone.
    async fn key_info(&self, db: u32, key: &str) -> Result<KeyInfo>;

    /// One page of a key's value.
    async fn key_value(&self, request: &ValueRequest) -> Result<ValuePage>;

    /// A stream's consumer groups with their consumers and what each has pending.
    async fn stream_groups(&self, db: u32, key: &str) -> Result<Vec<StreamGroup>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_are_text_json_or_hex() {
        assert_eq!(Blob::from_bytes(b"plain"), Blob { text: "plain".into(), ..Blob::default() });
        assert!(Blob::from_bytes(br#"{"a": [1, 2]}"#).json);
        assert!(!Blob::from_bytes(b"{not json").json);
        let binary = Blob::from_bytes(&[0xff, 0x00, 0x10]);
        assert!(binary.hex);
        assert_eq!(binary.text, "ff0010");
        let long = "é".repeat(MAX_ENTRY_BYTES);
        let cut = Blob::from_bytes(long.as_bytes());
        assert!(!cut.hex, "a cut inside a character stays text");
        assert_eq!(cut.cut_from, Some(long.len() as u64));
        assert!(cut.text.len() <= MAX_ENTRY_BYTES + 3);
    }

    #[test]
    fn a_partial_scan_scales_its_counts() {
        let level = PrefixLevel {
            total_keys: 1000,
            seen: 100,
            covered: 0.1,
            children: vec![PrefixNode {
                name: "user:".into(),
                label: "user".into(),
                is_key: false,
                keys: 40,
                types: vec!["hash".into()],
            }],
            ..PrefixLevel::default()
        };
        let space = KeySpace::from_level(level, vec![]);
        assert_eq!(space.prefixes[0].estimated_keys, 400);
        assert!(!space.complete);
    }
}
