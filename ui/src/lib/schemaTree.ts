// The schema tree as a flat list of visible rows (database → schema → tables/views → columns,
// keys, indexes), so the view can virtualize it and 5,000 tables stay instant. Names are
// loaded first; a table's details only when it is expanded.

import type { AppError, ColumnInfo, ForeignKeyInfo, IndexInfo, TableInfo, TableKind, TableRef } from "../api";

export type DetailsEntry =
  | { status: "loading" }
  | { status: "error"; error: AppError }
  | { status: "ok"; info: TableInfo };

export type MatchRange = readonly [number, number];

export type SchemaRow =
  | { type: "database"; key: string; depth: 0; label: string; count: number; expanded: boolean }
  | { type: "schema"; key: string; depth: 1; label: string; count: number; expanded: boolean }
  | { type: "group"; key: string; depth: 2; label: string; count: number; total: number; expanded: boolean }
  | {
      type: "table";
      key: string;
      depth: 3;
      table: TableRef;
      qualified: string;
      expanded: boolean;
      match: MatchRange | null;
    }
  | { type: "column"; key: string; depth: 4; qualified: string; table: string; column: ColumnInfo }
  | { type: "section"; key: string; depth: 4; label: string; count: number; expanded: boolean }
  | { type: "index"; key: string; depth: 5; index: IndexInfo }
  | { type: "key"; key: string; depth: 5; label: string; detail: string }
  | { type: "status"; key: string; depth: number; tone: "loading" | "error" | "empty"; label: string };

export type Expansion = ReadonlyMap<string, boolean>;

const VIEW_KINDS: ReadonlySet<TableKind> = new Set<TableKind>(["view", "materialized_view", "system_view"]);

export function qualifiedName(table: Pick<TableRef, "schema" | "name">): string {
  return table.schema ? `${table.schema}.${table.name}` : table.name;
}

export function isViewKind(kind: TableKind): boolean {
  return VIEW_KINDS.has(kind);
}

export function kindLabel(kind: TableKind): string {
  switch (kind) {
    case "table":
      return "table";
    case "view":
      return "view";
    case "materialized_view":
      return "mat. view";
    case "foreign_table":
      return "foreign";
    case "partitioned_table":
      return "partitioned";
    case "system_view":
      return "system view";
  }
}

/**
 * Whether `name` matches the filter box: case-insensitive substring, or a glob when the filter
 * has `*` or `?` (anchored at both ends). A filter with a dot also matches `schema.table`.
 * Returns the matched range in `name` (for highlighting), or null.
 */
export function matchFilter(table: Pick<TableRef, "schema" | "name">, filter: string): MatchRange | null {
  const f = filter.trim().toLowerCase();
  if (f === "") return [0, 0];
  const name = table.name.toLowerCase();
  const target = f.includes(".") && table.schema ? `${table.schema}.${table.name}`.toLowerCase() : name;
  const offset = target === name ? 0 : target.length - name.length;
  if (f.includes("*") || f.includes("?")) {
    const pattern = new RegExp(
      "^" +
        f
          .split("")
          .map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
          .join("") +
        "$",
    );
    return pattern.test(target) ? [0, name.length] : null;
  }
  const at = target.indexOf(f);
  if (at < 0) return null;
  const start = Math.max(0, at - offset);
  const end = Math.max(start, Math.min(name.length, at - offset + f.length));
  return [start, end];
}

type SchemaGroup = { schema: string | null; tables: TableRef[]; views: TableRef[] };

/** Groups tables by schema (schemas and names sorted, case-insensitively). */
export function groupBySchema(tables: readonly TableRef[]): SchemaGroup[] {
  const bySchema = new Map<string, SchemaGroup>();
  for (const t of tables) {
    const id = t.schema ?? "";
    let group = bySchema.get(id);
    if (!group) {
      group = { schema: t.schema, tables: [], views: [] };
      bySchema.set(id, group);
    }
    (isViewKind(t.kind) ? group.views : group.tables).push(t);
  }
  const byName = (a: TableRef, b: TableRef): number =>
    a.name.localeCompare(b.name, undefined, { sensitivity: "base" }) || a.name.localeCompare(b.name);
  const groups = [...bySchema.values()];
  for (const g of groups) {
    g.tables.sort(byName);
    g.views.sort(byName);
  }
  return groups.sort((a, b) => (a.schema ?? "").localeCompare(b.schema ?? ""));
}

export type TreeInput = {
  database: string;
  tables: readonly TableRef[];
  filter: string;
  expansion: Expansion;
  details: ReadonlyMap<string, DetailsEntry>;
};

export function isExpanded(expansion: Expansion, key: string, byDefault: boolean): boolean {
  return expansion.get(key) ?? byDefault;
}

