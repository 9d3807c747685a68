import type { AppError } from "../api";

type Props = {
  error: AppError;
  testId?: string;
  onDismiss?: () => void;
  compact?: boolean;
};

/** An error from the backend: its stable code as a badge, then the message. */
export function ErrorNotice({ error, testId = "error", onDismiss, compact = false }: Props) {
  return (
    <div className={compact ? "error-notice compact" : "error-notice"} role="alert" data-testid={testId} data-code={error.code}>
      <span className="code-badge" data-testid={`${testId}-code`}>
        {error.code}
      </span>
      <span className="error-message" data-testid={`${testId}-message`}>
        {error.message}
      </span>
      {onDismiss && (
        <button type="button" className="icon-button" aria-label="Dismiss" onClick={onDismiss}>
          ×
        </button>
      )}
    </div>
  );
}
