import { notRunText, resultTabLabel, statementErrorText, statementState, type StatementState } from "../../lib/scriptRun";
import type { PlanState } from "../../stores/plans";
import type { RunState } from "../../stores/runs";
import type { ScriptState } from "../../stores/scripts";

type Props = {
  script: ScriptState | null;
  /** The tab's live run (the running statement, or the single Run's result). */
  live: RunState | null;
  plan: PlanState | null;
  onSelect: (index: number) => void;
  onPlan: () => void;
};

type Item = { label: string; title: string; state: StatementState };

/** Above the grid: a tab per statement of a script (or the single result) and the plan, when there is one. */
export function ResultTabs({ script, live, plan, onSelect, onPlan }: Props) {
  if (!script && !plan) return null;
  const items: Item[] = script
    ? script.statements.map((st) => ({
        label: resultTabLabel(st.index, st.sql),
        title: `Line ${st.line}: ${st.sql}`,
        state: statementState(st.index, script.current, script.status === "running", outcomeOf(script, st.index, live)),
      }))
    : [{ label: "Result", title: live?.sql ?? "", state: statementState(0, 0, false, live?.status ?? null) }];
  const planShown = plan?.shown ?? false;
  const selected = script?.selected ?? 0;
  return (
    <div className="result-tabs" role="tablist" aria-label="Results" data-testid="result-tabs">
      {items.map((item, i) => {
        const active = !planShown && i === selected;
        return (
          <button
            key={i}
            type="button"
            role="tab"
            aria-selected={active}
            className={active ? "result-tab active" : "result-tab"}
            data-testid={`result-tab-${i}`}
            data-state={item.state}
            title={item.title}
            onClick={() => onSelect(i)}
          >
            <span className={`result-tab-dot state-${item.state}`} aria-hidden="true" />
            <span className="result-tab-label">{item.label}</span>
          </button>
        );
      })}
      {plan && (
        <button
          type="button"
          role="tab"
          aria-selected={planShown}
          className={planShown ? "result-tab active" : "result-tab"}
          data-testid="result-tab-plan"
          data-state={plan.status}
          onClick={onPlan}
        >
          <span className={`result-tab-dot state-${plan.status === "done" ? "ok" : plan.status}`} aria-hidden="true" />
          <span className="result-tab-label">{plan.analyze ? "Plan (analyzed)" : "Plan"}</span>
        </button>
      )}
    </div>
  );
}

function outcomeOf(script: ScriptState, index: number, live: RunState | null): RunState["status"] | null {
  if (index === script.current && script.status === "running") return live?.status ?? "running";
  return script.results[index]?.status ?? null;
}

/** Under the result tabs: why the script stopped (a failed statement, with its line, or a cancel). */
export function ScriptNotice({ script }: { script: ScriptState }) {
  const total = script.statements.length;
  const rest = notRunText(script.current, total);
  if (script.status === "error") {
    const statement = script.statements[script.current];
    const message = script.results[script.current]?.error?.message ?? "failed";
    return (
      <div className="script-notice error" role="alert" data-testid="script-error" data-statement={script.current + 1} data-line={statement.line}>
        {statementErrorText(statement, message)}
        {rest && <span className="muted"> — {rest}.</span>}
      </div>
    );
  }
  if (script.status === "cancelled") {
    return (
      <div className="script-notice" data-testid="script-cancelled" data-statement={script.current + 1}>
        Script cancelled at statement {script.current + 1}
        {rest ? ` — ${rest}.` : "."}
      </div>
    );
  }
  return null;
}
