//! JetStream: the streams on a server, their consumers, and how far each consumer is
//! behind. Info requests go through the JetStream API (`$JS.API.…INFO`) directly so that
//! every failure arrives as one of two shapes (a request error or an API error with its
//! code) and maps to one DB Dock error: an unknown stream or consumer is NOT_FOUND and the
//! message names the ones that exist.

use async_nats::jetstream::context::{RequestError, RequestErrorKind};
use async_nats::jetstream::response::Response;
use async_nats::jetstream::{self, Context, ErrorCode, consumer, stream};
use dbdock_core::{ConnectionTarget, ConsumerLag, Error, Result};
use futures_util::StreamExt;
use serde::Serialize;

use super::{connect, subject};
use crate::rows::{host_port, one_line};

/// A stream, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StreamSummary {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub subjects: Vec<String>,
    pub messages: u64,
    pub bytes: u64,
    pub consumers: usize,
    pub first_sequence: u64,
    pub last_sequence: u64,
    /// `file` or `memory`.
    pub storage: String,
    pub created: String,
}

/// A consumer of a stream, as listed, with its lag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsumerSummary {
    pub stream: String,
    pub name: String,
    pub durable: bool,
    /// `pull` or `push`.
    pub kind: String,
    pub filter_subjects: Vec<String>,
    /// `explicit`, `all` or `none`.
    pub ack_policy: String,
    pub num_pending: u64,
    pub num_ack_pending: u64,
    pub num_redelivered: u64,
    pub num_waiting: u64,
    pub delivered_stream_seq: u64,
    pub ack_floor_stream_seq: u64,
}

/// Every stream on the server, by name.
pub async fn list_streams(target: &ConnectionTarget) -> Result<Vec<StreamSummary>> {
    let js = jetstream::new(connect::connect(target).await?);
    let mut streams = Vec::new();
    let mut pages = js.streams();
    while let Some(info) = pages.next().await {
        let info = info.map_err(|e| request_error(target, "listing the streams", &e))?;
        streams.push(stream_summary(info));
    }
    streams.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(streams)
}

/// Every consumer of `stream`, by name.
pub async fn list_consumers(target: &ConnectionTarget, stream: &str) -> Result<Vec<ConsumerSummary>> {
    subject::check_name("stream", stream)?;
    let js = jetstream::new(connect::connect(target).await?);
    let infos = consumers_of(&js, target, stream).await?;
    Ok(infos.iter().map(consumer_summary).collect())
}

/// How far the consumers of `stream` (or only `consumer`) are behind.
pub async fn stream_lag(target: &ConnectionTarget, stream: &str, consumer: Option<&str>) -> Result<Vec<ConsumerLag>> {
    subject::check_name("stream", stream)?;
    let js = jetstream::new(connect::connect(target).await?);
    let infos = match consumer {
        Some(consumer) => vec![consumer_info(&js, target, stream, consumer).await?],
        None => consumers_of(&js, target, stream).await?,
    };
    Ok(infos.iter().map(consumer_lag).collect())
}

/// The lag of one consumer as JetStream reports it.
pub(super) fn consumer_lag(info: &consumer::Info) -> ConsumerLag {
    ConsumerLag {
        stream: info.stream_name.clone(),
        consumer: info.name.clone(),
        pending: Some(info.num_pending),
        ack_pending: info.num_ack_pending as u64,
        redelivered: Some(info.num_redelivered as u64),
        last_delivered: Some(info.delivered.stream_sequence.to_string()),
        ..ConsumerLag::default()
    }
}

/// A consumer's current state; NOT_FOUND naming what exists when the stream or the
/// consumer does not.
pub(super) async fn consumer_info(
    js: &Context,
    target: &ConnectionTarget,
    stream: &str,
    consumer: &str,
) -> Result<consumer::Info> {
    subject::check_name("stream", stream)?;
    subject::check_name("consumer", consumer)?;
    let what = format!("reading consumer {stream}/{consumer}");
    let response: Response<consumer::Info> = js
        .request(format!("CONSUMER.INFO.{stream}.{consumer}"), &serde_json::json!({}))
        .await
        .map_err(|e| request_error(target, &what, &e))?;
    match response {
        Response::Ok(info) => Ok(info),
        Response::Err { error } if error.error_code() == ErrorCode::STREAM_NOT_FOUND => {
            Err(stream_not_found(js, target, stream).await)
        }
        Response::Err { error } if error.error_code() == ErrorCode::CONSUMER_NOT_FOUND => {
            let names = consumers_of(js, target, stream).await.unwrap_or_default();
            let names: Vec<String> = names.into_iter().map(|c| c.name).collect();
            Err(Error::not_found(format!(
                "stream {stream} has no consumer '{consumer}'; its consumers: {}",
                listing(&names)
            )))
        }
        Response::Err { error } => Err(api_error(target, &what, &error)),
    }
}

/// A stream's info; NOT_FOUND naming the streams that exist.
pub(super) async fn stream_info(js: &Context, target: &ConnectionTarget, stream: &str) -> Result<stream::Info> {
    let what = format!("reading stream {stream}");
    let response: Response<stream::Info> = js
        .request(format!("STREAM.INFO.{stream}"), &serde_json::json!({}))
        .await
        .map_err(|e| request_error(target, &what, &e))?;
    match response {
        Response::Ok(info) => Ok(info),
        Response::Err { error } if error.error_code() == ErrorCode::STREAM_NOT_FOUND => {
            Err(stream_not_found(js, target, stream).await)
        }
        Response::Err { error } => Err(api_error(target, &what, &error)),
    }
}

