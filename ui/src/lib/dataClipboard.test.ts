import { describe, expect, it } from "vitest";
import type { Cell } from "../api";
import { formatCopy, parseTsv, sqlLiteral } from "./dataClipboard";

const int = (v: string): Cell => ({ k: "int", v });
const text = (v: string): Cell => ({ k: "text", v });

const source = {
  columns: ["id", "name", "note"],
  rows: [
    [int("9007199254740993"), text("O'Brien"), null],
    [int("2"), text("a\tb"), text("x|y\nz")],
  ],
  table: { schema: "public", name: "people" },
};

describe("parseTsv", () => {
  it("splits rows and fields; \\N is NULL and an empty field is empty text", () => {
    expect(parseTsv("1\ta\n2\t\\N\n")).toEqual([
      ["1", "a"],
      ["2", null],
    ]);
    expect(parseTsv("a\t\tb\r\n")).toEqual([["a", "", "b"]]);
    expect(parseTsv("")).toEqual([]);
  });

  it("reads quoted fields with tabs, line breaks and quotes", () => {
    expect(parseTsv('"a\tb"\t"line1\nline2"\t"say ""hi"""\n"\\N"')).toEqual([["a\tb", "line1\nline2", 'say "hi"'], ["\\N"]]);
  });

  it("reads back what TSV copying wrote", () => {
    const tsv = formatCopy("tsv", source);
    expect(parseTsv(tsv)).toEqual([
      ["9007199254740993", "O'Brien", null],
      ["2", "a\tb", "x|y\nz"],
    ]);
  });
});

describe("formatCopy", () => {
  it("writes CSV with a header and quotes where needed", () => {
    expect(formatCopy("csv", source)).toBe('id,name,note\n9007199254740993,O\'Brien,\n2,a\tb,"x|y\nz"');
  });

  it("writes JSON keeping every digit", () => {
    const json = formatCopy("json", source);
    expect(json).toContain('"id": 9007199254740993');
    expect(json).toContain('"note": null');
    expect((JSON.parse(json) as unknown[]).length).toBe(2);
  });

  it("writes Markdown with escaped pipes", () => {
    const md = formatCopy("markdown", source).split("\n");
    expect(md[0]).toBe("| id | name | note |");
    expect(md[1]).toBe("| --- | --- | --- |");
    expect(md[2]).toBe("| 9007199254740993 | O'Brien | NULL |");
    expect(md[3]).toBe("| 2 | a\tb | x\\|y<br>z |");
  });

  it("writes INSERT statements with quoted names and literals", () => {
    expect(formatCopy("sql", source).split("\n")[0]).toBe(
      `INSERT INTO "public"."people" ("id", "name", "note") VALUES (9007199254740993, 'O''Brien', NULL);`,
    );
    expect(sqlLiteral({ k: "bool", v: "true" })).toBe("TRUE");
    expect(sqlLiteral({ k: "int", v: "1; DROP" })).toBe("'1; DROP'");
  });
});
