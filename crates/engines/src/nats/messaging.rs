//! Publish and request/reply, each over a connection of its own that closes when done.

use std::time::Duration;

use async_nats::RequestErrorKind;
use dbdock_core::{ConnectionTarget, Error, Result, WatchTarget};

use super::{connect, subject};
use crate::rows::{host_port, one_line};
use crate::{Published, Reply};

/// Publishes on a subject (`subject:SUBJECT`), or puts a value into a KV bucket
/// (`kv:BUCKET/KEY`, the revision comes back as `sequence`). A subject captured by a
/// JetStream stream is stored by the stream as usual; NATS does not say who received it.
pub async fn publish(
    target: &ConnectionTarget,
    what: &WatchTarget,
    payload: &[u8],
    headers: &[(String, String)],
) -> Result<Published> {
    match what {
        WatchTarget::Subject { subject, queue: None } => publish_subject(target, subject, payload, headers).await,
        WatchTarget::Subject { queue: Some(_), .. } => {
            Err(Error::invalid_input("a queue group (@QUEUE) is for subscribing: publish to subject:SUBJECT"))
        }
        WatchTarget::Kv { bucket, key: Some(key) } => super::kv::put(target, bucket, key, payload, headers).await,
        WatchTarget::Kv { bucket, key: None } => {
            Err(Error::invalid_input(format!("name the key to put: kv:{bucket}/KEY")))
        }
        other => Err(Error::invalid_input(format!(
            "cannot publish to {other}: NATS publishes to subject:SUBJECT or kv:BUCKET/KEY"
        ))),
    }
}

async fn publish_subject(
    target: &ConnectionTarget,
    subject_name: &str,
    payload: &[u8],
    headers: &[(String, String)],
) -> Result<Published> {
    subject::check_publish(subject_name)?;
    let headers = subject::header_map(headers)?;
    let client = connect::connect(target).await?;
    let failed = |e: &dyn std::fmt::Display| {
        let error = Error::connection_failed(format!(
            "publishing to {subject_name} on NATS at {}: {}",
            host_port(target),
            one_line(&e.to_string())
        ));
        connect::scrub(target, error)
    };
    let sent = match headers {
        Some(headers) => client.publish_with_headers(subject_name.to_owned(), headers, payload.to_vec().into()).await,
        None => client.publish(subject_name.to_owned(), payload.to_vec().into()).await,
    };
    sent.map_err(|e| match e.kind() {
        async_nats::client::PublishErrorKind::MaxPayloadExceeded => Error::invalid_input(format!(
            "the message is larger than NATS at {} accepts ({} bytes at most)",
            host_port(target),
            client.max_payload()
        )),
        _ => failed(&e),
    })?;
    // Publishing only queues the message; the flush returns once the server has it.
    client.flush().await.map_err(|e| failed(&e))?;
    Ok(Published { receivers: None, sequence: None, partition: None })
}

/// Sends a request on a subject and waits up to `timeout` for the first reply.
pub async fn request(
    target: &ConnectionTarget,
    what: &WatchTarget,
    payload: &[u8],
    headers: &[(String, String)],
    timeout: Duration,
) -> Result<Reply> {
    let WatchTarget::Subject { subject: subject_name, queue: None } = what else {
        return Err(Error::invalid_input(format!("cannot send a request to {what}: requests go to subject:SUBJECT")));
    };
    subject::check_publish(subject_name)?;
    let headers = subject::header_map(headers)?;
    let client = connect::connect(target).await?;
    let mut request = async_nats::Request::new().payload(payload.to_vec().into()).timeout(Some(timeout));
    if let Some(headers) = headers {
        request = request.headers(headers);
    }
    let at = host_port(target);
    let reply = client.send_request(subject_name.to_owned(), request).await.map_err(|e| {
        let error = match e.kind() {
            RequestErrorKind::TimedOut => Error::timeout(format!(
                "no reply within {} ms; is a responder subscribed to {subject_name}?",
                timeout.as_millis()
            )),
            // The server answers at once (status 503) when nothing is subscribed.
            RequestErrorKind::NoResponders => {
                Error::not_found(format!("no responder is subscribed to {subject_name} on NATS at {at}"))
            }
            RequestErrorKind::InvalidSubject => {
                Error::invalid_input(format!("'{subject_name}' is not a valid subject"))
            }
            RequestErrorKind::MaxPayloadExceeded => Error::invalid_input(format!(
                "the request is larger than NATS at {at} accepts ({} bytes at most)",
                client.max_payload()
            )),
            RequestErrorKind::Other => Error::connection_failed(format!(
                "request to {subject_name} on NATS at {at}: {}",
                one_line(&e.to_string())
            )),
        };
        connect::scrub(target, error)
    })?;
    Ok(Reply {
        subject: reply.subject.to_string(),
        headers: subject::header_pairs(reply.headers.as_ref()),
        payload: reply.payload.into(),
    })
}
