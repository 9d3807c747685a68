import { useEffect } from "react";
import { ErrorNotice } from "./components/ErrorNotice";
import { HostKeyDialog } from "./components/HostKeyDialog";
import { Sidebar } from "./components/Sidebar";
import { useAppBoot } from "./hooks/useAppBoot";
import { enginesStore } from "./stores/engines";
import { profilesStore } from "./stores/profiles";
import { useStore } from "./stores/store";
import { showView, uiStore, VIEWS } from "./stores/ui";
import { AiView } from "./views/ai/AiView";
import { ConnectionsView } from "./views/connections/ConnectionsView";
import { EventsView } from "./views/events/EventsView";
import { QueryView } from "./views/query/QueryView";
import { SchemaView } from "./views/schema/SchemaView";

/** The window: the sidebar on the left, the current view on the right. */
export function App() {
  useAppBoot();
  useViewShortcuts();
  const { view } = useStore(uiStore);
  const { statesError } = useStore(profilesStore);
  const { error: enginesError } = useStore(enginesStore);

  return (
    <div className="app">
      <Sidebar />
      <main className="main">
        {statesError && statesError.code === "NO_BACKEND" && <ErrorNotice error={statesError} testId="backend-error" />}
        {enginesError && enginesError.code !== "NO_BACKEND" && <ErrorNotice error={enginesError} testId="engines-error" />}
        {view === "connections" && <ConnectionsView />}
        {view === "schema" && <SchemaView />}
        {view === "query" && <QueryView />}
        {view === "ai" && <AiView />}
        {view === "events" && <EventsView />}
      </main>
      <HostKeyDialog />
    </div>
  );
}

/** Ctrl/⌘+1…5 switch views. */
function useViewShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (!(e.ctrlKey || e.metaKey) || e.shiftKey || e.altKey) return;
      const index = Number(e.key) - 1;
      if (Number.isInteger(index) && index >= 0 && index < VIEWS.length) {
        e.preventDefault();
        showView(VIEWS[index]);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}
