import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import type { Cell, CellKind } from "../../api";
import { parseInput } from "../../lib/dataEdits";

export type EditMove = "stay" | "right" | "left";

type Props = {
  kind: CellKind;
  /** The text the editor starts with (the value, or the key typed to start editing). */
  initial: string;
  /** Whether `initial` is the value (selected, to be typed over) or a typed key (caret after it). */
  selectAll: boolean;
  testId: string;
  onCommit: (cell: Cell, move: EditMove) => void;
  onCancel: () => void;
};

/**
 * The browser's own picker for a date, a time or a timestamp without a zone, when the value
 * is one it can hold exactly (whole seconds); anything else (fractions, offsets, a typed first
 * key) stays in a text input, so no digit is lost.
 */
function pickerType(kind: CellKind, initial: string, selectAll: boolean): "date" | "time" | "datetime-local" | "text" {
  if (!selectAll && initial !== "") return "text";
  if (kind === "date" && /^\d{4}-\d{2}-\d{2}$/.test(initial)) return "date";
  if (kind === "time" && /^\d{2}:\d{2}:\d{2}$/.test(initial)) return "time";
  if (kind === "timestamp" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(initial)) return "datetime-local";
  return "text";
}

/**
 * Edits one cell in place: a text input (a true/false select for booleans, the date and time
 * pickers where the value fits them). Enter or Tab stage
 * the value, Esc drops it; leaving the cell stages it too when it is valid. JSON and bytes are
 * checked before they are staged; numbers stay the text typed.
 */
export function CellEditor({ kind, initial, selectAll, testId, onCommit, onCancel }: Props) {
  const [text, setText] = useState(() => (kind === "bool" ? (initial === "false" ? "false" : "true") : initial));
  const done = useRef(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const [type] = useState(() => pickerType(kind, initial, selectAll));
  useEffect(() => {
    const input = inputRef.current;
    if (!input) return;
    input.focus();
    // Pickers have no text selection (setSelectionRange throws on them).
    if (input.type !== "text") return;
    if (selectAll) input.select();
    else input.setSelectionRange(input.value.length, input.value.length);
  }, [selectAll]);
  const checked = parseInput(text, kind);
  const error = checked.ok ? null : checked.error;

  const finish = (move: EditMove | null): void => {
    if (done.current) return;
    if (move === null) {
      done.current = true;
      onCancel();
      return;
    }
    if (!checked.ok) return;
    done.current = true;
    onCommit(checked.cell, move);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement | HTMLSelectElement>): void => {
    e.stopPropagation();
    if (e.key === "Escape") {
      e.preventDefault();
      finish(null);
    } else if (e.key === "Enter") {
      e.preventDefault();
      finish("stay");
    } else if (e.key === "Tab") {
      e.preventDefault();
      finish(e.shiftKey ? "left" : "right");
    }
  };

  const onBlur = (): void => {
    if (checked.ok) finish("stay");
    else finish(null);
  };

  if (kind === "bool") {
    return (
      <select
        className="data-cell-editor"
        data-testid={testId}
        autoFocus
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        onBlur={onBlur}
      >
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    );
  }
  return (
    <input
      ref={inputRef}
      type={type}
      step={type === "text" || type === "date" ? undefined : 1}
      className={error ? "data-cell-editor invalid" : "data-cell-editor"}
      data-testid={testId}
      data-invalid={error ? "true" : undefined}
      title={error ?? "Enter or Tab: stage the value · Esc: cancel"}
      aria-invalid={error !== null}
      spellCheck={false}
      value={text}
      onChange={(e) => setText(e.target.value)}
      onKeyDown={onKeyDown}
      onBlur={onBlur}
    />
  );
}
