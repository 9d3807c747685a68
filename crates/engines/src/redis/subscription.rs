//! What a pub/sub monitor subscribes to, and how a received message becomes an event:
//! pure, so the mapping is tested without a server.

use dbdock_core::{Error, Result, WatchTarget};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Subscription {
    /// `SUBSCRIBE name`.
    Channel(String),
    /// `PSUBSCRIBE glob`; events carry the channel that matched.
    Pattern(String),
    /// `PSUBSCRIBE __keyspace@<db>__:glob`; events carry the key, and the operation as payload.
    Keyspace { glob: String, prefix: String },
}

impl Subscription {
    /// The subscription for a pub/sub watch target; `db` is the connection's database,
    /// whose keyspace channels are the ones watched.
    pub fn for_target(what: &WatchTarget, db: u32) -> Result<Subscription> {
        Ok(match what {
            WatchTarget::Channel(name) => Subscription::Channel(name.clone()),
            WatchTarget::Pattern(glob) => Subscription::Pattern(glob.clone()),
            WatchTarget::Keyspace(glob) => Subscription::Keyspace { glob: glob.clone(), prefix: keyspace_prefix(db) },
            other => return Err(Error::invalid_input(format!("'{other}' is not a Redis pub/sub target"))),
        })
    }

    /// Whether this is a pattern subscription (`PSUBSCRIBE`/`PUNSUBSCRIBE`).
    pub fn is_pattern(&self) -> bool {
        !matches!(self, Subscription::Channel(_))
    }

    /// The channel or pattern given to `SUBSCRIBE`/`PSUBSCRIBE`.
    pub fn argument(&self) -> String {
        match self {
            Subscription::Channel(name) | Subscription::Pattern(name) => name.clone(),
            Subscription::Keyspace { glob, prefix } => format!("{prefix}{glob}"),
        }
    }

    /// The command, for messages: `SUBSCRIBE orders`.
    pub fn command(&self) -> String {
        let verb = if self.is_pattern() { "PSUBSCRIBE" } else { "SUBSCRIBE" };
        format!("{verb} {}", self.argument())
    }

    /// A received message as an event's channel and payload. A keyspace notification
    /// arrives on `__keyspace@0__:KEY` with the operation (`set`, `del`, `expire`, …) as
    /// payload: the event is about the key, so the key is its channel.
    pub fn event<'a>(&self, channel: &'a str, payload: &[u8]) -> (&'a str, Vec<u8>) {
        match self {
            Subscription::Keyspace { prefix, .. } => {
                (channel.strip_prefix(prefix.as_str()).unwrap_or(channel), payload.to_vec())
            }
            _ => (channel, payload.to_vec()),
        }
    }
}

fn keyspace_prefix(db: u32) -> String {
    format!("__keyspace@{db}__:")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn targets_become_subscribe_commands() {
        let cases = [
            ("channel:orders", 0, "SUBSCRIBE orders"),
            ("pattern:orders.*", 0, "PSUBSCRIBE orders.*"),
            ("keyspace:user:*", 0, "PSUBSCRIBE __keyspace@0__:user:*"),
            ("keyspace:*", 3, "PSUBSCRIBE __keyspace@3__:*"),
        ];
        for (text, db, command) in cases {
            let what = WatchTarget::parse(text).unwrap();
            assert_eq!(Subscription::for_target(&what, db).unwrap().command(), command, "{text}");
        }
        assert!(Subscription::for_target(&WatchTarget::Stream("s".into()), 0).is_err());
    }

    #[test]
    fn keyspace_events_name_the_key_and_carry_the_operation() {
        let sub = Subscription::for_target(&WatchTarget::Keyspace("user:*".into()), 2).unwrap();
        assert_eq!(sub.event("__keyspace@2__:user:1", b"set"), ("user:1", b"set".to_vec()));
        let pattern = Subscription::Pattern("orders.*".into());
        assert_eq!(pattern.event("orders.eu", b"{}"), ("orders.eu", b"{}".to_vec()));
    }
}
