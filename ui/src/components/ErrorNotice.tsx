import type { AppError } from "../api";

type Props = {
  error: AppError;
  testId?: string;
  onDismiss?: () => void;
  compact?: boolean;
};

/**
 * An error from the backend: its stable code as a badge, then the message. A changed SSH
 * host key (HOST_KEY_MISMATCH) is shown loud, with what it may mean: there is nothing to
 * accept here.
 */
export function ErrorNotice({ error, testId = "error", onDismiss, compact = false }: Props) {
  const loud = error.code === "HOST_KEY_MISMATCH";
  const classes = ["error-notice", compact ? "compact" : "", loud ? "loud" : ""].filter(Boolean).join(" ");
  return (
    <div className={classes} role="alert" data-testid={testId} data-code={error.code}>
      <span className="code-badge" data-testid={`${testId}-code`}>
        {error.code}
      </span>
      <span className="error-message" data-testid={`${testId}-message`}>
        {loud && (
          <strong className="error-headline">
            The SSH host key has changed. DB Dock refused to connect: someone may be intercepting the connection, or the
            host was reinstalled. Check with the server's administrator before changing anything.
          </strong>
        )}
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
