// Which view is showing, which connection is active, and what the Connections view edits.

import { createStore, loadSaved, save } from "./store";

export type ViewName = "connections" | "schema" | "query" | "ai" | "events";

export const VIEWS: readonly ViewName[] = ["connections", "schema", "query", "ai", "events"];

export type ConnectionsTarget = { mode: "new" } | { mode: "edit"; name: string } | null;

export type UiState = {
  view: ViewName;
  activeProfile: string | null;
  connectionsTarget: ConnectionsTarget;
  /** Changes when the form should start afresh (not when a new connection becomes saved). */
  formKey: number;
};

type Saved = { view: ViewName; activeProfile: string | null };

const SAVED_KEY = "dbdock.ui.v1";

function isSaved(value: unknown): value is Saved {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<Saved>;
  return VIEWS.includes(v.view as ViewName) && (v.activeProfile === null || typeof v.activeProfile === "string");
}

const saved = loadSaved<Saved>(SAVED_KEY, { view: "query", activeProfile: null }, isSaved);

export const uiStore = createStore<UiState>({ ...saved, connectionsTarget: null, formKey: 0 });

uiStore.subscribe(() => {
  const { view, activeProfile } = uiStore.get();
  save(SAVED_KEY, { view, activeProfile });
});

export function showView(view: ViewName): void {
  uiStore.set((s) => (s.view === view ? s : { ...s, view }));
}

export function setActiveProfile(name: string | null): void {
  uiStore.set((s) => (s.activeProfile === name ? s : { ...s, activeProfile: name }));
}

/** Shows the Connections view with the form for `target`; `keepForm` keeps the form's state. */
export function editConnection(target: ConnectionsTarget, keepForm = false): void {
  uiStore.set((s) => ({
    ...s,
    view: "connections",
    connectionsTarget: target,
    formKey: keepForm ? s.formKey : s.formKey + 1,
  }));
}
