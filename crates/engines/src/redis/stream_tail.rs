//! `stream:` monitors: the tail of a stream, read with `XREAD BLOCK` on a connection of
//! its own (a blocked read holds its connection), continuing after the last entry id
//! seen so that nothing is skipped between reads, or across a reconnect.

use std::time::Duration;

use dbdock_core::{ConnectionState, Error, ReconnectPolicy, Result, Severity};
use redis::Value;
use redis::aio::MultiplexedConnection;
use redis::streams::StreamReadOptions;
use tokio::task::JoinHandle;

use super::client::{Server, describe, is_connection_lost};
use super::stream_entry::{self, id_timestamp};
use crate::Sink;
use crate::reconnect::{lost, reconnect};

/// How long one `XREAD` waits on the server: short enough that a dead connection is
/// noticed soon, long enough that a quiet stream costs next to nothing.
const BLOCK: Duration = Duration::from_secs(2);

/// Entries per read: a backlog is caught up in large steps.
const COUNT: usize = 1000;

pub(super) async fn start(server: Server, key: &str, sink: Sink, policy: ReconnectPolicy) -> Result<JoinHandle<()>> {
    let mut con = server.blocking_connection(BLOCK).await?;
    let (after, exists) = newest_id(&server, &mut con, key).await?;
    let from =
        if exists { format!("after entry {after}") } else { "from its first entry (it does not exist yet)".into() };
    sink.lifecycle(
        ConnectionState::Connected,
        Severity::Info,
        format!("tailing stream:{key} on {} {from}", server.address()),
    );
    Ok(tokio::spawn(run(server, key.to_owned(), con, after, sink, policy)))
}

/// The id the tail starts after: the newest entry's, found now rather than with `$` in
/// the first `XREAD`, which would skip whatever is added between `watch` returning and
/// the task's first read. A missing or empty stream starts from `0-0`.
async fn newest_id(server: &Server, con: &mut MultiplexedConnection, key: &str) -> Result<(String, bool)> {
    let reply: Value =
        redis::cmd("XREVRANGE").arg(key).arg("+").arg("-").arg("COUNT").arg(1).query_async(con).await.map_err(|e| {
            match e.code() {
                Some("WRONGTYPE") => {
                    Error::invalid_input(format!("the key '{key}' is not a stream ({})", describe(&e)))
                }
                _ => server.error(&e),
            }
        })?;
    let newest = stream_entry::range(reply).map_err(Error::internal)?;
    Ok(match newest.into_iter().next() {
        Some(entry) => (entry.id, true),
        None => ("0-0".to_owned(), false),
    })
}

async fn run(
    server: Server,
    key: String,
    mut con: MultiplexedConnection,
    mut last_id: String,
    sink: Sink,
    policy: ReconnectPolicy,
) {
    let options = StreamReadOptions::default().block(BLOCK.as_millis() as usize).count(COUNT);
    loop {
        let mut command = redis::cmd("XREAD");
        command.arg(&options).arg("STREAMS").arg(&key).arg(&last_id);
        let read = command.query_async::<Value>(&mut con);
        let reply = tokio::select! {
            () = sink.stopped() => return,
            reply = read => reply,
        };
        let failure = match reply {
            Ok(reply) => match stream_entry::entries(reply) {
                Ok(entries) => {
                    for entry in entries {
                        let server_ts = id_timestamp(&entry.id);
                        let (payload, headers) = stream_entry::message(entry.fields);
                        sink.message(&key, payload, headers, server_ts);
                        last_id = entry.id;
                    }
                    continue;
                }
                Err(unexpected) => {
                    Error::query_failed(format!("XREAD on {key} gave an unexpected reply: {unexpected}"))
                }
            },
            Err(e) if is_connection_lost(&e) => lost(describe(&e)),
            // Refused (the key became another type, an ACL changed, …): the same schedule,
            // each attempt on a fresh connection that must read the stream without refusal.
            Err(e) => Error::query_failed(format!("XREAD on {key} was refused: {}", describe(&e))),
        };
        let (server, key_ref, after) = (&server, key.as_str(), last_id.as_str());
        let Some((new_con, attempts)) = reconnect(&policy, &sink, failure, || probe(server, key_ref, after)).await
        else {
            return;
        };
        con = new_con;
        sink.lifecycle(
            ConnectionState::Connected,
            Severity::Info,
            format!("reconnected after {attempts} attempt(s); tailing stream:{key} again after entry {last_id}"),
        );
    }
}

/// A new connection for the tail, once a non-blocking `XREAD` from `after` shows that the
/// server lets it read the stream (the entries are read again by the tail itself).
async fn probe(server: &Server, key: &str, after: &str) -> Result<MultiplexedConnection> {
    let mut con = server.blocking_connection(BLOCK).await?;
    redis::cmd("XREAD")
        .arg("COUNT")
        .arg(1)
        .arg("STREAMS")
        .arg(key)
        .arg(after)
        .query_async::<Value>(&mut con)
        .await
        .map_err(|e| server.error(&e).context(format!("XREAD on {key}")))?;
    Ok(con)
}
