import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ApiError } from "../api";

// The cluster's state is the module's: each test starts from a fresh one, at a fixed time.
beforeEach(() => {
  vi.resetModules();
  vi.useFakeTimers({ now: new Date("2026-12-07T10:00:00Z") });
});

async function cluster() {
  const opened: string[] = [];
  const { demoKafka } = await import("./demoKafka");
  const kafka = demoKafka((profile) => opened.push(profile));
  // Every call waits a little, as the real one would.
  const settle = async <T>(pending: Promise<T>): Promise<T> => {
    await vi.runAllTimersAsync();
    return pending;
  };
  return { kafka, opened, settle };
}

async function failure(pending: Promise<unknown>, settle: (p: Promise<unknown>) => Promise<unknown>): Promise<ApiError> {
  const caught = pending.catch((e: unknown) => e);
  await settle(caught);
  const error = await caught;
  // The module's own ApiError (modules are fresh per test), known by its name.
  expect(error).toMatchObject({ name: "ApiError" });
  return error as ApiError;
}

describe("the demo's Kafka cluster", () => {
  it("lists brokers, topics with their partitions, and groups", async () => {
    const { kafka, opened, settle } = await cluster();
    const catalog = await settle(kafka.kafkaCatalog("pipeline"));
    expect(opened).toEqual(["pipeline"]);
    expect(catalog.brokers).toHaveLength(3);
    const orders = catalog.topics.find((t) => t.name === "orders");
    expect(orders?.partitions.map((p) => p.id)).toEqual([0, 1, 2]);
    expect(orders?.messages).toBe(orders?.partitions.reduce((sum, p) => sum + p.high - p.low, 0));
    expect(catalog.topics.find((t) => t.name === "payments")?.partitions).toHaveLength(1);
    expect(catalog.topics.find((t) => t.name === "orders.dlq")?.configsError).toMatch(/TOPIC_AUTHORIZATION_FAILED/);
    expect(catalog.groups.map((g) => g.name)).toEqual(["billing", "audit", "live-consumers"]);
  });

  it("computes lag as end minus committed, and a total", async () => {
    const { kafka, settle } = await cluster();
    const billing = await settle(kafka.kafkaGroup("pipeline", "billing", null));
    expect(billing.lag.length).toBeGreaterThan(0);
    for (const row of billing.lag) expect(row.lag).toBe((row.endOffset ?? 0) - (row.committed ?? 0));
    expect(billing.totalLag).toBe(billing.lag.reduce((sum, r) => sum + r.lag, 0));
    expect(billing.totalLag).toBeGreaterThan(0);
    // Never committed on orders/2: shown only when the topic is asked for, with null.
    expect(billing.lag.some((r) => r.topic === "orders" && r.partition === 2)).toBe(false);
    const onOrders = await settle(kafka.kafkaGroup("pipeline", "billing", "orders"));
    expect(onOrders.lag.find((r) => r.partition === 2)?.committed).toBeNull();

    const audit = await settle(kafka.kafkaGroup("pipeline", "audit", null));
    expect(audit.totalLag).toBe(0);
    expect(audit.members).toBeNull();
    expect(audit.membersError).toMatch(/DescribeGroups/);
  });

  it("lets billing fall further behind as messages arrive", async () => {
    const { kafka, settle } = await cluster();
    const before = (await settle(kafka.kafkaGroup("pipeline", "billing", null))).totalLag;
    vi.advanceTimersByTime(10_000);
    const after = (await settle(kafka.kafkaGroup("pipeline", "billing", null))).totalLag;
    expect(after).toBeGreaterThan(before);
  });

  it("previews a reset without changing anything, then applies exactly it", async () => {
    const { kafka, settle } = await cluster();
    const preview = await settle(kafka.kafkaResetOffsets("pipeline", "billing", "orders", "earliest", null, false));
    expect(preview.applied).toBe(false);
    expect(preview.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    expect(preview.partitions[2].old).toBeNull();
    expect(preview.partitions[2].new).toBe(1200);
    expect(preview.lagAfter).toBe(preview.partitions.reduce((sum, p) => sum + p.lagAfter, 0));
    expect(preview.lagAfter).toBeGreaterThan(preview.lagBefore);
    const unchanged = await settle(kafka.kafkaGroup("pipeline", "billing", "orders"));
    expect(unchanged.lag.find((r) => r.partition === 0)?.committed).toBe(18_100);

    const applied = await settle(kafka.kafkaResetOffsets("pipeline", "billing", "orders", "latest", 0, true));
    expect(applied.applied).toBe(true);
    expect(applied.partitions).toHaveLength(1);
    const after = await settle(kafka.kafkaGroup("pipeline", "billing", "orders"));
    const p0 = after.lag.find((r) => r.partition === 0);
    expect(p0?.committed).toBe(applied.partitions[0].new);
    // Caught up then; only what arrived since is lag.
    expect(p0?.lag).toBe((p0?.endOffset ?? 0) - applied.partitions[0].new);
    expect(applied.lagAfter).toBe(0);
  });

  it("clamps an offset to what the partition holds, and reads a time as the end", async () => {
    const { kafka, settle } = await cluster();
    const low = await settle(kafka.kafkaResetOffsets("pipeline", "billing", "orders", "5", 2, false));
    expect(low.partitions[0].new).toBe(1200);
    const time = await settle(kafka.kafkaResetOffsets("pipeline", "billing", "payments", "2026-12-07T09:00:00Z", null, false));
    expect(time.partitions[0].new).toBeGreaterThan(time.partitions[0].old ?? 0);
    expect(time.lagAfter).toBe(0);
  });

  it("refuses a running group with IN_USE, and bad input with the backend's codes", async () => {
    const { kafka, settle } = await cluster();
    const preview = await settle(kafka.kafkaResetOffsets("pipeline", "live-consumers", "orders", "latest", null, false));
    expect(preview.applied).toBe(false);
    const inUse = await failure(kafka.kafkaResetOffsets("pipeline", "live-consumers", "orders", "latest", null, true), settle);
    expect(inUse.code).toBe("IN_USE");
    expect(inUse.message).toMatch(/Stop its consumers/);
    expect((await failure(kafka.kafkaResetOffsets("pipeline", "billing", "orders", "soon", null, false), settle)).code).toBe("INVALID_INPUT");
    expect((await failure(kafka.kafkaResetOffsets("pipeline", "billing", "orders", "latest", 7, false), settle)).code).toBe("NOT_FOUND");
    expect((await failure(kafka.kafkaResetOffsets("pipeline", "billing", "nope", "latest", null, false), settle)).code).toBe("NOT_FOUND");
    expect((await failure(kafka.kafkaGroup("pipeline", "nobody", null), settle)).code).toBe("NOT_FOUND");
  });

  it("gives lag monitors the backend's payload", async () => {
    const { demoLagPayload } = await import("./demoKafka");
    const payload = demoLagPayload("billing/orders") as { group: string; topic: string; lag: number; partitions: { topic: string; lag: number }[] };
    expect(payload.group).toBe("billing");
    expect(payload.topic).toBe("orders");
    expect(payload.partitions.every((p) => p.topic === "orders")).toBe(true);
    expect(payload.lag).toBe(payload.partitions.reduce((sum, p) => sum + p.lag, 0));
  });
});
