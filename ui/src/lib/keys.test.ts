import { describe, expect, it } from "vitest";
import type { KeyLevelView, KeyNodeView } from "../api";
import { coverageText, keyCountText, mergeLevel, prefixPath, valueText } from "./keys";

const node = (name: string, keys: number, types: string[], isKey = false): KeyNodeView => ({ name, label: name, isKey, keys, types });
const level = (children: KeyNodeView[], more: Partial<KeyLevelView> = {}): KeyLevelView => ({
  db: 0,
  prefix: "",
  delimiter: ":",
  totalKeys: 1_000_000,
  seen: children.reduce((n, c) => n + c.keys, 0),
  complete: false,
  cursor: "77:20000",
  covered: 0.02,
  hidden: 0,
  children,
  ...more,
});

describe("key levels", () => {
  it("adds the counts of a further scan and keeps prefixes before keys", () => {
    const first = level([node("user:", 10, ["hash"]), node("config", 1, ["string"], true)]);
    const next = level([node("user:", 5, ["string"]), node("session:", 30, ["string"])], { cursor: "99:40000", covered: 0.04 });
    const merged = mergeLevel(first, next);
    expect(merged.children.map((c) => [c.name, c.keys])).toEqual([["session:", 30], ["user:", 15], ["config", 1]]);
    expect(merged.children[1].types).toEqual(["hash", "string"]);
    expect(merged.seen).toBe(46);
    expect(merged.cursor).toBe("99:40000");
    expect(merged.covered).toBe(0.04);
  });

  it("marks estimates and scales them by the share covered", () => {
    const partial = level([node("user:", 200, ["hash"])]);
    expect(keyCountText(partial.children[0], partial)).toBe("~10,000");
    expect(coverageText(partial)).toMatch(/200 keys seen in 2\.0% of 1,000,000/);
    const whole = { ...partial, complete: true, covered: 1 };
    expect(keyCountText(whole.children[0], whole)).toBe("200");
  });

  it("walks a prefix into its path", () => {
    expect(prefixPath("", ":")).toEqual([]);
    expect(prefixPath("a:b:", ":")).toEqual(["a:", "a:b:"]);
    expect(prefixPath("x::y::", "::")).toEqual(["x::", "x::y::"]);
  });

  it("pretty-prints JSON and spaces hex", () => {
    const json = { field: null, index: null, score: null, text: '{"a":1}', hex: false, json: true, cutFrom: null };
    expect(valueText(json, true)).toBe('{\n  "a": 1\n}');
    expect(valueText(json, false)).toBe('{"a":1}');
    expect(valueText({ ...json, json: false, hex: true, text: "89504e47" }, true)).toBe("89 50 4e 47");
  });
});
