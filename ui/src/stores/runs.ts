// Running queries, per tab. Rows stream in over a Tauri channel in batches; the store
// publishes them to the grid at most every 100 ms so a flood never freezes the window.
// A run keeps going when its tab is not shown.

import { api, toAppError, type AppError, type Cell, type QuerySummary, type ResultColumn } from "../api";
import { loadHistory } from "./history";
import { offerHostKey } from "./hostKeys";
import { createStore } from "./store";

export type RunStatus = "idle" | "running" | "done" | "error" | "cancelled";

export type RunState = {
  status: RunStatus;
  queryId: string | null;
  profile: string;
  sql: string;
  columns: ResultColumn[] | null;
  /** The rows received so far (a new array each time more arrive). */
  rows: Cell[][];
  summary: QuerySummary | null;
  startedAt: number;
  finishedAt: number | null;
  error: AppError | null;
  cancelling: boolean;
  /** The server confirmed it was running the statement when it was told to cancel. */
  cancelConfirmed: boolean;
};

export const runsStore = createStore<ReadonlyMap<string, RunState>>(new Map());

const PUBLISH_EVERY_MS = 100;
const LATE_CHUNK_WAIT_MS = 3000;

export function runOf(tabId: string): RunState | null {
  return runsStore.get().get(tabId) ?? null;
}

function put(tabId: string, change: (run: RunState) => RunState): void {
  runsStore.set((all) => {
    const run = all.get(tabId);
    if (!run) return all;
    return new Map(all).set(tabId, change(run));
  });
}

function newQueryId(): string {
  if (typeof crypto !== "undefined" && "randomUUID" in crypto) return crypto.randomUUID();
  return `q-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export function isRunning(tabId: string): boolean {
  return runOf(tabId)?.status === "running";
}

export async function runQuery(tabId: string, profile: string, sql: string): Promise<void> {
  if (isRunning(tabId) || sql.trim() === "") return;
  const queryId = newQueryId();
  const buffer: Cell[][] = [];
  let published = 0;
  let timer: number | undefined;
  let arrived: (() => void) | null = null;

  const publish = (): void => {
    timer = undefined;
    if (buffer.length === published) return;
    published = buffer.length;
    const rows = buffer.slice();
    put(tabId, (r) => (r.queryId === queryId ? { ...r, rows } : r));
  };

  runsStore.set((all) =>
    new Map(all).set(tabId, {
      status: "running",
      queryId,
      profile,
      sql,
      columns: null,
      rows: [],
      summary: null,
      startedAt: performance.now(),
      finishedAt: null,
      error: null,
      cancelling: false,
      cancelConfirmed: false,
    }),
  );

  const onChunk = (chunk: { rows: Cell[][] }): void => {
    for (const row of chunk.rows) buffer.push(row);
    if (timer === undefined) timer = window.setTimeout(publish, published === 0 ? 0 : PUBLISH_EVERY_MS);
    arrived?.();
  };

  try {
    const summary = await api.runQuery(profile, sql, queryId, onChunk);
    // Channel messages and the command's answer travel separately: wait for stragglers.
    const deadline = performance.now() + LATE_CHUNK_WAIT_MS;
    while (buffer.length < summary.rowCount && performance.now() < deadline) {
      await new Promise<void>((resolve) => {
        arrived = resolve;
        window.setTimeout(resolve, 50);
      });
      arrived = null;
    }
    window.clearTimeout(timer);
    publish();
    const rows = buffer.slice();
    put(tabId, (r) =>
      r.queryId === queryId
        ? {
            ...r,
            status: r.cancelConfirmed ? "cancelled" : "done",
            columns: summary.columns,
            rows,
            summary,
            finishedAt: performance.now(),
            cancelling: false,
          }
        : r,
    );
  } catch (error) {
    window.clearTimeout(timer);
    // An unknown SSH host key is asked about; the statement runs again when the user says so.
    offerHostKey(profile, toAppError(error));
    const rows = buffer.slice();
    put(tabId, (r) => {
      if (r.queryId !== queryId) return r;
      const appError = toAppError(error);
      const cancelled = r.cancelling || r.cancelConfirmed || appError.code === "CANCELLED";
      return {
        ...r,
        status: cancelled ? "cancelled" : "error",
        rows,
        error: cancelled ? null : appError,
        finishedAt: performance.now(),
        cancelling: false,
      };
    });
  } finally {
    void loadHistory(profile);
  }
}

/** Asks the server to cancel the tab's running statement. */
export async function cancelRun(tabId: string): Promise<void> {
  const run = runOf(tabId);
  if (!run || run.status !== "running" || run.queryId === null) return;
  const queryId = run.queryId;
  put(tabId, (r) => (r.queryId === queryId ? { ...r, cancelling: true } : r));
  try {
    const wasRunning = await api.cancelQuery(queryId);
    put(tabId, (r) => (r.queryId === queryId ? { ...r, cancelConfirmed: wasRunning, cancelling: wasRunning && r.cancelling } : r));
  } catch (error) {
    put(tabId, (r) => (r.queryId === queryId ? { ...r, cancelling: false, error: toAppError(error) } : r));
  }
}

export function forgetRun(tabId: string): void {
  const run = runOf(tabId);
  if (run?.status === "running") void cancelRun(tabId);
  runsStore.set((all) => {
    if (!all.has(tabId)) return all;
    const next = new Map(all);
    next.delete(tabId);
    return next;
  });
}
