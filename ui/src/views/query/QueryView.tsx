import { useCallback, useEffect, useState } from "react";
import { AddConnectionButton } from "../../components/AddConnectionButton";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { EmptyState } from "../../components/EmptyState";
import { Kbd } from "../../components/Kbd";
import { findProfile, profilesStore } from "../../stores/profiles";
import { forgetPlan } from "../../stores/plans";
import { forgetRun } from "../../stores/runs";
import { forgetScript } from "../../stores/scripts";
import { useStore } from "../../stores/store";
import { activeTab, closeTab, cycleTab, openTab, tabsStore } from "../../stores/tabs";
import { uiStore } from "../../stores/ui";
import { DataTabPanel } from "../data/DataTabPanel";
import { forgetDataTab, stagedRowCount } from "../data/dataTabMemory";
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

  const forget = useCallback((id: string) => {
    forgetScript(id);
    forgetRun(id);
    forgetPlan(id);
    forgetDataTab(id);
    forgetEditor(id);
    closeTab(id);
  }, []);

  // A data tab with staged changes asks before they are dropped.
  const [closing, setClosing] = useState<{ id: string; changed: number } | null>(null);
  const close = useCallback(
    (id: string) => {
      const changed = stagedRowCount(id);
      if (changed > 0) setClosing({ id, changed });
      else forget(id);
    },
    [forget],
  );
  const cancelClose = useCallback(() => setClosing(null), []);

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
      {closing && (
        <ConfirmDialog
          title="Drop the staged changes?"
          confirmLabel="Close tab"
          danger
          testId="data-close-dialog"
          onConfirm={() => {
            forget(closing.id);
            setClosing(null);
          }}
          onCancel={cancelClose}
        >
          {closing.changed === 1 ? "A row has" : `${closing.changed} rows have`} changes that were not committed. Closing the tab drops them.
        </ConfirmDialog>
      )}
      <QueryTabBar tabs={tabsState.tabs} activeId={tab?.id ?? null} profiles={profiles ?? []} onNew={newTab} onClose={close} />
      {tab?.kind === "data" ? (
        <DataTabPanel key={tab.id} tab={tab} />
      ) : tab ? (
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
