import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Backend, ConnectionStateView } from "../api";

beforeEach(() => {
  vi.resetModules();
});

type Push = (states: ConnectionStateView[]) => void;

async function withBackend(watchConnectionStates: (onChange: Push) => Promise<void>) {
  const api = await import("../api");
  api.setBackend({ watchConnectionStates } as unknown as Backend);
  return import("./profiles");
}

const state = (name: string, s: ConnectionStateView["state"]): ConnectionStateView => ({ name, state: s, latencyMs: null, error: null });

describe("connection states", () => {
  it("subscribes once and keeps what the backend pushes", async () => {
    let push: Push = () => undefined;
    const watch = vi.fn((onChange: Push) => {
      push = onChange;
      return Promise.resolve();
    });
    const { profilesStore, watchStates } = await withBackend(watch);
    await Promise.all([watchStates(), watchStates()]);
    expect(watch).toHaveBeenCalledTimes(1);

    push([state("shop", "connecting"), state("cache", "disconnected")]);
    expect(profilesStore.get().states.get("shop")?.state).toBe("connecting");
    push([state("shop", "connected"), state("cache", "disconnected")]);
    expect(profilesStore.get().states.get("shop")?.state).toBe("connected");

    // The same states again leave the store as it was (no re-render).
    const before = profilesStore.get();
    push([state("shop", "connected"), state("cache", "disconnected")]);
    expect(profilesStore.get()).toBe(before);
  });

  it("keeps a failed subscription as an error and tries again on the next call", async () => {
    const watch = vi
      .fn<(onChange: Push) => Promise<void>>()
      .mockRejectedValueOnce(new Error("no channel"))
      .mockResolvedValueOnce(undefined);
    const { profilesStore, watchStates } = await withBackend(watch);
    await watchStates();
    expect(profilesStore.get().statesError).toEqual({ code: "UI", message: "no channel" });
    await watchStates();
    await watchStates();
    expect(watch).toHaveBeenCalledTimes(2);
  });
});
