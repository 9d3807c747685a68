import { useCallback, useEffect, useMemo, useState } from "react";
import type { Cell, EngineSpec, ProfileView, ResultColumn } from "../../api";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { EmptyState } from "../../components/EmptyState";
import { EngineBadge } from "../../components/EngineBadge";
import { ErrorNotice } from "../../components/ErrorNotice";
import { Kbd } from "../../components/Kbd";
import { useVerticalSplit } from "../../hooks/useVerticalSplit";
import { canQuery, engineLabel, statementNoun } from "../../lib/engines";
import { plural } from "../../lib/format";
import { statementToRun } from "../../lib/sqlText";
import { useEngineSpec } from "../../stores/engines";
import { explainStatement, plansStore, showPlan } from "../../stores/plans";
import { cancelRun, runQuery, runsStore, type RunState } from "../../stores/runs";
import { cancelScript, forgetScript, runScript, scriptsStore, selectScriptResult, shownRun } from "../../stores/scripts";
import { completionSchema, prefetchColumns, schemaStore } from "../../stores/schema";
import { useStoreSelect } from "../../stores/store";
import { updateTab, type QueryTab } from "../../stores/tabs";
import { CellInspector } from "./CellInspector";
import { editorHandles } from "./editor/editorRegistry";
import { SqlEditor } from "./editor/SqlEditor";
import { ExportPanel } from "./ExportPanel";
import { HistoryPanel } from "./HistoryPanel";
import { PlanPanel } from "./PlanTree";
import { ResultGrid, type CellPosition } from "./ResultGrid";
import { ResultTabs, ScriptNotice } from "./ResultTabs";
import { StatusLine } from "./StatusLine";

type Props = { tab: QueryTab; profile: ProfileView | null; profiles: ProfileView[] };

type SidePanel = "history" | "export" | null;

type Inspected = { position: CellPosition; cell: Cell; column: ResultColumn };

