// The sort of a data tab, changed by clicks on column headers: a click sorts by that column
// alone, ascending → descending → unsorted; a shift-click adds or cycles it as another key.

import type { SortKey } from "../api";

export function cycleSort(sort: readonly SortKey[], column: string, additive: boolean): SortKey[] {
  const at = sort.findIndex((k) => k.column === column);
  const current = at >= 0 ? sort[at] : null;
  if (!additive) {
    if (current === null || sort.length > 1) return [{ column, descending: false }];
    return current.descending ? [] : [{ column, descending: true }];
  }
  if (current === null) return [...sort, { column, descending: false }];
  if (!current.descending) return sort.map((k, i) => (i === at ? { column, descending: true } : k));
  return sort.filter((_, i) => i !== at);
}

/** The position (1-based) and direction of a column in the sort, for the header's mark. */
export function sortMark(sort: readonly SortKey[], column: string): { position: number; descending: boolean } | null {
  const at = sort.findIndex((k) => k.column === column);
  return at < 0 ? null : { position: at + 1, descending: sort[at].descending };
}
