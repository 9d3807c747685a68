// The demo backend's Redis keyspace (see demoBackend.ts): users as hashes, sessions with a
// time to live, cached JSON, a queue, a leaderboard, tag sets, an order stream and a binary
// avatar in database 0, a few keys in database 1. Levels, key pages and value pages follow
// the backend's rules (crates/engines/src/redis/browse.rs and values.rs): prefixes first,
// the fullest first, then keys; values a page at a time, with `next` to go on.

import { ApiError, type StreamGroupView, type KeyDatabasesView, type KeyInfoView, type KeyLevelView, type KeyNodeView, type KeyPageView, type ValueEntryView, type ValuePageRequest, type ValuePageView } from "../api";
import { isJson } from "../lib/dataClipboard";

type DemoValue =
  | { type: "string"; value: string; hex?: boolean }
  | { type: "hash"; value: [string, string][] }
  | { type: "list"; value: string[] }
  | { type: "set"; value: string[] }
  | { type: "zset"; value: [string, number][] }
  | { type: "stream"; value: [string, Record<string, string>][] };
type DemoKey = DemoValue & { ttlMs: number | null };

function keyspace(): Map<number, Map<string, DemoKey>> {
  const db0 = new Map<string, DemoKey>();
  const put = (name: string, value: DemoValue, ttlMs: number | null = null) => db0.set(name, { ...value, ttlMs });
  for (let i = 1; i <= 250; i++) {
    put(`user:${i}`, { type: "hash", value: [["name", `User ${i}`], ["email", `user${i}@example.com`], ["plan", i % 7 === 0 ? "pro" : "free"], ["visits", String((i * 37) % 400)]] });
  }
  for (let i = 0; i < 120; i++) put(`session:${(0x5eed00 + i * 7919).toString(16)}`, { type: "string", value: `user:${(i % 250) + 1}` }, 1_800_000 - i * 9_000);
  for (let i = 1; i <= 80; i++) put(`cache:product:${i}`, { type: "string", value: JSON.stringify({ id: i, name: `Product ${i}`, price: 4.5 + i, tags: ["demo", i % 2 ? "odd" : "even"] }) }, 600_000);
  for (let i = 1; i <= 12; i++) put(`cache:page:/catalog/${i}`, { type: "string", value: `<html><body>Catalog page ${i}</body></html>` }, 60_000);
  put("queue:emails", { type: "list", value: Array.from({ length: 1200 }, (_, i) => JSON.stringify({ to: `user${(i % 250) + 1}@example.com`, template: i % 3 ? "receipt" : "welcome" })) });
  put("leaderboard:weekly", { type: "zset", value: Array.from({ length: 500 }, (_, i): [string, number] => [`user:${i + 1}`, (i * 7919) % 10_000]).sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])) });
  for (const tag of ["red", "green", "blue"]) put(`tags:${tag}`, { type: "set", value: Array.from({ length: 40 }, (_, i) => `product:${(i * 3 + tag.length) % 80 + 1}`).filter((v, i, all) => all.indexOf(v) === i) });
  put("events:orders", { type: "stream", value: Array.from({ length: 300 }, (_, i): [string, Record<string, string>] => [`1733500000000-${i}`, { order: String(1000 + i), status: i % 5 ? "paid" : "created" }]) });
  put("blob:avatar:1", { type: "string", value: "89504e470d0a1a0a0000000d49484452", hex: true });
  put("config", { type: "string", value: "maintenance=off" });
  const db1 = new Map<string, DemoKey>();
  db1.set("jobs:pending", { type: "list", value: ["resize:1", "resize:2"], ttlMs: null });
  db1.set("jobs:lock", { type: "string", value: "worker-3", ttlMs: 12_000 });
  return new Map([[0, db0], [1, db1]]);
}

/** A Redis glob (`*`, `?`, `[…]`) as a RegExp. */
function globRegExp(glob: string): RegExp {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "\\" && i + 1 < glob.length) out += glob[++i].replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    else if (c === "*") out += ".*";
    else if (c === "?") out += ".";
    else if (c === "[") {
      const end = glob.indexOf("]", i);
      if (end < 0) out += "\\[";
      else {
        out += `[${glob.slice(i + 1, end).replace(/^\^/, "^").replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${out}$`);
}

const lengthOf = (k: DemoKey): number => (k.type === "string" ? (k.hex ? k.value.length / 2 : new TextEncoder().encode(k.value).length) : k.value.length);

