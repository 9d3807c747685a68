//! The key browser on Redis (docs/redis.md, "Key browser"). Every call is bounded: a tree
//! level scans at most its budget of keys (`SCAN … COUNT`, never `KEYS`) and says how much
//! of the keyspace that covered, a key page stops after a fixed number of `SCAN` calls, and
//! a value is read a page at a time (`values.rs`).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use dbdock_core::{
    DEFAULT_SCAN_BUDGET, Error, KeyBrowser, KeyDatabase, KeyInfo, KeyName, KeyPage, KeyScan, MAX_CHILDREN_SHOWN,
    PrefixLevel, PrefixNode, PrefixQuery, Result, StreamConsumer, StreamGroup, ValuePage, ValueRequest,
};

use super::commands::RedisCommands;
use super::values;

/// Keys asked of one `SCAN` call (a hint: the server walks about this many buckets).
const SCAN_COUNT: u32 = 1000;
/// The same under a prefix or a type, where most of what the server walks is left out:
/// fewer, larger steps.
const FILTERED_SCAN_COUNT: u32 = 10_000;
/// A level answers after this long even within its budget, so a slow server stays usable.
const LEVEL_TIME: Duration = Duration::from_secs(2);
/// Keys of a prefix whose types are sampled.
const TYPE_SAMPLES: usize = 3;
/// `SCAN` calls one key page may make while the pattern matches nothing.
const PAGE_CALLS: u32 = 50;

#[async_trait]
impl KeyBrowser for RedisCommands {
    fn default_db(&self) -> u32 {
        self.db
    }

    async fn databases(&self) -> Result<Vec<KeyDatabase>> {
        let info = values::text(&self.send_on(self.db, redis::cmd("INFO").arg("keyspace")).await?);
        let mut dbs = keyspace_counts(&info);
        if !dbs.iter().any(|d| d.index == self.db) {
            dbs.push(KeyDatabase { index: self.db, keys: 0, expires: 0 });
        }
        // The 16 a default server has, so that an empty one can be chosen too.
        for index in 0..16 {
            if !dbs.iter().any(|d| d.index == index) {
                dbs.push(KeyDatabase { index, keys: 0, expires: 0 });
            }
        }
        dbs.sort_by_key(|d| d.index);
        Ok(dbs)
    }

    async fn key_prefixes(&self, query: &PrefixQuery) -> Result<PrefixLevel> {
        let delimiter = if query.delimiter.is_empty() { ":" } else { query.delimiter.as_str() };
        let budget = u64::from(query.budget.unwrap_or(DEFAULT_SCAN_BUDGET).clamp(100, 5_000_000));
        let total = values::int(&self.send_on(query.db, &redis::cmd("DBSIZE")).await?).unwrap_or(0).max(0) as u64;
        let (mut cursor, looked_before) = match &query.cursor {
            Some(c) => parse_level_cursor(c)?,
            None => ("0".to_owned(), 0),
        };
        let filtered = !query.prefix.is_empty() || query.key_type.is_some();
        let step = if filtered { FILTERED_SCAN_COUNT } else { SCAN_COUNT };
        let pattern = format!("{}*", escape_glob(&query.prefix));
        let started = Instant::now();
        let (mut looked, mut seen) = (0_u64, 0_u64);
        let mut children: BTreeMap<String, Child> = BTreeMap::new();
        let complete = loop {
            let mut scan = redis::cmd("SCAN");
            scan.arg(&cursor).arg("MATCH").arg(&pattern).arg("COUNT").arg(step);
            if let Some(t) = &query.key_type {
                scan.arg("TYPE").arg(t);
            }
            let (next, keys) = values::scan_reply(self.send_on(query.db, &scan).await?)?;
            // Without a MATCH filter, what came back is what was looked at; with one, the
            // server walked about COUNT entries to find it.
            looked += if filtered { u64::from(step).max(keys.len() as u64) } else { keys.len() as u64 };
            for key in keys {
                seen += 1;
                let rest = key.get(query.prefix.len()..).unwrap_or_default();
                let (name, is_key) = match rest.find(delimiter) {
                    Some(i) => (format!("{}{}", query.prefix, &rest[..i + delimiter.len()]), false),
                    None => (key.clone(), true),
                };
                let child = children.entry(name).or_insert_with(|| Child { is_key, keys: 0, samples: Vec::new() });
                child.keys += 1;
                if child.samples.len() < TYPE_SAMPLES {
                    child.samples.push(key);
                }
            }
            cursor = next;
            if cursor == "0" {
                break true;
            }
            if looked >= budget || started.elapsed() >= LEVEL_TIME {
                break false;
            }
        };
        let looked_total = looked_before + looked;
        let covered = if complete || total == 0 { 1.0 } else { (looked_total as f64 / total as f64).min(1.0) };
        let mut nodes: Vec<(String, Child)> = children.into_iter().collect();
        // Prefixes first, the fullest first; then keys by name.
        nodes.sort_by(|(an, a), (bn, b)| a.is_key.cmp(&b.is_key).then(b.keys.cmp(&a.keys)).then(an.cmp(bn)));
        let hidden = nodes.len().saturating_sub(MAX_CHILDREN_SHOWN) as u64;
        nodes.truncate(MAX_CHILDREN_SHOWN);
        let sampled: Vec<String> = nodes.iter().flat_map(|(_, c)| c.samples.iter().cloned()).collect();
        let types = self.types_of(query.db, &sampled).await?;
        let children = nodes
            .into_iter()
            .map(|(name, child)| {
                let mut seen_types: Vec<String> =
                    child.samples.iter().filter_map(|k| types.get(k).cloned()).filter(|t| t != "none").collect();
                seen_types.sort();
                seen_types.dedup();
                PrefixNode {
                    label: name.get(query.prefix.len()..).unwrap_or(&name).to_owned(),
                    name,
                    is_key: child.is_key,
                    keys: child.keys,
                    types: seen_types,
                }
            })
            .collect();
        Ok(PrefixLevel {
            db: query.db,
            prefix: query.prefix.clone(),
            delimiter: delimiter.to_owned(),
            total_keys: total,
            seen,
            complete,
            cursor: (!complete).then(|| format!("{cursor}:{looked_total}")),
            covered,
            hidden,
            children,
        })
    }

