import type { Cell, ResultColumn } from "../../api";
import { cellToClipboard, prettyJson } from "../../lib/cells";
import { formatCount } from "../../lib/format";

type Props = { cell: Cell; column: ResultColumn; row: number; onClose: () => void };

/** The whole value of the selected cell: JSON pretty-printed, NULL said plainly. */
export function CellInspector({ cell, column, row, onClose }: Props) {
  const text = cell === null ? "" : cell.k === "json" || cell.k === "array" ? prettyJson(cell.v) : cell.v;
  return (
    <aside className="cell-inspector" data-testid="cell-inspector" aria-label="Cell value">
      <header className="panel-header">
        <h3 className="mono">{column.name}</h3>
        <span className="muted">
          row {formatCount(row + 1)} · {column.type || "?"} · {cell === null ? "NULL" : cell.k}
        </span>
        <span className="spacer" />
        <button
          type="button"
          className="button small"
          onClick={() => void navigator.clipboard?.writeText(cellToClipboard(cell)).catch(() => undefined)}
        >
          Copy
        </button>
        <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      {cell === null ? (
        <div className="inspector-null" data-testid="cell-inspector-value" data-null="true">
          NULL — no value
        </div>
      ) : cell.v === "" ? (
        <div className="inspector-null" data-testid="cell-inspector-value" data-empty="true">
          Empty string (not NULL)
        </div>
      ) : (
        <pre className={`inspector-value kind-${cell.k}`} data-testid="cell-inspector-value">
          {text}
        </pre>
      )}
      {cell !== null && cell.v !== "" && <div className="muted inspector-foot">{formatCount(cell.v.length)} characters</div>}
    </aside>
  );
}
