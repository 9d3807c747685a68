// The demo's data tabs: small in-memory tables (materialized from the demo's row generators on
// first use) that can be paged, filtered, sorted, counted and edited like the backend's. A
// table with a primary key is edited by key and paged by keyset; one without (a view) is
// read-only and paged by OFFSET. A commit checks that each changed row is still as it was read.

import { ApiError, type Cell, type ColumnFilter, type CommitReport, type PlannedStatement, type RowEdit, type SortKey, type TableInfo, type TablePageRequest, type TablePageView } from "../api";
import { compareCells } from "../lib/cells";
import { quoteIdent, quoteTable, sqlLiteral } from "../lib/dataClipboard";
import { sameCell } from "../lib/dataEdits";

export type DemoSource = { info: TableInfo; row: (i: number) => Cell[]; count: number };

type Stored = { info: TableInfo; rows: Cell[][]; nextId: number };

export type DemoTableData = {
  openTablePage: (table: string, request: TablePageRequest) => TablePageView;
  countTableRows: (table: string, filters: ColumnFilter[]) => number;
  reviewTableChanges: (table: string, edits: RowEdit[]) => PlannedStatement[];
  commitTableChanges: (table: string, edits: RowEdit[]) => CommitReport;
};

export function demoTableData(sources: readonly DemoSource[]): DemoTableData {
  const stored = new Map<string, Stored>();

  const open = (table: string): Stored => {
    const found = stored.get(table);
    if (found) return found;
    const source = sources.find((s) => (s.info.schema ? `${s.info.schema}.${s.info.name}` : s.info.name) === table);
    if (!source) throw new ApiError({ code: "NOT_FOUND", message: `no table named "${table}"` });
    const rows = Array.from({ length: source.count }, (_, i) => source.row(i));
    const entry = { info: source.info, rows, nextId: source.count + 1 };
    stored.set(table, entry);
    return entry;
  };

  const indexOf = (t: Stored, column: string): number => {
    const j = t.info.columns.findIndex((c) => c.name === column);
    if (j < 0) throw new ApiError({ code: "INVALID_INPUT", message: `${t.info.name} has no column "${column}"` });
    return j;
  };

  const filtered = (t: Stored, filters: readonly ColumnFilter[]): Cell[][] =>
    t.rows.filter((row) => filters.every((f) => matches(row[indexOf(t, f.column)] ?? null, f)));

  const keyOf = (t: Stored): number[] => t.info.primary_key.map((c) => indexOf(t, c));

  const statementFor = (t: Stored, edit: RowEdit): PlannedStatement => {
    const name = quoteTable(t.info);
    const where = (original: readonly Cell[]): string =>
      keyOf(t)
        .map((j) => `${quoteIdent(t.info.columns[j].name)} = ${sqlLiteral(original[j] ?? null)}`)
        .join(" AND ");
    switch (edit.kind) {
      case "update":
        return { sql: `UPDATE ${name} SET ${edit.set.map((e) => `${quoteIdent(e.column)} = ${e.default ? "DEFAULT" : sqlLiteral(e.value)}`).join(", ")} WHERE ${where(edit.original)}`, expectRows: 1 };
      case "delete":
        return { sql: `DELETE FROM ${name} WHERE ${where(edit.original)}`, expectRows: 1 };
      case "insert":
        return edit.values.length === 0
          ? { sql: `INSERT INTO ${name} DEFAULT VALUES`, expectRows: 1 }
          : { sql: `INSERT INTO ${name} (${edit.values.map((e) => quoteIdent(e.column)).join(", ")}) VALUES (${edit.values.map((e) => (e.default ? "DEFAULT" : sqlLiteral(e.value))).join(", ")})`, expectRows: 1 };
    }
  };

  const editable = (t: Stored): void => {
    if (t.info.primary_key.length === 0) throw new ApiError({ code: "UNSUPPORTED", message: readOnlyReason(t.info) });
  };

  return {
    openTablePage: (table, request) => {
      const t = open(table);
      const started = performance.now();
      const keyed = t.info.primary_key.length > 0;
      const order: SortKey[] = [...request.sort];
      for (const column of t.info.primary_key) if (!order.some((k) => k.column === column)) order.push({ column, descending: false });
      const columns = order.map((k) => ({ j: indexOf(t, k.column), descending: k.descending }));
      const compare = (a: Cell[], b: Cell[]): number => {
        for (const { j, descending } of columns) {
          const c = compareCells(a[j] ?? null, b[j] ?? null);
          if (c !== 0) return descending ? -c : c;
        }
        return 0;
      };
      const all = filtered(t, request.filters).sort(compare);
      let start = keyed ? 0 : request.offset;
      if (keyed && request.after) {
        const after = request.after;
        const cursorRow: Cell[] = [];
        columns.forEach(({ j }, i) => (cursorRow[j] = after[i] ?? null));
        start = all.findIndex((row) => compare(row, cursorRow) > 0);
        if (start < 0) start = all.length;
      }
      const rows = all.slice(start, start + request.limit);
      const hasMore = start + rows.length < all.length;
      const last = rows.at(-1);
      const filter = filterSql(request.filters);
      const orderSql = order.length === 0 ? "" : ` ORDER BY ${order.map((k) => `${quoteIdent(k.column)}${k.descending ? " DESC" : ""}`).join(", ")}`;
      const paging = keyed ? "" : ` OFFSET ${request.offset}`;
      return {
        table: { ...t.info, estimated_rows: t.rows.length },
        key: keyed ? [...t.info.primary_key] : null,
        readOnlyReason: keyed ? null : readOnlyReason(t.info),
        rows: rows.map((r) => [...r]),
        order,
        paging: keyed ? { keyset: true, note: null } : { keyset: false, note: `${t.info.name} has no primary key or unique index to page by, so pages are read with OFFSET and may shift if rows change.` },
        next: keyed && hasMore && last ? columns.map(({ j }) => last[j] ?? null) : null,
        hasMore,
        statement: `SELECT * FROM ${quoteTable(t.info)}${filter}${orderSql} LIMIT ${request.limit + 1}${paging}`,
        filter,
        elapsedMs: performance.now() - started + 3,
      };
    },
    countTableRows: (table, filters) => filtered(open(table), filters).length,
    reviewTableChanges: (table, edits) => {
      const t = open(table);
      editable(t);
      return edits.map((e) => statementFor(t, e));
    },
    commitTableChanges: (table, edits) => {
      const t = open(table);
      editable(t);
      const statements = edits.map((e) => statementFor(t, e));
      const key = keyOf(t);
      const find = (original: readonly Cell[], rows: readonly Cell[][] = t.rows): number =>
        rows.findIndex((row) => key.every((j) => sameCell(row[j] ?? null, original[j] ?? null)));
      const conflicts: number[] = [];
      edits.forEach((edit, i) => {
        if (edit.kind === "insert") return;
        const at = find(edit.original);
        if (at < 0 || !t.rows[at].every((cell, j) => sameCell(cell, edit.original[j] ?? null))) conflicts.push(i);
      });
      if (conflicts.length > 0) return { statements, outcome: { committed: false, rowsAffected: [], conflicts } };
      const next = t.rows.map((r) => [...r]);
      for (const edit of edits) {
        if (edit.kind === "update") {
          const row = next[find(edit.original, next)];
          for (const e of edit.set) row[indexOf(t, e.column)] = e.default ? null : e.value;
          checkRow(t, row);
        } else if (edit.kind === "delete") {
          next.splice(find(edit.original, next), 1);
        } else {
          const row: Cell[] = t.info.columns.map((c) => (c.primary_key && key.length === 1 ? { k: "int", v: String(t.nextId) } : null));
          for (const e of edit.values) if (!e.default) row[indexOf(t, e.column)] = e.value;
          checkRow(t, row);
          if (key.length === 1) t.nextId += 1;
          next.push(row);
        }
      }
      t.rows = next;
      return { statements, outcome: { committed: true, rowsAffected: edits.map(() => 1), conflicts: [] } };
    },
  };
}

