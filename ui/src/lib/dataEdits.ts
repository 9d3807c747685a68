// The staged changes of a data tab: edited cells of rows as read, rows added at the bottom,
// rows marked deleted. Pure and immutable (each change returns a new Staging), so the tab
// keeps a history of them for undo/redo, and turns them into the `RowEdit[]` the backend takes.

import type { Cell, CellEdit, CellKind, ColumnInfo, RowEdit } from "../api";

/** A staged value of a cell: a value (NULL is `null`), or the column's DEFAULT. */
export type StagedValue = { cell: Cell } | { default: true };

/** A row added in the tab: only the cells the user set; every other one is DEFAULT. */
export type AddedRow = { id: number; values: Readonly<Record<number, Cell>> };

export type Staging = {
  /** Edited cells of rows as read: row index → column index → value. */
  edits: Readonly<Record<number, Readonly<Record<number, StagedValue>>>>;
  /** Rows as read that are marked deleted (row indexes, ascending). */
  deleted: readonly number[];
  /** New rows, shown after the rows as read. */
  added: readonly AddedRow[];
  nextId: number;
};

export const EMPTY_STAGING: Staging = { edits: {}, deleted: [], added: [], nextId: 1 };

export function isDefault(value: StagedValue): value is { default: true } {
  return "default" in value;
}

export function sameCell(a: Cell, b: Cell): boolean {
  if (a === null || b === null) return a === b;
  return a.k === b.k && a.v === b.v;
}

/**
 * Stages `value` in the cell at `row` (a grid row: the rows as read first, then the added ones).
 * A value equal to the one as read drops the edit; DEFAULT in an added row unsets the cell.
 */
export function setCell(s: Staging, loaded: readonly Cell[][], row: number, col: number, value: StagedValue): Staging {
  if (row >= loaded.length) {
    const index = row - loaded.length;
    const target = s.added[index];
    if (!target) return s;
    const values = { ...target.values };
    if (isDefault(value)) delete values[col];
    else values[col] = value.cell;
    const added = s.added.map((r, i) => (i === index ? { ...r, values } : r));
    return { ...s, added };
  }
  const original = loaded[row]?.[col] ?? null;
  const rowEdits = { ...(s.edits[row] ?? {}) };
  if (!isDefault(value) && sameCell(value.cell, original)) delete rowEdits[col];
  else rowEdits[col] = value;
  const edits = { ...s.edits };
  if (Object.keys(rowEdits).length === 0) delete edits[row];
  else edits[row] = rowEdits;
  return { ...s, edits };
}

/** Adds a row at the bottom with these cells set (the others DEFAULT). */
export function addRow(s: Staging, values: Readonly<Record<number, Cell>> = {}): Staging {
  return { ...s, added: [...s.added, { id: s.nextId, values }], nextId: s.nextId + 1 };
}

/** The cells of a grid row as they are now (staged values over the ones as read); DEFAULT is `undefined`. */
export function currentRow(s: Staging, loaded: readonly Cell[][], row: number, width: number): (Cell | undefined)[] {
  if (row >= loaded.length) {
    const added = s.added[row - loaded.length];
    return Array.from({ length: width }, (_, j) => (added && j in added.values ? added.values[j] : undefined));
  }
  const edits = s.edits[row] ?? {};
  return Array.from({ length: width }, (_, j) => {
    const e = edits[j];
    if (e === undefined) return loaded[row]?.[j] ?? null;
    return isDefault(e) ? undefined : e.cell;
  });
}

/** Adds a copy of a row: every cell but the key columns (those stay DEFAULT). */
export function duplicateRow(s: Staging, loaded: readonly Cell[][], row: number, width: number, keyColumns: readonly number[]): Staging {
  const cells = currentRow(s, loaded, row, width);
  const values: Record<number, Cell> = {};
  cells.forEach((cell, j) => {
    if (cell !== undefined && !keyColumns.includes(j)) values[j] = cell;
  });
  return addRow(s, values);
}

/** Marks rows deleted; added rows are dropped at once. */
export function deleteRows(s: Staging, loaded: readonly Cell[][], rows: readonly number[]): Staging {
  const existing = rows.filter((r) => r < loaded.length);
  const dropped = new Set(rows.filter((r) => r >= loaded.length).map((r) => r - loaded.length));
  const deleted = [...new Set([...s.deleted, ...existing])].sort((a, b) => a - b);
  const added = dropped.size === 0 ? s.added : s.added.filter((_, i) => !dropped.has(i));
  return { ...s, deleted, added };
}

