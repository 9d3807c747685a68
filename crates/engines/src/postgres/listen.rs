//! PostgreSQL `LISTEN`/`NOTIFY` as a monitor (sqlx `PgListener`). Notifications sent while
//! the connection is down are lost (PostgreSQL does not queue them for a listener that is
//! gone), so a reconnect (the shared loop of `src/reconnect.rs`) is reported as lifecycle
//! events that say so: the gap is visible, not silent.

use std::time::Duration;

use dbdock_core::{ConnectionState, ConnectionTarget, Error, Result, Severity, WatchTarget};
use sqlx::postgres::{PgListener, PgPoolOptions};
use tokio::task::JoinHandle;

use crate::reconnect::{lost, reconnect};
use crate::sql::map_error;
use crate::{MonitorOptions, Published, Sink};

/// PostgreSQL refuses longer payloads (the default `NOTIFY` limit is 8000 bytes).
const MAX_PAYLOAD: usize = 7999;

fn channel(what: &WatchTarget) -> Result<&str> {
    match what {
        WatchTarget::Notify(channel) => Ok(channel),
        other => Err(Error::invalid_input(format!("PostgreSQL connections watch notify:CHANNEL, not {other}"))),
    }
}

async fn listen(target: &ConnectionTarget, channel: &str, connect_timeout: Duration) -> Result<PgListener> {
    // A pool of one is how PgListener reconnects; its acquire timeout bounds the connect.
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(connect_timeout)
        .max_lifetime(None)
        .idle_timeout(None)
        .connect_with(super::connect_options(target)?)
        .await
        .map_err(|e| map_error(e, target, |_| None))?;
    let mut listener = PgListener::connect_with(&pool).await.map_err(|e| map_error(e, target, |_| None))?;
    listener.listen(channel).await.map_err(|e| map_error(e, target, |_| None))?;
    Ok(listener)
}

pub async fn watch(
    target: &ConnectionTarget,
    what: &WatchTarget,
    sink: Sink,
    options: &MonitorOptions,
) -> Result<JoinHandle<()>> {
    let channel = channel(what)?.to_owned();
    let connect_timeout = Duration::from_secs(10);
    let mut listener = listen(target, &channel, connect_timeout).await?;
    sink.lifecycle(ConnectionState::Connected, Severity::Info, format!("listening on {channel}"));
    let target = target.clone();
    let policy = options.reconnect;
    Ok(tokio::spawn(async move {
        loop {
            let received = tokio::select! {
                () = sink.stopped() => {
                    let _ = listener.unlisten_all().await;
                    return;
                }
                received = listener.try_recv() => received,
            };
            match received {
                Ok(Some(notification)) => sink.message(
                    notification.channel(),
                    notification.payload().as_bytes().to_vec(),
                    vec![("pid".to_owned(), notification.process_id().to_string())],
                    None,
                ),
                // `None` means the connection was lost; an error, that it failed otherwise.
                lost_connection => {
                    let why = match lost_connection {
                        Err(e) => map_error(e, &target, |_| None).message,
                        _ => "the connection was closed".to_owned(),
                    };
                    let gap = lost(format!("{why}; notifications sent until it is back are lost"));
                    let (target, channel) = (&target, channel.as_str());
                    let relisten = || listen(target, channel, connect_timeout);
                    let Some((again, attempts)) = reconnect(&policy, &sink, gap, relisten).await else {
                        return;
                    };
                    listener = again;
                    sink.lifecycle(
                        ConnectionState::Connected,
                        Severity::Warning,
                        format!(
                            "listening on {channel} again after {attempts} attempt(s); notifications sent while \
                             the connection was down are lost"
                        ),
                    );
                }
            }
        }
    }))
}

/// `NOTIFY channel, payload` (through `pg_notify`, so the payload is bound, not spliced).
pub async fn publish(target: &ConnectionTarget, what: &WatchTarget, payload: &[u8]) -> Result<Published> {
    let channel = channel(what)?;
    let text = std::str::from_utf8(payload)
        .map_err(|_| Error::invalid_input("a PostgreSQL notification payload must be UTF-8 text"))?;
    if text.len() > MAX_PAYLOAD {
        return Err(Error::invalid_input(format!(
            "a PostgreSQL notification payload is at most {MAX_PAYLOAD} bytes; this one is {}",
            text.len()
        )));
    }
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(super::connect_options(target)?)
        .await
        .map_err(|e| map_error(e, target, |_| None))?;
    let sent = sqlx::query("SELECT pg_notify($1, $2)").bind(channel).bind(text).execute(&pool).await;
    pool.close().await;
    sent.map_err(|e| map_error(e, target, |_| None))?;
    Ok(Published { receivers: None, sequence: None, partition: None })
}
