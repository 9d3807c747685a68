import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ValuePageRequest } from "../api";

beforeEach(() => {
  vi.useFakeTimers();
});

async function keyspace() {
  const { demoKeys } = await import("./demoKeys");
  const keys = demoKeys(() => {});
  const settle = async <T>(pending: Promise<T>): Promise<T> => {
    await vi.runAllTimersAsync();
    return pending;
  };
  return { keys, settle };
}

const request = (key: string, more: Partial<ValuePageRequest> = {}): ValuePageRequest => ({
  db: 0,
  key,
  cursor: null,
  count: 100,
  scoreMin: null,
  scoreMax: null,
  reverse: false,
  pattern: null,
  ...more,
});

describe("the demo's Redis keyspace", () => {
  it("lists prefixes first, the fullest first, then keys, with exact counts", async () => {
    const { keys, settle } = await keyspace();
    const top = await settle(keys.keyLevel("cache", 0, "", ":", null, null));
    expect(top.complete).toBe(true);
    expect(top.children.slice(0, 3).map((c) => [c.name, c.keys])).toEqual([
      ["user:", 250],
      ["session:", 120],
      ["cache:", 92],
    ]);
    expect(top.children.at(-1)).toMatchObject({ name: "config", isKey: true, types: ["string"] });
    const cache = await settle(keys.keyLevel("cache", 0, "cache:", ":", null, null));
    expect(cache.children.map((c) => c.label)).toEqual(["product:", "page:"]);
    const dbs = await settle(keys.keyDatabases("cache"));
    expect(dbs.databases).toHaveLength(16);
    expect(dbs.databases[1].keys).toBe(2);
  });

  it("pages values the way the backend does", async () => {
    const { keys, settle } = await keyspace();
    const first = await settle(keys.keyValue("cache", request("queue:emails")));
    expect([first.entries.length, first.next, first.total]).toEqual([100, "100", 1200]);
    const back = await settle(keys.keyValue("cache", request("queue:emails", { reverse: true })));
    expect(back.entries[0].index).toBe(1199);
    const scored = await settle(keys.keyValue("cache", request("leaderboard:weekly", { scoreMin: "0", scoreMax: "100" })));
    expect(scored.entries.every((e) => (e.score ?? -1) >= 0 && (e.score ?? 101) <= 100)).toBe(true);
    const stream = await settle(keys.keyValue("cache", request("events:orders")));
    const next = await settle(keys.keyValue("cache", request("events:orders", { cursor: stream.next })));
    expect(next.entries[0].field).toBe("1733500000000-100");
    const json = await settle(keys.keyValue("cache", request("cache:product:1")));
    expect(json.entries[0].json).toBe(true);
    const found = await settle(keys.keySearch("cache", 0, "tags:*", null, null));
    expect(found.keys.map((k) => k.name).sort()).toEqual(["tags:blue", "tags:green", "tags:red"]);
    const missing = keys.keyInfo("cache", 0, "nothing").catch((e: unknown) => e);
    await settle(missing);
    expect(await missing).toMatchObject({ code: "NOT_FOUND" });
  });
});