/// The names of every stream, sorted.
pub(super) async fn stream_names(js: &Context, target: &ConnectionTarget) -> Result<Vec<String>> {
    let mut names = Vec::new();
    let mut pages = js.stream_names();
    while let Some(name) = pages.next().await {
        names.push(name.map_err(|e| request_error(target, "listing the streams", &e))?);
    }
    names.sort();
    Ok(names)
}

async fn consumers_of(js: &Context, target: &ConnectionTarget, stream: &str) -> Result<Vec<consumer::Info>> {
    // The consumer listing of a missing stream is an opaque failure: ask for the stream first.
    stream_info(js, target, stream).await?;
    let handle =
        js.get_stream_no_info(stream).await.map_err(|e| Error::invalid_input(format!("stream '{stream}': {e}")))?;
    let mut infos = Vec::new();
    let mut pages = handle.consumers();
    while let Some(info) = pages.next().await {
        infos.push(info.map_err(|e| request_error(target, &format!("listing the consumers of {stream}"), &e))?);
    }
    infos.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(infos)
}

async fn stream_not_found(js: &Context, target: &ConnectionTarget, stream: &str) -> Error {
    let names = stream_names(js, target).await.unwrap_or_default();
    Error::not_found(format!(
        "NATS at {} has no stream '{stream}'; its streams: {}",
        host_port(target),
        listing(&names)
    ))
}

/// Names for a message: all of them when few, the first twenty and a count otherwise.
pub(super) fn listing(names: &[String]) -> String {
    const SHOWN: usize = 20;
    match names.len() {
        0 => "none".to_owned(),
        n if n <= SHOWN => names.join(", "),
        n => format!("{}, … and {} more", names[..SHOWN].join(", "), n - SHOWN),
    }
}

pub(super) fn request_error(target: &ConnectionTarget, what: &str, error: &RequestError) -> Error {
    let at = host_port(target);
    let error = match error.kind() {
        // Nothing answers `$JS.API.…` on a server without JetStream.
        RequestErrorKind::NoResponders => Error::unsupported(format!(
            "{what}: JetStream is not enabled on NATS at {at} (nats-server needs -js, or the account has no JetStream)"
        )),
        RequestErrorKind::TimedOut => Error::timeout(format!("{what}: NATS at {at} did not answer in time")),
        RequestErrorKind::InvalidSubject => Error::invalid_input(format!("{what}: {}", one_line(&error.to_string()))),
        RequestErrorKind::Other => {
            Error::query_failed(format!("{what} on NATS at {at}: {}", one_line(&error.to_string())))
        }
    };
    connect::scrub(target, error)
}

fn api_error(target: &ConnectionTarget, what: &str, error: &jetstream::Error) -> Error {
    let text = one_line(&error.to_string());
    let error = match error.code() {
        404 => Error::not_found(format!("{what}: {text}")),
        401 | 403 => Error::new(dbdock_core::ErrorCode::PermissionDenied, format!("{what}: {text}")),
        _ => Error::query_failed(format!("{what}: {text}")),
    };
    connect::scrub(target, error)
}

fn stream_summary(info: stream::Info) -> StreamSummary {
    StreamSummary {
        name: info.config.name,
        description: info.config.description,
        subjects: info.config.subjects,
        messages: info.state.messages,
        bytes: info.state.bytes,
        consumers: info.state.consumer_count,
        first_sequence: info.state.first_sequence,
        last_sequence: info.state.last_sequence,
        storage: enum_name(&info.config.storage),
        created: timestamp(info.created),
    }
}

fn consumer_summary(info: &consumer::Info) -> ConsumerSummary {
    let config = &info.config;
    let mut filter_subjects = config.filter_subjects.clone();
    if !config.filter_subject.is_empty() {
        filter_subjects.insert(0, config.filter_subject.clone());
    }
    ConsumerSummary {
        stream: info.stream_name.clone(),
        name: info.name.clone(),
        durable: config.durable_name.is_some(),
        kind: if config.deliver_subject.is_some() { "push" } else { "pull" }.to_owned(),
        filter_subjects,
        ack_policy: enum_name(&config.ack_policy),
        num_pending: info.num_pending,
        num_ack_pending: info.num_ack_pending as u64,
        num_redelivered: info.num_redelivered as u64,
        num_waiting: info.num_waiting as u64,
        delivered_stream_seq: info.delivered.stream_sequence,
        ack_floor_stream_seq: info.ack_floor.stream_sequence,
    }
}

/// The wire name of a JetStream enum (`file`, `explicit`, …).
fn enum_name<T: Serialize + std::fmt::Debug>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => format!("{value:?}").to_ascii_lowercase(),
    }
}

/// A server time as RFC 3339, like every other timestamp DB Dock shows.
pub(super) fn timestamp(time: async_nats::datetime::DateTime) -> String {
    let nanos = i64::try_from(time.unix_timestamp_nanos()).unwrap_or(i64::MAX);
    chrono::DateTime::from_timestamp_nanos(nanos).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