/** One query tab: toolbar, editor, and the result of its last run. */
export function QueryTabPanel({ tab, profile, profiles }: Props) {
  const live = useStoreSelect(runsStore, (all) => all.get(tab.id) ?? null);
  const script = useStoreSelect(scriptsStore, (all) => all.get(tab.id) ?? null);
  const planState = useStoreSelect(plansStore, (all) => all.get(tab.id) ?? null);
  // The result shown: the selected statement's of a script, else the last run's.
  const run = script ? shownRun(script, live) : live;
  const spec = useEngineSpec(profile?.engine);
  const runnable = profile !== null && canQuery(spec);
  const explainable = runnable && (spec?.capabilities.explain ?? false);
  // EXPLAIN ANALYZE (which runs the statement) is offered where DB Dock reads its measured plan.
  const analyzable = explainable && (profile?.engine === "postgres" || profile?.engine === "mysql");
  const [confirmAnalyze, setConfirmAnalyze] = useState<string | null>(null);
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

  const scriptRunning = script?.status === "running";
  const running = live?.status === "running" || scriptRunning;

  const execute = useCallback(
    (mode: "auto" | "selection") => {
      const handle = editorHandles.get(tab.id);
      if (!handle || !runnable || scriptsStore.get().get(tab.id)?.status === "running") return;
      const text = handle.getText();
      const selection = handle.getSelection();
      const sql = mode === "selection" ? text.slice(selection.from, selection.to).trim() : statementToRun(text, selection);
      if (sql === "" || runsStore.get().get(tab.id)?.status === "running") return;
      forgetScript(tab.id);
      showPlan(tab.id, false);
      void runQuery(tab.id, tab.profile, sql);
    },
    [tab.id, tab.profile, runnable],
  );

  const executeScript = useCallback(() => {
    const handle = editorHandles.get(tab.id);
    if (!handle || !runnable) return;
    showPlan(tab.id, false);
    void runScript(tab.id, tab.profile, handle.getText()).then((failed) => {
      if (failed) editorHandles.get(tab.id)?.select(failed);
    });
  }, [tab.id, tab.profile, runnable]);

  const explain = useCallback(
    (analyze: boolean) => {
      const handle = editorHandles.get(tab.id);
      if (!handle || !explainable) return;
      const sql = statementToRun(handle.getText(), handle.getSelection());
      if (sql === "") return;
      if (analyze) setConfirmAnalyze(sql);
      else void explainStatement(tab.id, tab.profile, sql, false);
    },
    [tab.id, tab.profile, explainable],
  );

  const onChange = useCallback((text: string) => updateTab(tab.id, { sql: text }), [tab.id]);
  const onRun = useCallback(() => execute("auto"), [execute]);
  const onCancel = useCallback((): boolean => {
    if (scriptsStore.get().get(tab.id)?.status === "running") {
      void cancelScript(tab.id);
      return true;
    }
    if (runsStore.get().get(tab.id)?.status !== "running") return false;
    void cancelRun(tab.id);
    return true;
  }, [tab.id]);
  const onCancelAnalyze = useCallback(() => setConfirmAnalyze(null), []);

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
          data-testid="run-script"
          disabled={running || !runnable}
          onClick={executeScript}
          title="Run every statement of the editor, one after another; the first failure stops the script"
        >
          ▶▶ Run script <Kbd keys="Mod+Shift+Enter" />
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
          disabled={!running || (live?.status === "running" && live.cancelling) || script?.cancelRequested}
          onClick={() => void (scriptRunning ? cancelScript(tab.id) : cancelRun(tab.id))}
          title={`${cancelText(spec)} (Esc in the editor)`}
        >
          ■ Cancel
        </button>
        {explainable && (
          <>
            <button
              type="button"
              className="button"
              data-testid="explain-query"
              disabled={planState?.status === "running"}
              onClick={() => explain(false)}
              title="Show the server's plan for the statement Run would run, without running it"
            >
              Explain
            </button>
            {analyzable && (
              <button
                type="button"
                className="button danger-outline"
                data-testid="explain-analyze"
                disabled={planState?.status === "running" || running}
                onClick={() => explain(true)}
                title="Run the statement and show its plan with measured rows and times"
              >
                Explain analyze
              </button>
            )}
          </>
        )}
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

      {confirmAnalyze !== null && (
        <ConfirmDialog
          title="Explain analyze?"
          confirmLabel="Run and explain"
          danger
          testId="explain-analyze-dialog"
          onConfirm={() => {
            void explainStatement(tab.id, tab.profile, confirmAnalyze, true);
            setConfirmAnalyze(null);
          }}
          onCancel={onCancelAnalyze}
        >
          <p>Explain analyze runs the statement, with its effects. Run it?</p>
          <pre className="mono confirm-sql">{confirmAnalyze}</pre>
        </ConfirmDialog>
      )}

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
              readsOnly={profile?.access === "read-only"}
              onChange={onChange}
              onSelection={setHasSelection}
              onRun={onRun}
              onRunScript={executeScript}
              onCancel={onCancel}
            />
          </div>
          <div className="splitter" role="separator" aria-orientation="horizontal" onPointerDown={startResize} />
          <ResultTabs
            script={script}
            live={live}
            plan={planState}
            onSelect={(i) => {
              showPlan(tab.id, false);
              selectScriptResult(tab.id, i);
            }}
            onPlan={() => showPlan(tab.id, true)}
          />
          {script && !planState?.shown && <ScriptNotice script={script} />}
          {planState?.shown ? (
            <PlanPanel state={planState} />
          ) : (
            <ResultArea
              key={run?.queryId ?? `none-${script?.selected ?? ""}`}
              run={run}
              profile={profile}
              spec={spec}
              notRun={script === null || run !== null ? null : scriptRunning ? "Not run yet." : "Not run: the script stopped before this statement."}
            />
          )}
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

/** The result sets of one statement (a batch's, a procedure's), to switch the grid between. */
function ResultSets({ counts, selected, onSelect }: { counts: { rows: number; truncated: boolean }[]; selected: number; onSelect: (i: number) => void }) {
  return (
    <div className="result-sets" role="tablist" aria-label="Result sets" data-testid="result-sets">
      {counts.map((c, i) => (
        <button
          key={i}
          type="button"
          role="tab"
          aria-selected={i === selected}
          className={i === selected ? "result-set active" : "result-set"}
          data-testid={`result-set-${i}`}
          data-rows={c.rows}
          onClick={() => onSelect(i)}
        >
          Set {i + 1} · {plural(c.rows, "row")}
          {c.truncated ? "+" : ""}
        </button>
      ))}
    </div>
  );
}

type ResultAreaProps = {
  run: RunState | null;
  profile: ProfileView | null;
  spec: EngineSpec | null;
  /** Why a script's statement has no result (it did not run). */
  notRun?: string | null;
};

function ResultArea({ run, profile, spec, notRun = null }: ResultAreaProps) {
  const [inspected, setInspected] = useState<Inspected | null>(null);
  const [inspectorOpen, setInspectorOpen] = useState(false);
  // A batch or a procedure may answer with several result sets: 0 is the first (streamed).
  const [set, setSet] = useState(0);
  const more = run?.summary?.moreResults ?? [];
  const later = set > 0 ? (more[set - 1] ?? null) : null;
  const rows = later ? later.rows : (run?.rows ?? []);
  const width = rows[0]?.length ?? 0;
  const columns = useMemo<ResultColumn[]>(
    () => later?.columns ?? run?.columns ?? Array.from({ length: width }, (_, j) => ({ name: `column ${j + 1}`, type: "" })),
    [later, run?.columns, width],
  );
  const onSelect = useCallback((position: CellPosition, cell: Cell, column: ResultColumn) => {
    setInspected({ position, cell, column });
  }, []);

  const noun = statementNoun(spec);
  return (
    <div className="result-area">
      {run?.error && <ErrorNotice error={run.error} testId="query-error" />}
      {run?.summary && more.length > 0 && (
        <ResultSets
          counts={[{ rows: run.summary.rowCount, truncated: run.summary.truncated }, ...more.map((m) => ({ rows: m.rows.length, truncated: m.truncated }))]}
          selected={set}
          onSelect={(i) => {
            setSet(i);
            setInspected(null);
          }}
        />
      )}
      <div className="result-content">
        {!run && notRun ? (
          <div className="result-placeholder muted" data-testid="result-not-run">
            {notRun}
          </div>
        ) : !run && profile && noun === null ? (
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
            key={set}
            columns={columns}
            rows={rows}
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
