import { useNow } from "../../hooks/useNow";
import { formatCount, formatDuration, plural } from "../../lib/format";
import type { RunState } from "../../stores/runs";

/** Below the grid: the run's state, the row count and the elapsed time. */
export function StatusLine({ run }: { run: RunState | null }) {
  const running = run?.status === "running";
  const now = useNow(100, running, "monotonic");
  if (!run) {
    return (
      <div className="status-line" data-testid="query-status" data-state="idle">
        <span className="muted">Ready.</span>
      </div>
    );
  }
  const measured = (run.finishedAt ?? (running ? now : run.startedAt)) - run.startedAt;
  const elapsed = run.status === "done" && typeof run.summary?.elapsedMs === "number" ? run.summary.elapsedMs : measured;
  const rows = run.summary?.rowCount ?? run.rows.length;
  return (
    <div className="status-line" data-testid="query-status" data-state={run.status}>
      <span className={`status-badge status-${run.status}`}>{statusText(run)}</span>
      <span data-testid="query-row-count" data-count={rows}>
        {plural(rows, "row")}
        {running ? " so far" : ""}
      </span>
      <span className="sep">·</span>
      <span data-testid="query-elapsed" data-ms={Math.round(elapsed)}>
        {formatDuration(elapsed)}
      </span>
      {run.summary?.truncated && (
        <span className="warn-badge" data-testid="query-truncated" title="The backend stopped reading after this many rows.">
          truncated at {formatCount(rows)}
        </span>
      )}
      <span className="spacer" />
      <span className="muted mono status-profile">{run.profile}</span>
    </div>
  );
}

function statusText(run: RunState): string {
  switch (run.status) {
    case "running":
      return run.cancelling ? "Cancelling…" : "Running…";
    case "done":
      return "Done";
    case "error":
      return "Failed";
    case "cancelled":
      return "Cancelled";
    case "idle":
      return "Ready";
  }
}