function readOnlyReason(info: TableInfo): string {
  return info.kind === "table"
    ? `${info.name} has no primary key, so its rows cannot be told apart to edit them.`
    : `${info.name} is a ${info.kind.replace("_", " ")}; only tables with a primary key can be edited.`;
}

function checkRow(t: Stored, row: readonly Cell[]): void {
  t.info.columns.forEach((c, j) => {
    if (!c.nullable && row[j] === null) {
      throw new ApiError({ code: "QUERY_FAILED", message: `NOT NULL constraint failed: ${t.info.name}.${c.name}` });
    }
  });
}

function likeRegex(pattern: string): RegExp {
  const body = pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/%/g, ".*").replace(/_/g, ".");
  return new RegExp(`^${body}$`, "is");
}

function matches(cell: Cell, f: ColumnFilter): boolean {
  const values = f.values;
  const as = (v: string): Cell => ({ k: cell?.k ?? "text", v });
  const cmp = (v: string): number => compareCells(cell, as(v));
  if (f.op === "is_null") return cell === null;
  if (f.op === "is_not_null") return cell !== null;
  if (cell === null) return false;
  switch (f.op) {
    case "eq":
      return cmp(values[0] ?? "") === 0;
    case "ne":
      return cmp(values[0] ?? "") !== 0;
    case "lt":
      return cmp(values[0] ?? "") < 0;
    case "le":
      return cmp(values[0] ?? "") <= 0;
    case "gt":
      return cmp(values[0] ?? "") > 0;
    case "ge":
      return cmp(values[0] ?? "") >= 0;
    case "like":
      return likeRegex(values[0] ?? "").test(cell.v);
    case "not_like":
      return !likeRegex(values[0] ?? "").test(cell.v);
    case "in":
      return values.some((v) => cmp(v) === 0);
    case "between":
      return cmp(values[0] ?? "") >= 0 && cmp(values[1] ?? "") <= 0;
  }
}

const OP_SQL: Record<ColumnFilter["op"], string> = { eq: "=", ne: "<>", lt: "<", le: "<=", gt: ">", ge: ">=", like: "LIKE", not_like: "NOT LIKE", in: "IN", between: "BETWEEN", is_null: "IS NULL", is_not_null: "IS NOT NULL" };

function filterSql(filters: readonly ColumnFilter[]): string {
  if (filters.length === 0) return "";
  const lit = (v: string): string => sqlLiteral({ k: "text", v });
  const parts = filters.map((f) => {
    const c = quoteIdent(f.column);
    if (f.op === "is_null" || f.op === "is_not_null") return `${c} ${OP_SQL[f.op]}`;
    if (f.op === "in") return `${c} IN (${f.values.map(lit).join(", ")})`;
    if (f.op === "between") return `${c} BETWEEN ${lit(f.values[0] ?? "")} AND ${lit(f.values[1] ?? "")}`;
    return `${c} ${OP_SQL[f.op]} ${lit(f.values[0] ?? "")}`;
  });
  return ` WHERE ${parts.join(" AND ")}`;
}
