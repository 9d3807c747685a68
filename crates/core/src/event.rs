//! Live events from streaming monitors: what a monitor watches ([`WatchTarget`], the
//! syntax of `dbdock watch` and the MCP stream tools), the [`Event`]s it delivers (messages
//! and its own lifecycle), and its [`MonitorStatus`].

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{ConnectionState, Engine, Error, Result};

/// What to watch, as `kind:name` (README, "Watching live events").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum WatchTarget {
    /// Redis pub/sub channel.
    Channel(String),
    /// Redis pub/sub pattern (`orders.*`).
    Pattern(String),
    /// Redis keyspace notifications for keys matching a glob.
    Keyspace(String),
    /// Redis stream tail (`XREAD BLOCK`).
    Stream(String),
    /// NATS subject (wildcards `*` and `>`), optionally in a queue group (`subject:a.b@workers`).
    Subject { subject: String, queue: Option<String> },
    /// JetStream consumer lag, polled: `lag:STREAM/CONSUMER`.
    Lag { stream: String, consumer: String },
    /// NATS KV bucket watch: `kv:BUCKET` or `kv:BUCKET/KEY-GLOB`.
    Kv { bucket: String, key: Option<String> },
    /// PostgreSQL `LISTEN`.
    Notify(String),
    /// MongoDB change stream on a collection (`*` for the whole database).
    Changes(String),
    /// Kafka topic tail: `topic:NAME` from the end, or `@earliest`, `@OFFSET`, `@TIMESTAMP`.
    Topic { topic: String, from: TopicStart },
    /// Kafka consumer-group lag, polled: `lag:GROUP` (every topic it committed on) or
    /// `lag:GROUP/TOPIC`. Written like NATS's `lag:STREAM/CONSUMER`, so `lag:A/B` parses
    /// as [`WatchTarget::Lag`] and [`WatchTarget::for_engine`] reads it for Kafka.
    GroupLag { group: String, topic: Option<String> },
}

/// Where a `topic:` monitor starts reading each partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TopicStart {
    /// After the last message now in the partition: only new messages.
    #[default]
    Latest,
    Earliest,
    /// This offset in every partition (clamped to what the partition holds).
    Offset(i64),
    /// The first message at or after this time, in milliseconds since the epoch.
    Time(i64),
}

impl TopicStart {
    /// `earliest`, `latest`, an offset or an RFC 3339 time (`dbdock kafka reset-offsets --to`).
    pub fn parse(text: &str) -> Result<TopicStart> {
        let lower = text.trim().to_ascii_lowercase();
        match lower.as_str() {
            "earliest" | "beginning" => return Ok(TopicStart::Earliest),
            "latest" | "end" => return Ok(TopicStart::Latest),
            _ => {}
        }
        if let Ok(offset) = lower.parse::<i64>()
            && offset >= 0
        {
            return Ok(TopicStart::Offset(offset));
        }
        chrono::DateTime::parse_from_rfc3339(text.trim()).map(|t| TopicStart::Time(t.timestamp_millis())).map_err(
            |_| {
                Error::invalid_input(format!(
                    "'{text}' is not a place to start a topic: write topic:NAME@earliest, @latest, @OFFSET (a number) \
                     or @TIMESTAMP (RFC 3339, such as 2026-12-07T10:00:00Z)"
                ))
            },
        )
    }
}

impl fmt::Display for TopicStart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TopicStart::Latest => f.write_str("latest"),
            TopicStart::Earliest => f.write_str("earliest"),
            TopicStart::Offset(n) => write!(f, "{n}"),
            TopicStart::Time(ms) => match chrono::DateTime::from_timestamp_millis(*ms) {
                Some(t) => f.write_str(&t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
                None => write!(f, "{ms}"),
            },
        }
    }
}

impl WatchTarget {
    /// Every watch target of `engines`, by engine, for help texts and error messages
    /// (`channel:NAME, …, stream:KEY (Redis); subject:SUBJECT, … (NATS); …`), from the
    /// engines' registrations.
    pub fn help(engines: impl IntoIterator<Item = Engine>) -> String {
        let by_engine: Vec<String> = engines
            .into_iter()
            .filter(|e| !e.spec().watch_kinds.is_empty())
            .map(|e| {
                let kinds: Vec<&str> = e.spec().watch_kinds.iter().filter_map(|k| WatchTarget::syntax(k, e)).collect();
                format!("{} ({})", kinds.join(", "), e.spec().label)
            })
            .collect();
        by_engine.join("; ")
    }

