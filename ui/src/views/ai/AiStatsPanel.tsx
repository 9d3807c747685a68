import { useEffect, useState } from "react";
import { api, type AiStats, type AppError, toAppError } from "../../api";
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatBytes, formatCount, formatDuration } from "../../lib/format";

const WINDOW_MINUTES = 60;
const REFRESH_MS = 15_000;

/** What AI clients did in the last hour, from the audit log (every process sharing the home): as `dbdock stats`. */
export function AiStatsPanel() {
  const [stats, setStats] = useState<AiStats | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  useEffect(() => {
    let live = true;
    const load = () =>
      api
        .aiStats(WINDOW_MINUTES)
        .then((s) => {
          if (!live) return;
          setStats(s);
          setError(null);
        })
        .catch((e: unknown) => live && setError(toAppError(e)));
    void load();
    const timer = window.setInterval(() => void load(), REFRESH_MS);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, []);
  return (
    <section className="panel" aria-label="AI activity" data-testid="ai-stats">
      <h3>Last hour</h3>
      {error && <ErrorNotice error={error} testId="ai-stats-error" />}
      {stats && (
        <dl className="facts">
          <dt>Calls</dt>
          <dd data-testid="ai-stats-calls">
            {formatCount(stats.calls)} ({(stats.calls / Math.max(1, stats.windowMinutes)).toFixed(1)}/min)
          </dd>
          <dt>Errors</dt>
          <dd data-testid="ai-stats-errors">{formatCount(stats.errors)}</dd>
          <dt>Latency</dt>
          <dd data-testid="ai-stats-latency">
            p50 {formatDuration(stats.p50Ms)} · p95 {formatDuration(stats.p95Ms)}
          </dd>
          <dt>Returned</dt>
          <dd>
            {formatCount(stats.rows ?? 0)} rows · {formatBytes(stats.bytes ?? 0)}
          </dd>
          <dt>Waiting</dt>
          <dd>{formatCount(stats.pendingApprovals)} approvals</dd>
        </dl>
      )}
    </section>
  );
}
