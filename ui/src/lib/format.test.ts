import { describe, expect, it } from "vitest";
import { diffLines, diffStats } from "./diff";
import { formatAgo, formatBytes, formatCount, formatDuration, plural } from "./format";

describe("formatting", () => {
  it("writes counts, durations and sizes", () => {
    expect(formatCount(100000)).toBe("100,000");
    expect(plural(1, "row")).toBe("1 row");
    expect(plural(2, "row")).toBe("2 rows");
    expect(formatDuration(0.4)).toBe("<1 ms");
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(12.4)).toBe("12 ms");
    expect(formatDuration(1234)).toBe("1.23 s");
    expect(formatDuration(61_000)).toBe("1 min 1 s");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(262144)).toBe("256 KiB");
  });

  it("says how long ago", () => {
    const now = Date.parse("2025-01-01T12:00:00Z");
    expect(formatAgo("2025-01-01T11:59:55Z", now)).toBe("just now");
    expect(formatAgo("2025-01-01T11:55:00Z", now)).toBe("5 min ago");
    expect(formatAgo("2025-01-01T09:00:00Z", now)).toBe("3 h ago");
  });
});

describe("diffs", () => {
  it("classifies unified diff lines", () => {
    const lines = diffLines('--- a/mcp.json\n+++ b/mcp.json\n@@ -1,2 +1,3 @@\n {\n+  "dbdock": {}\n-  "old": 1\n');
    expect(lines.map((l) => l.kind)).toEqual(["meta", "meta", "hunk", "context", "add", "del"]);
    expect(diffStats(lines)).toEqual({ added: 1, removed: 1 });
    expect(diffLines("  ")).toEqual([]);
  });
});
