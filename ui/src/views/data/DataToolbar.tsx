import { Kbd } from "../../components/Kbd";
import { COPY_FORMATS, TSV_NULL, type CopyFormat } from "../../lib/dataClipboard";
import { plural } from "../../lib/format";

type Props = {
  editable: boolean;
  hasSelection: boolean;
  changed: number;
  canUndo: boolean;
  canRedo: boolean;
  busy: boolean;
  onAddRow: () => void;
  onDuplicate: () => void;
  onDelete: () => void;
  onSetNull: () => void;
  onSetDefault: () => void;
  onUndo: () => void;
  onRedo: () => void;
  onCopy: (format: CopyFormat) => void;
  onReview: () => void;
  onCommit: () => void;
  onDiscard: () => void;
  onReload: () => void;
};

/** Row and cell actions, the staged-changes counter, and Review / Commit / Discard. */
export function DataToolbar(p: Props) {
  const noEdit = !p.editable || p.busy;
  return (
    <div className="toolbar data-toolbar">
      <button type="button" className="button small" data-testid="data-add-row" disabled={noEdit} onClick={p.onAddRow} title="Add a row at the bottom (every cell DEFAULT until edited)">
        + Row
      </button>
      <button type="button" className="button small" data-testid="data-duplicate-row" disabled={noEdit || !p.hasSelection} onClick={p.onDuplicate} title="Add a copy of the selected row (key columns DEFAULT)">
        Duplicate
      </button>
      <button type="button" className="button small danger-outline" data-testid="data-delete-row" disabled={noEdit || !p.hasSelection} onClick={p.onDelete} title="Mark the selected rows deleted">
        − Delete
      </button>
      <span className="toolbar-sep" />
      <button type="button" className="button small" data-testid="data-set-null" disabled={noEdit || !p.hasSelection} onClick={p.onSetNull} title="Set the selected cells to NULL">
        Set NULL
      </button>
      <button type="button" className="button small" data-testid="data-set-default" disabled={noEdit || !p.hasSelection} onClick={p.onSetDefault} title="Set the selected cells to the column's DEFAULT">
        Set DEFAULT
      </button>
      <span className="toolbar-sep" />
      <button type="button" className="button small" data-testid="data-undo" disabled={!p.canUndo || p.busy} onClick={p.onUndo} title="Undo (Ctrl+Z)">
        ↶
      </button>
      <button type="button" className="button small" data-testid="data-redo" disabled={!p.canRedo || p.busy} onClick={p.onRedo} title="Redo (Ctrl+Shift+Z)">
        ↷
      </button>
      <select
        className="data-copy-as"
        data-testid="data-copy-as"
        aria-label="Copy as"
        value=""
        disabled={!p.hasSelection}
        title={`Copy the selected cells (Ctrl+C copies TSV, NULL as ${TSV_NULL})`}
        onChange={(e) => e.target.value && p.onCopy(e.target.value as CopyFormat)}
      >
        <option value="">Copy as…</option>
        {COPY_FORMATS.map((f) => (
          <option key={f.format} value={f.format}>
            {f.label}
          </option>
        ))}
      </select>
      {p.editable && (
        <span className="muted data-paste-hint" data-testid="data-paste-hint" title={`Ctrl+V pastes tab-separated rows from the selected cell on (rows past the last one are added). ${TSV_NULL} pastes NULL; an empty field pastes an empty string.`}>
          Paste: {TSV_NULL} = NULL
        </span>
      )}
      <span className="spacer" />
      <span className={p.changed > 0 ? "data-staged has-changes" : "data-staged"} data-testid="data-staged-count" data-count={p.changed}>
        {p.changed === 0 ? "no changes" : `${plural(p.changed, "row")} changed`}
      </span>
      <button type="button" className="button small" data-testid="data-discard" disabled={p.changed === 0 || p.busy} onClick={p.onDiscard} title="Drop every staged change (undo brings them back)">
        Discard
      </button>
      <button type="button" className="button small" data-testid="data-review" disabled={p.changed === 0 || p.busy} onClick={p.onReview} title="See the statements a commit runs">
        Review
      </button>
      <button type="button" className="button small primary" data-testid="data-commit" disabled={p.changed === 0 || p.busy} onClick={p.onCommit} title="Run the staged changes in one transaction">
        Commit <Kbd keys="Mod+S" />
      </button>
      <button type="button" className="button small" data-testid="data-reload" disabled={p.changed > 0 || p.busy} onClick={p.onReload} title={p.changed > 0 ? "Commit or discard the staged changes first" : "Read the rows again"}>
        Reload
      </button>
    </div>
  );
}
