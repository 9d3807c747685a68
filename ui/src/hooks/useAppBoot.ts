import { useEffect } from "react";
import { selectRowsSql } from "../lib/sqlText";
import { watchApprovals } from "../stores/approvals";
import { engineSpec } from "../stores/engines";
import { loadEndpoint, profilesStore, refreshProfiles, watchStates } from "../stores/profiles";
import { loadTables, schemaEntry } from "../stores/schema";
import { useStore } from "../stores/store";
import { openTab, tabsStore, updateTab } from "../stores/tabs";
import { setActiveProfile, uiStore } from "../stores/ui";

/**
 * Loads the connections, subscribes to their live state (the backend pushes every change),
 * keeps an active connection, and on first start opens a query tab on it with a starter query,
 * so a new user sees a schema and can run a query at once. The engine specs are already loaded
 * (main.tsx).
 */
export function useAppBoot(): void {
  const { profiles } = useStore(profilesStore);
  const { activeProfile } = useStore(uiStore);

  useEffect(() => {
    void refreshProfiles();
    void loadEndpoint();
    void watchStates();
    void watchApprovals();
  }, []);

  // Keep the active connection pointing at one that exists.
  useEffect(() => {
    if (!profiles || profiles.length === 0) return;
    if (activeProfile === null || !profiles.some((p) => p.name === activeProfile)) {
      // The bundled demo (the SQLite shop) first: it opens without a server.
      const demo = profiles.find((p) => p.engine === "sqlite") ?? profiles[0];
      setActiveProfile(demo.name);
    }
  }, [profiles, activeProfile]);

  // First start: one tab on the active connection, filled in once its tables are known.
  useEffect(() => {
    if (!profiles || activeProfile === null || tabsStore.get().tabs.length > 0) return;
    const profile = profiles.find((p) => p.name === activeProfile);
    if (!profile) return;
    const tabId = openTab(profile.name, "");
    void loadTables(profile.name).then(() => {
      const first = schemaEntry(profile.name).tables?.find((t) => t.kind === "table");
      const tab = tabsStore.get().tabs.find((t) => t.id === tabId);
      if (first && tab?.kind === "query" && tab.sql === "") updateTab(tabId, { sql: selectRowsSql(engineSpec(profile.engine), first) });
    });
  }, [profiles, activeProfile]);
}
