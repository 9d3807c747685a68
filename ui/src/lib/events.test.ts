import { describe, expect, it } from "vitest";
import type { EngineSpec, EventView, ProfileView } from "../api";
import { DEMO_ENGINE_SPECS, demoSpec } from "../dev/demoEngines";
import {
  appendBounded,
  buildTarget,
  canWatch,
  eventMatches,
  eventPosition,
  filterEvents,
  formatEventTime,
  formatRate,
  isAtBottom,
  NO_EVENT_FILTER,
  parseTarget,
  payloadSummary,
  pushRate,
  rateSeries,
  severityClass,
  targetKinds,
  updateRates,
  watchableProfiles,
} from "./events";

const ev = (n: number, over: Partial<EventView> = {}): EventView => ({
  monitorId: "m1",
  target: "channel:orders",
  channel: "orders",
  kind: "message",
  severity: "info",
  category: "communication",
  payload: `payload ${n}`,
  json: null,
  size: 9,
  headers: [],
  state: null,
  serverTs: null,
  partition: null,
  offset: null,
  key: null,
  ts: "2025-01-01T00:00:00Z",
  sequence: n,
  ...over,
});
const seqs = (events: readonly EventView[]): (number | null)[] => events.map((e) => e.sequence);

describe("targets", () => {
  it("offers the target kinds of the profile's engine", () => {
    expect(targetKinds(demoSpec("redis")).map((t) => t.kind)).toEqual(["channel", "pattern", "keyspace", "stream"]);
    expect(targetKinds(demoSpec("nats")).map((t) => t.kind)).toEqual(["subject", "lag", "kv"]);
    expect(targetKinds(demoSpec("postgres")).map((t) => t.kind)).toEqual(["notify"]);
    expect(targetKinds(demoSpec("mongodb")).map((t) => t.kind)).toEqual(["changes"]);
    expect(targetKinds(demoSpec("kafka")).map((t) => t.kind)).toEqual(["topic", "lag"]);
    expect(targetKinds(demoSpec("sqlite"))).toEqual([]);
    expect(canWatch(demoSpec("mysql"))).toBe(false);
    expect(canWatch(demoSpec("nats"))).toBe(true);
    expect(targetKinds(demoSpec("redis"))[0]).toEqual({ kind: "channel", label: "Pub/sub channel", placeholder: "orders", hint: "SUBSCRIBE to one channel" });
  });

  it("says what lag means on each engine", () => {
    const natsLag = targetKinds(demoSpec("nats")).find((t) => t.kind === "lag");
    const kafkaLag = targetKinds(demoSpec("kafka")).find((t) => t.kind === "lag");
    expect(natsLag?.placeholder).toBe("ORDERS/processor");
    expect(kafkaLag?.label).toBe("Consumer group lag");
    expect(kafkaLag?.placeholder).toContain("billing/orders");
    expect(targetKinds(demoSpec("kafka"))[0].hint).toContain("@earliest");
  });

  it("follows the spec, not the engine's name", () => {
    const redis = demoSpec("redis");
    const noWatch: EngineSpec = { ...redis, capabilities: { ...redis.capabilities, watch: false } };
    expect(canWatch(noWatch)).toBe(false);
    expect(targetKinds(noWatch)).toEqual([]);
    // Fewer kinds, in the spec's order; a kind the UI has no text for still shows.
    const fewer: EngineSpec = { ...redis, watchKinds: ["stream", "channel", "shards"] };
    expect(targetKinds(fewer).map((t) => t.kind)).toEqual(["stream", "channel", "shards"]);
    expect(targetKinds(fewer)[2]).toEqual({ kind: "shards", label: "shards", placeholder: "", hint: "shards:NAME" });
    // A SQL engine that gains events offers them.
    const mysql = demoSpec("mysql");
    const binlog: EngineSpec = { ...mysql, watchKinds: ["binlog"], capabilities: { ...mysql.capabilities, watch: true } };
    expect(targetKinds(binlog).map((t) => t.kind)).toEqual(["binlog"]);
    // Unknown engines (not compiled in, or specs not loaded) offer nothing.
    expect(canWatch(null)).toBe(false);
    expect(targetKinds(null)).toEqual([]);
  });

  it("lists only the profiles whose engine can be watched", () => {
    const profile = (name: string, engine: ProfileView["engine"]) => ({ name, engine });
    const profiles = [profile("shop", "sqlite"), profile("cache", "redis"), profile("bus", "nats"), profile("catalog", "mongodb")];
    const specs = new Map(DEMO_ENGINE_SPECS.map((s) => [s.engine, s]));
    expect(watchableProfiles(profiles, specs).map((p) => p.name)).toEqual(["cache", "bus", "catalog"]);
    // The same profiles when the backend says Redis has no events and NATS is not compiled in.
    const redis = demoSpec("redis");
    specs.set("redis", { ...redis, capabilities: { ...redis.capabilities, watch: false } });
    specs.delete("nats");
    expect(watchableProfiles(profiles, specs).map((p) => p.name)).toEqual(["catalog"]);
    expect(watchableProfiles(profiles, new Map())).toEqual([]);
  });

  it("builds and parses kind:name", () => {
    expect(buildTarget("subject", "  orders.*@workers ")).toBe("subject:orders.*@workers");
    expect(buildTarget("channel", "   ")).toBeNull();
    expect(buildTarget("", "x")).toBeNull();
    expect(parseTarget("keyspace:session:*")).toEqual({ kind: "keyspace", name: "session:*" });
    expect(parseTarget("lag:ORDERS/processor")).toEqual({ kind: "lag", name: "ORDERS/processor" });
    expect(parseTarget("topic:orders@2026-12-07T10:00:00Z")).toEqual({ kind: "topic", name: "orders@2026-12-07T10:00:00Z" });
    expect(parseTarget("no-kind")).toBeNull();
    expect(parseTarget(":x")).toBeNull();
  });
});

