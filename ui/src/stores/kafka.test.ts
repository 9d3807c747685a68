import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Backend, TopicCatalogView } from "../api";

beforeEach(() => {
  vi.resetModules();
});

async function withBackend(backend: Partial<Backend>) {
  const api = await import("../api");
  api.setBackend(backend as unknown as Backend);
  return import("./kafka");
}

const catalog: TopicCatalogView = { clusterId: "c1", brokers: [{ id: 1, host: "k1", port: 9092 }], topics: [], groups: [{ name: "billing", state: "Empty" }], groupsError: null };

describe("the Kafka browser's store", () => {
  it("reads the catalog once per connection, and again on Refresh", async () => {
    const kafkaCatalog = vi.fn(() => Promise.resolve(catalog));
    const kafka = await withBackend({ kafkaCatalog });
    await Promise.all([kafka.loadCatalog("pipeline"), kafka.loadCatalog("pipeline")]);
    await kafka.loadCatalog("pipeline");
    expect(kafkaCatalog).toHaveBeenCalledTimes(1);
    expect(kafka.kafkaEntryOf(kafka.kafkaStore.get(), "pipeline")).toMatchObject({ catalog, loading: false, error: null });
    await kafka.loadCatalog("pipeline", true);
    expect(kafkaCatalog).toHaveBeenCalledTimes(2);
  });

  it("keeps a failure with its code, and the selection and filter across reads", async () => {
    const { ApiError } = await import("../api");
    let fail = false;
    const kafka = await withBackend({
      kafkaCatalog: () => (fail ? Promise.reject(new ApiError({ code: "CONNECTION_FAILED", message: "all brokers down" })) : Promise.resolve(catalog)),
    });
    await kafka.loadCatalog("pipeline");
    kafka.updateKafka("pipeline", (e) => ({ ...e, filter: "bill", selected: { kind: "group", name: "billing" } }));
    fail = true;
    await kafka.loadCatalog("pipeline", true);
    const entry = kafka.kafkaEntryOf(kafka.kafkaStore.get(), "pipeline");
    expect(entry.error).toEqual({ code: "CONNECTION_FAILED", message: "all brokers down" });
    // The last catalog read stays shown, with what the user had picked.
    expect(entry.catalog).toEqual(catalog);
    expect(entry.selected).toEqual({ kind: "group", name: "billing" });
    expect(entry.filter).toBe("bill");
  });

  it("tails a topic with a topic: monitor and shows the Events view", async () => {
    const startMonitor = vi.fn(() => Promise.resolve({ monitorId: "m1", profile: "pipeline", target: "topic:orders", state: "connecting" as const, eventsTotal: 0, bytesTotal: 0, dropped: 0, buffered: 0, eventsPerSec: 0, bytesPerSec: 0, reconnectAttempts: 0, lastError: null }));
    const kafka = await withBackend({ startMonitor });
    const { uiStore } = await import("./ui");
    await kafka.tailTopic("pipeline", "orders");
    expect(startMonitor).toHaveBeenCalledWith("pipeline", "topic:orders", expect.any(Function));
    expect(uiStore.get().view).toBe("events");
  });
});
