// Query history as the panel lists it: newest first, and the same statement run again and
// again shown once with how often it ran.

import type { HistoryEntry } from "../api";

/** Newest first: by time, then by id (ids grow with time, and break ties within a second). */
export function orderHistory(entries: readonly HistoryEntry[]): HistoryEntry[] {
  return [...entries].sort((a, b) => {
    const ta = Date.parse(a.at);
    const tb = Date.parse(b.at);
    if (!Number.isNaN(ta) && !Number.isNaN(tb) && ta !== tb) return tb - ta;
    return b.id - a.id;
  });
}

export type HistoryItem = { entry: HistoryEntry; repeats: number };

/** Collapses consecutive runs of the same statement (after ordering) into one item. */
export function collapseRepeats(ordered: readonly HistoryEntry[]): HistoryItem[] {
  const items: HistoryItem[] = [];
  for (const entry of ordered) {
    const last = items[items.length - 1];
    if (last && normalizeSql(last.entry.sql) === normalizeSql(entry.sql) && last.entry.ok === entry.ok) {
      last.repeats += 1;
    } else {
      items.push({ entry, repeats: 1 });
    }
  }
  return items;
}

export function normalizeSql(sql: string): string {
  return sql.replace(/\s+/g, " ").trim().replace(/;$/, "");
}

/** Entries whose statement or error contains every word of the search, case-insensitively. */
export function searchHistory(items: readonly HistoryItem[], search: string): HistoryItem[] {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...items];
  return items.filter(({ entry }) => {
    const text = `${entry.sql} ${entry.error ?? ""}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}
