import { useCallback } from "react";
import { usePolling } from "../../hooks/usePolling";
import { refreshMonitors } from "../../stores/events";
import { EventStream } from "./EventStream";
import { LifecycleLog } from "./LifecycleLog";
import { MonitorList } from "./MonitorList";
import { StartMonitorForm } from "./StartMonitorForm";

/** Events: start monitors on pub/sub, topics, streams, notifications and change streams; watch them live. */
export function EventsView() {
  const poll = useCallback(() => refreshMonitors(), []);
  usePolling(poll, 1000);

  return (
    <div className="view events-view" data-testid="view-events">
      <header className="view-header">
        <h1>Events</h1>
        <span className="muted">Watch channels, subjects, topics, streams, notifications and change streams live — and how far consumers lag.</span>
      </header>
      <div className="events-body">
        <StartMonitorForm />
        <MonitorList />
        <EventStream />
        <LifecycleLog />
      </div>
    </div>
  );
}