    /// How a target of `kind` is written on `engine` (`channel` → `channel:NAME`), for
    /// help texts.
    pub fn syntax(kind: &str, engine: Engine) -> Option<&'static str> {
        Some(match kind {
            "lag" if engine == Engine::Kafka => "lag:GROUP[/TOPIC]",
            "channel" => "channel:NAME",
            "pattern" => "pattern:GLOB",
            "keyspace" => "keyspace:GLOB",
            "stream" => "stream:KEY",
            "subject" => "subject:SUBJECT",
            "lag" => "lag:STREAM/CONSUMER",
            "kv" => "kv:BUCKET",
            "notify" => "notify:CHANNEL",
            "changes" => "changes:COLLECTION",
            "topic" => "topic:NAME[@earliest|@OFFSET|@TIMESTAMP]",
            _ => return None,
        })
    }

    pub fn parse(text: &str) -> Result<WatchTarget> {
        let Some((kind, name)) = text.split_once(':') else {
            return Err(Error::invalid_input(format!(
                "'{text}' is not a watch target: write KIND:NAME with KIND one of {}",
                WatchTarget::help(Engine::ALL)
            )));
        };
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::invalid_input(format!("the watch target '{text}' names nothing after '{kind}:'")));
        }
        let owned = name.to_owned();
        Ok(match kind.trim().to_ascii_lowercase().as_str() {
            "channel" => WatchTarget::Channel(owned),
            "pattern" => WatchTarget::Pattern(owned),
            "keyspace" => WatchTarget::Keyspace(owned),
            "stream" => WatchTarget::Stream(owned),
            "subject" => match name.split_once('@') {
                Some((subject, queue)) if !subject.is_empty() && !queue.is_empty() => {
                    WatchTarget::Subject { subject: subject.to_owned(), queue: Some(queue.to_owned()) }
                }
                Some(_) => return Err(Error::invalid_input("write subject:SUBJECT@QUEUE with both parts")),
                None => WatchTarget::Subject { subject: owned, queue: None },
            },
            "lag" => match name.split_once('/') {
                Some((stream, consumer)) if !stream.is_empty() && !consumer.is_empty() => {
                    WatchTarget::Lag { stream: stream.to_owned(), consumer: consumer.to_owned() }
                }
                Some(_) => {
                    return Err(Error::invalid_input("write lag:STREAM/CONSUMER (NATS) or lag:GROUP[/TOPIC] (Kafka)"));
                }
                None => WatchTarget::GroupLag { group: owned, topic: None },
            },
            "topic" => match name.split_once('@') {
                Some((topic, from)) if !topic.is_empty() => {
                    WatchTarget::Topic { topic: topic.to_owned(), from: TopicStart::parse(from)? }
                }
                Some(_) => return Err(Error::invalid_input("write topic:NAME@START with a topic name")),
                None => WatchTarget::Topic { topic: owned, from: TopicStart::Latest },
            },
            "kv" => match name.split_once('/') {
                Some((bucket, key)) => WatchTarget::Kv { bucket: bucket.to_owned(), key: Some(key.to_owned()) },
                None => WatchTarget::Kv { bucket: owned, key: None },
            },
            "notify" => WatchTarget::Notify(owned),
            "changes" => WatchTarget::Changes(owned),
            other => {
                return Err(Error::invalid_input(format!(
                    "unknown watch target kind '{other}': use one of {}",
                    WatchTarget::help(Engine::ALL)
                )));
            }
        })
    }

    /// The engine that serves this kind of target.
    pub fn engine(&self) -> Engine {
        match self {
            WatchTarget::Channel(_) | WatchTarget::Pattern(_) | WatchTarget::Keyspace(_) | WatchTarget::Stream(_) => {
                Engine::Redis
            }
            WatchTarget::Subject { .. } | WatchTarget::Lag { .. } | WatchTarget::Kv { .. } => Engine::Nats,
            WatchTarget::Notify(_) => Engine::Postgres,
            WatchTarget::Changes(_) => Engine::Mongodb,
            WatchTarget::Topic { .. } | WatchTarget::GroupLag { .. } => Engine::Kafka,
        }
    }

    /// The target as `engine` reads it: `lag:A/B` is a JetStream stream and consumer on
    /// NATS but a consumer group and topic on Kafka; `lag:A` is only a Kafka group.
    pub fn for_engine(self, engine: Engine) -> Result<WatchTarget> {
        Ok(match (self, engine) {
            (WatchTarget::Lag { stream, consumer }, Engine::Kafka) => {
                WatchTarget::GroupLag { group: stream, topic: Some(consumer) }
            }
            (WatchTarget::GroupLag { group, topic: None }, Engine::Nats) => {
                return Err(Error::invalid_input(format!(
                    "write lag:STREAM/CONSUMER on NATS connections ('lag:{group}' names no consumer)"
                )));
            }
            (WatchTarget::GroupLag { group, topic: Some(topic) }, Engine::Nats) => {
                WatchTarget::Lag { stream: group, consumer: topic }
            }
            (other, _) => other,
        })
    }

    /// Refuses a target the connection's engine cannot serve, naming what it can.
    pub fn check_engine(&self, engine: Engine) -> Result<()> {
        if self.engine() == engine {
            return Ok(());
        }
        Err(Error::invalid_input(format!(
            "'{self}' is a {} target but the connection is {engine}; {engine} connections take {}",
            self.engine(),
            match engine.spec().watch_kinds {
                [] => "no watch targets".to_owned(),
                kinds => kinds.iter().map(|k| format!("{k}:")).collect::<Vec<_>>().join(", "),
            }
        )))
    }
}

