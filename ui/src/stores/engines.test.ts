import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Backend, EngineSpec } from "../api";
import { DEMO_ENGINE_SPECS } from "../dev/demoEngines";

// Each test gets fresh modules: the specs load once per session.
beforeEach(() => {
  vi.resetModules();
});

async function withBackend(engineSpecs: () => Promise<EngineSpec[]>) {
  const api = await import("../api");
  api.setBackend({ engineSpecs } as unknown as Backend);
  return import("./engines");
}

describe("the engine specs store", () => {
  it("knows no engine before the specs load, then the backend's, asked once", async () => {
    const engineSpecs = vi.fn(() => Promise.resolve(DEMO_ENGINE_SPECS.filter((s) => s.engine !== "nats")));
    const { engineSpec, loadEngineSpecs } = await withBackend(engineSpecs);
    expect(engineSpec("redis")).toBeNull();
    await Promise.all([loadEngineSpecs(), loadEngineSpecs()]);
    await loadEngineSpecs();
    expect(engineSpecs).toHaveBeenCalledTimes(1);
    expect(engineSpec("redis")?.watchKinds).toEqual(["channel", "pattern", "keyspace", "stream"]);
    // An engine this build does not have is unknown.
    expect(engineSpec("nats")).toBeNull();
    expect(engineSpec(null)).toBeNull();
  });

  it("keeps a failed load as an error and knows no engine", async () => {
    const { engineSpec, enginesStore, loadEngineSpecs } = await withBackend(() =>
      Promise.reject(new Error("bridge gone")),
    );
    await loadEngineSpecs();
    expect(enginesStore.get()).toEqual({ specs: null, error: { code: "UI", message: "bridge gone" } });
    expect(engineSpec("sqlite")).toBeNull();
  });
});
