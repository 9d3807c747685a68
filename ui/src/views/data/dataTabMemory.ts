// What a data tab holds while another tab is shown (the panel is mounted afresh on each
// switch): its loaded rows, filters, sort and staged edits. Kept for the session only.

import type { Cell, ColumnFilter, SortKey, TablePageView } from "../../api";
import { changedRowCount, type Staging } from "../../lib/dataEdits";
import type { UndoStack } from "../../lib/undoStack";

export type LoadedPages = {
  /** The first page's view, without its rows (table, key, order, paging, statement, filter). */
  view: TablePageView | null;
  rows: Cell[][];
  next: Cell[] | null;
  hasMore: boolean;
};

export type DataTabMemory = {
  pages: LoadedPages;
  filters: ColumnFilter[];
  sort: SortKey[];
  history: UndoStack<Staging>;
};

const memory = new Map<string, DataTabMemory>();

export function recallDataTab(id: string): DataTabMemory | undefined {
  return memory.get(id);
}

export function keepDataTab(id: string, state: DataTabMemory): void {
  memory.set(id, state);
}

export function forgetDataTab(id: string): void {
  memory.delete(id);
}

/** How many rows of a data tab have staged changes (0 for any other tab). */
export function stagedRowCount(id: string): number {
  const kept = memory.get(id);
  return kept ? changedRowCount(kept.history.present) : 0;
}
