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
 * Edits one cell in place: a text input (a true/false select for booleans). Enter or Tab stage
 * the value, Esc drops it; leaving the cell stages it too when it is valid. JSON and bytes are
 * checked before they are staged; numbers stay the text typed.
 */
export function CellEditor({ kind, initial, selectAll, testId, onCommit, onCancel }: Props) {
  const [text, setText] = useState(() => (kind === "bool" ? (initial === "false" ? "false" : "true") : initial));
  const done = useRef(false);
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const input = inputRef.current;
    if (!input) return;
    input.focus();
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