describe("bounded buffer", () => {
  it("appends without dropping while under the limit", () => {
    const current = [ev(1), ev(2)];
    const { events, dropped } = appendBounded(current, [ev(3)], 5);
    expect(seqs(events)).toEqual([1, 2, 3]);
    expect(dropped).toBe(0);
    expect(current).toHaveLength(2);
  });

  it("drops the oldest events beyond the limit and says how many", () => {
    const current = [1, 2, 3, 4].map((n) => ev(n));
    const result = appendBounded(current, [ev(5), ev(6), ev(7)], 5);
    expect(seqs(result.events)).toEqual([3, 4, 5, 6, 7]);
    expect(result.dropped).toBe(2);
    // The previous array is untouched, so a paused snapshot stays as it was.
    expect(seqs(current)).toEqual([1, 2, 3, 4]);
  });

  it("keeps only the newest of a batch larger than the limit", () => {
    const batch = [1, 2, 3, 4, 5, 6].map((n) => ev(n));
    const result = appendBounded([ev(0)], batch, 4);
    expect(seqs(result.events)).toEqual([3, 4, 5, 6]);
    expect(result.dropped).toBe(3);
  });

  it("returns the same array for an empty batch", () => {
    const current = [ev(1)];
    const result = appendBounded(current, []);
    expect(result.events).toBe(current);
    expect(result.dropped).toBe(0);
  });
});