impl fmt::Display for WatchTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WatchTarget::Channel(n) => write!(f, "channel:{n}"),
            WatchTarget::Pattern(n) => write!(f, "pattern:{n}"),
            WatchTarget::Keyspace(n) => write!(f, "keyspace:{n}"),
            WatchTarget::Stream(n) => write!(f, "stream:{n}"),
            WatchTarget::Subject { subject, queue: None } => write!(f, "subject:{subject}"),
            WatchTarget::Subject { subject, queue: Some(q) } => write!(f, "subject:{subject}@{q}"),
            WatchTarget::Lag { stream, consumer } => write!(f, "lag:{stream}/{consumer}"),
            WatchTarget::Kv { bucket, key: None } => write!(f, "kv:{bucket}"),
            WatchTarget::Kv { bucket, key: Some(k) } => write!(f, "kv:{bucket}/{k}"),
            WatchTarget::Notify(n) => write!(f, "notify:{n}"),
            WatchTarget::Changes(n) => write!(f, "changes:{n}"),
            WatchTarget::Topic { topic, from: TopicStart::Latest } => write!(f, "topic:{topic}"),
            WatchTarget::Topic { topic, from } => write!(f, "topic:{topic}@{from}"),
            WatchTarget::GroupLag { group, topic: None } => write!(f, "lag:{group}"),
            WatchTarget::GroupLag { group, topic: Some(t) } => write!(f, "lag:{group}/{t}"),
        }
    }
}

/// How serious an event is (docs/architecture.md, "Events").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Severity {
    Info,
    Warning,
    Error,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::Critical => "critical",
        }
    }
}

/// What an event is about (docs/architecture.md, "Events"): messages are `communication`; a monitor's own
/// state changes are `server_lifecycle`; polled metrics such as lag are `performance`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Category {
    ServerLifecycle,
    Communication,
    Configuration,
    HealthCheck,
    Security,
    Performance,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::ServerLifecycle => "server_lifecycle",
            Category::Communication => "communication",
            Category::Configuration => "configuration",
            Category::HealthCheck => "health_check",
            Category::Security => "security",
            Category::Performance => "performance",
        }
    }
}

/// A message, or a change in the monitor's own state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum EventKind {
    Message,
    Lifecycle,
}

