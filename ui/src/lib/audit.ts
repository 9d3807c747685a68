// The AI audit log as the app shows it: merged as new entries arrive (newest first, no
// duplicates, bounded), filtered, and counted per minute for the rate chart.

import type { AuditEntry, AuditVerification } from "../api";
import { plural } from "./format";

export const AUDIT_KEEP = 5000;

/** Adds freshly polled entries to the list: newest first by id, each id once, at most `keep`. */
export function mergeAudit(current: readonly AuditEntry[], incoming: readonly AuditEntry[], keep = AUDIT_KEEP): AuditEntry[] {
  if (incoming.length === 0) return current as AuditEntry[];
  const byId = new Map<number, AuditEntry>();
  for (const e of current) byId.set(e.id, e);
  for (const e of incoming) byId.set(e.id, e);
  return [...byId.values()].sort((a, b) => b.id - a.id).slice(0, keep);
}

/** The id to poll after: the newest seen, or null before the first load. */
export function newestId(entries: readonly AuditEntry[]): number | null {
  let max: number | null = null;
  for (const e of entries) if (max === null || e.id > max) max = e.id;
  return max;
}

/**
 * The id to poll after: just below the oldest row still `running` (its call had not finished
 * when it was read, so it will change), else the newest seen; null before the first load.
 */
export function pollAfterId(entries: readonly AuditEntry[]): number | null {
  let running: number | null = null;
  for (const e of entries) if (e.outcome === "running" && (running === null || e.id < running)) running = e.id;
  return running !== null ? running - 1 : newestId(entries);
}

export type AuditFilter = { text: string; outcome: "all" | "ok" | "error"; profile: string };

export const NO_AUDIT_FILTER: AuditFilter = { text: "", outcome: "all", profile: "" };

/** Every word of `text` must appear in the tool, profile, client, transport, statement or error. */
export function auditMatches(entry: AuditEntry, filter: AuditFilter): boolean {
  if (filter.outcome !== "all" && entry.outcome !== filter.outcome) return false;
  if (filter.profile !== "" && entry.profile !== filter.profile) return false;
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = [
    entry.tool,
    entry.profile,
    entry.client,
    entry.transport,
    entry.statement,
    entry.errorCode,
    entry.errorMessage,
  ]
    .filter((v): v is string => typeof v === "string")
    .join("\n")
    .toLowerCase();
  return words.every((w) => hay.includes(w));
}

export type RateSeries = { minutes: number[]; ok: number[]; errors: number[] };

/**
 * Calls per minute over the `span` minutes up to `now` (oldest first): x is the minute's start
 * in Unix seconds, as uPlot wants it.
 */
export function ratePerMinute(entries: readonly AuditEntry[], now: number, span = 60): RateSeries {
  const minuteMs = 60_000;
  const lastStart = Math.floor(now / minuteMs) * minuteMs;
  const firstStart = lastStart - (span - 1) * minuteMs;
  const ok = new Array<number>(span).fill(0);
  const errors = new Array<number>(span).fill(0);
  for (const e of entries) {
    const t = Date.parse(e.at);
    if (Number.isNaN(t) || t < firstStart || t >= lastStart + minuteMs) continue;
    const slot = Math.floor((t - firstStart) / minuteMs);
    if (e.outcome !== "error") ok[slot] += 1;
    else errors[slot] += 1;
  }
  const minutes = Array.from({ length: span }, (_, i) => (firstStart + i * minuteMs) / 1000);
  return { minutes, ok, errors };
}

/**
 * The audit chain's state in one line: "Audit chain: intact (N rows)" with what was not
 * verified, or "Audit chain: broken at row ID: reason".
 */
export function auditChainSummary(v: AuditVerification): string {
  if (!v.intact) {
    return v.brokenId === null ? `Audit chain: broken: ${v.brokenReason ?? "unknown reason"}` : `Audit chain: broken at row ${v.brokenId}: ${v.brokenReason ?? ""}`;
  }
  const rows = (n: number) => plural(n, "row");
  const notes = [
    v.legacy > 0 ? `${rows(v.legacy)} from before chaining, not verified` : null,
    v.pruned > 0 ? `${rows(v.pruned)} removed by retention` : null,
  ].filter((n): n is string => n !== null);
  return `Audit chain: intact (${rows(v.rows)})${notes.length > 0 ? `; ${notes.join("; ")}` : ""}`;
}