/** Takes the delete marks off these rows. */
export function restoreRows(s: Staging, rows: readonly number[]): Staging {
  return { ...s, deleted: s.deleted.filter((r) => !rows.includes(r)) };
}

/** How many rows have a staged change (edited, deleted or added). */
export function changedRowCount(s: Staging): number {
  const existing = new Set([...Object.keys(s.edits).map(Number), ...s.deleted]);
  return existing.size + s.added.length;
}

export function hasChanges(s: Staging): boolean {
  return changedRowCount(s) > 0;
}

/** The kind of a value typed into a column of this type (when the cell as read has none). */
export function kindForType(type: string): CellKind {
  const t = type.toLowerCase();
  if (/bool/.test(t)) return "bool";
  if (/json/.test(t)) return "json";
  if (/bytea|blob|binary/.test(t)) return "bytes";
  if (/uuid|uniqueidentifier/.test(t)) return "uuid";
  if (/timestamp|datetime/.test(t)) return "timestamp";
  if (/^date\b/.test(t)) return "date";
  if (/^time\b/.test(t)) return "time";
  if (/numeric|decimal|money/.test(t)) return "decimal";
  if (/float|double|real/.test(t)) return "float";
  if (/(^|[^a-z])u?(tiny|small|medium|big)?int(eger|\d+)?([^a-z]|$)|serial/.test(t)) return "int";
  return "text";
}

/** The kind a new value of this cell gets: the one of the value as read, else from the column's type. */
export function editKind(original: Cell | undefined, column: Pick<ColumnInfo, "type">): CellKind {
  return original ? original.k : kindForType(column.type);
}

export type ParsedInput = { ok: true; cell: Cell } | { ok: false; error: string };

/** Checks text typed for a cell of this kind; the text is kept exactly as typed. */
export function parseInput(text: string, kind: CellKind): ParsedInput {
  switch (kind) {
    case "json":
      try {
        JSON.parse(text);
      } catch {
        return { ok: false, error: "not valid JSON" };
      }
      break;
    case "bytes":
      if (!/^\\x(?:[0-9a-fA-F]{2})*$/.test(text)) return { ok: false, error: "bytes are written \\x followed by pairs of hex digits" };
      break;
    case "bool":
      if (text !== "true" && text !== "false") return { ok: false, error: "true or false" };
      break;
    default:
      break;
  }
  return { ok: true, cell: { k: kind, v: text } };
}

export type BuiltEdits = {
  edits: RowEdit[];
  /** The grid row of each edit (conflicts come back as indexes into `edits`). */
  rows: number[];
};

/**
 * One RowEdit per changed row: updates and deletes of rows as read in row order, then the
 * inserts in the order they were added. A deleted row is only a delete, whatever was edited.
 */
export function buildEdits(s: Staging, loaded: readonly Cell[][], columns: readonly Pick<ColumnInfo, "name" | "type">[]): BuiltEdits {
  const edits: RowEdit[] = [];
  const rows: number[] = [];
  const deleted = new Set(s.deleted);
  const changed = [...new Set([...Object.keys(s.edits).map(Number), ...s.deleted])].sort((a, b) => a - b);
  for (const row of changed) {
    const original = loaded[row];
    if (!original) continue;
    if (deleted.has(row)) {
      edits.push({ kind: "delete", original: [...original] });
    } else {
      const set: CellEdit[] = Object.entries(s.edits[row] ?? {})
        .map(([j, value]) => [Number(j), value] as const)
        .sort((a, b) => a[0] - b[0])
        .map(([j, value]) => toCellEdit(columns[j].name, value));
      edits.push({ kind: "update", original: [...original], set });
    }
    rows.push(row);
  }
  s.added.forEach((added, i) => {
    const values: CellEdit[] = Object.entries(added.values)
      .map(([j, cell]) => [Number(j), cell] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([j, cell]) => ({ column: columns[j].name, value: cell, default: false }));
    edits.push({ kind: "insert", values });
    rows.push(loaded.length + i);
  });
  return { edits, rows };
}

function toCellEdit(column: string, value: StagedValue): CellEdit {
  return isDefault(value) ? { column, value: null, default: true } : { column, value: value.cell, default: false };
}
