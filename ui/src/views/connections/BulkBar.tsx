import { useState } from "react";
import { api, type Access, type BulkActionInput, type BulkItemView } from "../../api";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAsyncAction } from "../../hooks/useAsyncAction";
import { ACCESS_LABELS } from "../../lib/engines";
import { plural } from "../../lib/format";
import { refreshProfiles } from "../../stores/profiles";

const ACCESS_LEVELS: Access[] = ["none", "read-only", "read-write", "ask"];

/**
 * The selection bar of the connections list: one action on every selected connection, a
 * few at a time on the Rust side, each line shown as it ends and a summary at the end.
 */
export function BulkBar({ names, onDone }: { names: string[]; onDone: (removed: string[]) => void }) {
  const [items, setItems] = useState<BulkItemView[]>([]);
  const [access, setAccess] = useState<Access>("read-only");
  const [confirmDelete, setConfirmDelete] = useState(false);
  const run = useAsyncAction(async (action: BulkActionInput) => {
    setItems([]);
    const all = await api.bulkAction(names, action, action === "set-access" ? access : null, (item) => setItems((seen) => [...seen, item]));
    await refreshProfiles();
    onDone(action === "delete" ? all.filter((i) => i.error === null).map((i) => i.name) : []);
    return all;
  });
  const failed = items.filter((i) => i.error !== null).length;
  const total = items.at(0)?.total ?? names.length;
  return (
    <div className="bulk-bar panel" data-testid="bulk-bar">
      <div className="bulk-actions">
        <strong>{plural(names.length, "connection")} selected</strong>
        <button type="button" className="button small" data-testid="bulk-test" disabled={run.busy} onClick={() => void run.run("test")}>
          Test
        </button>
        <button type="button" className="button small" disabled={run.busy} onClick={() => void run.run("connect")}>
          Connect
        </button>
        <button type="button" className="button small" disabled={run.busy} onClick={() => void run.run("disconnect")}>
          Disconnect
        </button>
        <select aria-label="AI access" value={access} onChange={(e) => setAccess(ACCESS_LEVELS.find((a) => a === e.target.value) ?? "read-only")}>
          {ACCESS_LEVELS.map((a) => (
            <option key={a} value={a}>
              {ACCESS_LABELS[a]}
            </option>
          ))}
        </select>
        <button type="button" className="button small" data-testid="bulk-set-access" disabled={run.busy} onClick={() => void run.run("set-access")}>
          Set AI access
        </button>
        <button type="button" className="button small danger" data-testid="bulk-delete" disabled={run.busy} onClick={() => setConfirmDelete(true)}>
          Delete
        </button>
      </div>
      {(run.busy || items.length > 0) && (
        <div className="bulk-progress" data-testid="bulk-progress" data-done={items.length} data-total={total} data-failed={failed}>
          <progress max={total} value={items.length} />
          <span>
            {items.length} of {total} done{failed > 0 ? `, ${failed} failed` : ""}
          </span>
        </div>
      )}
      {items.length > 0 && (
        <ul className="bulk-items mono">
          {items.map((i) => (
            <li key={i.name} className={i.error ? "error-text" : "ok-text"} data-testid={`bulk-item-${i.name}`} data-ok={i.error === null}>
              {i.error ? "✗" : "✓"} {i.name}: {i.message}
            </li>
          ))}
        </ul>
      )}
      {run.error && <ErrorNotice error={run.error} testId="bulk-error" />}
      {confirmDelete && (
        <ConfirmDialog
          title={`Delete ${plural(names.length, "connection")}?`}
          confirmLabel="Delete all"
          danger
          testId="bulk-delete-dialog"
          onConfirm={() => {
            setConfirmDelete(false);
            void run.run("delete");
          }}
          onCancel={() => setConfirmDelete(false)}
        >
          <p>
            {names.join(", ")} and their passwords in the OS keyring will be deleted. AI clients lose them at their next call.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
