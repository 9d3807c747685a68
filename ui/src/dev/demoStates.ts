// The demo backend's connection states, pushed the way watch_connection_states pushes them:
// every subscriber gets the whole list at once and again after every change. A connection
// opens on first use (a query, a table list); the unreachable PostgreSQL one stays in error;
// the open ones are pinged every few seconds, which changes their latency.

import type { ConnectionStateView, ProfileView } from "../api";

type Listener = (states: ConnectionStateView[]) => void;

const PING_MS = 5000;

export type DemoStates = {
  connectionStates: () => Promise<ConnectionStateView[]>;
  watchConnectionStates: (onChange: Listener) => Promise<void>;
  /** The connection was used: it is open from now on (unless it cannot be reached). */
  opened: (profile: string) => void;
  /** Profiles were added, renamed or removed: subscribers get the new list. */
  changed: () => void;
};

/** `profiles` is the demo's live list; `unreachable` says which profiles never connect. */
export function demoStates(profiles: () => readonly ProfileView[], unreachable: (p: ProfileView) => boolean, open: readonly string[]): DemoStates {
  const connected = new Map<string, number>(open.map((name) => [name, latency()]));
  const listeners = new Set<Listener>();
  let ping: ReturnType<typeof setInterval> | undefined;

  const current = (): ConnectionStateView[] =>
    profiles().map((p) => {
      if (unreachable(p)) {
        return { name: p.name, state: "error", latencyMs: null, error: { code: "CONNECTION_FAILED", message: "connection refused" } };
      }
      const ms = connected.get(p.name);
      return ms === undefined
        ? { name: p.name, state: "disconnected", latencyMs: null, error: null }
        : { name: p.name, state: "connected", latencyMs: ms, error: null };
    });

  const changed = (): void => {
    const list = current();
    for (const listener of [...listeners]) listener(list);
  };

  return {
    connectionStates: async () => {
      await wait(20);
      return current();
    },
    watchConnectionStates: async (onChange) => {
      await wait(20);
      listeners.add(onChange);
      // The backend sends the states now, then at every change.
      setTimeout(() => onChange(current()), 0);
      ping ??= setInterval(() => {
        if (connected.size === 0) return;
        for (const name of connected.keys()) connected.set(name, latency());
        changed();
      }, PING_MS);
    },
    opened: (name) => {
      const p = profiles().find((x) => x.name === name);
      if (!p || unreachable(p) || connected.has(name)) return;
      connected.set(name, latency());
      changed();
    },
    changed: () => {
      const names = new Set(profiles().map((p) => p.name));
      for (const name of connected.keys()) if (!names.has(name)) connected.delete(name);
      changed();
    },
  };
}

function latency(): number {
  return 0.4 + Math.random() * 0.3;
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
