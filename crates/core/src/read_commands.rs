//! Command lists for engines whose read-only access rests on a list rather than on a
//! read-only mode of the server (docs/redis.md, "Read-only calls"). They live here, in the
//! engine registrations' crate, so that the engine that enforces a list and the console
//! that completes from it read the same one.

/// Redis: the reads a read-only call may run, by name (`container|subcommand` for commands with
/// subcommands), lowercase.
#[rustfmt::skip]
pub const REDIS: &[&str] = &[
    // strings
    "get", "mget", "getrange", "substr", "strlen", "getbit", "bitcount", "bitpos", "bitfield_ro", "lcs",
    // keys
    "exists", "type", "ttl", "pttl", "expiretime", "pexpiretime", "dbsize", "randomkey", "scan", "dump",
    "sort_ro", "object|encoding", "object|freq", "object|idletime", "object|refcount", "memory|usage",
    // hashes
    "hget", "hmget", "hgetall", "hkeys", "hvals", "hlen", "hexists", "hstrlen", "hscan", "hrandfield",
    // lists
    "lrange", "llen", "lindex", "lpos",
    // sets
    "smembers", "sismember", "smismember", "scard", "sscan", "srandmember", "sinter", "sunion", "sdiff",
    "sintercard",
    // sorted sets
    "zrange", "zrangebyscore", "zrangebylex", "zrevrange", "zrevrangebyscore", "zrevrangebylex", "zscore",
    "zmscore", "zrank", "zrevrank", "zcard", "zcount", "zlexcount", "zscan", "zrandmember", "zinter", "zunion",
    "zdiff", "zintercard",
    // streams
    "xrange", "xrevrange", "xlen", "xinfo|stream", "xinfo|groups", "xinfo|consumers", "xpending",
    // geo and HyperLogLog
    "geopos", "geodist", "geohash", "geosearch", "georadius_ro", "georadiusbymember_ro", "pfcount",
    // the server
    "info", "ping", "echo", "time", "memory|stats", "command|count", "command|info", "command|docs",
    // RedisJSON, where the module is loaded
    "json.get", "json.mget", "json.type", "json.objkeys", "json.objlen", "json.strlen", "json.arrlen", "json.resp",
];
