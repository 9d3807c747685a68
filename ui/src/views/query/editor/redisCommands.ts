// Completion of Redis command names in the query editor (the Redis console). The reads
// come from the engine's spec (the list the backend enforces, docs/redis.md); the writes
// below are syntax knowledge for completion only: what may run is decided by the backend.

import type { Completion, CompletionContext, CompletionResult, CompletionSource } from "@codemirror/autocomplete";
import type { EngineSpec } from "../../../api";

/** Common Redis writes, offered where the profile's access is not read-only. */
export const REDIS_WRITES: readonly string[] = [
  "set", "setex", "setnx", "mset", "getset", "getdel", "getex", "append", "incr", "incrby", "incrbyfloat", "decr",
  "decrby", "del", "unlink", "expire", "pexpire", "expireat", "persist", "rename", "renamenx", "copy", "hset",
  "hsetnx", "hdel", "hincrby", "hincrbyfloat", "lpush", "rpush", "lpop", "rpop", "lset", "lrem", "ltrim", "linsert",
  "lmove", "sadd", "srem", "spop", "smove", "zadd", "zrem", "zincrby", "zpopmin", "zpopmax", "zremrangebyrank",
  "zremrangebyscore", "xadd", "xdel", "xtrim", "xack", "xclaim", "xautoclaim", "xgroup|create", "xgroup|destroy",
  "xgroup|setid", "pfadd", "geoadd", "setbit", "publish",
];

type Named = { container: string | null; name: string; write: boolean };

/** The commands to offer: the spec's reads, and the common writes unless only reads may run. */
export function redisCommands(spec: EngineSpec | null, readsOnly: boolean): Named[] {
  const named = (command: string, write: boolean): Named => {
    const [container, sub] = command.split("|");
    return sub === undefined ? { container: null, name: container, write } : { container, name: sub, write };
  };
  const reads = (spec?.readCommands ?? []).map((c) => named(c, false));
  return readsOnly ? reads : [...reads, ...REDIS_WRITES.map((c) => named(c, true))];
}

/**
 * Completes the command's first word (and a container's subcommand: `MEMORY us` → `USAGE`),
 * in capitals as redis-cli shows them. Arguments are left alone.
 */
export function redisCompletionSource(commands: Named[]): CompletionSource {
  return (context: CompletionContext): CompletionResult | null => {
    const line = context.state.doc.lineAt(context.pos);
    const before = line.text.slice(0, context.pos - line.from);
    const first = /^\s*([\w.]*)$/.exec(before);
    const second = /^\s*([\w.]+)\s+(\w*)$/.exec(before);
    let word: string;
    let options: Completion[];
    if (first) {
      word = first[1];
      const seen = new Set<string>();
      options = [];
      for (const c of commands) {
        const label = (c.container ?? c.name).toUpperCase();
        if (seen.has(label)) continue;
        seen.add(label);
        options.push({ label, type: "keyword", detail: c.container ? "…" : c.write ? "write" : "read" });
      }
    } else if (second) {
      word = second[2];
      const container = second[1].toLowerCase();
      options = commands
        .filter((c) => c.container === container)
        .map((c) => ({ label: c.name.toUpperCase(), type: "keyword", detail: c.write ? "write" : "read" }));
      if (options.length === 0) return null;
    } else {
      return null;
    }
    if (word === "" && !context.explicit) return null;
    return { from: context.pos - word.length, options, validFor: /^[\w.]*$/ };
  };
}
