//! JetStream key/value buckets: `kv:BUCKET[/KEY]` monitors (a KV watch: every put, delete
//! and purge from now on), and bucket listing and reads for the CLI, MCP and the app.
//! A key filter is a subject filter: `app.*`, `app.>` (NATS wildcards, not shell globs).

use std::sync::Arc;

use async_nats::jetstream::kv::{Entry, Operation, Store, Watch};
use async_nats::jetstream::{self, Context};
use dbdock_core::{ConnectionState, ConnectionTarget, Error, ErrorCode, ReconnectPolicy, Result, Severity};
use futures_util::StreamExt;
use serde::Serialize;
use tokio::task::JoinHandle;

use super::events::Bridge;
use super::{connect, jetstream as js, subject};
use crate::reconnect::reconnect_after_give_up;
use crate::rows::{host_port, one_line};
use crate::{MonitorOptions, Sink};

/// A KV bucket, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KvBucket {
    pub bucket: String,
    /// Entries stored, history included.
    pub values: u64,
    pub bytes: u64,
    /// Revisions kept per key.
    pub history: i64,
    /// How long a value lives, in seconds; 0 for ever.
    pub ttl_secs: u64,
    /// `file` or `memory`.
    pub storage: String,
}

/// A key's latest entry. A deleted or purged key keeps its last entry, with that operation
/// and an empty value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KvEntry {
    pub bucket: String,
    pub key: String,
    /// Shown as text (UTF-8) or `\x…` hex.
    #[serde(serialize_with = "value_text")]
    pub value: Vec<u8>,
    pub revision: u64,
    /// `PUT`, `DELETE` or `PURGE`.
    pub operation: String,
    pub created: String,
}

fn value_text<S: serde::Serializer>(value: &[u8], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&dbdock_core::payload_as_text(value))
}

/// Every KV bucket on the server, by name.
pub async fn kv_buckets(target: &ConnectionTarget) -> Result<Vec<KvBucket>> {
    let context = jetstream::new(connect::connect(target).await?);
    let mut buckets = Vec::new();
    let mut pages = context.streams();
    while let Some(info) = pages.next().await {
        let info = info.map_err(|e| js::request_error(target, "listing the KV buckets", &e))?;
        // A KV bucket is a stream named KV_<bucket> that keeps at least one value per subject.
        let Some(bucket) = info.config.name.strip_prefix("KV_") else { continue };
        if info.config.max_messages_per_subject < 1 {
            continue;
        }
        buckets.push(KvBucket {
            bucket: bucket.to_owned(),
            values: info.state.messages,
            bytes: info.state.bytes,
            history: info.config.max_messages_per_subject,
            ttl_secs: info.config.max_age.as_secs(),
            storage: if info.config.storage == jetstream::stream::StorageType::Memory { "memory" } else { "file" }
                .to_owned(),
        });
    }
    buckets.sort_by(|a, b| a.bucket.cmp(&b.bucket));
    Ok(buckets)
}

/// The latest entry of `key` in `bucket`; `None` when the key never had a value.
pub async fn kv_get(target: &ConnectionTarget, bucket: &str, key: &str) -> Result<Option<KvEntry>> {
    subject::check_publish(key).map_err(|e| Error::invalid_input(format!("KV key: {}", e.message)))?;
    let context = jetstream::new(connect::connect(target).await?);
    let store = open_bucket(&context, target, bucket).await?;
    let entry = store.entry(key).await.map_err(|e| {
        connect::scrub(target, Error::query_failed(format!("reading {bucket}/{key}: {}", one_line(&e.to_string()))))
    })?;
    Ok(entry.map(kv_entry))
}

