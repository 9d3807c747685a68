// How result cells look in the grid, the inspector and the clipboard. Values arrive as text
// (64-bit integers and decimals stay exact); NULL is `null` and never looks like "".

import type { Cell, CellKind } from "../api";

export type CellDisplay = {
  /** What the grid shows (one line, possibly shortened). */
  text: string;
  /** "null" for SQL NULL, otherwise the value's kind. */
  kind: CellKind | "null";
  isNull: boolean;
  /** An empty text value: shown blank, and not NULL. */
  isEmpty: boolean;
  /** True when `text` was shortened; the inspector shows the whole value. */
  shortened: boolean;
  align: "left" | "right" | "center";
};

export const GRID_TEXT_LIMIT = 200;

const NUMERIC_KINDS: ReadonlySet<CellKind | "null"> = new Set<CellKind | "null">(["int", "float", "decimal"]);

export function cellAlign(kind: CellKind | "null"): "left" | "right" | "center" {
  if (NUMERIC_KINDS.has(kind)) return "right";
  if (kind === "bool") return "center";
  return "left";
}

/** One line of at most `limit` characters: line breaks and tabs become visible marks. */
export function oneLine(text: string, limit: number = GRID_TEXT_LIMIT): { text: string; shortened: boolean } {
  const head = text.length > limit ? text.slice(0, limit) : text;
  const flat = head.replace(/\r\n|\r|\n/g, "⏎").replace(/\t/g, "⇥");
  return text.length > limit ? { text: `${flat}…`, shortened: true } : { text: flat, shortened: false };
}

export function displayCell(cell: Cell, limit: number = GRID_TEXT_LIMIT): CellDisplay {
  if (cell === null) {
    return { text: "NULL", kind: "null", isNull: true, isEmpty: false, shortened: false, align: "left" };
  }
  const source = cell.k === "json" ? compactJson(cell.v) : cell.v;
  const { text, shortened } = oneLine(source, limit);
  return {
    text,
    kind: cell.k,
    isNull: false,
    isEmpty: cell.v === "",
    shortened,
    align: cellAlign(cell.k),
  };
}

/** The value as the clipboard gets it: the exact text, and `NULL` for NULL. */
export function cellToClipboard(cell: Cell): string {
  return cell === null ? "NULL" : cell.v;
}

/** Whether the inspector has more to show than the grid cell. */
export function cellNeedsInspector(cell: Cell): boolean {
  if (cell === null) return false;
  return cell.k === "json" || cell.k === "array" || cell.v.length > 60 || /[\r\n\t]/.test(cell.v);
}

/**
 * Re-indents JSON text without parsing its numbers, so 64-bit integers and long decimals keep
 * every digit (JSON.parse would round them). Text that is not JSON comes back as it was.
 */
export function prettyJson(text: string, indent = 2): string {
  const out = reformatJson(text, indent);
  return out ?? text;
}

/** JSON on one line with the insignificant whitespace removed; other text unchanged. */
export function compactJson(text: string): string {
  return reformatJson(text, 0) ?? text;
}

function reformatJson(text: string, indent: number): string | null {
  const pad = (depth: number): string => (indent > 0 ? `\n${" ".repeat(depth * indent)}` : "");
  const colon = indent > 0 ? ": " : ":";
  const stack: string[] = [];
  let out = "";
  let i = 0;
  let sawValue = false;
  while (i < text.length) {
    const ch = text[i];
    if (ch === " " || ch === "\n" || ch === "\r" || ch === "\t") {
      i += 1;
      continue;
    }
    if (ch === '"') {
      const end = endOfString(text, i);
      if (end < 0) return null;
      out += text.slice(i, end + 1);
      i = end + 1;
      sawValue = true;
      continue;
    }
    if (ch === "{" || ch === "[") {
      const close = ch === "{" ? "}" : "]";
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j])) j += 1;
      if (text[j] === close) {
        out += ch + close;
        i = j + 1;
        sawValue = true;
        continue;
      }
      stack.push(close);
      out += ch + pad(stack.length);
      i += 1;
      continue;
    }
    if (ch === "}" || ch === "]") {
      if (stack.pop() !== ch) return null;
      out += pad(stack.length) + ch;
      i += 1;
      continue;
    }
    if (ch === ",") {
      if (stack.length === 0) return null;
      out += "," + pad(stack.length);
      i += 1;
      continue;
    }
    if (ch === ":") {
      out += colon;
      i += 1;
      continue;
    }
    const literal = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!literal) return null;
    out += literal[0];
    i += literal[0].length;
    sawValue = true;
  }
  if (stack.length > 0 || !sawValue) return null;
  return out;
}

function endOfString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "\\") i += 2;
    else if (ch === '"') return i;
    else i += 1;
  }
  return -1;
}

/** Compares two cells of one column for sorting: NULLs first, numbers by value. */
export function compareCells(a: Cell, b: Cell): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (a.k === "int" && b.k === "int") return compareIntegers(a.v, b.v);
  if (NUMERIC_KINDS.has(a.k) && NUMERIC_KINDS.has(b.k)) {
    const x = Number(a.v);
    const y = Number(b.v);
    if (!Number.isNaN(x) && !Number.isNaN(y) && x !== y) return x < y ? -1 : 1;
  }
  if (a.k === "bool" && b.k === "bool") return a.v === b.v ? 0 : a.v === "false" ? -1 : 1;
  return a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
}

/** Exact comparison of integers written in decimal, whatever their width. */
export function compareIntegers(a: string, b: string): number {
  const negA = a.startsWith("-");
  const negB = b.startsWith("-");
  if (negA !== negB) return negA ? -1 : 1;
  const absA = stripLeadingZeros(negA ? a.slice(1) : a);
  const absB = stripLeadingZeros(negB ? b.slice(1) : b);
  let order: number;
  if (absA.length !== absB.length) order = absA.length < absB.length ? -1 : 1;
  else order = absA < absB ? -1 : absA > absB ? 1 : 0;
  return negA ? -order : order;
}

function stripLeadingZeros(digits: string): string {
  const trimmed = digits.replace(/^0+/, "");
  return trimmed === "" ? "0" : trimmed;
}
