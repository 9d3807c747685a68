import { describe, expect, it } from "vitest";
import type { AuditEntry, AuditVerification } from "../api";
import { auditChainSummary, auditMatches, mergeAudit, newestId, NO_AUDIT_FILTER, pollAfterId, ratePerMinute } from "./audit";

const entry = (id: number, at: string, over: Partial<AuditEntry> = {}): AuditEntry => ({
  id,
  at,
  client: "claude-code",
  transport: "stdio",
  tool: "execute-query",
  profile: "shop",
  statement: "select * from orders",
  rows: 3,
  durationMs: 2,
  outcome: "ok",
  errorCode: null,
  errorMessage: null,
  approval: null,
  ...over,
});

describe("audit log", () => {
  it("merges polled entries newest first without duplicates, bounded", () => {
    const current = [entry(5, "2025-01-01T00:00:05Z"), entry(4, "2025-01-01T00:00:04Z")];
    const merged = mergeAudit(current, [entry(7, "2025-01-01T00:00:07Z"), entry(5, "2025-01-01T00:00:05Z"), entry(6, "x")]);
    expect(merged.map((e) => e.id)).toEqual([7, 6, 5, 4]);
    expect(mergeAudit(merged, [entry(8, "y")], 2).map((e) => e.id)).toEqual([8, 7]);
    expect(mergeAudit(current, [])).toBe(current);
    expect(newestId(merged)).toBe(7);
    expect(newestId([])).toBeNull();
  });

  it("polls again from the oldest row still running, so its outcome arrives", () => {
    const rows = [entry(9, "a"), entry(8, "b", { outcome: "running" }), entry(6, "c", { outcome: "running" })];
    expect(pollAfterId(rows)).toBe(5);
    expect(pollAfterId([entry(9, "a"), entry(8, "b")])).toBe(9);
    expect(pollAfterId([])).toBeNull();
    const completed = mergeAudit(rows, [entry(6, "c", { outcome: "ok" }), entry(8, "b", { outcome: "error" })]);
    expect(completed.map((e) => e.outcome)).toEqual(["ok", "error", "ok"]);
    expect(pollAfterId(completed)).toBe(9);
  });

  it("filters by outcome, profile and words across fields", () => {
    const failed = entry(1, "t", { outcome: "error", errorCode: "READ_ONLY_VIOLATION", statement: "delete from orders" });
    expect(auditMatches(failed, { ...NO_AUDIT_FILTER, outcome: "ok" })).toBe(false);
    expect(auditMatches(failed, { ...NO_AUDIT_FILTER, outcome: "error" })).toBe(true);
    expect(auditMatches(failed, { ...NO_AUDIT_FILTER, text: "read_only DELETE" })).toBe(true);
    expect(auditMatches(failed, { ...NO_AUDIT_FILTER, text: "insert" })).toBe(false);
    expect(auditMatches(failed, { ...NO_AUDIT_FILTER, profile: "other" })).toBe(false);
  });

  it("counts calls per minute, oldest minute first", () => {
    const now = Date.parse("2025-01-01T10:02:30Z");
    const series = ratePerMinute(
      [
        entry(1, "2025-01-01T10:02:10Z"),
        entry(2, "2025-01-01T10:02:50Z", { outcome: "error" }),
        entry(3, "2025-01-01T10:00:00Z"),
        entry(4, "2025-01-01T09:00:00Z"),
        entry(5, "not a time"),
      ],
      now,
      3,
    );
    expect(series.minutes).toEqual([Date.parse("2025-01-01T10:00:00Z") / 1000, Date.parse("2025-01-01T10:01:00Z") / 1000, Date.parse("2025-01-01T10:02:00Z") / 1000]);
    expect(series.ok).toEqual([1, 0, 1]);
    expect(series.errors).toEqual([0, 0, 1]);
  });
});

describe("auditChainSummary", () => {
  const intact: AuditVerification = { intact: true, rows: 1200, legacy: 0, pruned: 0, running: 2, brokenId: null, brokenReason: null, head: "ab".repeat(32) };

  it("says intact with the rows verified and what was not verified", () => {
    expect(auditChainSummary(intact)).toBe("Audit chain: intact (1,200 rows)");
    expect(auditChainSummary({ ...intact, rows: 1, legacy: 3, pruned: 1 })).toBe(
      "Audit chain: intact (1 row); 3 rows from before chaining, not verified; 1 row removed by retention",
    );
  });

  it("names the first broken row and why", () => {
    const broken = { ...intact, intact: false, brokenId: 17, brokenReason: "row 16 before it is missing (deleted)", head: null };
    expect(auditChainSummary(broken)).toBe("Audit chain: broken at row 17: row 16 before it is missing (deleted)");
  });
});