/// The keys of `bucket` that have a value, sorted, at most `limit` of them.
pub async fn kv_keys(target: &ConnectionTarget, bucket: &str, limit: usize) -> Result<Vec<String>> {
    let context = jetstream::new(connect::connect(target).await?);
    let store = open_bucket(&context, target, bucket).await?;
    let failed = |e: &dyn std::fmt::Display| {
        connect::scrub(
            target,
            Error::query_failed(format!("listing the keys of {bucket}: {}", one_line(&e.to_string()))),
        )
    };
    let mut keys = Vec::new();
    let mut listing = store.keys().await.map_err(|e| failed(&e))?;
    while let Some(key) = listing.next().await {
        keys.push(key.map_err(|e| failed(&e))?);
        if keys.len() >= limit {
            break;
        }
    }
    keys.sort();
    Ok(keys)
}

/// Puts `value` under `key` (the `publish` of a `kv:BUCKET/KEY` target); the new revision
/// comes back as the sequence.
pub(super) async fn put(
    target: &ConnectionTarget,
    bucket: &str,
    key: &str,
    value: &[u8],
    headers: &[(String, String)],
) -> Result<crate::Published> {
    if !headers.is_empty() {
        return Err(Error::invalid_input("KV values carry no headers"));
    }
    subject::check_publish(key).map_err(|e| Error::invalid_input(format!("KV key: {}", e.message)))?;
    let context = jetstream::new(connect::connect(target).await?);
    let store = open_bucket(&context, target, bucket).await?;
    let revision = store.put(key, value.to_vec().into()).await.map_err(|e| {
        connect::scrub(target, Error::query_failed(format!("putting {bucket}/{key}: {}", one_line(&e.to_string()))))
    })?;
    Ok(crate::Published { receivers: None, sequence: Some(revision), partition: None })
}

pub(super) async fn watch(
    target: &ConnectionTarget,
    bucket: &str,
    key: Option<&str>,
    sink: Sink,
    options: &MonitorOptions,
) -> Result<JoinHandle<()>> {
    let filter = key.unwrap_or(">");
    subject::check_subscribe(filter).map_err(|e| Error::invalid_input(format!("KV key filter: {}", e.message)))?;
    let link = Link {
        target: target.clone(),
        bucket: bucket.to_owned(),
        filter: filter.to_owned(),
        sink: sink.clone(),
        policy: options.reconnect,
    };
    let (mut client, mut entries, mut bridge) = link.watch().await?;
    let keys = key.map(|k| format!(", keys {k}")).unwrap_or_default();
    sink.lifecycle(
        ConnectionState::Connected,
        Severity::Info,
        format!("watching KV bucket {bucket}{keys} on NATS at {}", host_port(target)),
    );
    Ok(tokio::spawn(async move {
        loop {
            // `client` is held for the bridge, which flushes through it on a reconnect.
            if forward(&link, &mut entries, &bridge).await == Forwarded::Stopped {
                return;
            }
            // The watch ended: async-nats gave up reconnecting (the bridge said so: `error`),
            // or the connection closed. Nothing more until the monitor is retried.
            let closed = bridge.closed_because(&format!("the KV watch of {} ended", link.bucket));
            if !bridge.gave_up() {
                sink.lifecycle(ConnectionState::Error, Severity::Error, closed.message.clone());
            }
            drop(client);
            let again = reconnect_after_give_up(&link.policy, &sink, closed, || link.watch()).await;
            let Some(((new_client, new_entries, new_bridge), attempts)) = again else { return };
            (client, entries, bridge) = (new_client, new_entries, new_bridge);
            sink.lifecycle(
                ConnectionState::Connected,
                Severity::Info,
                format!("watching KV bucket {}{keys} again after {attempts} attempt(s)", link.bucket),
            );
        }
    }))
}

/// The bucket and keys a `kv:` monitor watches, and how to connect for it.
struct Link {
    target: ConnectionTarget,
    bucket: String,
    filter: String,
    sink: Sink,
    policy: ReconnectPolicy,
}

