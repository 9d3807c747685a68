// Tabs of the Query view, each bound to a connection: query tabs (an editor; drafts survive a
// restart) and data tabs (a table's rows to browse and edit; staged edits do not survive).

import type { ColumnFilter } from "../api";
import { createStore, loadSaved, save } from "./store";

export type QueryTab = { id: string; kind: "query"; profile: string; sql: string };

/** A table's rows; `table` is qualified `schema.name` where it has a schema. */
export type DataTab = { id: string; kind: "data"; profile: string; table: string; filters: ColumnFilter[] };

export type Tab = QueryTab | DataTab;

export type TabsState = { tabs: Tab[]; activeId: string | null };

const SAVED_KEY = "dbdock.tabs.v1";

/** A saved tab; those saved before data tabs existed have no `kind` and are query tabs. */
function toTab(t: unknown): Tab | null {
  if (typeof t !== "object" || t === null) return null;
  const v = t as Record<string, unknown>;
  if (typeof v.id !== "string" || typeof v.profile !== "string") return null;
  if (v.kind === "data") {
    if (typeof v.table !== "string") return null;
    const filters = Array.isArray(v.filters) ? (v.filters as ColumnFilter[]) : [];
    return { id: v.id, kind: "data", profile: v.profile, table: v.table, filters };
  }
  if ((v.kind === undefined || v.kind === "query") && typeof v.sql === "string") return { id: v.id, kind: "query", profile: v.profile, sql: v.sql };
  return null;
}

function isSavedState(value: unknown): value is { tabs: unknown[]; activeId: string | null } {
  if (typeof value !== "object" || value === null) return false;
  const v = value as { tabs?: unknown; activeId?: unknown };
  return Array.isArray(v.tabs) && (v.activeId === null || typeof v.activeId === "string");
}

function loadTabs(): TabsState {
  const saved = loadSaved(SAVED_KEY, { tabs: [], activeId: null }, isSavedState);
  const tabs = saved.tabs.map(toTab).filter((t): t is Tab => t !== null);
  return { tabs, activeId: saved.activeId };
}

export const tabsStore = createStore<TabsState>(loadTabs());

let saveTimer: number | undefined;
tabsStore.subscribe(() => {
  window.clearTimeout(saveTimer);
  saveTimer = window.setTimeout(() => save(SAVED_KEY, tabsStore.get()), 400);
});

let counter = 0;
function newId(): string {
  counter += 1;
  return `tab-${Date.now().toString(36)}-${counter}`;
}

export function openTab(profile: string, sql = ""): string {
  const id = newId();
  tabsStore.set((s) => ({ tabs: [...s.tabs, { id, kind: "query", profile, sql }], activeId: id }));
  return id;
}

/** Opens a data tab on `table` (with these filters), or activates one already open on it unfiltered. */
export function openDataTab(profile: string, table: string, filters: ColumnFilter[] = []): string {
  const open = tabsStore.get().tabs.find((t) => t.kind === "data" && t.profile === profile && t.table === table && filters.length === 0 && t.filters.length === 0);
  if (open) {
    activateTab(open.id);
    return open.id;
  }
  const id = newId();
  tabsStore.set((s) => ({ tabs: [...s.tabs, { id, kind: "data", profile, table, filters }], activeId: id }));
  return id;
}

export function closeTab(id: string): void {
  tabsStore.set((s) => {
    const index = s.tabs.findIndex((t) => t.id === id);
    if (index < 0) return s;
    const tabs = s.tabs.filter((t) => t.id !== id);
    const activeId =
      s.activeId !== id ? s.activeId : (tabs[Math.min(index, tabs.length - 1)]?.id ?? null);
    return { tabs, activeId };
  });
}

export function activateTab(id: string): void {
  tabsStore.set((s) => (s.activeId === id ? s : { ...s, activeId: id }));
}

/** Changes a query tab (data tabs are left alone). */
export function updateTab(id: string, change: Partial<Omit<QueryTab, "id" | "kind">>): void {
  tabsStore.set((s) => ({ ...s, tabs: s.tabs.map((t) => (t.id === id && t.kind === "query" ? { ...t, ...change } : t)) }));
}

export function activeTab(state: TabsState): Tab | null {
  return state.tabs.find((t) => t.id === state.activeId) ?? state.tabs[0] ?? null;
}

/** Activates the tab after (or before) the active one. */
export function cycleTab(step: 1 | -1): void {
  tabsStore.set((s) => {
    if (s.tabs.length < 2) return s;
    const index = Math.max(0, s.tabs.findIndex((t) => t.id === s.activeId));
    const next = s.tabs[(index + step + s.tabs.length) % s.tabs.length];
    return { ...s, activeId: next.id };
  });
}

/** Opens `sql` for `profile`: in the active tab when it is that profile's and empty, else in a new tab. */
export function openQuery(profile: string, sql: string): void {
  const state = tabsStore.get();
  const current = activeTab(state);
  if (current?.kind === "query" && current.profile === profile && current.sql.trim() === "") {
    updateTab(current.id, { sql });
    activateTab(current.id);
  } else {
    openTab(profile, sql);
  }
}
