import { describe, expect, it } from "vitest";
import { cellToClipboard, compareCells, compareIntegers, compactJson, displayCell, oneLine, prettyJson } from "./cells";

describe("displayCell", () => {
  it("shows NULL distinctly from an empty string", () => {
    const nul = displayCell(null);
    const empty = displayCell({ k: "text", v: "" });
    expect(nul).toMatchObject({ text: "NULL", isNull: true, isEmpty: false, kind: "null" });
    expect(empty).toMatchObject({ text: "", isNull: false, isEmpty: true, kind: "text" });
  });

  it("keeps 64-bit integers exact and right-aligns numbers", () => {
    const d = displayCell({ k: "int", v: "9223372036854775807" });
    expect(d.text).toBe("9223372036854775807");
    expect(d.align).toBe("right");
    expect(displayCell({ k: "decimal", v: "12345678901234567890.000000001" }).text).toBe("12345678901234567890.000000001");
    expect(displayCell({ k: "bool", v: "true" }).align).toBe("center");
    expect(displayCell({ k: "text", v: "a" }).align).toBe("left");
  });

  it("shows JSON compactly on one line", () => {
    const d = displayCell({ k: "json", v: '{\n  "a": [1, 2],\n  "b": "x y"\n}' });
    expect(d.text).toBe('{"a":[1,2],"b":"x y"}');
    expect(d.kind).toBe("json");
  });

  it("marks line breaks and shortens long text", () => {
    expect(oneLine("a\nb\tc")).toEqual({ text: "a⏎b⇥c", shortened: false });
    const long = displayCell({ k: "text", v: "x".repeat(500) }, 10);
    expect(long.text).toBe(`${"x".repeat(10)}…`);
    expect(long.shortened).toBe(true);
  });

  it("copies the exact value, and NULL as NULL", () => {
    expect(cellToClipboard(null)).toBe("NULL");
    expect(cellToClipboard({ k: "text", v: "" })).toBe("");
    expect(cellToClipboard({ k: "int", v: "-5" })).toBe("-5");
  });
});

describe("prettyJson", () => {
  it("indents nested objects and arrays", () => {
    expect(prettyJson('{"a":1,"b":[true,null],"c":{}}')).toBe(
      '{\n  "a": 1,\n  "b": [\n    true,\n    null\n  ],\n  "c": {}\n}',
    );
  });

  it("keeps big integers and decimals digit for digit", () => {
    const raw = '{"id":12345678901234567890123,"price":0.1000000000000000055511151231257827}';
    const pretty = prettyJson(raw);
    expect(pretty).toContain("12345678901234567890123");
    expect(pretty).toContain("0.1000000000000000055511151231257827");
  });

  it("does not touch punctuation inside strings", () => {
    expect(prettyJson('["a,b", "{x}", "q\\"uote:"]')).toBe('[\n  "a,b",\n  "{x}",\n  "q\\"uote:"\n]');
  });

  it("returns text that is not JSON unchanged", () => {
    expect(prettyJson("not json")).toBe("not json");
    expect(prettyJson('{"a":1')).toBe('{"a":1');
    expect(prettyJson('{"a":1]')).toBe('{"a":1]');
    expect(compactJson("")).toBe("");
  });
});

describe("compareCells", () => {
  it("puts NULL first", () => {
    expect(compareCells(null, { k: "int", v: "1" })).toBeLessThan(0);
    expect(compareCells({ k: "text", v: "" }, null)).toBeGreaterThan(0);
    expect(compareCells(null, null)).toBe(0);
  });

  it("orders integers by value, exactly, at any width", () => {
    expect(compareIntegers("9", "10")).toBeLessThan(0);
    expect(compareIntegers("-10", "-9")).toBeLessThan(0);
    expect(compareIntegers("9223372036854775807", "9223372036854775806")).toBeGreaterThan(0);
    expect(compareIntegers("007", "7")).toBe(0);
    expect(compareCells({ k: "int", v: "2" }, { k: "int", v: "10" })).toBeLessThan(0);
  });

  it("orders floats and decimals numerically and text by code point", () => {
    expect(compareCells({ k: "float", v: "2.5" }, { k: "decimal", v: "10" })).toBeLessThan(0);
    expect(compareCells({ k: "text", v: "b" }, { k: "text", v: "a" })).toBeGreaterThan(0);
    expect(compareCells({ k: "bool", v: "false" }, { k: "bool", v: "true" })).toBeLessThan(0);
  });
});