impl Link {
    /// A new monitored connection with the watch confirmed by the server.
    async fn watch(&self) -> Result<(Arc<async_nats::Client>, Watch, Arc<Bridge>)> {
        let (target, bucket) = (&self.target, self.bucket.as_str());
        let bridge = Bridge::new(self.sink.clone(), host_port(target), false, self.policy);
        let client = connect::connect_monitored(target, &bridge).await?;
        let context = jetstream::new(async_nats::Client::clone(&client));
        let store = open_bucket(&context, target, bucket).await?;
        let entries = store.watch(&self.filter).await.map_err(|e| {
            connect::scrub(
                target,
                Error::query_failed(format!("cannot watch KV bucket {bucket}: {}", one_line(&e.to_string()))),
            )
        })?;
        // The watch's subscription is queued, not yet confirmed: make it so, as for subjects.
        client.flush().await.map_err(|e| Error::connection_failed(format!("cannot watch KV bucket {bucket}: {e}")))?;
        Ok((client, entries, bridge))
    }
}

#[derive(PartialEq, Eq)]
enum Forwarded {
    Stopped,
    /// The watch ended.
    Ended,
}

async fn forward(link: &Link, entries: &mut Watch, bridge: &Bridge) -> Forwarded {
    let sink = &link.sink;
    let mut failing: Option<String> = None;
    loop {
        let next = tokio::select! {
            biased;
            () = sink.stopped() => return Forwarded::Stopped,
            next = entries.next() => next,
        };
        match next {
            Some(Ok(entry)) => {
                failing = None;
                let headers = vec![
                    ("operation".to_owned(), operation_name(entry.operation).to_owned()),
                    ("revision".to_owned(), entry.revision.to_string()),
                ];
                let created = js::timestamp(entry.created);
                sink.message(&entry.key, entry.value.into(), headers, Some(created));
            }
            // The watch is an ordered consumer: after a gap or a reconnect it recreates
            // itself and says so with an error item; it goes on afterwards. While the
            // connection is down, the reconnect events say what there is to say.
            Some(Err(_)) if bridge.state() != ConnectionState::Connected => {}
            Some(Err(error)) => {
                let text = one_line(&error.to_string());
                if failing.as_deref() != Some(text.as_str()) {
                    sink.lifecycle(bridge.state(), Severity::Warning, format!("KV watch of {}: {text}", link.bucket));
                    failing = Some(text);
                }
            }
            None if sink.is_stopped() => return Forwarded::Stopped,
            None => return Forwarded::Ended,
        }
    }
}

/// The bucket's store; NOT_FOUND naming the buckets that exist.
async fn open_bucket(context: &Context, target: &ConnectionTarget, bucket: &str) -> Result<Store> {
    subject::check_name("KV bucket", bucket)?;
    match js::stream_info(context, target, &format!("KV_{bucket}")).await {
        Ok(_) => {}
        Err(e) if e.code == ErrorCode::NotFound => {
            let names = js::stream_names(context, target).await.unwrap_or_default();
            let buckets: Vec<String> = names.iter().filter_map(|n| n.strip_prefix("KV_")).map(str::to_owned).collect();
            return Err(Error::not_found(format!(
                "NATS at {} has no KV bucket '{bucket}'; its buckets: {}",
                host_port(target),
                js::listing(&buckets)
            )));
        }
        Err(e) => return Err(e),
    }
    context.get_key_value(bucket).await.map_err(|e| {
        connect::scrub(target, Error::query_failed(format!("opening KV bucket {bucket}: {}", one_line(&e.to_string()))))
    })
}

fn operation_name(operation: Operation) -> &'static str {
    match operation {
        Operation::Put => "PUT",
        Operation::Delete => "DELETE",
        Operation::Purge => "PURGE",
    }
}

fn kv_entry(entry: Entry) -> KvEntry {
    KvEntry {
        bucket: entry.bucket,
        key: entry.key,
        value: entry.value.into(),
        revision: entry.revision,
        operation: operation_name(entry.operation).to_owned(),
        created: js::timestamp(entry.created),
    }
}