describe("filter", () => {
  const message = ev(1, { channel: "orders.created", payload: '{"id": 42, "status": "NEW"}' });
  const lifecycle = ev(2, { kind: "lifecycle", severity: "warning", channel: "", payload: "reconnecting after timeout", monitorId: "m2" });

  it("matches words in the channel or the payload, case-insensitively", () => {
    expect(eventMatches(message, { ...NO_EVENT_FILTER, text: "ORDERS" })).toBe(true);
    expect(eventMatches(message, { ...NO_EVENT_FILTER, text: "created new" })).toBe(true);
    expect(eventMatches(message, { ...NO_EVENT_FILTER, text: "created deleted" })).toBe(false);
    expect(eventMatches(message, { ...NO_EVENT_FILTER, text: "communication" })).toBe(false);
  });

  it("matches a Kafka message by its key", () => {
    const keyed = ev(3, { channel: "orders", key: "Order-7", payload: "{}" });
    expect(eventMatches(keyed, { ...NO_EVENT_FILTER, text: "order-7" })).toBe(true);
    expect(eventMatches(keyed, { ...NO_EVENT_FILTER, text: "order-8" })).toBe(false);
  });

  it("filters by kind and monitor", () => {
    expect(eventMatches(lifecycle, { ...NO_EVENT_FILTER, kind: "message" })).toBe(false);
    expect(eventMatches(lifecycle, { ...NO_EVENT_FILTER, kind: "lifecycle" })).toBe(true);
    expect(eventMatches(message, { ...NO_EVENT_FILTER, monitorId: "m2" })).toBe(false);
    const all = [message, lifecycle];
    expect(filterEvents(all, NO_EVENT_FILTER)).toBe(all);
    expect(filterEvents(all, { ...NO_EVENT_FILTER, kind: "lifecycle" })).toEqual([lifecycle]);
    expect(filterEvents(all, { ...NO_EVENT_FILTER, text: "timeout" })).toEqual([lifecycle]);
  });

  it("normalises severities and shortens payloads", () => {
    expect(severityClass("warning")).toBe("warning");
    expect(severityClass("WARN")).toBe("warning");
    expect(severityClass("critical")).toBe("critical");
    expect(severityClass("error")).toBe("error");
    expect(severityClass("debug")).toBe("info");
    expect(payloadSummary("a\n  b\tc")).toBe("a b c");
    expect(payloadSummary("abcdefghij", 5)).toBe("abcd…");
    const local = new Date(2025, 0, 2, 3, 4, 5, 6);
    expect(formatEventTime(local.toISOString())).toBe("03:04:05.006");
    expect(formatEventTime("soon")).toBe("soon");
  });
});

describe("rates", () => {
  it("keeps a minute of readings per monitor", () => {
    let samples = pushRate([], 1_000, 5);
    samples = pushRate(samples, 31_000, 7);
    samples = pushRate(samples, 62_000, -3);
    expect(samples).toEqual([
      { t: 31_000, v: 7 },
      { t: 62_000, v: 0 },
    ]);
  });

  it("forgets monitors that are gone", () => {
    const before = new Map([
      ["a", [{ t: 0, v: 1 }]],
      ["gone", [{ t: 0, v: 2 }]],
    ]);
    const after = updateRates(before, [{ monitorId: "a", eventsPerSec: 3 }, { monitorId: "b", eventsPerSec: null }], 1_000);
    expect([...after.keys()]).toEqual(["a", "b"]);
    expect(after.get("a")).toEqual([
      { t: 0, v: 1 },
      { t: 1_000, v: 3 },
    ]);
    expect(after.get("b")).toEqual([{ t: 1_000, v: 0 }]);
  });

  it("gives the chart seconds, oldest first, inside the window", () => {
    const now = 100_000;
    const series = rateSeries(
      [
        { t: 99_000, v: 4 },
        { t: 20_000, v: 9 },
        { t: 41_000, v: 2 },
      ],
      now,
    );
    expect(series).toEqual({ x: [41, 99], y: [2, 4] });
  });

  it("formats rates compactly", () => {
    expect(formatRate(null)).toBe("0");
    expect(formatRate(0)).toBe("0");
    expect(formatRate(3)).toBe("3");
    expect(formatRate(3.44)).toBe("3.4");
    expect(formatRate(120.4)).toBe("120");
    expect(formatRate(12_500)).toBe("12.5k");
  });

  it("knows when the list is scrolled to the bottom", () => {
    expect(isAtBottom(700, 300, 1000)).toBe(true);
    expect(isAtBottom(680, 300, 1000)).toBe(true);
    expect(isAtBottom(500, 300, 1000)).toBe(false);
  });
});

describe("a message's position", () => {
  it("writes partition, offset and key as Kafka tools do", () => {
    expect(eventPosition(ev(1, { partition: 1, offset: 42, key: "order-7" }))).toBe("p1@42 key=order-7");
    expect(eventPosition(ev(1, { partition: 0, offset: 0 }))).toBe("p0@0");
    expect(eventPosition(ev(1, { partition: 2, offset: null }))).toBe("p2");
    expect(eventPosition(ev(1, { key: "k" }))).toBe("key=k");
    expect(eventPosition(ev(1, { partition: 3, offset: 9, key: "" }))).toBe("p3@9 key=");
  });

  it("is absent for events without one", () => {
    expect(eventPosition(ev(1))).toBeNull();
  });
});
