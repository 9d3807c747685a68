import { describe, expect, it } from "vitest";
import type { Cell } from "../api";
import {
  addRow,
  buildEdits,
  changedRowCount,
  currentRow,
  deleteRows,
  duplicateRow,
  editKind,
  EMPTY_STAGING,
  kindForType,
  parseInput,
  setCell,
} from "./dataEdits";

const int = (v: string): Cell => ({ k: "int", v });
const text = (v: string): Cell => ({ k: "text", v });
const columns = [
  { name: "id", type: "INTEGER" },
  { name: "name", type: "TEXT" },
  { name: "score", type: "numeric(10,2)" },
];
const loaded: Cell[][] = [
  [int("1"), text("Ada"), { k: "decimal", v: "1.50" }],
  [int("2"), text("Grace"), null],
  [int("3"), null, null],
];

describe("staging", () => {
  it("stages a cell edit and drops it when the value is back to the one read", () => {
    const s = setCell(EMPTY_STAGING, loaded, 0, 1, { cell: text("Ada L.") });
    expect(changedRowCount(s)).toBe(1);
    expect(currentRow(s, loaded, 0, 3)[1]).toEqual(text("Ada L."));
    const back = setCell(s, loaded, 0, 1, { cell: text("Ada") });
    expect(changedRowCount(back)).toBe(0);
    expect(back.edits).toEqual({});
  });

  it("builds updates with only the edited columns, in row order", () => {
    let s = setCell(EMPTY_STAGING, loaded, 1, 2, { cell: { k: "decimal", v: "2.00" } });
    s = setCell(s, loaded, 0, 2, { default: true });
    s = setCell(s, loaded, 0, 1, { cell: null });
    const { edits, rows } = buildEdits(s, loaded, columns);
    expect(rows).toEqual([0, 1]);
    expect(edits).toEqual([
      {
        kind: "update",
        original: loaded[0],
        set: [
          { column: "name", value: null, default: false },
          { column: "score", value: null, default: true },
        ],
      },
      { kind: "update", original: loaded[1], set: [{ column: "score", value: { k: "decimal", v: "2.00" }, default: false }] },
    ]);
  });

  it("an edited then deleted row is just a delete; a new row then deleted is dropped", () => {
    let s = setCell(EMPTY_STAGING, loaded, 2, 1, { cell: text("x") });
    s = addRow(s);
    s = setCell(s, loaded, 3, 1, { cell: text("new") });
    s = addRow(s, { 1: text("kept") });
    s = deleteRows(s, loaded, [2, 3]);
    expect(changedRowCount(s)).toBe(2);
    const { edits, rows } = buildEdits(s, loaded, columns);
    expect(edits).toEqual([
      { kind: "delete", original: loaded[2] },
      { kind: "insert", values: [{ column: "name", value: text("kept"), default: false }] },
    ]);
    expect(rows).toEqual([2, 3]);
  });

  it("inserts only the cells set; DEFAULT unsets one", () => {
    let s = addRow(EMPTY_STAGING);
    s = setCell(s, loaded, 3, 0, { cell: int("10") });
    s = setCell(s, loaded, 3, 1, { cell: text("n") });
    s = setCell(s, loaded, 3, 0, { default: true });
    expect(currentRow(s, loaded, 3, 3)).toEqual([undefined, text("n"), undefined]);
    expect(buildEdits(s, loaded, columns).edits).toEqual([{ kind: "insert", values: [{ column: "name", value: text("n"), default: false }] }]);
  });

  it("duplicates a row without its key columns, with its staged values", () => {
    let s = setCell(EMPTY_STAGING, loaded, 0, 1, { cell: text("Ada2") });
    s = duplicateRow(s, loaded, 0, 3, [0]);
    expect(s.added[0].values).toEqual({ 1: text("Ada2"), 2: { k: "decimal", v: "1.50" } });
  });
});

describe("kinds and input", () => {
  it("infers a kind from the column type", () => {
    const cases: [string, string][] = [
      ["INTEGER", "int"],
      ["bigint", "int"],
      ["bigserial", "int"],
      ["UInt64", "int"],
      ["int(11) unsigned", "int"],
      ["interval", "text"],
      ["point", "text"],
      ["numeric(10,2)", "decimal"],
      ["boolean", "bool"],
      ["jsonb", "json"],
      ["bytea", "bytes"],
      ["BLOB", "bytes"],
      ["varbinary(16)", "bytes"],
      ["double precision", "float"],
      ["real", "float"],
      ["date", "date"],
      ["timestamp with time zone", "timestamp"],
      ["datetime", "timestamp"],
      ["uuid", "uuid"],
      ["varchar(20)", "text"],
    ];
    for (const [type, kind] of cases) expect([type, kindForType(type)]).toEqual([type, kind]);
    expect(editKind({ k: "text", v: "1" }, { type: "integer" })).toBe("text");
    expect(editKind(undefined, { type: "integer" })).toBe("int");
  });

  it("checks JSON, bytes and booleans and keeps numbers as typed", () => {
    expect(parseInput('{"a":1}', "json").ok).toBe(true);
    expect(parseInput("{a:1}", "json").ok).toBe(false);
    expect(parseInput("\\x0aff", "bytes")).toEqual({ ok: true, cell: { k: "bytes", v: "\\x0aff" } });
    expect(parseInput("\\x0af", "bytes").ok).toBe(false);
    expect(parseInput("yes", "bool").ok).toBe(false);
    expect(parseInput("12345678901234567890.10", "decimal")).toEqual({ ok: true, cell: { k: "decimal", v: "12345678901234567890.10" } });
  });
});
