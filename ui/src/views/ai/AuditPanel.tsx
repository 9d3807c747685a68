import { Fragment, useMemo, useState } from "react";
import type { AuditEntry } from "../../api";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAuditLog } from "../../hooks/useAuditLog";
import { auditMatches, NO_AUDIT_FILTER, type AuditFilter } from "../../lib/audit";
import { formatCount, formatDuration, formatTimestamp } from "../../lib/format";
import { sqlSummary } from "../../lib/sqlText";
import { AuditChainStatus } from "./AuditChainStatus";
import { AuditRateChart } from "./AuditRateChart";

const SHOWN_STEP = 300;

/** Every AI call, live and newest first, with filters and a per-minute rate chart. */
export function AuditPanel() {
  const [paused, setPaused] = useState(false);
  const { entries, error, loaded } = useAuditLog(paused);
  const [filter, setFilter] = useState<AuditFilter>(NO_AUDIT_FILTER);
  const [shown, setShown] = useState(SHOWN_STEP);
  const [open, setOpen] = useState<number | null>(null);

  const profiles = useMemo(() => [...new Set(entries.map((e) => e.profile).filter((p): p is string => p !== null))].sort(), [entries]);
  const matching = useMemo(() => entries.filter((e) => auditMatches(e, filter)), [entries, filter]);

  return (
    <section className="panel audit-panel" aria-label="Audit log">
      <header className="panel-header">
        <h3>Audit log</h3>
        <span className={paused ? "pill" : "pill live"} data-testid="audit-live">
          {paused ? "paused" : "live"}
        </span>
        <span className="spacer" />
        <input
          type="search"
          className="audit-filter"
          data-testid="audit-filter"
          placeholder="Filter: tool, statement, error…"
          value={filter.text}
          onChange={(e) => setFilter((f) => ({ ...f, text: e.target.value }))}
        />
        <select
          data-testid="audit-outcome"
          value={filter.outcome}
          onChange={(e) => setFilter((f) => ({ ...f, outcome: e.target.value as AuditFilter["outcome"] }))}
          aria-label="Outcome"
        >
          <option value="all">All outcomes</option>
          <option value="ok">Succeeded</option>
          <option value="error">Failed</option>
        </select>
        <select
          data-testid="audit-profile"
          value={filter.profile}
          onChange={(e) => setFilter((f) => ({ ...f, profile: e.target.value }))}
          aria-label="Connection"
        >
          <option value="">All connections</option>
          {profiles.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
        <button type="button" className="button small" data-testid="audit-pause" aria-pressed={paused} onClick={() => setPaused((p) => !p)}>
          {paused ? "Resume" : "Pause"}
        </button>
      </header>
      {error && <ErrorNotice error={error} testId="audit-error" />}
      <AuditChainStatus />
      <AuditRateChart entries={entries} />
      {loaded && entries.length === 0 ? (
        <p className="muted panel-note" data-testid="audit-empty">
          No AI calls yet. Install DB Dock into an AI client above, or run the self-test; every call shows up here.
        </p>
      ) : (
        <table className="data-table audit-table" data-testid="audit-table">
          <thead>
            <tr>
              <th>Time</th>
              <th>Client</th>
              <th>Tool</th>
              <th>Connection</th>
              <th>Statement</th>
              <th className="num">Rows</th>
              <th className="num">Time taken</th>
              <th>Outcome</th>
            </tr>
          </thead>
          <tbody>
            {matching.slice(0, shown).map((entry) => (
              <Fragment key={entry.id}>
                <AuditRow entry={entry} open={open === entry.id} onToggle={() => setOpen((o) => (o === entry.id ? null : entry.id))} />
                {open === entry.id && <AuditDetails entry={entry} />}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
      <div className="audit-foot muted">
        {formatCount(matching.length)} of {formatCount(entries.length)} calls
        {matching.length > shown && (
          <button type="button" className="link-button" onClick={() => setShown((s) => s + SHOWN_STEP)}>
            show more
          </button>
        )}
      </div>
    </section>
  );
}

function AuditRow({ entry, open, onToggle }: { entry: AuditEntry; open: boolean; onToggle: () => void }) {
  return (
    <tr
      className={open ? "audit-row open" : "audit-row"}
      data-testid={`audit-row-${entry.id}`}
      data-outcome={entry.outcome}
      data-tool={entry.tool}
      onClick={onToggle}
    >
      <td className="nowrap">{formatTimestamp(entry.at)}</td>
      <td>{entry.client ?? <span className="muted">{entry.transport}</span>}</td>
      <td className="mono">{entry.tool}</td>
      <td>{entry.profile ?? "—"}</td>
      <td className="mono statement-cell" title={entry.statement ?? undefined}>
        {entry.statement ? sqlSummary(entry.statement, 90) : ""}
      </td>
      <td className="num">{entry.rows === null ? "" : formatCount(entry.rows)}</td>
      <td className="num">{formatDuration(entry.durationMs)}</td>
      <td>
        {entry.approval && (
          <span className="pill warn" title={entry.approval} data-testid={`audit-approval-${entry.id}`}>
            approval
          </span>
        )}{" "}
        {entry.outcome === "ok" ? (
          <span className="pill ok">ok</span>
        ) : (
          <span className="code-badge" title={entry.errorMessage ?? undefined}>
            {entry.errorCode ?? "error"}
          </span>
        )}
      </td>
    </tr>
  );
}

function AuditDetails({ entry }: { entry: AuditEntry }) {
  return (
    <tr className="audit-details" data-testid={`audit-details-${entry.id}`}>
      <td colSpan={8}>
        <dl className="facts">
          <dt>Client</dt>
          <dd>
            {entry.client ?? "unknown"} over {entry.transport}
          </dd>
          {entry.statement && (
            <>
              <dt>Statement</dt>
              <dd>
                <pre className="mono">{entry.statement}</pre>
              </dd>
            </>
          )}
          {entry.approval && (
            <>
              <dt>Approval</dt>
              <dd>{entry.approval}</dd>
            </>
          )}
          <dt>Result</dt>
          <dd>
            {entry.rows === null ? "—" : `${formatCount(entry.rows)} rows`}, {formatDuration(entry.durationMs)}
          </dd>
          {entry.outcome === "error" && (
            <>
              <dt>Error</dt>
              <dd>
                <span className="code-badge">{entry.errorCode ?? "ERROR"}</span> {entry.errorMessage}
              </dd>
            </>
          )}
        </dl>
      </td>
    </tr>
  );
}
