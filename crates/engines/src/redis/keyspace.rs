//! Keyspace notifications are a server-wide setting (`notify-keyspace-events`), off by
//! default because they make Redis publish an event for every write to every key. DB Dock
//! never turns them on silently: a `keyspace:` monitor is refused while they are off, and
//! [`enable`] is called only after the user agreed.

use std::collections::HashMap;
use std::sync::Mutex;

use dbdock_core::{Error, ErrorCode, Result};
use redis::aio::MultiplexedConnection;
use redis::{ErrorKind, RedisError, RedisResult, ServerErrorKind};

use super::client::{Server, describe};

const SETTING: &str = "notify-keyspace-events";

/// The flags DB Dock asks for: keyspace channels (`K`), keyevent channels (`E`), all
/// event classes (`A`).
const WANTED: &str = "KEA";

/// What `notify-keyspace-events` says about `keyspace:` monitors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Setting {
    /// Keyspace events are published.
    On,
    /// They are not; the current value.
    Off(String),
    /// The server would not say (CONFIG denied or disabled); why.
    Unknown(String),
}

/// Whether the server publishes on `__keyspace@…` channels: `K` and at least one event
/// class (`A` is the alias for most of them; `n` new-key and `m` key-miss are outside it).
pub(super) fn publishes_keyspace(flags: &str) -> bool {
    flags.contains('K') && flags.chars().any(|c| "Ag$lshzxetdnm".contains(c))
}

/// The value to set: `KEA`, plus any flag already set that `KEA` does not cover, so that
/// enabling takes nothing away from what others on the server rely on.
pub(super) fn enabled_flags(previous: &str) -> String {
    let mut flags = String::from(WANTED);
    for c in previous.chars() {
        if !"KEAg$lshzxetd".contains(c) && !flags.contains(c) {
            flags.push(c);
        }
    }
    flags
}

pub(super) async fn check(server: &Server) -> Result<Setting> {
    let mut con = server.connection().await?;
    match read(&mut con).await {
        Ok(flags) if publishes_keyspace(&flags) => Ok(Setting::On),
        Ok(flags) => Ok(Setting::Off(flags)),
        Err(e) => match config_refusal(&e) {
            Some(why) => Ok(Setting::Unknown(why)),
            None => Err(server.error(&e)),
        },
    }
}

/// The refusal a `keyspace:` monitor gets while notifications are off.
pub(super) fn off_error(server: &Server, glob: &str, current: &str) -> Error {
    Error::invalid_input(format!(
        "keyspace notifications are off on Redis at {} ({SETTING} is '{current}'), so keyspace:{glob} would \
         receive nothing. They need `CONFIG SET {SETTING} {}`, a server-wide setting that makes Redis publish an \
         event for every write to every key; DB Dock changes it only when you agree: run `dbdock watch` with \
         --enable-keyspace-events, or ask the server's administrator",
        server.address(),
        enabled_flags(current)
    ))
}

pub(super) async fn enable(server: &Server) -> Result<String> {
    let mut con = server.connection().await?;
    let previous = read(&mut con).await.map_err(|e| enable_error(server, &e))?;
    if publishes_keyspace(&previous) {
        return Ok(previous);
    }
    let flags = enabled_flags(&previous);
    redis::cmd("CONFIG")
        .arg("SET")
        .arg(SETTING)
        .arg(&flags)
        .query_async::<()>(&mut con)
        .await
        .map_err(|e| enable_error(server, &e))?;
    tracing::warn!(server = %server.address(), previous = %previous, now = %flags, "keyspace notifications enabled");
    remember(&server.address(), &previous, &flags);
    Ok(previous)
}

async fn read(con: &mut MultiplexedConnection) -> RedisResult<String> {
    // RESP2 answers a flat [name, value] array, RESP3 a map: both read as a map.
    let values: HashMap<String, String> = redis::cmd("CONFIG").arg("GET").arg(SETTING).query_async(con).await?;
    Ok(values.get(SETTING).cloned().unwrap_or_default())
}

/// Why CONFIG was refused, when it was refused as a command (ACL, or renamed away as
/// managed services do) rather than failing for another reason.
fn config_refusal(err: &RedisError) -> Option<String> {
    if err.kind() == ErrorKind::Server(ServerErrorKind::NoPerm) || err.code() == Some("NOPERM") {
        return Some(format!("the Redis user may not run CONFIG ({})", describe(err)));
    }
    let text = describe(err);
    text.contains("unknown command").then(|| format!("CONFIG is disabled on this server ({text})"))
}

fn enable_error(server: &Server, err: &RedisError) -> Error {
    match config_refusal(err) {
        Some(why) => Error::new(
            ErrorCode::PermissionDenied,
            format!(
                "cannot enable keyspace notifications on Redis at {}: {why}; ask the server's administrator (or \
                 the provider's settings) to set {SETTING} to {WANTED}",
                server.address()
            ),
        ),
        None => server.error(err),
    }
}

/// Servers whose notifications this process turned on, and from what: the next
/// `keyspace:` monitor there says so in a warning, so the change is seen where it matters.
static ENABLED: Mutex<Vec<(String, String, String)>> = Mutex::new(Vec::new());

fn remember(address: &str, previous: &str, now: &str) {
    let mut enabled = ENABLED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    enabled.retain(|(a, _, _)| a != address);
    enabled.push((address.to_owned(), previous.to_owned(), now.to_owned()));
}

/// The warning for a monitor starting on `address` after [`enable`] changed it, once.
pub(super) fn take_enabled_notice(address: &str) -> Option<String> {
    let mut enabled = ENABLED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let index = enabled.iter().position(|(a, _, _)| a == address)?;
    let (_, previous, now) = enabled.remove(index);
    Some(format!(
        "keyspace notifications were enabled on this server at your request: {SETTING} was '{previous}', now \
         '{now}' (every client's writes now publish events); restore with `CONFIG SET {SETTING} \"{previous}\"`"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyspace_needs_k_and_an_event_class() {
        for on in ["KEA", "AKE", "Kg", "K$", "Kx", "Kn", "KEm"] {
            assert!(publishes_keyspace(on), "{on}");
        }
        for off in ["", "E", "EA", "Ex", "K", "KE"] {
            assert!(!publishes_keyspace(off), "{off}");
        }
    }

    #[test]
    fn enabling_keeps_flags_outside_kea() {
        assert_eq!(enabled_flags(""), "KEA");
        assert_eq!(enabled_flags("Ex"), "KEA");
        assert_eq!(enabled_flags("Enm"), "KEAnm");
    }
}
