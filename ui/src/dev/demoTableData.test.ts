import { describe, expect, it } from "vitest";
import type { Cell, TableInfo, TablePageRequest } from "../api";
import { demoTableData } from "./demoTableData";

const col = (name: string, type: string, primary = false): TableInfo["columns"][number] => ({ name, type, nullable: !primary, primary_key: primary, default: null });
const info = (name: string, keyed: boolean): TableInfo => ({
  schema: null,
  name,
  kind: keyed ? "table" : "view",
  columns: [col("id", "INTEGER", keyed), col("name", "TEXT")],
  primary_key: keyed ? ["id"] : [],
  indexes: [],
  foreign_keys: [],
});
const row = (i: number): Cell[] => [{ k: "int", v: String(i + 1) }, i % 2 === 0 ? { k: "text", v: `n${i + 1}` } : null];
const request = (change: Partial<TablePageRequest> = {}): TablePageRequest => ({ filters: [], sort: [], after: null, offset: 0, limit: 4, ...change });

describe("the demo's table data", () => {
  const make = () => demoTableData([{ info: info("people", true), row, count: 10 }, { info: info("people_view", false), row, count: 10 }]);

  it("pages by key and filters", () => {
    const data = make();
    const first = data.openTablePage("people", request());
    expect(first.key).toEqual(["id"]);
    expect(first.rows.map((r) => r[0]?.v)).toEqual(["1", "2", "3", "4"]);
    expect(first.hasMore).toBe(true);
    const second = data.openTablePage("people", request({ after: first.next }));
    expect(second.rows.map((r) => r[0]?.v)).toEqual(["5", "6", "7", "8"]);
    const sorted = data.openTablePage("people", request({ sort: [{ column: "id", descending: true }] }));
    expect(sorted.rows[0][0]?.v).toBe("10");
    const nulls = data.openTablePage("people", request({ filters: [{ column: "name", op: "is_null", values: [] }], limit: 100 }));
    expect(nulls.rows.length).toBe(5);
    expect(nulls.filter).toBe(' WHERE "name" IS NULL');
    expect(data.countTableRows("people", [{ column: "id", op: "between", values: ["3", "6"] }])).toBe(4);
  });

  it("is read-only without a key and pages by offset", () => {
    const data = make();
    const page = data.openTablePage("people_view", request({ offset: 8 }));
    expect(page.key).toBeNull();
    expect(page.readOnlyReason).toMatch(/view/);
    expect(page.paging.keyset).toBe(false);
    expect(page.rows.length).toBe(2);
    expect(() => data.commitTableChanges("people_view", [])).toThrow();
  });

  it("commits edits, and refuses all of them when a row changed since it was read", () => {
    const data = make();
    const [r1, r2] = data.openTablePage("people", request()).rows;
    const report = data.commitTableChanges("people", [
      { kind: "update", original: r1, set: [{ column: "name", value: { k: "text", v: "x" }, default: false }] },
      { kind: "delete", original: r2 },
      { kind: "insert", values: [{ column: "name", value: { k: "text", v: "new" }, default: false }] },
    ]);
    expect(report.outcome.committed).toBe(true);
    expect(report.statements[0].sql).toBe(`UPDATE "people" SET "name" = 'x' WHERE "id" = 1`);
    expect(data.countTableRows("people", [])).toBe(10);
    const stale = data.commitTableChanges("people", [
      { kind: "insert", values: [] },
      { kind: "update", original: r1, set: [{ column: "name", value: null, default: false }] },
    ]);
    expect(stale.outcome).toEqual({ committed: false, rowsAffected: [], conflicts: [1] });
    expect(data.countTableRows("people", [])).toBe(10);
  });
});