const entry = (text: string, more: Partial<ValueEntryView> = {}): ValueEntryView => ({
  field: null,
  index: null,
  score: null,
  text,
  hex: false,
  json: /^\s*[[{]/.test(text) && isJson(text),
  cutFrom: null,
  ...more,
});

function position(cursor: string | null): number {
  if (cursor === null) return 0;
  const n = Number(cursor);
  if (!Number.isInteger(n) || n < 0) throw new ApiError({ code: "INVALID_INPUT", message: `'${cursor}' is not a position (pass back \`next\`)` });
  return n;
}

/** The demo's key browser API; `check` refuses a profile that is not a key-value server. */
export function demoKeys(check: (profile: string) => void) {
  const dbs = keyspace();
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const db = (index: number) => dbs.get(index) ?? new Map<string, DemoKey>();
  const key = (index: number, name: string): DemoKey => {
    const found = db(index).get(name);
    if (!found) throw new ApiError({ code: "NOT_FOUND", message: `no key '${name}' in Redis database ${index}` });
    return found;
  };
  return {
    keyDatabases: async (profile: string): Promise<KeyDatabasesView> => {
      check(profile);
      await wait(40);
      const databases = Array.from({ length: 16 }, (_, index) => {
        const keys = [...db(index).values()];
        return { index, keys: keys.length, expires: keys.filter((k) => k.ttlMs !== null).length };
      });
      return { selected: 0, databases };
    },
    keyLevel: async (profile: string, index: number, prefix: string, delimiter: string, _cursor: string | null, keyType: string | null): Promise<KeyLevelView> => {
      check(profile);
      await wait(60);
      const delim = delimiter || ":";
      const children = new Map<string, KeyNodeView>();
      let seen = 0;
      for (const [name, k] of db(index)) {
        if (!name.startsWith(prefix) || (keyType !== null && k.type !== keyType)) continue;
        seen++;
        const rest = name.slice(prefix.length);
        const at = rest.indexOf(delim);
        const childName = at >= 0 ? prefix + rest.slice(0, at + delim.length) : name;
        const node = children.get(childName) ?? { name: childName, label: childName.slice(prefix.length), isKey: at < 0, keys: 0, types: [] };
        node.keys++;
        if (!node.types.includes(k.type)) node.types = [...node.types, k.type].sort();
        children.set(childName, node);
      }
      const sorted = [...children.values()].sort((a, b) => Number(a.isKey) - Number(b.isKey) || b.keys - a.keys || a.name.localeCompare(b.name));
      return { db: index, prefix, delimiter: delim, totalKeys: db(index).size, seen, complete: true, cursor: null, covered: 1, hidden: Math.max(0, sorted.length - 1000), children: sorted.slice(0, 1000) };
    },
    keySearch: async (profile: string, index: number, pattern: string, keyType: string | null, cursor: string | null): Promise<KeyPageView> => {
      check(profile);
      await wait(50);
      const re = globRegExp(pattern);
      const all = [...db(index)].filter(([name, k]) => re.test(name) && (keyType === null || k.type === keyType));
      const start = position(cursor);
      const page = all.slice(start, start + 200);
      return {
        keys: page.map(([name, k]) => ({ name, label: name, isKey: true, keys: 1, types: [k.type] })),
        cursor: start + 200 < all.length ? String(start + 200) : null,
      };
    },
    keyInfo: async (profile: string, index: number, name: string): Promise<KeyInfoView> => {
      check(profile);
      await wait(30);
      const k = key(index, name);
      const encodings: Record<DemoKey["type"], string> = { string: "embstr", hash: "listpack", list: "quicklist", set: "listpack", zset: "skiplist", stream: "stream" };
      return { name, keyType: k.type, ttlMs: k.ttlMs, memoryBytes: 56 + lengthOf(k) * 24, encoding: encodings[k.type], length: lengthOf(k) };
    },
    keyStreamGroups: async (profile: string, index: number, name: string): Promise<StreamGroupView[]> => {
      check(profile);
      await wait(40);
      const k = key(index, name);
      if (k.type !== "stream") throw new ApiError({ code: "INVALID_INPUT", message: `'${name}' is a ${k.type}, not a stream: it has no consumer groups` });
      return [
        { name: "billing", pending: 12, lag: 52, lastDeliveredId: k.value[247][0], consumers: [{ name: "worker-1", pending: 12, idleMs: 4_200 }] },
        { name: "audit", pending: 0, lag: 0, lastDeliveredId: k.value[299][0], consumers: [] },
      ];
    },
    keyValue: async (profile: string, request: ValuePageRequest): Promise<ValuePageView> => {
      check(profile);
      await wait(40);
      const k = key(request.db, request.key);
      const count = Math.max(1, Math.min(request.count ?? 100, 10_000));
      const start = k.type === "stream" ? 0 : position(request.cursor);
      const page = <T,>(items: T[]): [T[], string | null] => [items.slice(start, start + count), start + count < items.length ? String(start + count) : null];
      const matches = (text: string) => !request.pattern || globRegExp(request.pattern).test(text);
      switch (k.type) {
        case "string":
          return { keyType: "string", total: lengthOf(k), entries: [k.hex ? entry(k.value, { hex: true }) : entry(k.value)], next: null };
        case "hash": {
          const [items, next] = page(k.value.filter(([f]) => matches(f)));
          return { keyType: "hash", total: k.value.length, entries: items.map(([f, v]) => entry(v, { field: f })), next };
        }
        case "set": {
          const [items, next] = page(k.value.filter(matches));
          return { keyType: "set", total: k.value.length, entries: items.map((m) => entry(m)), next };
        }
        case "list": {
          const indexed = k.value.map((v, i): [number, string] => [i, v]);
          const [items, next] = page(request.reverse ? indexed.reverse() : indexed);
          return { keyType: "list", total: k.value.length, entries: items.map(([i, v]) => entry(v, { index: i })), next };
        }
        case "zset": {
          const lo = request.scoreMin === null ? -Infinity : Number(request.scoreMin.replace("(", "").replace("-inf", "-Infinity").replace("+inf", "Infinity"));
          const hi = request.scoreMax === null ? Infinity : Number(request.scoreMax.replace("(", "").replace("-inf", "-Infinity").replace("+inf", "Infinity"));
          const ranked = k.value.filter(([, s]) => s >= lo && s <= hi);
          const [items, next] = page(request.reverse ? [...ranked].reverse() : ranked);
          return { keyType: "zset", total: k.value.length, entries: items.map(([m, s], i) => entry(m, { score: s, index: start + i })), next };
        }
        case "stream": {
          const ordered = request.reverse ? [...k.value].reverse() : k.value;
          const from = request.cursor === null ? 0 : ordered.findIndex(([id]) => id === request.cursor) + 1;
          const items = ordered.slice(from, from + count);
          const next = from + count < ordered.length ? (items.at(-1)?.[0] ?? null) : null;
          return { keyType: "stream", total: k.value.length, entries: items.map(([id, fields]) => entry(JSON.stringify(fields), { field: id })), next };
        }
      }
    },
  };
}
