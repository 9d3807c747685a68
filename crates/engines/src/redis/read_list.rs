//! Which Redis commands a call may run (docs/redis.md, "Commands").
//!
//! Redis has no read-only transaction, so read-only access rests on three things, each
//! enough on its own for the common case: the allow-list of reads in its engine spec
//! (`dbdock_core::read_commands::REDIS`; anything not on it is refused), the server's own flags for the command (`COMMAND INFO`: one it marks `write`,
//! `admin`, `pubsub` or `blocking` is refused even if listed here), and an ACL user
//! limited to `+@read` where the user gives one.
//!
//! Some commands are refused on every profile because one call cannot use them well:
//! `KEYS` (walks every key while the server waits; `SCAN` pages), subscriptions and
//! `MONITOR` (a stream of events, which is what monitors are for), blocking pops, and
//! commands that change the connection's session (`SELECT`, `MULTI`, `AUTH`, …), since
//! the connection is shared by the calls that follow.

use dbdock_core::{Error, ErrorCode, Result};

/// Commands whose second word names a subcommand.
#[rustfmt::skip]
const CONTAINERS: &[&str] = &[
    "acl", "client", "cluster", "command", "config", "function", "latency", "memory", "module", "object", "pubsub",
    "script", "slowlog", "xgroup", "xinfo",
];

/// The name a command is known by: `get`, or `memory|usage` for a subcommand.
pub fn command_name(words: &[Vec<u8>]) -> String {
    let word = |i: usize| words.get(i).map(|w| String::from_utf8_lossy(w).to_ascii_lowercase());
    let name = word(0).unwrap_or_default();
    match word(1) {
        Some(sub) if CONTAINERS.contains(&name.as_str()) => format!("{name}|{sub}"),
        _ => name,
    }
}

/// Refuses what no call may run, whatever the profile's access.
pub fn check_any(name: &str, words: &[Vec<u8>]) -> Result<()> {
    let refuse = |why: &str| Err(Error::invalid_input(format!("{} is not run here: {why}", shown(name))));
    match name {
        "keys" => refuse("KEYS walks every key while the server waits; use SCAN 0 MATCH pattern COUNT 1000"),
        "monitor" | "subscribe" | "psubscribe" | "ssubscribe" | "unsubscribe" | "punsubscribe" | "sunsubscribe" => {
            refuse("it streams events; watch them in Events (dbdock watch PROFILE channel:NAME)")
        }
        "select" | "swapdb" => refuse("choose the database in the profile's URL (redis://host:6379/3)"),
        "multi" | "exec" | "discard" | "watch" | "unwatch" | "auth" | "hello" | "reset" | "quit" | "readonly"
        | "readwrite" | "client|reply" | "client|setname" | "client|tracking" | "client|no-evict"
        | "client|no-touch" => refuse("it changes the connection's session, which later calls share"),
        "blpop" | "brpop" | "brpoplpush" | "blmove" | "blmpop" | "bzpopmin" | "bzpopmax" | "bzmpop" | "wait"
        | "waitaof" => refuse("it blocks until something happens; use the non-blocking form"),
        "xread" | "xreadgroup" if words.iter().any(|w| w.eq_ignore_ascii_case(b"block")) => {
            refuse("BLOCK waits for entries; tail the stream in Events (stream:KEY)")
        }
        _ => Ok(()),
    }
}

/// Whether a read-only call may run `name`, as far as the list goes.
pub fn is_listed(name: &str) -> bool {
    dbdock_core::read_commands::REDIS.contains(&name)
}

/// Why a read-only call does not run `name`, which is not on the list; `writes`: the
/// server flags it a write, which says more than "not on the list".
pub fn refusal(name: &str, writes: bool) -> Error {
    let why = match name.split('|').next().unwrap_or(name) {
        "config" | "flushall" | "flushdb" | "debug" | "shutdown" | "module" | "acl" | "client" | "cluster"
        | "failover" | "replicaof" | "slaveof" | "save" | "bgsave" | "bgrewriteaof" | "latency" | "slowlog" => {
            "it administers the server"
        }
        "eval" | "eval_ro" | "evalsha" | "evalsha_ro" | "fcall" | "fcall_ro" | "function" | "script" => {
            "it runs a script, which DB Dock cannot read"
        }
        "migrate" | "move" | "copy" | "restore" => "it moves or copies keys",
        _ if writes => "it writes",
        _ => "it is not on the read-only command list",
    };
    Error::new(
        ErrorCode::ReadOnlyViolation,
        format!("{} is refused on a read-only connection: {why} (docs/redis.md lists the reads)", shown(name)),
    )
}

/// Refuses, on a read-only call, a listed command the server itself does not call a read.
pub fn check_flags(name: &str, flags: &[String]) -> Result<()> {
    match flags.iter().find(|f| ["write", "admin", "pubsub", "blocking"].contains(&f.as_str())) {
        None => Ok(()),
        Some(flag) => Err(Error::new(
            ErrorCode::ReadOnlyViolation,
            format!("{} is refused on a read-only connection: the server flags it '{flag}'", shown(name)),
        )),
    }
}

/// `MEMORY USAGE`, as people write it.
fn shown(name: &str) -> String {
    name.replace('|', " ").to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn words(line: &str) -> Vec<Vec<u8>> {
        super::super::command_line::split(line).unwrap()
    }

    #[test]
    fn subcommands_are_named_with_their_container() {
        assert_eq!(command_name(&words("MEMORY usage k")), "memory|usage");
        assert_eq!(command_name(&words("get k")), "get");
        assert_eq!(command_name(&words("XINFO")), "xinfo");
    }

    #[test]
    fn reads_pass_and_everything_else_is_refused_with_a_reason() {
        for read in ["get", "hgetall", "memory|usage", "xinfo|stream", "scan", "info"] {
            assert!(is_listed(read), "{read}");
        }
        assert!(!is_listed("set") && !is_listed("keys") && !is_listed("config|get"));
        assert!(refusal("set", true).message.contains("it writes"));
        for (command, reason) in [
            ("set", "not on the read-only command list"),
            ("config|set", "administers"),
            ("flushall", "administers"),
            ("eval", "script"),
            ("client|kill", "administers"),
            ("migrate", "moves"),
        ] {
            let err = refusal(command, false);
            assert_eq!(err.code, ErrorCode::ReadOnlyViolation, "{command}");
            assert!(err.message.contains(reason), "{command}: {err}");
        }
        assert!(
            refusal("config|set", true)
                .message
                .starts_with("CONFIG SET is refused on a read-only connection: it administers")
        );
    }

    #[test]
    fn session_streaming_and_blocking_commands_are_refused_everywhere() {
        for line in ["KEYS *", "SUBSCRIBE c", "MONITOR", "SELECT 2", "MULTI", "BLPOP q 0", "XREAD BLOCK 0 STREAMS s $"]
        {
            let w = words(line);
            let err = check_any(&command_name(&w), &w).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidInput, "{line}");
        }
        let w = words("XREAD COUNT 1 STREAMS s 0");
        assert!(check_any(&command_name(&w), &w).is_ok());
    }

    #[test]
    fn the_servers_flags_stand_behind_the_list() {
        assert!(check_flags("get", &["readonly".into(), "fast".into()]).is_ok());
        let err = check_flags("lastsave", &["admin".into()]).unwrap_err();
        assert_eq!(err.code, ErrorCode::ReadOnlyViolation);
    }
}
