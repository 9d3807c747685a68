//! MongoDB change streams as a monitor (`changes:COLLECTION`, or `changes:*` for the whole
//! database). Change streams need a replica set; after a lost connection the stream is
//! resumed (through the shared reconnect loop of `src/reconnect.rs`) from the last event's
//! resume token, so nothing is skipped while the oplog still holds it.

use chrono::{DateTime, SecondsFormat};
use futures_util::StreamExt;
use mongodb::bson::{Bson, Document};
use mongodb::change_stream::ChangeStream;
use mongodb::change_stream::event::ResumeToken;
use tokio::task::JoinHandle;

use dbdock_core::{ConnectionState, ConnectionTarget, Error, Result, Severity, WatchTarget};

use super::{Mongo, render};
use crate::reconnect::{lost, reconnect};
use crate::{MonitorOptions, OpenOptions, Sink};

pub async fn watch(
    target: &ConnectionTarget,
    what: &WatchTarget,
    sink: Sink,
    options: &MonitorOptions,
) -> Result<JoinHandle<()>> {
    let WatchTarget::Changes(collection) = what else {
        return Err(Error::invalid_input(format!("MongoDB connections watch changes:COLLECTION, not {what}")));
    };
    let mongo = Mongo::new(target.clone(), OpenOptions::default());
    let collection = collection.clone();
    let mut stream = open(&mongo, &collection, None).await?;
    sink.lifecycle(
        ConnectionState::Connected,
        Severity::Info,
        format!("watching changes on {}.{collection}", mongo.database),
    );
    let policy = options.reconnect;
    Ok(tokio::spawn(async move {
        loop {
            let next = tokio::select! {
                () = sink.stopped() => return,
                next = stream.next() => next,
            };
            match next {
                Some(Ok(change)) => deliver(&sink, change),
                failed => {
                    let why = match failed {
                        Some(Err(e)) => mongo.map_error(e).message,
                        _ => "the change stream ended".to_owned(),
                    };
                    let token = stream.resume_token();
                    let (mongo, collection, token) = (&mongo, collection.as_str(), &token);
                    let resume = || async move {
                        // A new client: the old one may hold a dead topology. (Not shut down:
                        // shutdown waits for the old stream, which is still in scope.)
                        mongo.forget_client().await;
                        open(mongo, collection, token.clone()).await
                    };
                    let Some((resumed, attempts)) = reconnect(&policy, &sink, lost(why), resume).await else {
                        return;
                    };
                    stream = resumed;
                    let from = if token.is_some() { "from its resume token" } else { "from now (no change seen yet)" };
                    sink.lifecycle(
                        ConnectionState::Connected,
                        Severity::Info,
                        format!("change stream resumed {from} after {attempts} attempt(s)"),
                    );
                }
            }
        }
    }))
}

async fn open(mongo: &Mongo, collection: &str, resume: Option<ResumeToken>) -> Result<ChangeStream<Document>> {
    let db = mongo.db().await?;
    let opened = if collection == "*" {
        db.watch().resume_after(resume).await
    } else {
        db.collection::<Document>(collection).watch().resume_after(resume).await
    };
    opened.map(ChangeStream::with_type::<Document>).map_err(|e| {
        let error = mongo.map_error(e);
        if error.message.contains("replica set") || error.message.to_lowercase().contains("changestream") {
            Error::unsupported(format!("{} (change streams need a replica set or sharded cluster)", error.message))
        } else {
            error
        }
    })
}

/// One change as an event: channel `db.collection`, the change document (without its
/// resume token) as the JSON payload, the operation as a header.
fn deliver(sink: &Sink, mut change: Document) {
    change.remove("_id");
    let namespace = change
        .get_document("ns")
        .map(|ns| format!("{}.{}", ns.get_str("db").unwrap_or("?"), ns.get_str("coll").unwrap_or("*")))
        .unwrap_or_default();
    let operation = change.get_str("operationType").unwrap_or("unknown").to_owned();
    let server_ts = match change.get("clusterTime") {
        Some(Bson::Timestamp(ts)) => DateTime::from_timestamp(i64::from(ts.time), 0),
        _ => None,
    }
    .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true));
    let payload = render::to_json(&Bson::Document(change)).to_string().into_bytes();
    sink.message(&namespace, payload, vec![("operation".to_owned(), operation)], server_ts);
}
