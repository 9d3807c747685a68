// Saved connections and their live state (pushed by the backend at every change, no polling),
// plus the last test result.

import { api, toAppError, type AppError, type ConnectionStateView, type EndpointInfo, type ProfileView, type TestReport } from "../api";
import { createStore } from "./store";

export type ProfilesState = {
  profiles: ProfileView[] | null;
  error: AppError | null;
  states: ReadonlyMap<string, ConnectionStateView>;
  statesError: AppError | null;
  tests: ReadonlyMap<string, TestReport>;
  endpoint: EndpointInfo | null;
};

export const profilesStore = createStore<ProfilesState>({
  profiles: null,
  error: null,
  states: new Map(),
  statesError: null,
  tests: new Map(),
  endpoint: null,
});

export async function refreshProfiles(): Promise<void> {
  try {
    const profiles = await api.listProfiles();
    profilesStore.set((s) => ({ ...s, profiles, error: null }));
  } catch (error) {
    profilesStore.set((s) => ({ ...s, error: toAppError(error) }));
  }
}

let watching: Promise<void> | null = null;

/**
 * Subscribes once to the states of every profile: the backend sends them now and at every
 * change, for the life of the window. A failed subscription is kept in `statesError`, and the
 * next call tries again. (No one-off `connectionStates()` next to it: its answer could arrive
 * after a newer push and leave an old state on screen until the next change.)
 */
export function watchStates(): Promise<void> {
  watching ??= api.watchConnectionStates(applyStates).catch((error: unknown) => {
    watching = null;
    profilesStore.set((s) => ({ ...s, statesError: toAppError(error) }));
  });
  return watching;
}

function applyStates(list: readonly ConnectionStateView[]): void {
  profilesStore.set((s) => {
    if (sameStates(s.states, list) && s.statesError === null) return s;
    return { ...s, states: new Map(list.map((v) => [v.name, v])), statesError: null };
  });
}

function sameStates(current: ReadonlyMap<string, ConnectionStateView>, list: readonly ConnectionStateView[]): boolean {
  if (current.size !== list.length) return false;
  return list.every((v) => {
    const c = current.get(v.name);
    return (
      c !== undefined &&
      c.state === v.state &&
      c.latencyMs === v.latencyMs &&
      c.error?.code === v.error?.code &&
      c.error?.message === v.error?.message
    );
  });
}

export async function loadEndpoint(): Promise<EndpointInfo | null> {
  const known = profilesStore.get().endpoint;
  if (known) return known;
  try {
    const endpoint = await api.endpointInfo();
    profilesStore.set((s) => ({ ...s, endpoint }));
    return endpoint;
  } catch {
    return null;
  }
}

export function recordTest(name: string, report: TestReport): void {
  profilesStore.set((s) => {
    const tests = new Map(s.tests);
    tests.set(name, report);
    return { ...s, tests };
  });
}

export function findProfile(profiles: readonly ProfileView[] | null, name: string | null): ProfileView | null {
  if (!profiles || name === null) return null;
  return profiles.find((p) => p.name === name) ?? null;
}
