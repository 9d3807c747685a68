import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ConnectionStateView, ProfileView } from "../api";
import { demoStates } from "./demoStates";

const profile = (name: string, engine: ProfileView["engine"]): ProfileView => ({
  name,
  engine,
  url: `${engine}://x`,
  access: "none",
  aiLogin: null,
  color: null,
  tags: [],
  hasSecret: false,
  ssh: [],
  tls: {},
  timeoutSecs: null,
  approvalWaitSecs: null,
  maxRows: null,
  maxBytes: null,
  source: "store",
});

const summary = (list: ConnectionStateView[]): string[] => list.map((v) => `${v.name}:${v.state}`);

describe("the demo's pushed connection states", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends the states at once and again at every change", async () => {
    const profiles = [profile("shop", "sqlite"), profile("staging", "postgres"), profile("cache", "redis")];
    const states = demoStates(() => profiles, (p) => p.engine === "postgres", ["shop"]);
    const pushed: ConnectionStateView[][] = [];
    const subscribed = states.watchConnectionStates((list) => pushed.push(list));
    await vi.advanceTimersByTimeAsync(50);
    await subscribed;
    expect(pushed.map(summary)).toEqual([["shop:connected", "staging:error", "cache:disconnected"]]);

    // Using a connection opens it; using it again, or an unreachable one, changes nothing.
    states.opened("cache");
    states.opened("cache");
    states.opened("staging");
    expect(pushed.map(summary)).toEqual([
      ["shop:connected", "staging:error", "cache:disconnected"],
      ["shop:connected", "staging:error", "cache:connected"],
    ]);

    // The pings change the latencies of the open connections.
    await vi.advanceTimersByTimeAsync(5000);
    expect(pushed).toHaveLength(3);

    // A removed profile leaves the list.
    profiles.splice(2, 1);
    states.changed();
    expect(summary(pushed[pushed.length - 1])).toEqual(["shop:connected", "staging:error"]);
  });
});
