// SQL text helpers for the editor: which statement the cursor is in, identifier quoting per
// dialect, and the starter queries the schema browser offers.

import type { Capabilities, Engine, EngineSpec, TableRef } from "../api";

export type Span = { from: number; to: number };

/**
 * Splits SQL at top-level semicolons, skipping strings, quoted identifiers, comments and
 * PostgreSQL dollar quotes. Returns the spans of the non-blank statements (without the `;`).
 */
export function statementSpans(sql: string): Span[] {
  const spans: Span[] = [];
  let start = 0;
  let i = 0;
  const n = sql.length;
  const push = (end: number): void => {
    let from = start;
    let to = end;
    while (from < to && /\s/.test(sql[from])) from += 1;
    while (to > from && /\s/.test(sql[to - 1])) to -= 1;
    if (to > from && !isOnlyComments(sql.slice(from, to))) spans.push({ from, to });
  };
  while (i < n) {
    const ch = sql[i];
    const next = sql[i + 1];
    if (ch === "-" && next === "-") {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? n : end + 1;
    } else if (ch === "/" && next === "*") {
      i = skipBlockComment(sql, i);
    } else if (ch === "'" || ch === '"' || ch === "`") {
      i = skipQuoted(sql, i, ch);
    } else if (ch === "[") {
      const end = sql.indexOf("]", i + 1);
      i = end < 0 ? n : end + 1;
    } else if (ch === "$") {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i, i + 64));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        i = end < 0 ? n : end + tag[0].length;
      } else {
        i += 1;
      }
    } else if (ch === ";") {
      push(i);
      start = i + 1;
      i += 1;
    } else {
      i += 1;
    }
  }
  push(n);
  return spans;
}

function skipQuoted(sql: string, i: number, quote: string): number {
  let j = i + 1;
  while (j < sql.length) {
    if (sql[j] === "\\" && quote !== '"') {
      j += 2;
      continue;
    }
    if (sql[j] === quote) {
      if (sql[j + 1] === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j += 1;
  }
  return sql.length;
}

function skipBlockComment(sql: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < sql.length) {
    if (sql[j] === "/" && sql[j + 1] === "*") {
      depth += 1;
      j += 2;
    } else if (sql[j] === "*" && sql[j + 1] === "/") {
      depth -= 1;
      j += 2;
      if (depth === 0) return j;
    } else {
      j += 1;
    }
  }
  return sql.length;
}

function isOnlyComments(text: string): boolean {
  const stripped = text.replace(/--[^\n]*(\n|$)/g, "").replace(/\/\*[\s\S]*?\*\//g, "");
  return stripped.trim() === "";
}

/**
 * What "Run" executes: the selection when there is one, otherwise the statement the cursor is
 * in (or the nearest one before it), otherwise the whole text.
 */
export function statementToRun(sql: string, selection: Span): string {
  if (selection.to > selection.from) return sql.slice(selection.from, selection.to).trim();
  const spans = statementSpans(sql);
  if (spans.length === 0) return "";
  const cursor = selection.from;
  const inside = spans.find((s) => cursor >= s.from && cursor <= s.to + 1);
  if (inside) return sql.slice(inside.from, inside.to);
  const before = [...spans].reverse().find((s) => s.to <= cursor);
  const chosen = before ?? spans[0];
  return sql.slice(chosen.from, chosen.to);
}

/** Quotes an identifier for the engine's dialect when it needs quoting (syntax, not a capability). */
export function quoteIdent(engine: Engine, name: string): string {
  if (/^[a-z_][a-z0-9_]*$/.test(name) && !RESERVED.has(name)) return name;
  switch (engine) {
    case "mysql":
      return `\`${name.replace(/`/g, "``")}\``;
    case "mssql":
      return `[${name.replace(/]/g, "]]")}]`;
    default:
      return `"${name.replace(/"/g, '""')}"`;
  }
}

const RESERVED = new Set([
  "select", "from", "where", "order", "group", "by", "table", "user", "index", "key", "limit",
  "offset", "values", "join", "left", "right", "inner", "outer", "on", "as", "and", "or", "not",
  "null", "default", "check", "column", "desc", "asc", "case", "when", "end", "primary",
]);

export function quotedTable(engine: Engine, table: Pick<TableRef, "schema" | "name">): string {
  return table.schema ? `${quoteIdent(engine, table.schema)}.${quoteIdent(engine, table.name)}` : quoteIdent(engine, table.name);
}

/**
 * The query the schema browser opens for a table, in the engine's own syntax; empty when the
 * engine takes no statements (or is unknown). The language comes from the spec; within SQL the
 * dialect still decides how rows are limited.
 */
export function selectRowsSql(spec: EngineSpec | null, table: Pick<TableRef, "schema" | "name">, limit = 100): string {
  switch (spec?.capabilities.query) {
    case "sql": {
      const name = quotedTable(spec.engine, table);
      return spec.engine === "mssql" ? `SELECT TOP ${limit} * FROM ${name};` : `SELECT * FROM ${name} LIMIT ${limit};`;
    }
    case "mongo-shell":
      return `db.getCollection(${JSON.stringify(table.name)}).find({}).limit(${limit})`;
    default:
      return "";
  }
}

/** Whether the engine takes SQL (the editor then highlights and completes SQL). */
export function takesSql(capabilities: Capabilities | null): boolean {
  return capabilities?.query === "sql";
}

/** A one-line summary of a statement for lists (history, tabs). */
export function sqlSummary(sql: string, max = 120): string {
  const flat = sql.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