/// One event. Serialized as one JSON object (`dbdock watch --format json`, MCP):
/// `payload` is the text (or `\x…` hex when it is not UTF-8), `json` the parsed payload
/// when it is JSON, `ts` the local receive time and `server_ts` the server's when known.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub monitor_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    pub target: String,
    /// The channel, subject, key or collection the event came from.
    pub channel: String,
    pub kind: EventKind,
    pub severity: Severity,
    pub category: Category,
    #[serde(serialize_with = "payload_text")]
    pub payload: Vec<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json: Option<serde_json::Value>,
    pub size: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    /// For lifecycle events: the state the monitor entered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<ConnectionState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_ts: Option<String>,
    /// Where in a partitioned log the message sits (Kafka): partition, offset and key.
    #[serde(flatten)]
    pub position: Option<LogPosition>,
    pub ts: String,
    /// Per monitor, from 1, messages and lifecycle events alike: a gap is a drop.
    pub sequence: u64,
}

/// A message's place in a partitioned log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogPosition {
    pub partition: i32,
    pub offset: i64,
    /// The message key as text (`\x…` hex when it is not UTF-8).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

fn payload_text<S: serde::Serializer>(payload: &[u8], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&payload_as_text(payload))
}

/// The payload as text: UTF-8 as is, anything else as `\x` and hex digits (as bytes are
/// shown everywhere in DB Dock).
pub fn payload_as_text(payload: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(payload) {
        Ok(text) => text.into(),
        Err(_) => {
            let mut hex = String::with_capacity(2 + payload.len() * 2);
            hex.push_str("\\x");
            for b in payload {
                hex.push_str(&format!("{b:02x}"));
            }
            hex.into()
        }
    }
}

impl Event {
    /// Whether the message's JSON payload has each of `fields` (a name, or a dotted path
    /// into nested objects) equal to the value given. A payload that is not JSON matches
    /// no filter but the empty one.
    pub fn json_matches(&self, fields: &serde_json::Map<String, serde_json::Value>) -> bool {
        if fields.is_empty() {
            return true;
        }
        let Some(json) = &self.json else { return false };
        fields.iter().all(|(path, wanted)| {
            let found = path.split('.').try_fold(json, |value, key| value.get(key));
            // "42" asks for 42 as well: a model often writes numbers as text.
            found.is_some_and(|v| {
                v == wanted
                    || wanted.as_str().is_some_and(|w| {
                        !v.is_string() && serde_json::from_str::<serde_json::Value>(w).ok().as_ref() == Some(v)
                    })
            })
        })
    }

    /// The JSON view of a payload: objects and arrays only (a bare number or string is
    /// already readable as text).
    pub fn json_view(payload: &[u8]) -> Option<serde_json::Value> {
        let first = payload.iter().find(|b| !b.is_ascii_whitespace())?;
        if *first != b'{' && *first != b'[' {
            return None;
        }
        serde_json::from_slice(payload).ok()
    }
}

