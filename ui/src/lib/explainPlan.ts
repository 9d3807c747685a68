// A statement's plan as one tree, whatever the engine: PostgreSQL's EXPLAIN (FORMAT JSON),
// MySQL/MariaDB's FORMAT=JSON and SQLite's EXPLAIN QUERY PLAN rows (the backend's PlanView).
// Marks the costliest nodes (self time when measured, else self cost) and the row estimates
// that are off by 10× or more. Pure.

import type { Cell } from "../api";

/** What the backend returns for explain_query (bindings' PlanView). */
export type PlanRows = { columns: string[]; rows: (Cell | null)[][]; analyzed: boolean; elapsedMs: number };

export type PlanFormat = "postgres" | "mysql" | "sqlite" | "rows";

export type PlanNode = {
  /** "0", "0.1", "0.1.0": its position in the tree (the test id's suffix). */
  path: string;
  /** Node type (PostgreSQL), access type or operation (MySQL), detail (SQLite). */
  label: string;
  relation: string | null;
  /** Conditions, index, keys: one line each. */
  details: string[];
  estimatedRows: number | null;
  actualRows: number | null;
  /** Time spent in this node and below (ms, all loops), when measured. */
  timeMs: number | null;
  /** The planner's cost of this node and below. */
  cost: number | null;
  /** Time (or cost, when not measured) of the node itself, children excluded. */
  self: number | null;
  /** One of the nodes with the highest self time (or cost). */
  costliest: boolean;
  /** Estimated and actual rows differ by 10× or more. */
  misestimate: boolean;
  children: PlanNode[];
};

