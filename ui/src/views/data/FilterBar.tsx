import { useState, type KeyboardEvent } from "react";
import type { ColumnFilter, ColumnInfo, FilterOp } from "../../api";

type Props = {
  columns: readonly ColumnInfo[];
  applied: readonly ColumnFilter[];
  /** The WHERE part of the statement that ran (empty: no filter). */
  filterSql: string;
  /** Why Apply is refused now (staged edits), or null. */
  locked: string | null;
  onApply: (filters: ColumnFilter[]) => void;
  onOpenSql: (() => void) | null;
};

const OPS: readonly { op: FilterOp; label: string }[] = [
  { op: "eq", label: "=" },
  { op: "ne", label: "≠" },
  { op: "lt", label: "<" },
  { op: "le", label: "≤" },
  { op: "gt", label: ">" },
  { op: "ge", label: "≥" },
  { op: "like", label: "LIKE" },
  { op: "not_like", label: "NOT LIKE" },
  { op: "in", label: "IN" },
  { op: "between", label: "BETWEEN" },
  { op: "is_null", label: "IS NULL" },
  { op: "is_not_null", label: "IS NOT NULL" },
];

/** A filter row as typed: `text` is the value (comma-separated for IN), `text2` BETWEEN's upper bound. */
type Draft = { column: string; op: FilterOp; text: string; text2: string };

function toDraft(f: ColumnFilter): Draft {
  return { column: f.column, op: f.op, text: f.op === "in" ? f.values.join(", ") : (f.values[0] ?? ""), text2: f.values[1] ?? "" };
}

/** The filters a draft stands for (the values exactly as typed; IN's items are trimmed). */
function fromDrafts(drafts: readonly Draft[]): ColumnFilter[] {
  return drafts.map((d) => {
    switch (d.op) {
      case "is_null":
      case "is_not_null":
        return { column: d.column, op: d.op, values: [] };
      case "in":
        return { column: d.column, op: d.op, values: d.text.split(",").map((v) => v.trim()) };
      case "between":
        return { column: d.column, op: d.op, values: [d.text, d.text2] };
      default:
        return { column: d.column, op: d.op, values: [d.text] };
    }
  });
}

/** Rows of column / operator / value(s); Apply (or Enter in a value) reloads from the first page. */
export function FilterBar({ columns, applied, filterSql, locked, onApply, onOpenSql }: Props) {
  const [drafts, setDrafts] = useState<Draft[]>(() => applied.map(toDraft));
  const change = (i: number, patch: Partial<Draft>): void => setDrafts((ds) => ds.map((d, j) => (j === i ? { ...d, ...patch } : d)));
  const apply = (): void => {
    if (locked === null) onApply(fromDrafts(drafts));
  };
  const onKey = (e: KeyboardEvent): void => {
    if (e.key === "Enter") {
      e.preventDefault();
      apply();
    }
  };

  return (
    <div className="data-filters" data-testid="data-filter-bar">
      {drafts.map((d, i) => (
        <div className="data-filter-row" key={i} data-testid={`data-filter-${i}`}>
          <select aria-label="Column" data-testid={`data-filter-column-${i}`} value={d.column} onChange={(e) => change(i, { column: e.target.value })}>
            {columns.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
          <select aria-label="Operator" data-testid={`data-filter-op-${i}`} value={d.op} onChange={(e) => change(i, { op: e.target.value as FilterOp })}>
            {OPS.map((o) => (
              <option key={o.op} value={o.op}>
                {o.label}
              </option>
            ))}
          </select>
          {d.op !== "is_null" && d.op !== "is_not_null" && (
            <input
              className="mono"
              aria-label="Value"
              data-testid={`data-filter-value-${i}`}
              placeholder={d.op === "in" ? "a, b, c" : d.op === "between" ? "from" : "value"}
              value={d.text}
              onChange={(e) => change(i, { text: e.target.value })}
              onKeyDown={onKey}
            />
          )}
          {d.op === "between" && (
            <input
              className="mono"
              aria-label="Upper bound"
              data-testid={`data-filter-value2-${i}`}
              placeholder="to"
              value={d.text2}
              onChange={(e) => change(i, { text2: e.target.value })}
              onKeyDown={onKey}
            />
          )}
          <button
            type="button"
            className="button small"
            aria-label="Remove filter"
            data-testid={`data-filter-remove-${i}`}
            onClick={() => setDrafts((ds) => ds.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </div>
      ))}
      <div className="data-filter-actions">
        <button
          type="button"
          className="button small"
          data-testid="data-filter-add"
          disabled={columns.length === 0}
          onClick={() => setDrafts((ds) => [...ds, { column: columns[0]?.name ?? "", op: "eq", text: "", text2: "" }])}
        >
          + Filter
        </button>
        <button type="button" className="button small primary" data-testid="data-filter-apply" disabled={locked !== null} title={locked ?? "Read the rows again with these filters"} onClick={apply}>
          Apply
        </button>
        <code className="data-filter-sql" data-testid="data-filter-sql" title="The filter as SQL">
          {filterSql.trim() || "no filter"}
        </code>
        <span className="spacer" />
        {onOpenSql && (
          <button type="button" className="button small" data-testid="data-open-sql" title="Open the SELECT that read these rows in a query tab" onClick={onOpenSql}>
            Open as SQL
          </button>
        )}
      </div>
    </div>
  );
}
