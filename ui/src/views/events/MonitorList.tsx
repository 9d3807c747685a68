import type { MonitorView } from "../../api";
import { EmptyState } from "../../components/EmptyState";
import { ErrorNotice } from "../../components/ErrorNotice";
import { stateLabel, StateDot } from "../../components/StateDot";
import { useAsyncAction } from "../../hooks/useAsyncAction";
import { formatRate } from "../../lib/events";
import { formatBytes, formatCount } from "../../lib/format";
import { eventsStore, retryMonitor, stopMonitor } from "../../stores/events";
import { useStore } from "../../stores/store";
import { MonitorRateChart } from "./MonitorRateChart";

/** The running monitors as cards, refreshed every second. */
export function MonitorList() {
  const { monitors, monitorsLoaded, monitorsError } = useStore(eventsStore);
  return (
    <section className="panel" aria-label="Monitors">
      <header className="panel-header">
        <h3>Monitors</h3>
        <span className="muted" data-testid="monitor-count" data-count={monitors.length}>
          {monitors.length === 0 ? "" : `${monitors.length} running`}
        </span>
      </header>
      {monitorsError && monitorsError.code !== "NO_BACKEND" && <ErrorNotice error={monitorsError} testId="monitors-error" compact />}
      {monitorsLoaded && monitors.length === 0 ? (
        <EmptyState title="No monitors running" testId="monitors-empty">
          Pick a connection and what to watch above, then press Start.
        </EmptyState>
      ) : (
        <div className="monitor-grid">
          {monitors.map((m) => (
            <MonitorCard key={m.monitorId} monitor={m} />
          ))}
        </div>
      )}
    </section>
  );
}

function MonitorCard({ monitor: m }: { monitor: MonitorView }) {
  const stop = useAsyncAction(stopMonitor);
  const retry = useAsyncAction(retryMonitor);
  const dropped = m.dropped ?? 0;
  return (
    <article className="monitor-card" data-testid={`monitor-${m.monitorId}`} data-state={m.state} aria-label={`${m.profile} ${m.target}`}>
      <header className="monitor-head">
        <StateDot state={m.state} />
        <span className="monitor-target mono" title={m.target}>
          {m.target}
        </span>
        <span className="muted monitor-profile">{m.profile}</span>
        <span className="spacer" />
        {m.state === "error" && (
          <button
            type="button"
            className="button small"
            data-testid={`monitor-retry-${m.monitorId}`}
            title="It gave up reconnecting: start again"
            disabled={retry.busy}
            onClick={() => void retry.run(m.monitorId)}
          >
            {retry.busy ? "Retrying…" : "Retry"}
          </button>
        )}
        <button
          type="button"
          className="button small"
          data-testid={`monitor-stop-${m.monitorId}`}
          disabled={stop.busy}
          onClick={() => void stop.run(m.monitorId)}
        >
          {stop.busy ? "Stopping…" : "Stop"}
        </button>
      </header>
      <div className="monitor-stats">
        <span data-testid={`monitor-rate-${m.monitorId}`} data-events-per-sec={m.eventsPerSec ?? 0}>
          <strong>{formatRate(m.eventsPerSec)}</strong> ev/s
        </span>
        <span data-testid={`monitor-byte-rate-${m.monitorId}`}>
          <strong>{formatBytes(Math.round(m.bytesPerSec ?? 0))}</strong>/s
        </span>
        <span data-testid={`monitor-total-${m.monitorId}`} data-events={m.eventsTotal ?? 0} title="Events and bytes received">
          {formatCount(m.eventsTotal ?? 0)} events · {formatBytes(m.bytesTotal ?? 0)}
        </span>
        <span
          className={dropped > 0 ? "monitor-dropped has-dropped" : "monitor-dropped"}
          data-testid={`monitor-dropped-${m.monitorId}`}
          data-dropped={dropped}
          title="Events the monitor dropped because the window could not keep up"
        >
          {formatCount(dropped)} dropped
        </span>
        {m.reconnectAttempts > 0 && (
          <span className="monitor-reconnects" data-testid={`monitor-reconnects-${m.monitorId}`} data-attempts={m.reconnectAttempts}>
            {formatCount(m.reconnectAttempts)} reconnect{m.reconnectAttempts === 1 ? "" : "s"}
          </span>
        )}
        <span className="muted">{stateLabel(m.state)}</span>
      </div>
      {m.lastError && (
        <div className="monitor-error" data-testid={`monitor-error-${m.monitorId}`} title={m.lastError}>
          {m.lastError}
        </div>
      )}
      {stop.error && <ErrorNotice error={stop.error} testId={`monitor-stop-error-${m.monitorId}`} compact />}
      <MonitorRateChart monitorId={m.monitorId} />
    </article>
  );
}
