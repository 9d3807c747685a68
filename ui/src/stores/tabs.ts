// Query tabs: one per editor, each bound to a connection. Drafts survive a restart.

import { createStore, loadSaved, save } from "./store";

export type QueryTab = { id: string; profile: string; sql: string };

export type TabsState = { tabs: QueryTab[]; activeId: string | null };

const SAVED_KEY = "dbdock.tabs.v1";

function isTabsState(value: unknown): value is TabsState {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<TabsState>;
  return (
    Array.isArray(v.tabs) &&
    v.tabs.every(
      (t: unknown) =>
        typeof t === "object" &&
        t !== null &&
        typeof (t as QueryTab).id === "string" &&
        typeof (t as QueryTab).profile === "string" &&
        typeof (t as QueryTab).sql === "string",
    ) &&
    (v.activeId === null || typeof v.activeId === "string")
  );
}

export const tabsStore = createStore<TabsState>(loadSaved(SAVED_KEY, { tabs: [], activeId: null }, isTabsState));

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
  tabsStore.set((s) => ({ tabs: [...s.tabs, { id, profile, sql }], activeId: id }));
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

export function updateTab(id: string, change: Partial<Omit<QueryTab, "id">>): void {
  tabsStore.set((s) => ({ ...s, tabs: s.tabs.map((t) => (t.id === id ? { ...t, ...change } : t)) }));
}

export function activeTab(state: TabsState): QueryTab | null {
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
  if (current && current.profile === profile && current.sql.trim() === "") {
    updateTab(current.id, { sql });
    activateTab(current.id);
  } else {
    openTab(profile, sql);
  }
}
