// Running a script: the statements of a query tab's editor one after another, each through the
// tab's ordinary run (stores/runs.ts), keeping each finished run as its own result. The first
// failure (or a cancel) stops the script.

import { scriptStatements, type ScriptStatement } from "../lib/scriptRun";
import { cancelRun, isRunning, runOf, runQuery, type RunState } from "./runs";
import { createStore } from "./store";

export type ScriptStatus = "running" | "done" | "error" | "cancelled";

export type ScriptState = {
  id: number;
  profile: string;
  statements: ScriptStatement[];
  /** Each statement's finished run; null while it runs (the tab's live run) or when it did not run. */
  results: (RunState | null)[];
  /** The statement running now, or the last one the script ran. */
  current: number;
  status: ScriptStatus;
  /** The result tab shown. */
  selected: number;
  cancelRequested: boolean;
};

export const scriptsStore = createStore<ReadonlyMap<string, ScriptState>>(new Map());

let nextId = 1;

function scriptOf(tabId: string): ScriptState | null {
  return scriptsStore.get().get(tabId) ?? null;
}

function put(tabId: string, id: number, change: (script: ScriptState) => ScriptState): void {
  scriptsStore.set((all) => {
    const script = all.get(tabId);
    if (!script || script.id !== id) return all;
    return new Map(all).set(tabId, change(script));
  });
}

export function isScriptRunning(tabId: string): boolean {
  return scriptOf(tabId)?.status === "running";
}

/**
 * Runs every statement of `text` on `profile`, in order. Resolves with the statement that
 * failed (null when none did: all ran, or the script was cancelled or forgotten).
 */
export async function runScript(tabId: string, profile: string, text: string): Promise<ScriptStatement | null> {
  if (isRunning(tabId) || isScriptRunning(tabId)) return null;
  const statements = scriptStatements(text);
  if (statements.length === 0) return null;
  const id = nextId++;
  scriptsStore.set((all) =>
    new Map(all).set(tabId, {
      id,
      profile,
      statements,
      results: statements.map(() => null),
      current: 0,
      status: "running",
      selected: 0,
      cancelRequested: false,
    }),
  );

  for (const statement of statements) {
    const i = statement.index;
    const before = scriptOf(tabId);
    if (!before || before.id !== id) return null;
    if (before.cancelRequested) {
      put(tabId, id, (s) => ({ ...s, status: "cancelled" }));
      return null;
    }
    put(tabId, id, (s) => ({ ...s, current: i, selected: s.selected === i - 1 ? i : s.selected }));
    await runQuery(tabId, profile, statement.sql);
    const run = runOf(tabId);
    const after = scriptOf(tabId);
    if (!after || after.id !== id) return null;
    const results = after.results.slice();
    results[i] = run;
    if (run?.status === "error") {
      put(tabId, id, (s) => ({ ...s, results, status: "error", selected: i }));
      return statement;
    }
    if (run?.status !== "done" || after.cancelRequested) {
      put(tabId, id, (s) => ({ ...s, results, status: "cancelled" }));
      return null;
    }
    put(tabId, id, (s) => ({ ...s, results }));
  }
  put(tabId, id, (s) => ({ ...s, status: "done" }));
  return null;
}

/** Cancels the running statement (the existing cancel) and the rest of the script. */
export async function cancelScript(tabId: string): Promise<void> {
  const script = scriptOf(tabId);
  if (script?.status === "running") put(tabId, script.id, (s) => ({ ...s, cancelRequested: true }));
  await cancelRun(tabId);
}

export function selectScriptResult(tabId: string, index: number): void {
  const script = scriptOf(tabId);
  if (script) put(tabId, script.id, (s) => ({ ...s, selected: index }));
}

/**
 * The run a script's result tab shows: the tab's live run for the statement running now, the
 * kept run of a finished one, null for one not run.
 */
export function shownRun(script: ScriptState, live: RunState | null): RunState | null {
  const i = script.selected;
  if (i === script.current && script.status === "running") return live;
  return script.results[i] ?? null;
}

/** Drops the tab's script (a single Run replaces it; closing the tab forgets it). */
export function forgetScript(tabId: string): void {
  scriptsStore.set((all) => {
    if (!all.has(tabId)) return all;
    const next = new Map(all);
    next.delete(tabId);
    return next;
  });
}
