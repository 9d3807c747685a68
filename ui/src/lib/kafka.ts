// The Kafka browser's logic: filtering the topic and group lists, the offset-reset form (what
// it sends, and when Apply may run), the lag chart's points, and how offsets, members and
// brokers are written. The views under views/kafka/ only draw what this computes.

import type { AppError, BrokerView, MemberView, PartitionLagView, TopicView } from "../api";
import { formatCount } from "./format";

// ---------------------------------------------------------------------------------------------
// Lists

/**
 * The items whose name matches `text`: a case-insensitive substring, or a glob when it has a
 * `*` (`orders*`, `*.dlq`). An empty filter keeps everything (the same array).
 */
export function filterByName<T extends { name: string }>(items: readonly T[], text: string): readonly T[] {
  const needle = text.trim().toLowerCase();
  if (needle === "") return items;
  if (!needle.includes("*")) return items.filter((item) => item.name.toLowerCase().includes(needle));
  const pattern = new RegExp(`^${needle.split("*").map(escapeRegExp).join(".*")}$`);
  return items.filter((item) => pattern.test(item.name.toLowerCase()));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** An offset or count as the tables write it; "—" where there is none (never committed). */
export function formatOffset(n: number | null): string {
  return n === null ? "—" : formatCount(n);
}

/** `#1 kafka-1:9092, #2 kafka-2:9092`: the brokers for the header line. */
export function brokersText(brokers: readonly BrokerView[]): string {
  return brokers.map((b) => `#${b.id} ${b.host}:${b.port}`).join(", ");
}

/** `orders[0,1] payments[0]`: a member's assigned partitions, by topic. */
export function assignmentText(assignment: MemberView["assignment"]): string {
  if (assignment.length === 0) return "no partitions";
  return assignment.map(([topic, partitions]) => `${topic}[${[...partitions].sort((a, b) => a - b).join(",")}]`).join(" ");
}

/** Whether a partition's in-sync replicas are fewer than its replicas (under-replicated). */
export function underReplicated(partition: { replicas: readonly number[]; isr: readonly number[] }): boolean {
  return partition.isr.length < partition.replicas.length;
}

// ---------------------------------------------------------------------------------------------
// The offset-reset form

export type ResetMode = "earliest" | "latest" | "offset" | "time";

export const RESET_MODES: readonly { mode: ResetMode; label: string }[] = [
  { mode: "earliest", label: "Earliest (re-read everything kept)" },
  { mode: "latest", label: "Latest (skip to the end)" },
  { mode: "offset", label: "Offset" },
  { mode: "time", label: "Time" },
];

/** The dialog's inputs, as typed. `partition` is "" for every partition of the topic. */
export type ResetForm = { topic: string; mode: ResetMode; offset: string; time: string; partition: string };

/** What Preview and Apply send besides the profile and group. */
export type ResetRequest = { topic: string; to: string; partition: number | null };

/** The reset dialog's first inputs: the first topic offered, every partition, to the latest. */
export function initialResetForm(topics: readonly string[]): ResetForm {
  return { topic: topics[0] ?? "", mode: "latest", offset: "", time: "", partition: "" };
}

/**
 * The topics the dialog offers: those of the group's lag rows (sorted), or every topic of the
 * cluster when the group committed on none yet.
 */
export function resetTopics(lag: readonly Pick<PartitionLagView, "topic">[], topics: readonly Pick<TopicView, "name">[]): string[] {
  const own = [...new Set(lag.map((l) => l.topic))].sort();
  return own.length > 0 ? own : topics.map((t) => t.name);
}

/** The partitions of `topic` to choose from: the catalog's, else those of the lag rows. */
export function topicPartitions(
  topic: string,
  topics: readonly { name: string; partitions: readonly { id: number }[] }[],
  lag: readonly Pick<PartitionLagView, "topic" | "partition">[],
): number[] {
  const known = topics.find((t) => t.name === topic);
  const ids = known ? known.partitions.map((p) => p.id) : lag.filter((l) => l.topic === topic).map((l) => l.partition);
  return [...new Set(ids)].sort((a, b) => a - b);
}

/**
 * A `datetime-local` value (`2026-12-07T10:00`, in the user's time zone) as the RFC 3339 UTC
 * time the backend reads (`2026-12-07T09:00:00Z` in Berlin); null when it is not one.
 */
export function localTimeToUtc(value: string): string | null {
  const v = value.trim();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(v)) return null;
  // A date-time without an offset is local time (ECMAScript's Date parsing).
  const t = new Date(v);
  if (Number.isNaN(t.getTime())) return null;
  return t.toISOString().replace(/\.000Z$/, "Z");
}

