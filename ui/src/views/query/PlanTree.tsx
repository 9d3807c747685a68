import { useState } from "react";
import { ErrorNotice } from "../../components/ErrorNotice";
import type { Plan, PlanNode } from "../../lib/explainPlan";
import { formatCount, formatDuration } from "../../lib/format";
import { sqlSummary } from "../../lib/sqlText";
import type { PlanState } from "../../stores/plans";

/** The result area's Plan tab: what was explained, how, and the plan as a tree. */
export function PlanPanel({ state }: { state: PlanState }) {
  const plan = state.plan;
  return (
    <div className="plan-panel" data-testid="plan-panel" data-state={state.status}>
      <div className="plan-header">
        <span className={state.analyze ? "warn-badge" : "plan-kind"} data-testid="plan-analyzed" data-analyzed={plan?.analyzed ?? state.analyze}>
          {state.analyze ? "EXPLAIN ANALYZE: the statement ran" : "EXPLAIN: planned, not run"}
        </span>
        {plan && plan.planningMs !== null && <span>planning {formatMs(plan.planningMs)}</span>}
        {plan && plan.executionMs !== null && <span>execution {formatMs(plan.executionMs)}</span>}
        {state.elapsedMs !== null && <span className="muted">took {formatDuration(state.elapsedMs)}</span>}
        <span className="muted mono plan-sql" title={state.sql}>
          {sqlSummary(state.sql, 80)}
        </span>
      </div>
      {state.status === "running" && <div className="result-placeholder muted">Asking the server for the plan…</div>}
      {state.error && <ErrorNotice error={state.error} testId="plan-error" />}
      {plan && <PlanTree plan={plan} />}
    </div>
  );
}

/** The plan as an indented, collapsible tree; bars show each node's share of the time (or cost). */
export function PlanTree({ plan }: { plan: Plan }) {
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const toggle = (path: string): void =>
    setCollapsed((old) => {
      const next = new Set(old);
      if (!next.delete(path)) next.add(path);
      return next;
    });
  const rows: { node: PlanNode; depth: number }[] = [];
  const walk = (node: PlanNode, depth: number): void => {
    rows.push({ node, depth });
    if (!collapsed.has(node.path)) node.children.forEach((c) => walk(c, depth + 1));
  };
  plan.roots.forEach((r) => walk(r, 0));
  const metric = plan.metric === "time" ? "self time" : plan.metric === "cost" ? "self cost" : null;
  return (
    <div className="plan-tree" role="tree" data-testid="plan-tree" data-format={plan.format} data-metric={plan.metric ?? "none"}>
      {rows.map(({ node, depth }) => (
        <PlanRow
          key={node.path}
          node={node}
          depth={depth}
          share={plan.total > 0 && node.self !== null ? node.self / plan.total : null}
          metric={metric}
          collapsed={collapsed.has(node.path)}
          onToggle={() => toggle(node.path)}
        />
      ))}
    </div>
  );
}

type RowProps = {
  node: PlanNode;
  depth: number;
  share: number | null;
  metric: string | null;
  collapsed: boolean;
  onToggle: () => void;
};

function PlanRow({ node, depth, share, metric, collapsed, onToggle }: RowProps) {
  const hasChildren = node.children.length > 0;
  return (
    <div
      className={node.costliest ? "plan-node costliest" : "plan-node"}
      role="treeitem"
      aria-level={depth + 1}
      aria-expanded={hasChildren ? !collapsed : undefined}
      data-testid={`plan-node-${node.path}`}
      data-costliest={node.costliest}
      data-misestimate={node.misestimate}
      style={{ paddingLeft: 8 + depth * 18 }}
    >
      <div className="plan-node-line">
        {hasChildren ? (
          <button type="button" className="plan-toggle" aria-label={collapsed ? "Expand" : "Collapse"} onClick={onToggle}>
            {collapsed ? "▸" : "▾"}
          </button>
        ) : (
          <span className="plan-toggle" />
        )}
        <span className="plan-label">{node.label}</span>
        {node.relation && <span className="plan-relation mono">{node.relation}</span>}
        {node.costliest && (
          <span className="warn-badge" title={`One of the costliest nodes (${metric ?? "cost"})`}>
            costliest
          </span>
        )}
        <span className="spacer" />
        <Rows node={node} />
        {node.timeMs !== null && <span className="plan-figure">{formatMs(node.timeMs)}</span>}
        {node.cost !== null && <span className="plan-figure muted">cost {formatNumber(node.cost)}</span>}
        {share !== null && (
          <span className="plan-bar" title={`${Math.round(share * 100)}% of the ${metric ?? "total"}`}>
            <span className="plan-bar-fill" style={{ width: `${Math.min(100, share * 100)}%` }} />
          </span>
        )}
      </div>
      {node.details.length > 0 && (
        <div className="plan-details mono">
          {node.details.map((d, i) => (
            <div key={i}>{d}</div>
          ))}
        </div>
      )}
    </div>
  );
}

function Rows({ node }: { node: PlanNode }) {
  if (node.estimatedRows === null && node.actualRows === null) return null;
  return (
    <span className="plan-figure" data-testid={`plan-rows-${node.path}`}>
      {node.estimatedRows !== null && <span title="Estimated rows">est {formatNumber(node.estimatedRows)}</span>}
      {node.actualRows !== null && <span title="Actual rows"> · actual {formatNumber(node.actualRows)}</span>}
      {node.misestimate && (
        <span className="plan-misestimate" title="Estimated and actual rows differ by 10× or more" data-testid={`plan-misestimate-${node.path}`}>
          {" "}
          ⚠
        </span>
      )}
    </span>
  );
}

function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(ms < 1 ? 3 : 2)} ms` : formatDuration(ms);
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? formatCount(n) : n.toFixed(2);
}
