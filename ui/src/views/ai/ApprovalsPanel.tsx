import { useState } from "react";
import type { ApprovalView } from "../../api";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAsyncAction } from "../../hooks/useAsyncAction";
import { useNow } from "../../hooks/useNow";
import { approvalsStore, decide } from "../../stores/approvals";
import { useStore } from "../../stores/store";

/** Writes waiting for the user's decision: what would run, where, for whom, and what its dry run showed. */
export function ApprovalsPanel() {
  const { pending, error } = useStore(approvalsStore);
  return (
    <section className="panel approvals-panel" aria-label="Approvals" data-testid="approvals-panel">
      <header className="panel-header">
        <h3>Waiting for your approval</h3>
        <span className={pending.length > 0 ? "pill warn" : "pill"} data-testid="approvals-count">
          {pending.length}
        </span>
      </header>
      {error && <ErrorNotice error={error} testId="approvals-error" />}
      {pending.length === 0 ? (
        <p className="muted panel-note" data-testid="approvals-empty">
          Nothing to decide. On connections whose AI access is “ask”, an AI client’s writes wait here until you approve or deny them.
        </p>
      ) : (
        pending.map((a) => <ApprovalCard key={a.id} approval={a} />)
      )}
    </section>
  );
}

function ApprovalCard({ approval: a }: { approval: ApprovalView }) {
  const [reason, setReason] = useState("");
  const { run, busy, error } = useAsyncAction((approve: boolean, why: string | null) => decide(a.id, approve, why));
  const failedDryRun = a.preview.error !== null;
  const now = useNow(1000);
  const left = a.expiresMs === null ? null : Math.max(0, Math.round((a.expiresMs - now) / 1000));
  const params = a.params === "[]" ? null : a.params;
  return (
    <article className="approval" data-testid={`approval-${a.id}`}>
      <header className="approval-header">
        <strong>{a.client ?? "An AI client"}</strong>
        <span className="muted">
          {a.tool} on <strong>{a.profile}</strong> · request {a.id}
        </span>
        {left !== null && (
          <span className="muted approval-left" data-testid={`approval-left-${a.id}`}>
            {left > 0 ? `waits ${left} s more` : "no longer waiting"}
          </span>
        )}
      </header>
      <pre className="approval-statement" data-testid={`approval-statement-${a.id}`}>
        {a.statement}
      </pre>
      {params && <div className="muted">Parameters: {params}</div>}
      <Preview approval={a} />
      <div className="approval-actions">
        <input
          type="text"
          className="approval-reason"
          placeholder="Reason (optional, sent to the AI client)"
          value={reason}
          data-testid={`approval-reason-${a.id}`}
          onChange={(e) => setReason(e.target.value)}
        />
        <button
          type="button"
          className="button primary"
          data-testid={`approve-${a.id}`}
          disabled={busy || failedDryRun}
          title={failedDryRun ? "Its dry run failed: it can only be denied" : "Run it once, exactly as shown"}
          onClick={() => void run(true, null)}
        >
          Approve
        </button>
        <button
          type="button"
          className="button danger"
          data-testid={`deny-${a.id}`}
          disabled={busy}
          onClick={() => void run(false, reason.trim() === "" ? null : reason.trim())}
        >
          Deny
        </button>
      </div>
      {error && <ErrorNotice error={error} testId={`approval-decide-error-${a.id}`} />}
    </article>
  );
}

function Preview({ approval: a }: { approval: ApprovalView }) {
  const p = a.preview;
  return (
    <div className="approval-preview" data-testid={`approval-preview-${a.id}`}>
      {p.error ? (
        <div className="approval-failed">
          Dry run failed ({p.error.code}): {p.error.message}
        </div>
      ) : (
        <div>
          {p.dry_run ? `Dry run: ${p.rows_affected ?? 0} row(s) affected, rolled back.` : "Not dry-run."}
          {p.note && <span className="muted"> {p.note}</span>}
        </div>
      )}
      {p.changes && (
        <>
          <RowsTable label="Before" columns={p.changes.columns} rows={p.changes.before} />
          <RowsTable label="After" columns={p.changes.columns} rows={p.changes.after} />
          {p.changes.more && <div className="muted">More rows than shown.</div>}
        </>
      )}
    </div>
  );
}

function RowsTable({ label, columns, rows }: { label: string; columns: string[]; rows: (string | null)[][] }) {
  if (rows.length === 0) return null;
  return (
    <div className="approval-rows">
      <div className="muted">{label}</div>
      <table className="data-table">
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              {row.map((v, j) => (
                <td key={j} className={v === null ? "null" : undefined}>
                  {v ?? "NULL"}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
