// Each query tab's last plan (Explain / Explain analyze), normalized into a tree, and whether
// the result area shows it instead of the statements' results.

import { api, toAppError, type AppError } from "../api";
import { parsePlan, type Plan } from "../lib/explainPlan";
import { offerHostKey } from "./hostKeys";
import { createStore } from "./store";

export type PlanState = {
  id: number;
  status: "running" | "done" | "error";
  profile: string;
  sql: string;
  analyze: boolean;
  plan: Plan | null;
  /** What the server reported taking (ms). */
  elapsedMs: number | null;
  error: AppError | null;
  /** The result area shows the plan (not the results). */
  shown: boolean;
};

export const plansStore = createStore<ReadonlyMap<string, PlanState>>(new Map());

let nextId = 1;

function put(tabId: string, id: number, change: (plan: PlanState) => PlanState): void {
  plansStore.set((all) => {
    const plan = all.get(tabId);
    if (!plan || plan.id !== id) return all;
    return new Map(all).set(tabId, change(plan));
  });
}

/** Asks the server for the plan of `sql`; with `analyze` the statement runs (the caller asked first). */
export async function explainStatement(tabId: string, profile: string, sql: string, analyze: boolean): Promise<void> {
  if (sql.trim() === "" || plansStore.get().get(tabId)?.status === "running") return;
  const id = nextId++;
  plansStore.set((all) =>
    new Map(all).set(tabId, { id, status: "running", profile, sql, analyze, plan: null, elapsedMs: null, error: null, shown: true }),
  );
  try {
    const view = await api.explainQuery(profile, sql, analyze);
    let plan: Plan;
    try {
      plan = parsePlan(view);
    } catch (error) {
      put(tabId, id, (p) => ({ ...p, status: "error", error: { code: "UI", message: toAppError(error).message } }));
      return;
    }
    put(tabId, id, (p) => ({ ...p, status: "done", plan, elapsedMs: view.elapsedMs }));
  } catch (error) {
    const appError = toAppError(error);
    offerHostKey(profile, appError);
    put(tabId, id, (p) => ({ ...p, status: "error", error: appError }));
  }
}

/** Shows the plan, or the results, in the tab's result area. */
export function showPlan(tabId: string, shown: boolean): void {
  const plan = plansStore.get().get(tabId);
  if (plan && plan.shown !== shown) put(tabId, plan.id, (p) => ({ ...p, shown }));
}

export function forgetPlan(tabId: string): void {
  plansStore.set((all) => {
    if (!all.has(tabId)) return all;
    const next = new Map(all);
    next.delete(tabId);
    return next;
  });
}
