import { describe, expect, it } from "vitest";
import type { HistoryEntry } from "../api";
import { collapseRepeats, orderHistory, searchHistory } from "./history";

const entry = (id: number, at: string, sql: string, ok = true): HistoryEntry => ({
  id,
  at,
  sql,
  ok,
  rowCount: ok ? 1 : null,
  elapsedMs: 3,
  error: ok ? null : "NOT_FOUND: no such table",
});

describe("history", () => {
  const entries = [
    entry(1, "2025-01-01T10:00:00Z", "select 1"),
    entry(3, "2025-01-01T10:05:00Z", "select  2;"),
    entry(2, "2025-01-01T10:05:00Z", "select 2"),
    entry(4, "2025-01-01T09:00:00Z", "select * from nope", false),
  ];

  it("orders newest first, breaking ties by id", () => {
    expect(orderHistory(entries).map((e) => e.id)).toEqual([3, 2, 1, 4]);
  });

  it("does not reorder the input array", () => {
    orderHistory(entries);
    expect(entries.map((e) => e.id)).toEqual([1, 3, 2, 4]);
  });

  it("collapses the same statement run again in a row", () => {
    const items = collapseRepeats(orderHistory(entries));
    expect(items.map((i) => [i.entry.id, i.repeats])).toEqual([
      [3, 2],
      [1, 1],
      [4, 1],
    ]);
  });

  it("searches statements and errors by every word", () => {
    const items = collapseRepeats(orderHistory(entries));
    expect(searchHistory(items, "NOPE from").map((i) => i.entry.id)).toEqual([4]);
    expect(searchHistory(items, "not_found").map((i) => i.entry.id)).toEqual([4]);
    expect(searchHistory(items, "")).toHaveLength(3);
  });
});