    async fn scan_keys(&self, scan: &KeyScan) -> Result<KeyPage> {
        let count = scan.count.unwrap_or(100).clamp(1, 10_000);
        let mut cursor = scan.cursor.clone().filter(|c| !c.is_empty()).unwrap_or_else(|| "0".to_owned());
        let mut names = Vec::new();
        for _ in 0..PAGE_CALLS {
            let mut cmd = redis::cmd("SCAN");
            cmd.arg(&cursor).arg("COUNT").arg(count);
            if let Some(pattern) = &scan.pattern {
                cmd.arg("MATCH").arg(pattern);
            }
            if let Some(t) = &scan.key_type {
                cmd.arg("TYPE").arg(t);
            }
            let (next, keys) = values::scan_reply(self.send_on(scan.db, &cmd).await?)?;
            names.extend(keys);
            cursor = next;
            if cursor == "0" || names.len() >= count as usize {
                break;
            }
        }
        let types = self.types_of(scan.db, &names).await?;
        let keys = names
            .into_iter()
            .map(|name| KeyName { key_type: types.get(&name).cloned().unwrap_or_default(), name })
            .collect();
        Ok(KeyPage { keys, cursor: (cursor != "0").then_some(cursor) })
    }

    async fn key_info(&self, db: u32, key: &str) -> Result<KeyInfo> {
        let key_type = values::text(&self.send_on(db, redis::cmd("TYPE").arg(key)).await?);
        if key_type == "none" {
            return Err(Error::not_found(format!("no key '{key}' in Redis database {db}")));
        }
        let length = values::length_command(&key_type).map(|name| redis::cmd(name).arg(key).to_owned());
        let ask = |cmd: redis::Cmd| async move { self.send_on(db, &cmd).await.ok() };
        // Facts the ACL may refuse (MEMORY, OBJECT) are left out rather than failing the rest.
        let (ttl, memory, encoding, length) = tokio::join!(
            ask(redis::cmd("PTTL").arg(key).to_owned()),
            ask(redis::cmd("MEMORY").arg("USAGE").arg(key).to_owned()),
            ask(redis::cmd("OBJECT").arg("ENCODING").arg(key).to_owned()),
            async {
                match length {
                    Some(cmd) => ask(cmd).await,
                    None => None,
                }
            },
        );
        Ok(KeyInfo {
            name: key.to_owned(),
            ttl_ms: ttl.as_ref().and_then(values::int).filter(|t| *t >= 0),
            memory_bytes: memory.as_ref().and_then(values::int).and_then(|m| u64::try_from(m).ok()),
            encoding: encoding.as_ref().map(values::text).filter(|e| !e.is_empty()),
            length: length.as_ref().and_then(values::int).and_then(|l| u64::try_from(l).ok()),
            key_type,
        })
    }

    async fn key_value(&self, request: &ValueRequest) -> Result<ValuePage> {
        let key_type = values::text(&self.send_on(request.db, redis::cmd("TYPE").arg(&request.key)).await?);
        values::page(self, &key_type, request).await
    }