/** The `to` argument: `earliest`, `latest`, an offset or an RFC 3339 time; null while incomplete. */
export function resetTo(form: ResetForm): string | null {
  switch (form.mode) {
    case "earliest":
    case "latest":
      return form.mode;
    case "offset": {
      const text = form.offset.trim();
      if (!/^\d+$/.test(text)) return null;
      const n = Number(text);
      return Number.isSafeInteger(n) ? String(n) : null;
    }
    case "time":
      return localTimeToUtc(form.time);
  }
}

/** The call the form stands for; null while it cannot be sent (no topic, no offset or time). */
export function resetRequest(form: ResetForm): ResetRequest | null {
  const to = resetTo(form);
  if (form.topic === "" || to === null) return null;
  const partition = form.partition === "" ? null : Number(form.partition);
  if (partition !== null && !Number.isInteger(partition)) return null;
  return { topic: form.topic, to, partition };
}

export function sameRequest(a: ResetRequest | null, b: ResetRequest | null): boolean {
  return a !== null && b !== null && a.topic === b.topic && a.to === b.to && a.partition === b.partition;
}

/**
 * Apply runs only what was just previewed: a preview of exactly the current inputs came
 * back (the preview is the confirmation), and nothing is running.
 */
export function canApply(previewed: ResetRequest | null, current: ResetRequest | null, busy: boolean): boolean {
  return !busy && sameRequest(previewed, current);
}

/** What to tell the user besides the error itself; IN_USE needs the way out spelled out. */
export function resetErrorAdvice(error: AppError): string | null {
  if (error.code === "IN_USE") {
    return "The group still has active consumers, and Kafka moves a group's offsets only while none runs. Stop the group's consumers first, then preview and apply again.";
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// The lag chart

/** One poll of a group: `t` in ms since the epoch, `lag` its total lag then. */
export type LagPoint = { t: number; lag: number };

/** Polls the chart keeps: 5 minutes at one poll every 2 s. */
export const LAG_CHART_POINTS = 150;

/** Adds a poll's total lag, keeping the newest `keep` points (oldest first). */
export function pushLagPoint(points: readonly LagPoint[], t: number, lag: number, keep = LAG_CHART_POINTS): LagPoint[] {
  const next = points.length >= keep ? points.slice(points.length - keep + 1) : points.slice();
  next.push({ t, lag: Number.isFinite(lag) && lag > 0 ? lag : 0 });
  return next;
}

/** The chart's data: x in Unix seconds (as uPlot wants it), y the total lag. */
export function lagSeries(points: readonly LagPoint[]): { x: number[]; y: number[] } {
  return { x: points.map((p) => p.t / 1000), y: points.map((p) => p.lag) };
}

/** The y axis: from 0 to a little above the highest lag (at least 1, so a flat 0 line shows). */
export function lagAxisMax(max: number | null | undefined): number {
  const top = typeof max === "number" && Number.isFinite(max) ? max : 0;
  // ×11/10 rather than ×1.1, which overshoots (100 × 1.1 = 110.00000000000001).
  return Math.max(1, Math.ceil((top * 11) / 10));
}

/** Whether the lag went up, down or stayed between the first and the last point charted. */
export function lagTrend(points: readonly LagPoint[]): "up" | "down" | "flat" {
  if (points.length < 2) return "flat";
  const first = points[0].lag;
  const last = points[points.length - 1].lag;
  return last > first ? "up" : last < first ? "down" : "flat";
}
