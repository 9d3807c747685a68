import { useEffect, useRef, type ReactNode } from "react";

type Props = {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  testId: string;
  /** The confirm button's test id (default `<testId>-confirm`). */
  confirmTestId?: string;
  /** The cancel button's label (default “Cancel”) and test id (default `<testId>-cancel`). */
  cancelLabel?: string;
  cancelTestId?: string;
  /** A wider dialog, for long values such as a key fingerprint. */
  wide?: boolean;
};

/** A modal question with a confirm and a cancel button (Esc cancels, Enter confirms). */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  danger = false,
  busy = false,
  onConfirm,
  onCancel,
  testId,
  confirmTestId,
  cancelLabel = "Cancel",
  cancelTestId,
  wide = false,
}: Props) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    cancelRef.current?.focus();
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === "Escape") {
        event.preventDefault();
        onCancel();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onCancel]);

  return (
    <div className="modal-backdrop" onMouseDown={onCancel}>
      <div
        className={wide ? "modal wide" : "modal"}
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={`${testId}-title`}
        data-testid={testId}
        onMouseDown={(e) => e.stopPropagation()}
      >
        <h2 id={`${testId}-title`}>{title}</h2>
        <div className="modal-body">{children}</div>
        <div className="modal-actions">
          <button type="button" ref={cancelRef} className="button" onClick={onCancel} data-testid={cancelTestId ?? `${testId}-cancel`}>
            {cancelLabel}
          </button>
          <button
            type="button"
            className={danger ? "button danger" : "button primary"}
            onClick={onConfirm}
            disabled={busy}
            data-testid={confirmTestId ?? `${testId}-confirm`}
          >
            {confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
