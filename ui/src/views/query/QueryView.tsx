import { useCallback, useEffect } from "react";
import { AddConnectionButton } from "../../components/AddConnectionButton";
import { EmptyState } from "../../components/EmptyState";
import { Kbd } from "../../components/Kbd";
import { findProfile, profilesStore } from "../../stores/profiles";
import { forgetRun } from "../../stores/runs";
import { useStore } from "../../stores/store";
import { activeTab, closeTab, cycleTab, openTab, tabsStore } from "../../stores/tabs";
import { uiStore } from "../../stores/ui";
import { forgetEditor } from "./editor/editorRegistry";
import { QueryTabBar } from "./QueryTabBar";
import { QueryTabPanel } from "./QueryTabPanel";

/** Query: tabs per connection, each with an editor and a result grid. */
export function QueryView() {
  const { profiles } = useStore(profilesStore);
  const { activeProfile } = useStore(uiStore);
  const tabsState = useStore(tabsStore);
  const tab = activeTab(tabsState);

  const newTab = useCallback(() => {
    const name = activeProfile ?? profiles?.[0]?.name;
    if (name) openTab(name);
  }, [activeProfile, profiles]);

  const close = useCallback((id: string) => {
    forgetRun(id);
    forgetEditor(id);
    closeTab(id);
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const mod = e.ctrlKey || e.metaKey;
      if (mod && !e.shiftKey && e.key.toLowerCase() === "t") {
        e.preventDefault();
        newTab();
      } else if (e.ctrlKey && e.key === "Tab") {
        e.preventDefault();
        cycleTab(e.shiftKey ? -1 : 1);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [newTab]);

  if (profiles && profiles.length === 0) {
    return (
      <div className="view" data-testid="view-query">
        <EmptyState
          title="Add a connection to run queries"
          actions={
            <AddConnectionButton />
          }
        />
      </div>
    );
  }

  return (
    <div className="view query-view" data-testid="view-query">
      <QueryTabBar tabs={tabsState.tabs} activeId={tab?.id ?? null} profiles={profiles ?? []} onNew={newTab} onClose={close} />
      {tab ? (
        <QueryTabPanel key={tab.id} tab={tab} profile={findProfile(profiles, tab.profile)} profiles={profiles ?? []} />
      ) : (
        <EmptyState
          title="No query tabs open"
          actions={
            <button type="button" className="button primary" data-testid="open-first-tab" onClick={newTab}>
              New query
            </button>
          }
        >
          Each tab runs against one connection. <Kbd keys="Mod+T" /> opens a tab for the active connection.
        </EmptyState>
      )}
    </div>
  );
}