/** The rows the tree shows, top to bottom. */
export function flattenTree(input: TreeInput): SchemaRow[] {
  const { database, tables, filter, expansion, details } = input;
  const filtering = filter.trim() !== "";
  const rows: SchemaRow[] = [];
  const groups = groupBySchema(tables);
  const rootKey = "db";
  const rootExpanded = isExpanded(expansion, rootKey, true) || filtering;
  rows.push({ type: "database", key: rootKey, depth: 0, label: database, count: tables.length, expanded: rootExpanded });
  if (!rootExpanded) return rows;

  let anyMatch = false;
  for (const group of groups) {
    const schemaKey = `s:${group.schema ?? ""}`;
    const matchTables = filterTables(group.tables, filter);
    const matchViews = filterTables(group.views, filter);
    const matched = matchTables.length + matchViews.length;
    if (filtering && matched === 0) continue;
    anyMatch = true;
    const schemaExpanded = filtering || isExpanded(expansion, schemaKey, groups.length === 1);
    rows.push({
      type: "schema",
      key: schemaKey,
      depth: 1,
      label: group.schema ?? "(default schema)",
      count: matched,
      expanded: schemaExpanded,
    });
    if (!schemaExpanded) continue;
    const sections: [string, string, { table: TableRef; match: MatchRange | null }[], number][] = [
      ["Tables", `${schemaKey}/tables`, matchTables, group.tables.length],
      ["Views", `${schemaKey}/views`, matchViews, group.views.length],
    ];
    for (const [label, key, items, total] of sections) {
      if (total === 0 || (filtering && items.length === 0)) continue;
      const expanded = filtering || isExpanded(expansion, key, true);
      rows.push({ type: "group", key, depth: 2, label, count: items.length, total, expanded });
      if (!expanded) continue;
      for (const { table, match } of items) pushTable(rows, table, match, expansion, details);
    }
  }
  if (tables.length === 0) {
    rows.push({ type: "status", key: "empty", depth: 1, tone: "empty", label: "No tables or views." });
  } else if (filtering && !anyMatch) {
    rows.push({ type: "status", key: "nomatch", depth: 1, tone: "empty", label: `Nothing matches “${filter.trim()}”.` });
  }
  return rows;
}

function filterTables(tables: readonly TableRef[], filter: string): { table: TableRef; match: MatchRange | null }[] {
  if (filter.trim() === "") return tables.map((table) => ({ table, match: null }));
  const out: { table: TableRef; match: MatchRange | null }[] = [];
  for (const table of tables) {
    const match = matchFilter(table, filter);
    if (match) out.push({ table, match });
  }
  return out;
}

export function tableKey(qualified: string): string {
  return `t:${qualified}`;
}

function pushTable(
  rows: SchemaRow[],
  table: TableRef,
  match: MatchRange | null,
  expansion: Expansion,
  details: ReadonlyMap<string, DetailsEntry>,
): void {
  const qualified = qualifiedName(table);
  const key = tableKey(qualified);
  const expanded = isExpanded(expansion, key, false);
  rows.push({ type: "table", key, depth: 3, table, qualified, expanded, match });
  if (!expanded) return;
  const entry = details.get(qualified);
  if (!entry || entry.status === "loading") {
    rows.push({ type: "status", key: `${key}/loading`, depth: 4, tone: "loading", label: "Loading columns…" });
    return;
  }
  if (entry.status === "error") {
    rows.push({
      type: "status",
      key: `${key}/error`,
      depth: 4,
      tone: "error",
      label: `${entry.error.code}: ${entry.error.message}`,
    });
    return;
  }
  const info = entry.info;
  for (const column of info.columns) {
    rows.push({ type: "column", key: `${key}/c:${column.name}`, depth: 4, qualified, table: table.name, column });
  }
  const keyRows = keysOf(info);
  if (keyRows.length > 0) {
    const sectionKey = `${key}/keys`;
    const open = isExpanded(expansion, sectionKey, false);
    rows.push({ type: "section", key: sectionKey, depth: 4, label: "Keys", count: keyRows.length, expanded: open });
    if (open) for (const k of keyRows) rows.push({ ...k, key: `${sectionKey}/${k.key}` });
  }
  if (info.indexes.length > 0) {
    const sectionKey = `${key}/indexes`;
    const open = isExpanded(expansion, sectionKey, false);
    rows.push({ type: "section", key: sectionKey, depth: 4, label: "Indexes", count: info.indexes.length, expanded: open });
    if (open) {
      for (const index of info.indexes) rows.push({ type: "index", key: `${sectionKey}/${index.name}`, depth: 5, index });
    }
  }
}

function keysOf(info: TableInfo): { type: "key"; key: string; depth: 5; label: string; detail: string }[] {
  const out: { type: "key"; key: string; depth: 5; label: string; detail: string }[] = [];
  if (info.primary_key.length > 0) {
    out.push({ type: "key", key: "pk", depth: 5, label: "PRIMARY KEY", detail: `(${info.primary_key.join(", ")})` });
  }
  info.foreign_keys.forEach((fk, i) => {
    out.push({ type: "key", key: `fk${i}`, depth: 5, label: fk.name ?? "FOREIGN KEY", detail: describeForeignKey(fk) });
  });
  return out;
}

export function describeForeignKey(fk: ForeignKeyInfo): string {
  const target = fk.referenced_schema ? `${fk.referenced_schema}.${fk.referenced_table}` : fk.referenced_table;
  let text = `(${fk.columns.join(", ")}) → ${target}(${fk.referenced_columns.join(", ")})`;
  if (fk.on_delete && fk.on_delete.toUpperCase() !== "NO ACTION") text += ` on delete ${fk.on_delete.toLowerCase()}`;
  if (fk.on_update && fk.on_update.toUpperCase() !== "NO ACTION") text += ` on update ${fk.on_update.toLowerCase()}`;
  return text;
}

/** Expansion after the user toggles `key` (given how it currently shows). */
export function toggled(expansion: Expansion, key: string, currentlyExpanded: boolean): Map<string, boolean> {
  const next = new Map(expansion);
  next.set(key, !currentlyExpanded);
  return next;
}