export type Plan = {
  format: PlanFormat;
  analyzed: boolean;
  planningMs: number | null;
  executionMs: number | null;
  /** What `self` measures. */
  metric: "time" | "cost" | null;
  /** The sum of every node's `self` (for bars). */
  total: number;
  roots: PlanNode[];
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const MISESTIMATE_FACTOR = 10;
const MAX_COSTLIEST = 3;

/** Normalizes the backend's rows into a tree. Throws an Error when they are not a plan it knows. */
export function parsePlan(view: PlanRows): Plan {
  const lower = view.columns.map((c) => c.toLowerCase());
  let format: PlanFormat;
  let roots: PlanNode[];
  let planningMs: number | null = null;
  let executionMs: number | null = null;
  if (lower.includes("parent") && lower.includes("detail")) {
    format = "sqlite";
    roots = sqliteTree(view, lower);
  } else {
    const json = firstJson(view);
    if (Array.isArray(json) && isObject(json[0]) && isObject(json[0].Plan)) {
      format = "postgres";
      const top = json[0];
      roots = [pgNode(top.Plan as JsonObject, "0")];
      planningMs = num(top["Planning Time"]);
      executionMs = num(top["Execution Time"]);
    } else if (isObject(json) && isObject(json.query_block)) {
      format = "mysql";
      roots = [mysqlNode("query_block", json.query_block, "0")];
      executionMs = num(json.query_block.r_total_time_ms);
    } else if (json === undefined) {
      format = "rows";
      roots = view.rows.map((row, i) => leaf(String(i), row.map((c) => c?.v ?? "NULL").join("  ")));
    } else {
      throw new Error("The server's plan is in a shape DB Dock does not know.");
    }
  }
  const analyzed = view.analyzed;
  const all = flatten(roots);
  const timed = all.some((n) => n.timeMs !== null);
  const costed = all.some((n) => n.cost !== null);
  const metric = analyzed && timed ? "time" : costed ? "cost" : timed ? "time" : null;
  for (const root of roots) computeSelf(root, metric);
  const total = all.reduce((sum, n) => sum + (n.self ?? 0), 0);
  markCostliest(all);
  return { format, analyzed, planningMs, executionMs, metric, total, roots };
}

/** Every node, depth first. */
export function flatten(roots: PlanNode[]): PlanNode[] {
  const out: PlanNode[] = [];
  const walk = (n: PlanNode): void => {
    out.push(n);
    n.children.forEach(walk);
  };
  roots.forEach(walk);
  return out;
}

/** Whether two row counts differ by `factor` or more (0 counts as 1). */
export function isMisestimate(estimated: number | null, actual: number | null, factor = MISESTIMATE_FACTOR): boolean {
  if (estimated === null || actual === null) return false;
  const e = Math.max(estimated, 1);
  const a = Math.max(actual, 1);
  return Math.max(e / a, a / e) >= factor;
}

// --- PostgreSQL ---------------------------------------------------------------------------

const PG_DETAILS = [
  "Join Type",
  "Index Name",
  "Hash Cond",
  "Merge Cond",
  "Index Cond",
  "Recheck Cond",
  "Join Filter",
  "Filter",
  "Rows Removed by Filter",
  "Rows Removed by Join Filter",
  "Sort Key",
  "Sort Method",
  "Group Key",
  "Strategy",
  "Parent Relationship",
  "Subplan Name",
  "Actual Loops",
  "Workers Planned",
  "Workers Launched",
];

function pgNode(plan: JsonObject, path: string): PlanNode {
  const children = Array.isArray(plan.Plans)
    ? plan.Plans.filter(isObject).map((child, i) => pgNode(child, `${path}.${i}`))
    : [];
  const loops = num(plan["Actual Loops"]) ?? 1;
  const perLoop = num(plan["Actual Total Time"]);
  const relation = str(plan["Relation Name"]);
  const alias = str(plan.Alias);
  const details: string[] = [];
  for (const key of PG_DETAILS) {
    const value = plan[key];
    if (value === undefined || value === null) continue;
    if (key === "Actual Loops" && value === 1) continue;
    details.push(`${key}: ${jsonText(value)}`);
  }
  const estimatedRows = num(plan["Plan Rows"]);
  const actualRows = num(plan["Actual Rows"]);
  return {
    path,
    label: str(plan["Node Type"]) ?? "?",
    relation: relation === null ? null : alias !== null && alias !== relation ? `${relation} ${alias}` : relation,
    details,
    estimatedRows,
    actualRows,
    timeMs: perLoop === null ? null : perLoop * loops,
    cost: num(plan["Total Cost"]),
    self: null,
    costliest: false,
    misestimate: isMisestimate(estimatedRows, actualRows),
    children,
  };
}

// --- MySQL / MariaDB ----------------------------------------------------------------------

/** Keys of a MySQL/MariaDB plan object that are values, not child nodes. */
const MYSQL_VALUE_OBJECTS = new Set(["cost_info"]);
const MYSQL_CONSUMED = new Set([
  "table_name",
  "access_type",
  "rows",
  "rows_examined_per_scan",
  "r_rows",
  "r_total_time_ms",
  "cost_info",
  "cost",
  "query_cost",
]);

function mysqlNode(key: string, obj: JsonObject, path: string): PlanNode {
  const children: PlanNode[] = [];
  const details: string[] = [];
  const child = (k: string, value: JsonObject): void => {
    children.push(mysqlNode(k, value, `${path}.${children.length}`));
  };
  for (const [k, value] of Object.entries(obj)) {
    if (isObject(value) && !MYSQL_VALUE_OBJECTS.has(k)) {
      child(k, value);
    } else if (Array.isArray(value) && value.length > 0 && value.every(isObject)) {
      // `nested_loop: [{table: {...}}, ...]`: a node for the list, a child per element
      // (an element that only wraps one object stands for that object).
      const listPath = `${path}.${children.length}`;
      const elements = value.map((el, i) => {
        const only = Object.entries(el);
        const [wrapKey, wrapped] = only.length === 1 && isObject(only[0][1]) ? [only[0][0], only[0][1]] : [k, el];
        return mysqlNode(wrapKey, wrapped, `${listPath}.${i}`);
      });
      children.push({
        ...leaf(listPath, k),
        timeMs: sumKnown(elements.map((c) => c.timeMs)),
        cost: sumKnown(elements.map((c) => c.cost)),
        children: elements,
      });
    } else if (!MYSQL_CONSUMED.has(k) && value !== null && !isObject(value)) {
      details.push(`${k}: ${jsonText(value)}`);
    }
  }
  const costInfo = isObject(obj.cost_info) ? obj.cost_info : null;
  const ownCost = costInfo
    ? (num(costInfo.query_cost) ?? sumOrNull(num(costInfo.read_cost), num(costInfo.eval_cost)))
    : num(obj.cost) ?? num(obj.query_cost);
  const estimatedRows = num(obj.rows) ?? num(obj.rows_examined_per_scan);
  const actualRows = num(obj.r_rows);
  const isTable = key === "table";
  return {
    path,
    label: isTable ? (str(obj.access_type) ?? "table") : key,
    relation: str(obj.table_name),
    details,
    estimatedRows,
    actualRows,
    timeMs: num(obj.r_total_time_ms) ?? sumKnown(children.map((c) => c.timeMs)),
    cost: ownCost ?? sumKnown(children.map((c) => c.cost)),
    self: null,
    costliest: false,
    misestimate: isMisestimate(estimatedRows, actualRows),
    children,
  };
}

// --- SQLite -------------------------------------------------------------------------------

function sqliteTree(view: PlanRows, lower: string[]): PlanNode[] {
  const idCol = lower.indexOf("id");
  const parentCol = lower.indexOf("parent");
  const detailCol = lower.indexOf("detail");
  type Raw = { id: number; parent: number; detail: string; children: Raw[] };
  const raws: Raw[] = view.rows.map((row) => ({
    id: Number(row[idCol]?.v ?? NaN),
    parent: Number(row[parentCol]?.v ?? 0),
    detail: row[detailCol]?.v ?? "",
    children: [],
  }));
  const byId = new Map(raws.map((r) => [r.id, r]));
  const roots: Raw[] = [];
  for (const raw of raws) {
    const parent = raw.parent !== raw.id ? byId.get(raw.parent) : undefined;
    if (parent) parent.children.push(raw);
    else roots.push(raw);
  }
  const build = (raw: Raw, path: string): PlanNode => ({
    ...leaf(path, raw.detail),
    children: raw.children.map((c, i) => build(c, `${path}.${i}`)),
  });
  return roots.map((r, i) => build(r, String(i)));
}

// --- shared -------------------------------------------------------------------------------

function leaf(path: string, label: string): PlanNode {
  return {
    path,
    label,
    relation: null,
    details: [],
    estimatedRows: null,
    actualRows: null,
    timeMs: null,
    cost: null,
    self: null,
    costliest: false,
    misestimate: false,
    children: [],
  };
}

function computeSelf(node: PlanNode, metric: Plan["metric"]): void {
  node.children.forEach((c) => computeSelf(c, metric));
  if (metric === null) return;
  const pick = (n: PlanNode): number | null => (metric === "time" ? n.timeMs : n.cost);
  const own = pick(node);
  if (own === null) return;
  const below = node.children.reduce((sum, c) => sum + (pick(c) ?? 0), 0);
  node.self = Math.max(0, own - below);
}

function markCostliest(all: PlanNode[]): void {
  const ranked = all.filter((n) => (n.self ?? 0) > 0).sort((a, b) => (b.self ?? 0) - (a.self ?? 0));
  const top = ranked[0]?.self ?? 0;
  // The top three, leaving out those far behind the costliest.
  for (const node of ranked.slice(0, MAX_COSTLIEST)) {
    if ((node.self ?? 0) >= top * 0.1) node.costliest = true;
  }
}

function firstJson(view: PlanRows): Json | undefined {
  const cell = view.rows[0]?.[0];
  if (view.rows.length !== 1 || view.columns.length !== 1 || !cell) return undefined;
  try {
    return JSON.parse(cell.v) as Json;
  } catch {
    return undefined;
  }
}

/** A detail's value as one line: lists joined with commas, objects as JSON. */
function jsonText(value: Json): string {
  if (Array.isArray(value)) return value.map(jsonText).join(", ");
  if (isObject(value)) return JSON.stringify(value);
  return String(value);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function num(value: Json | undefined): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return null;
}

function str(value: Json | undefined): string | null {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : null;
}

function sumOrNull(a: number | null, b: number | null): number | null {
  return a === null && b === null ? null : (a ?? 0) + (b ?? 0);
}

function sumKnown(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
}
