import { describe, expect, it } from "vitest";
import type { Cell } from "../api";
import { rowAt, sortedOrder } from "./gridSort";

const int = (v: number): Cell => ({ k: "int", v: String(v) });
const text = (v: string): Cell => ({ k: "text", v });

describe("sortedOrder", () => {
  const rows: Cell[][] = [
    [int(10), text("b")],
    [int(9), text("a")],
    [null, text("b")],
    [int(100), text("a")],
  ];

  it("is null when nothing is sorted", () => {
    expect(sortedOrder(rows, [])).toBeNull();
    expect(rowAt(rows, null, 2)).toBe(rows[2]);
  });

  it("sorts numbers by value with NULL first, and descending", () => {
    expect(Array.from(sortedOrder(rows, [{ column: 0, desc: false }]) ?? [])).toEqual([2, 1, 0, 3]);
    expect(Array.from(sortedOrder(rows, [{ column: 0, desc: true }]) ?? [])).toEqual([3, 0, 1, 2]);
  });

  it("is stable and honours several keys", () => {
    expect(Array.from(sortedOrder(rows, [{ column: 1, desc: false }]) ?? [])).toEqual([1, 3, 0, 2]);
    const order = sortedOrder(rows, [
      { column: 1, desc: false },
      { column: 0, desc: true },
    ]);
    expect(Array.from(order ?? [])).toEqual([3, 1, 0, 2]);
    expect(rowAt(rows, order, 0)).toBe(rows[3]);
  });

  it("sorts 100,000 rows quickly", () => {
    const many: Cell[][] = Array.from({ length: 100_000 }, (_, i) => [int((i * 7919) % 100_003)]);
    const t0 = performance.now();
    const order = sortedOrder(many, [{ column: 0, desc: false }]);
    expect(order?.length).toBe(100_000);
    expect(Number(rowAt(many, order, 0)?.[0]?.v)).toBe(0);
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});
