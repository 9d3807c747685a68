import { describe, expect, it } from "vitest";
import type { Cell } from "../api";
import { buildEdits, EMPTY_STAGING } from "./dataEdits";
import { pasteTsv } from "./dataPaste";

const columns = [
  { name: "id", type: "integer" },
  { name: "doc", type: "jsonb" },
];
const loaded: Cell[][] = [[{ k: "int", v: "1" }, null]];

describe("pasteTsv", () => {
  it("edits the rows there and adds the rest as new rows", () => {
    const result = pasteTsv(EMPTY_STAGING, loaded, columns, { row: 0, col: 1 }, '{"a":1}\n\\N\n[1]\textra\n');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.rows).toBe(3);
    expect(buildEdits(result.staging, loaded, columns).edits).toEqual([
      { kind: "update", original: loaded[0], set: [{ column: "doc", value: { k: "json", v: '{"a":1}' }, default: false }] },
      { kind: "insert", values: [{ column: "doc", value: null, default: false }] },
      { kind: "insert", values: [{ column: "doc", value: { k: "json", v: "[1]" }, default: false }] },
    ]);
  });

  it("refuses the whole paste when a value does not fit its column", () => {
    const result = pasteTsv(EMPTY_STAGING, loaded, columns, { row: 0, col: 1 }, "not json");
    expect(result).toEqual({ ok: false, error: "Row 1, doc: not valid JSON; nothing was pasted." });
  });
});
