import { useEffect } from "react";
import { api } from "../../api";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAsyncAction } from "../../hooks/useAsyncAction";
import { auditChainSummary } from "../../lib/audit";

/**
 * Whether the audit log is as DB Dock wrote it: its hash chain, walked when the view opens
 * and on demand (docs/safety.md, "Tamper-evident audit log").
 */
export function AuditChainStatus() {
  const verify = useAsyncAction(() => api.verifyAudit());
  const { run } = verify;
  useEffect(() => {
    void run();
  }, [run]);
  const result = verify.result;
  const state = verify.busy ? "verifying" : result ? (result.intact ? "intact" : "broken") : "unknown";
  return (
    <div className="audit-chain" data-testid="audit-chain" data-state={state}>
      {result && (
        <span
          className={result.intact ? "audit-chain-intact" : "audit-chain-broken"}
          data-testid="audit-chain-summary"
          title={result.head ? `Head hash: ${result.head} (keep it elsewhere: rows removed from the end show only against it)` : undefined}
        >
          {result.intact ? <span className="ok-mark">✓</span> : <span className="err-mark">✗</span>}
          {auditChainSummary(result)}
        </span>
      )}
      {!result && verify.busy && <span className="muted">Verifying the audit chain…</span>}
      <button type="button" className="button small" data-testid="audit-verify" disabled={verify.busy} onClick={() => void run()}>
        {verify.busy ? "Verifying…" : "Verify"}
      </button>
      {verify.error && <ErrorNotice error={verify.error} testId="audit-verify-error" />}
    </div>
  );
}