/// A monitor's health and throughput.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonitorStatus {
    pub monitor_id: String,
    pub target: String,
    pub state: ConnectionState,
    /// Messages delivered into the buffer (not counting drops).
    pub events_total: u64,
    pub bytes_total: u64,
    /// Messages lost because the buffer was full (the oldest go first).
    pub dropped: u64,
    /// Messages waiting in the buffer now.
    pub buffered: usize,
    pub capacity: usize,
    /// Rates over the last few seconds.
    pub events_per_sec: f64,
    pub bytes_per_sec: f64,
    pub reconnect_attempts: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// How far a consumer (NATS JetStream) or consumer group (Redis stream, Kafka) is behind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConsumerLag {
    pub stream: String,
    /// The JetStream consumer or Redis consumer group.
    pub consumer: String,
    /// Messages in the stream not yet delivered to the consumer (JetStream `num_pending`,
    /// Redis `lag`; `None` where the server does not say).
    pub pending: Option<u64>,
    /// Delivered but not acknowledged (JetStream `num_ack_pending`, Redis `pending`).
    pub ack_pending: u64,
    /// Delivered more than once (JetStream `num_redelivered`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redelivered: Option<u64>,
    /// The last delivered stream sequence (JetStream) or entry id (Redis).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_delivered: Option<String>,
    /// Kafka: the partition of this row (one row per partition), its committed offset
    /// (none when the group never committed there) and its end offset (high watermark).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub committed: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_offset: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_print_back() {
        for text in [
            "channel:orders",
            "pattern:orders.*",
            "keyspace:user:*",
            "stream:events",
            "subject:orders.>",
            "subject:jobs.*@workers",
            "lag:ORDERS/billing",
            "kv:config",
            "kv:config/app.*",
            "notify:jobs",
            "changes:orders",
            "topic:orders",
            "topic:orders@earliest",
            "topic:orders@42",
            "topic:orders@2026-12-07T10:00:00.000Z",
            "lag:billing",
        ] {
            let target = WatchTarget::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(target.to_string(), text);
        }
        assert_eq!(WatchTarget::parse("channel:a:b").map(|t| t.to_string()).ok().as_deref(), Some("channel:a:b"));
        for bad in ["orders", "channel:", "carrier:x", "lag:A/", "subject:@q", "topic:@earliest", "topic:t@soon"] {
            assert!(WatchTarget::parse(bad).is_err(), "{bad}");
        }
        let err = WatchTarget::parse("notify:x").and_then(|t| t.check_engine(Engine::Redis));
        assert!(err.err().is_some_and(|e| e.message.contains("channel:")));
    }

    #[test]
    fn lag_targets_are_read_per_engine() {
        let nats = WatchTarget::parse("lag:ORDERS/billing").and_then(|t| t.for_engine(Engine::Nats));
        assert_eq!(nats.ok(), Some(WatchTarget::Lag { stream: "ORDERS".into(), consumer: "billing".into() }));
        let kafka = WatchTarget::parse("lag:billing/orders").and_then(|t| t.for_engine(Engine::Kafka));
        assert_eq!(kafka.ok(), Some(WatchTarget::GroupLag { group: "billing".into(), topic: Some("orders".into()) }));
        let group_only = WatchTarget::parse("lag:billing").and_then(|t| t.for_engine(Engine::Nats));
        assert!(group_only.err().is_some_and(|e| e.message.contains("lag:STREAM/CONSUMER")));
        let start = WatchTarget::parse("topic:t@2026-12-07T10:00:00+01:00").map(|t| t.to_string());
        assert_eq!(start.ok().as_deref(), Some("topic:t@2026-12-07T09:00:00.000Z"));
    }

    #[test]
    fn a_json_filter_matches_fields_and_dotted_paths() {
        let event = |payload: &str| Event {
            monitor_id: "m".into(),
            profile: None,
            target: "topic:t".into(),
            channel: "t".into(),
            kind: EventKind::Message,
            severity: Severity::Info,
            category: Category::Communication,
            payload: payload.as_bytes().to_vec(),
            json: Event::json_view(payload.as_bytes()),
            size: payload.len(),
            headers: Vec::new(),
            state: None,
            server_ts: None,
            position: None,
            ts: String::new(),
            sequence: 1,
        };
        let filter = |v: serde_json::Value| v.as_object().cloned().unwrap_or_default();
        let quote = event(r#"{"symbol": "ACME", "px": 42, "venue": {"mic": "XNAS"}}"#);
        assert!(quote.json_matches(&filter(serde_json::json!({"symbol": "ACME"}))));
        assert!(quote.json_matches(&filter(serde_json::json!({"symbol": "ACME", "venue.mic": "XNAS", "px": "42"}))));
        assert!(!quote.json_matches(&filter(serde_json::json!({"symbol": "OTHER"}))));
        assert!(!quote.json_matches(&filter(serde_json::json!({"missing": 1}))));
        assert!(!event("plain text").json_matches(&filter(serde_json::json!({"symbol": "ACME"}))));
        assert!(event("plain text").json_matches(&serde_json::Map::new()));
    }

    #[test]
    fn payloads_show_as_text_hex_and_json() {
        assert_eq!(payload_as_text(b"hello"), "hello");
        assert_eq!(payload_as_text(&[0xff, 0x00]), "\\xff00");
        assert_eq!(Event::json_view(b" {\"a\": 1}"), Some(serde_json::json!({"a": 1})));
        assert_eq!(Event::json_view(b"42"), None);
        assert_eq!(Event::json_view(b"{broken"), None);
    }
}
