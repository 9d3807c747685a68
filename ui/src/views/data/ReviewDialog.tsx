import type { AppError, PlannedStatement } from "../../api";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorNotice } from "../../components/ErrorNotice";
import { Spinner } from "../../components/Spinner";
import { plural } from "../../lib/format";

type Props = {
  /** null while the statements are being planned. */
  statements: PlannedStatement[] | null;
  error: AppError | null;
  busy: boolean;
  canCommit: boolean;
  onCommit: () => void;
  onClose: () => void;
};

/** The statements a commit would run, in order, each with the rows it must change. */
export function ReviewDialog({ statements, error, busy, canCommit, onCommit, onClose }: Props) {
  return (
    <ConfirmDialog
      title={statements ? `Review: ${plural(statements.length, "statement")}` : "Review"}
      confirmLabel="Commit"
      busy={busy || !canCommit || statements === null}
      onConfirm={onCommit}
      onCancel={onClose}
      testId="data-review-dialog"
      confirmTestId="data-review-commit"
      cancelLabel="Close"
      cancelTestId="data-review-close"
      wide
    >
      {error && <ErrorNotice error={error} testId="data-review-error" compact />}
      {!statements && !error && (
        <div className="loading-line">
          <Spinner /> Planning the statements…
        </div>
      )}
      {statements && (
        <ol className="data-review-list" data-testid="data-review-statements">
          {statements.map((s, i) => (
            <li key={i} data-testid={`data-review-statement-${i}`}>
              <pre className="mono">{s.sql}</pre>
              <span className="muted">{s.expectRows === null ? "rows not checked" : `must change ${plural(s.expectRows, "row")}`}</span>
            </li>
          ))}
        </ol>
      )}
      <p className="muted">All of them run in one transaction; if a row changed since it was read, nothing is committed.</p>
    </ConfirmDialog>
  );
}
