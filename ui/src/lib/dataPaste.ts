// Pasting TSV into a data grid: from the top-left selected cell, into the rows there (staged
// as edits) and, past the last row, as new rows (staged inserts). `\N` pastes NULL, an empty
// field an empty string; each value is checked as typed input of its column would be.

import type { Cell, ColumnInfo } from "../api";
import { parseTsv } from "./dataClipboard";
import { addRow, editKind, kindForType, parseInput, setCell, type Staging } from "./dataEdits";
import type { CellPos } from "./dataSelection";

export type PasteResult = { ok: true; staging: Staging; rows: number } | { ok: false; error: string };

export function pasteTsv(s: Staging, loaded: readonly Cell[][], columns: readonly Pick<ColumnInfo, "name" | "type">[], start: CellPos, text: string): PasteResult {
  const table = parseTsv(text);
  if (table.length === 0) return { ok: false, error: "Nothing to paste." };
  let next = s;
  for (let i = 0; i < table.length; i += 1) {
    const row = start.row + i;
    const isNew = row >= loaded.length + next.added.length;
    const values: Record<number, Cell> = {};
    for (let k = 0; k < table[i].length; k += 1) {
      const col = start.col + k;
      if (col >= columns.length) break;
      const text = table[i][k];
      let cell: Cell = null;
      if (text !== null) {
        const kind = row < loaded.length ? editKind(loaded[row][col] ?? undefined, columns[col]) : kindForType(columns[col].type);
        const parsed = parseInput(text, kind);
        if (!parsed.ok) return { ok: false, error: `Row ${i + 1}, ${columns[col].name}: ${parsed.error}; nothing was pasted.` };
        cell = parsed.cell;
      }
      if (isNew) values[col] = cell;
      else next = setCell(next, loaded, row, col, { cell });
    }
    if (isNew) next = addRow(next, values);
  }
  return { ok: true, staging: next, rows: table.length };
}
