// Copying cells of a data tab (TSV, CSV, JSON, Markdown, SQL INSERT) and reading pasted TSV.
// Values stay the exact text the server sent: numbers never pass through a JS number.
// In TSV, `\N` stands for NULL both ways (as in COPY and mysqldump); a field holding a tab,
// a line break or a leading quote is quoted spreadsheet-style ("…" with "" for a quote).

import type { Cell } from "../api";

export const TSV_NULL = "\\N";

export type CopyFormat = "tsv" | "csv" | "json" | "markdown" | "sql";

export const COPY_FORMATS: readonly { format: CopyFormat; label: string }[] = [
  { format: "tsv", label: "TSV" },
  { format: "csv", label: "CSV" },
  { format: "json", label: "JSON" },
  { format: "markdown", label: "Markdown" },
  { format: "sql", label: "SQL INSERT" },
];

/** Rows of pasted TSV: fields split on tabs, rows on line breaks; `\N` is NULL, an empty field "". */
export function parseTsv(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let i = 0;
  const body = text.replace(/\r\n?/g, "\n").replace(/\n$/, "");
  if (body === "") return [];
  while (i <= body.length) {
    let field: string;
    let quoted = false;
    if (body[i] === '"') {
      quoted = true;
      let j = i + 1;
      field = "";
      while (j < body.length) {
        if (body[j] === '"') {
          if (body[j + 1] === '"') {
            field += '"';
            j += 2;
            continue;
          }
          break;
        }
        field += body[j];
        j += 1;
      }
      i = j + 1;
      // Text after the closing quote (not spreadsheet output): keep it as it is.
      const rest = /^[^\t\n]*/.exec(body.slice(i))?.[0] ?? "";
      field += rest;
      i += rest.length;
    } else {
      const rest = /^[^\t\n]*/.exec(body.slice(i))?.[0] ?? "";
      field = rest;
      i += rest.length;
    }
    row.push(!quoted && field === TSV_NULL ? null : field);
    const sep = body[i];
    i += 1;
    if (sep !== "\t") {
      rows.push(row);
      row = [];
      if (sep === undefined) break;
    }
  }
  return rows;
}

function tsvField(cell: Cell): string {
  if (cell === null) return TSV_NULL;
  const v = cell.v;
  return /[\t\n\r]|^"/.test(v) || v === TSV_NULL ? `"${v.replace(/"/g, '""')}"` : v;
}

function csvField(cell: Cell): string {
  if (cell === null) return "";
  const v = cell.v;
  return /[",\n\r]/.test(v) || v === "" ? `"${v.replace(/"/g, '""')}"` : v;
}

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Whether the text parses as JSON. */
export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function jsonValue(cell: Cell): string {
  if (cell === null) return "null";
  if ((cell.k === "int" || cell.k === "decimal" || cell.k === "float") && JSON_NUMBER.test(cell.v)) return cell.v;
  if (cell.k === "bool" && (cell.v === "true" || cell.v === "false")) return cell.v;
  if (cell.k === "json" && isJson(cell.v)) return cell.v;
  return JSON.stringify(cell.v);
}

function markdownField(cell: Cell): string {
  if (cell === null) return "NULL";
  return cell.v.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r\n|\r|\n/g, "<br>");
}

/** An identifier in double quotes (`"` doubled). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `"schema"."name"` or `"name"`, from the dotted name the tab holds. */
export function quoteTable(table: { schema: string | null; name: string }): string {
  return table.schema ? `${quoteIdent(table.schema)}.${quoteIdent(table.name)}` : quoteIdent(table.name);
}

/** A value as an SQL literal for the clipboard: NULL, numbers as they are, anything else quoted. */
export function sqlLiteral(cell: Cell): string {
  if (cell === null) return "NULL";
  if ((cell.k === "int" || cell.k === "decimal" || cell.k === "float") && JSON_NUMBER.test(cell.v)) return cell.v;
  if (cell.k === "bool" && (cell.v === "true" || cell.v === "false")) return cell.v.toUpperCase();
  return `'${cell.v.replace(/'/g, "''")}'`;
}

export type CopySource = {
  columns: readonly string[];
  rows: readonly (readonly Cell[])[];
  table: { schema: string | null; name: string };
};

/** The cells in the chosen format; TSV has no header line (it pastes back into the grid), the others name the columns. */
export function formatCopy(format: CopyFormat, { columns, rows, table }: CopySource): string {
  switch (format) {
    case "tsv":
      return rows.map((r) => r.map(tsvField).join("\t")).join("\n");
    case "csv":
      return [columns.map((c) => csvField({ k: "text", v: c })), ...rows.map((r) => r.map(csvField))].map((r) => r.join(",")).join("\n");
    case "json": {
      const objects = rows.map((r) => `  {${r.map((cell, j) => `${JSON.stringify(columns[j])}: ${jsonValue(cell)}`).join(", ")}}`);
      return objects.length === 0 ? "[]" : `[\n${objects.join(",\n")}\n]`;
    }
    case "markdown": {
      const head = `| ${columns.map((c) => markdownField({ k: "text", v: c })).join(" | ")} |`;
      const rule = `| ${columns.map(() => "---").join(" | ")} |`;
      return [head, rule, ...rows.map((r) => `| ${r.map(markdownField).join(" | ")} |`)].join("\n");
    }
    case "sql": {
      const into = `INSERT INTO ${quoteTable(table)} (${columns.map(quoteIdent).join(", ")}) VALUES`;
      return rows.map((r) => `${into} (${r.map(sqlLiteral).join(", ")});`).join("\n");
    }
  }
}
