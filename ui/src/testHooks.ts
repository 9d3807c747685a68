// `window.__dbdock`: a small hook for the end-to-end tests (WebDriver) and for people poking at
// the app from the devtools console. It only does what a user can do with the keyboard.

import { editorHandles } from "./views/query/editor/editorRegistry";
import { activeTab, openDataTab, openTab, tabsStore, updateTab } from "./stores/tabs";
import { showView, uiStore, type ViewName } from "./stores/ui";

export type DbDockTestHooks = {
  /** Replaces the text of the active query tab's editor (opening a tab if there is none). */
  setQuery: (text: string) => void;
  /** The text of the active query tab. */
  getQuery: () => string;
  /** Opens a data tab on a table (`schema.name` where it has a schema) of `profile` (default: the active connection). */
  openTable: (table: string, profile?: string) => void;
  /** Opens a new query tab on `profile` holding `sql`. */
  openQueryTab: (profile: string, sql: string) => void;
  /** Switches to a view. */
  show: (view: ViewName) => void;
};

declare global {
  interface Window {
    __dbdock?: DbDockTestHooks;
  }
}

export function installTestHooks(): void {
  window.__dbdock = {
    setQuery(text) {
      const tab = activeTab(tabsStore.get());
      if (tab?.kind !== "query") {
        const profile = tab?.profile ?? uiStore.get().activeProfile;
        if (profile !== null) openTab(profile, text);
        return;
      }
      const handle = editorHandles.get(tab.id);
      if (handle) handle.setText(text);
      else updateTab(tab.id, { sql: text });
    },
    getQuery() {
      const tab = activeTab(tabsStore.get());
      if (tab?.kind !== "query") return "";
      return editorHandles.get(tab.id)?.getText() ?? tab.sql;
    },
    openTable(table, profile) {
      const on = profile ?? uiStore.get().activeProfile;
      if (on === null) return;
      openDataTab(on, table);
      showView("query");
    },
    openQueryTab(profile, sql) {
      openTab(profile, sql);
      showView("query");
    },
    show(view) {
      showView(view);
    },
  };
}
