import { describe, expect, it } from "vitest";
import type { Cell, ResultColumn } from "../api";
import { csvField, defaultExportPath, exportPreview, jsonValue, toCsv, toJson, withFormatExtension } from "./exportPreview";

const columns: ResultColumn[] = [
  { name: "id", type: "INTEGER" },
  { name: "name", type: "TEXT" },
  { name: "meta", type: "JSON" },
];
const rows: Cell[][] = [
  [{ k: "int", v: "1" }, { k: "text", v: "Ada, Countess" }, { k: "json", v: '{"vip":true}' }],
  [{ k: "int", v: "9007199254740993" }, { k: "text", v: "" }, null],
  [{ k: "int", v: "3" }, { k: "text", v: 'say "hi"\nbye' }, { k: "json", v: "[1,2]" }],
];

describe("CSV preview", () => {
  it("quotes what needs quoting and tells NULL from empty", () => {
    expect(csvField(null)).toBe("");
    expect(csvField({ k: "text", v: "" })).toBe('""');
    expect(csvField({ k: "text", v: "a,b" })).toBe('"a,b"');
    expect(csvField({ k: "text", v: ' padded' })).toBe('" padded"');
    expect(csvField({ k: "text", v: 'q"q' })).toBe('"q""q"');
  });

  it("writes a header and CRLF-terminated rows, up to the limit", () => {
    expect(toCsv(columns, rows, 2)).toBe(
      'id,name,meta\r\n1,"Ada, Countess","{""vip"":true}"\r\n9007199254740993,"",\r\n',
    );
    expect(toCsv(columns, rows).split("\r\n")).toHaveLength(5);
  });
});

describe("JSON preview", () => {
  it("keeps integers exact and embeds JSON values", () => {
    expect(jsonValue({ k: "int", v: "9007199254740993" })).toBe("9007199254740993");
    expect(jsonValue({ k: "json", v: '{"a":1}' })).toBe('{"a":1}');
    expect(jsonValue({ k: "text", v: "x" })).toBe('"x"');
    expect(jsonValue({ k: "decimal", v: "1.10" })).toBe('"1.10"');
    expect(jsonValue(null)).toBe("null");
  });

  it("is valid JSON with columns and rows aligned", () => {
    const text = toJson(columns, rows);
    const parsed = JSON.parse(text) as { columns: ResultColumn[]; rows: unknown[][] };
    expect(parsed.columns.map((c) => c.name)).toEqual(["id", "name", "meta"]);
    expect(parsed.rows).toHaveLength(3);
    expect(parsed.rows[1]).toEqual([9007199254740992, "", null]);
    expect(text).toContain("9007199254740993");
    expect(JSON.parse(toJson(columns, []))).toEqual({ columns, rows: [] });
  });

  it("switches by format", () => {
    expect(exportPreview("csv", columns, rows, 1)).toMatch(/^id,name,meta\r\n1,/);
    expect(exportPreview("json", columns, rows, 1)).toMatch(/^\{\n {2}"columns"/);
  });
});

describe("export paths", () => {
  it("builds a time-stamped default under the home's exports folder", () => {
    const at = new Date(2025, 0, 31, 14, 5, 9);
    expect(defaultExportPath("/home/ada/.local/share/dbdock/", "csv", at)).toBe(
      "/home/ada/.local/share/dbdock/exports/result-20250131-140509.csv",
    );
    expect(defaultExportPath("C:\\Users\\ada\\dbdock", "json", at)).toBe(
      "C:\\Users\\ada\\dbdock\\exports\\result-20250131-140509.json",
    );
  });

  it("follows the format with the extension", () => {
    expect(withFormatExtension("/tmp/out.csv", "json")).toBe("/tmp/out.json");
    expect(withFormatExtension("/tmp/out.JSON", "csv")).toBe("/tmp/out.csv");
    expect(withFormatExtension("/tmp/out.txt", "csv")).toBe("/tmp/out.txt");
  });
});
