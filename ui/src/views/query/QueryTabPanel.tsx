import { useCallback, useEffect, useMemo, useState } from "react";
import type { Cell, EngineSpec, ProfileView, ResultColumn } from "../../api";
import { EmptyState } from "../../components/EmptyState";
import { EngineBadge } from "../../components/EngineBadge";
import { ErrorNotice } from "../../components/ErrorNotice";
import { Kbd } from "../../components/Kbd";
import { useVerticalSplit } from "../../hooks/useVerticalSplit";
import { canQuery, engineLabel, statementNoun } from "../../lib/engines";
import { statementToRun } from "../../lib/sqlText";
import { useEngineSpec } from "../../stores/engines";
import { cancelRun, runQuery, runsStore, type RunState } from "../../stores/runs";
import { completionSchema, prefetchColumns, schemaStore } from "../../stores/schema";
import { useStoreSelect } from "../../stores/store";
import { updateTab, type QueryTab } from "../../stores/tabs";
import { CellInspector } from "./CellInspector";
import { editorHandles } from "./editor/editorRegistry";
import { SqlEditor } from "./editor/SqlEditor";
import { ExportPanel } from "./ExportPanel";
import { HistoryPanel } from "./HistoryPanel";
import { ResultGrid, type CellPosition } from "./ResultGrid";
import { StatusLine } from "./StatusLine";

type Props = { tab: QueryTab; profile: ProfileView | null; profiles: ProfileView[] };

type SidePanel = "history" | "export" | null;

type Inspected = { position: CellPosition; cell: Cell; column: ResultColumn };

/** One query tab: toolbar, editor, and the result of its last run. */
export function QueryTabPanel({ tab, profile, profiles }: Props) {
  const run = useStoreSelect(runsStore, (all) => all.get(tab.id) ?? null);
  const spec = useEngineSpec(profile?.engine);
  const runnable = profile !== null && canQuery(spec);
  const schemaEntry = useStoreSelect(schemaStore, (all) => all.get(tab.profile));
  const completion = useMemo(
    () => (schemaEntry ? completionSchema(schemaEntry) : {}),
    [schemaEntry],
  );
  const [hasSelection, setHasSelection] = useState(false);
  const [side, setSide] = useState<SidePanel>(null);
  const { size: editorHeight, onPointerDown: startResize } = useVerticalSplit("dbdock.editorHeight", 220, 80);

  useEffect(() => {
    void prefetchColumns(tab.profile);
  }, [tab.profile]);

  const running = run?.status === "running";

  const execute = useCallback(
    (mode: "auto" | "selection") => {
      const handle = editorHandles.get(tab.id);
      if (!handle || !runnable) return;
      const text = handle.getText();
      const selection = handle.getSelection();
      const sql = mode === "selection" ? text.slice(selection.from, selection.to).trim() : statementToRun(text, selection);
      if (sql !== "") void runQuery(tab.id, tab.profile, sql);
    },
    [tab.id, tab.profile, runnable],
  );

  const onChange = useCallback((text: string) => updateTab(tab.id, { sql: text }), [tab.id]);
  const onRun = useCallback(() => execute("auto"), [execute]);
  const onCancel = useCallback((): boolean => {
    if (runsStore.get().get(tab.id)?.status !== "running") return false;
    void cancelRun(tab.id);
    return true;
  }, [tab.id]);

  return (
    <div className="query-tab" data-testid="query-tab-panel" data-profile={tab.profile}>
      <div className="toolbar">
        <select
          className="profile-select"
          data-testid="query-profile"
          value={tab.profile}
          onChange={(e) => updateTab(tab.id, { profile: e.target.value })}
          aria-label="Connection"
        >
          {!profile && <option value={tab.profile}>{tab.profile} (missing)</option>}
          {profiles.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name}
            </option>
          ))}
        </select>
        {profile && <EngineBadge engine={profile.engine} />}
        <button
          type="button"
          className="button primary"
          data-testid="run-query"
          disabled={running || !runnable}
          onClick={() => execute("auto")}
          title="Run the statement under the cursor, or the selection"
        >
          ▶ Run <Kbd keys="Mod+Enter" />
        </button>
        <button
          type="button"
          className="button"
          data-testid="run-selection"
          disabled={running || !runnable || !hasSelection}
          onClick={() => execute("selection")}
        >
          Run selection
        </button>
        <button
          type="button"
          className="button danger-outline"
          data-testid="cancel-query"
          disabled={!running || run?.cancelling}
          onClick={() => void cancelRun(tab.id)}
          title={`${cancelText(spec)} (Esc in the editor)`}
        >
          ■ Cancel
        </button>
        <span className="spacer" />
        <button
          type="button"
          className={side === "history" ? "button toggled" : "button"}
          data-testid="toggle-history"
          aria-pressed={side === "history"}
          onClick={() => setSide((s) => (s === "history" ? null : "history"))}
        >
          History
        </button>
        <button
          type="button"
          className={side === "export" ? "button toggled" : "button"}
          data-testid="toggle-export"
          aria-pressed={side === "export"}
          disabled={!run || run.status !== "done"}
          onClick={() => setSide((s) => (s === "export" ? null : "export"))}
        >
          Export…
        </button>
      </div>

      {!profile && profiles.length > 0 && (
        <div className="notice">
          The connection <strong>{tab.profile}</strong> no longer exists. Choose another one above.
        </div>
      )}

      <div className="query-body">
        <div className="query-main">
          <div className="editor-pane" style={{ height: editorHeight }}>
            <SqlEditor
              tabId={tab.id}
              value={tab.sql}
              spec={spec}
              schema={completion}
              onChange={onChange}
              onSelection={setHasSelection}
              onRun={onRun}
              onCancel={onCancel}
            />
          </div>
          <div className="splitter" role="separator" aria-orientation="horizontal" onPointerDown={startResize} />
          <ResultArea key={run?.queryId ?? "none"} run={run} profile={profile} spec={spec} />
        </div>
        {side === "history" && (
          <HistoryPanel
            profile={tab.profile}
            onPick={(sql) => {
              updateTab(tab.id, { sql });
              editorHandles.get(tab.id)?.focus();
            }}
            onClose={() => setSide(null)}
          />
        )}
        {side === "export" && run && <ExportPanel run={run} onClose={() => setSide(null)} />}
      </div>
    </div>
  );
}