    async fn stream_groups(&self, db: u32, key: &str) -> Result<Vec<StreamGroup>> {
        let key_type = values::text(&self.send_on(db, redis::cmd("TYPE").arg(key)).await?);
        if key_type != "stream" {
            return Err(match key_type.as_str() {
                "none" => Error::not_found(format!("no key '{key}' in Redis database {db}")),
                other => Error::invalid_input(format!("'{key}' is a {other}, not a stream: it has no consumer groups")),
            });
        }
        let mut groups: Vec<StreamGroup> =
            values::items(self.send_on(db, redis::cmd("XINFO").arg("GROUPS").arg(key)).await?)
                .into_iter()
                .map(|group| {
                    let fields = values::fields(group);
                    let number =
                        |name: &str| fields.get(name).and_then(values::int).and_then(|n| u64::try_from(n).ok());
                    StreamGroup {
                        name: fields.get("name").map(values::text).unwrap_or_default(),
                        pending: number("pending").unwrap_or(0),
                        lag: number("lag"),
                        last_delivered_id: fields.get("last-delivered-id").map(values::text).unwrap_or_default(),
                        consumers: Vec::new(),
                    }
                })
                .collect();
        for group in &mut groups {
            let consumers = self.send_on(db, redis::cmd("XINFO").arg("CONSUMERS").arg(key).arg(&group.name)).await?;
            group.consumers = values::items(consumers)
                .into_iter()
                .map(|consumer| {
                    let fields = values::fields(consumer);
                    let number =
                        |name: &str| fields.get(name).and_then(values::int).and_then(|n| u64::try_from(n).ok());
                    StreamConsumer {
                        name: fields.get("name").map(values::text).unwrap_or_default(),
                        pending: number("pending").unwrap_or(0),
                        idle_ms: number("idle").unwrap_or(0),
                    }
                })
                .collect();
        }
        Ok(groups)
    }
}

impl RedisCommands {
    /// `TYPE` of each key, in one round trip.
    async fn types_of(&self, db: u32, keys: &[String]) -> Result<std::collections::HashMap<String, String>> {
        if keys.is_empty() {
            return Ok(Default::default());
        }
        let mut pipe = redis::pipe();
        for key in keys {
            pipe.cmd("TYPE").arg(key);
        }
        let answers = self.pipeline_on(db, &pipe).await?;
        Ok(keys.iter().cloned().zip(answers.iter().map(values::text)).collect())
    }
}

struct Child {
    is_key: bool,
    keys: u64,
    samples: Vec<String>,
}

/// `db0:keys=12,expires=3,avg_ttl=0` lines of `INFO keyspace`.
fn keyspace_counts(info: &str) -> Vec<KeyDatabase> {
    info.lines()
        .filter_map(|line| {
            let (db, fields) = line.trim().split_once(':')?;
            let index = db.strip_prefix("db")?.parse().ok()?;
            let field = |name: &str| {
                fields.split(',').find_map(|f| f.strip_prefix(name)?.strip_prefix('=')?.parse().ok()).unwrap_or(0)
            };
            Some(KeyDatabase { index, keys: field("keys"), expires: field("expires") })
        })
        .collect()
}

/// The browser's cursor of a level: the server's `SCAN` cursor and how many keys the scan
/// has looked at so far (for the share covered).
fn parse_level_cursor(text: &str) -> Result<(String, u64)> {
    let bad = || Error::invalid_input(format!("'{text}' is not a key browser cursor (pass back the one a level gave)"));
    let (cursor, looked) = text.split_once(':').ok_or_else(bad)?;
    if cursor.is_empty() || !cursor.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    Ok((cursor.to_owned(), looked.parse().map_err(|_| bad())?))
}

/// A prefix as a `MATCH` pattern of itself: the glob characters escaped.
pub(super) fn escape_glob(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyspace_lines_become_databases() {
        let info = "# Keyspace\r\ndb0:keys=12,expires=3,avg_ttl=0\r\ndb5:keys=1,expires=0,avg_ttl=0\r\n";
        assert_eq!(
            keyspace_counts(info),
            vec![KeyDatabase { index: 0, keys: 12, expires: 3 }, KeyDatabase { index: 5, keys: 1, expires: 0 }]
        );
    }

    #[test]
    fn level_cursors_round_trip_and_refuse_junk() {
        assert_eq!(parse_level_cursor("1234:5000").ok(), Some(("1234".to_owned(), 5000)));
        for junk in ["", "12", ":5", "1 2:5", "12:x", "*:1"] {
            assert!(parse_level_cursor(junk).is_err(), "{junk}");
        }
    }

    #[test]
    fn prefixes_match_themselves_only() {
        assert_eq!(escape_glob("user:"), "user:");
        assert_eq!(escape_glob("a*b?[c]\\"), "a\\*b\\?\\[c\\]\\\\");
    }
}
