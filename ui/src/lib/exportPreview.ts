// A preview of what "Export" writes, built from the rows already on screen, and the default
// file name. The backend writes the real file from its own copy of the whole result.

import type { Cell, ExportFormat, ResultColumn } from "../api";

/** One CSV field (RFC 4180). NULL is an empty field; an empty string is `""`, so they differ. */
export function csvField(cell: Cell): string {
  if (cell === null) return "";
  const v = cell.v;
  if (v === "") return '""';
  if (/[",\r\n]/.test(v) || v !== v.trim()) return `"${v.replace(/"/g, '""')}"`;
  return v;
}

export function csvHeaderField(name: string): string {
  return /[",\r\n]/.test(name) || name !== name.trim() || name === ""
    ? `"${name.replace(/"/g, '""')}"`
    : name;
}

export function toCsv(columns: readonly ResultColumn[], rows: readonly Cell[][], limit = Infinity): string {
  const lines = [columns.map((c) => csvHeaderField(c.name)).join(",")];
  const count = Math.min(rows.length, limit);
  for (let i = 0; i < count; i += 1) lines.push(rows[i].map(csvField).join(","));
  return lines.join("\r\n") + "\r\n";
}

/** One value as JSON text: exact numbers, embedded JSON, everything else a JSON string. */
export function jsonValue(cell: Cell): string {
  if (cell === null) return "null";
  switch (cell.k) {
    case "int":
      return /^-?\d+$/.test(cell.v) ? cell.v : JSON.stringify(cell.v);
    case "float":
      return /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(cell.v) ? cell.v : JSON.stringify(cell.v);
    case "bool":
      return cell.v === "true" || cell.v === "false" ? cell.v : JSON.stringify(cell.v);
    case "json":
      return cell.v.trim() === "" ? "null" : cell.v;
    default:
      return JSON.stringify(cell.v);
  }
}

/** The shape `dbdock query --format json` prints: columns, and rows as arrays aligned with them. */
export function toJson(columns: readonly ResultColumn[], rows: readonly Cell[][], limit = Infinity): string {
  const count = Math.min(rows.length, limit);
  const lines: string[] = [];
  for (let i = 0; i < count; i += 1) lines.push(`    [${rows[i].map(jsonValue).join(", ")}]`);
  const cols = columns.map((c) => JSON.stringify({ name: c.name, type: c.type })).join(", ");
  return `{\n  "columns": [${cols}],\n  "rows": [\n${lines.join(",\n")}${lines.length ? "\n" : ""}  ]\n}\n`;
}

export function exportPreview(
  format: ExportFormat,
  columns: readonly ResultColumn[],
  rows: readonly Cell[][],
  limit = 5,
): string {
  return format === "csv" ? toCsv(columns, rows, limit) : toJson(columns, rows, limit);
}

/** `<home>/exports/result-20250131-142501.csv` in local time. */
export function defaultExportPath(home: string, format: ExportFormat, now: Date): string {
  const two = (n: number): string => String(n).padStart(2, "0");
  const stamp =
    `${now.getFullYear()}${two(now.getMonth() + 1)}${two(now.getDate())}-` +
    `${two(now.getHours())}${two(now.getMinutes())}${two(now.getSeconds())}`;
  const sep = home.includes("\\") && !home.includes("/") ? "\\" : "/";
  const base = home.replace(/[\\/]+$/, "");
  return `${base}${sep}exports${sep}result-${stamp}.${format}`;
}

/** Changes the extension of `path` to match `format` when it ends in .csv or .json. */
export function withFormatExtension(path: string, format: ExportFormat): string {
  return /\.(csv|json)$/i.test(path) ? path.replace(/\.(csv|json)$/i, `.${format}`) : path;
}
