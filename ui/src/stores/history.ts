// Query history per connection, as the backend keeps it.

import { api, toAppError, type AppError, type HistoryEntry } from "../api";
import { orderHistory } from "../lib/history";
import { createStore } from "./store";

export type HistoryState = { entries: HistoryEntry[] | null; loading: boolean; error: AppError | null };

export const HISTORY_LIMIT = 200;

export const historyStore = createStore<ReadonlyMap<string, HistoryState>>(new Map());

const EMPTY: HistoryState = { entries: null, loading: false, error: null };

export function historyOf(profile: string): HistoryState {
  return historyStore.get().get(profile) ?? EMPTY;
}

function put(profile: string, change: (s: HistoryState) => HistoryState): void {
  historyStore.set((all) => new Map(all).set(profile, change(all.get(profile) ?? EMPTY)));
}

export async function loadHistory(profile: string): Promise<void> {
  put(profile, (s) => ({ ...s, loading: true }));
  try {
    const entries = orderHistory(await api.queryHistory(profile, HISTORY_LIMIT));
    put(profile, () => ({ entries, loading: false, error: null }));
  } catch (error) {
    put(profile, (s) => ({ ...s, loading: false, error: toAppError(error) }));
  }
}