/** What Cancel does: the server stops the statement, or the app stops waiting for it. */
function cancelText(spec: EngineSpec | null): string {
  return spec?.capabilities.cancelOnServer ? "Cancel the statement on the server" : "Cancel the statement";
}

type ResultAreaProps = { run: RunState | null; profile: ProfileView | null; spec: EngineSpec | null };

function ResultArea({ run, profile, spec }: ResultAreaProps) {
  const [inspected, setInspected] = useState<Inspected | null>(null);
  const [inspectorOpen, setInspectorOpen] = useState(false);
  const width = run?.rows[0]?.length ?? 0;
  const columns = useMemo<ResultColumn[]>(
    () => run?.columns ?? Array.from({ length: width }, (_, j) => ({ name: `column ${j + 1}`, type: "" })),
    [run?.columns, width],
  );
  const onSelect = useCallback((position: CellPosition, cell: Cell, column: ResultColumn) => {
    setInspected({ position, cell, column });
  }, []);

  const noun = statementNoun(spec);
  return (
    <div className="result-area">
      {run?.error && <ErrorNotice error={run.error} testId="query-error" />}
      <div className="result-content">
        {!run && profile && noun === null ? (
          <EmptyState title={`${engineLabel(spec, profile.engine)} takes no queries`}>
            {spec?.capabilities.watch ? "Watch its events in the Events view." : "Choose another connection above."}
          </EmptyState>
        ) : !run ? (
          <EmptyState title="No results yet">
            Write {noun ?? "a query"} above and press <Kbd keys="Mod+Enter" /> to run it. Esc cancels a running
            statement{spec?.capabilities.cancelOnServer ? " on the server" : ""}.
          </EmptyState>
        ) : columns.length > 0 ? (
          <ResultGrid
            columns={columns}
            rows={run.rows}
            selected={inspected?.position ?? null}
            onSelect={onSelect}
            onInspect={() => setInspectorOpen(true)}
          />
        ) : run.status === "running" ? (
          <div className="result-placeholder muted">Waiting for the first rows…</div>
        ) : run.status === "done" ? (
          <div className="result-placeholder muted" data-testid="query-no-columns">
            The statement ran and returned no result set.
          </div>
        ) : (
          <div className="result-placeholder" />
        )}
        {inspectorOpen && inspected && (
          <CellInspector
            cell={inspected.cell}
            column={inspected.column}
            row={inspected.position.row}
            onClose={() => setInspectorOpen(false)}
          />
        )}
      </div>
      <StatusLine run={run} />
    </div>
  );
}
