import { useCallback, useEffect, useState } from "react";
import { api, toAppError, type AppError, type LoggedEvent } from "../../api";
import { ErrorNotice } from "../../components/ErrorNotice";
import { severityClass } from "../../lib/events";
import { formatTimestamp } from "../../lib/format";
import { loadEndpoint, profilesStore } from "../../stores/profiles";
import { useStore } from "../../stores/store";
import { EventLogExport } from "./EventLogExport";

const LIMIT = 200;

/** Lifecycle events of every monitor as the store kept them (they outlive the app), newest first. */
export function LifecycleLog() {
  const [entries, setEntries] = useState<LoggedEvent[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const { endpoint } = useStore(profilesStore);
  useEffect(() => {
    void loadEndpoint();
  }, []);

  const load = useCallback(async () => {
    setBusy(true);
    try {
      setEntries(await api.eventLog(LIMIT));
      setError(null);
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(false);
    }
  }, []);

  useEffect(() => {
    let cancelled = false;
    api.eventLog(LIMIT).then(
      (list) => {
        if (!cancelled) setEntries(list);
      },
      (e: unknown) => {
        if (!cancelled) setError(toAppError(e));
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);

  return (
    <section className="panel lifecycle-log" aria-label="Lifecycle log">
      <header className="panel-header">
        <h3>Lifecycle log</h3>
        <span className="muted">connects, reconnects and errors of every monitor, newest first</span>
        <span className="spacer" />
        <button type="button" className="button small" data-testid="events-log-refresh" disabled={busy} onClick={() => void load()}>
          {busy ? "Refreshing…" : "Refresh"}
        </button>
      </header>
      <EventLogExport key={endpoint?.home ?? ""} home={endpoint?.home ?? null} />
      {error && <ErrorNotice error={error} testId="events-log-error" />}
      {entries !== null && entries.length === 0 && (
        <p className="muted panel-note" data-testid="events-log-empty">
          Nothing logged yet. Monitors log here when they connect, reconnect, fail or stop.
        </p>
      )}
      {entries !== null && entries.length > 0 && (
        <table className="data-table compact events-log-table" data-testid="events-log">
          <thead>
            <tr>
              <th>Time</th>
              <th>Severity</th>
              <th>Connection</th>
              <th>Target</th>
              <th>State</th>
              <th>Message</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} className={`severity-${severityClass(e.severity)}`} data-testid={`events-log-row-${e.id}`} data-severity={e.severity}>
                <td className="nowrap">{formatTimestamp(e.ts)}</td>
                <td>
                  <span className={`severity-badge severity-${severityClass(e.severity)}`}>{e.severity}</span>
                </td>
                <td>{e.profile ?? "—"}</td>
                <td className="mono">{e.target}</td>
                <td>{e.state ?? ""}</td>
                <td>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
