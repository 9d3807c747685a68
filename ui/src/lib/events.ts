// The Events view's logic: which targets an engine can watch, the bounded event buffer, the
// list's filter, the per-monitor rate history for the charts, and when to follow new events.

import type { Engine, EngineSpec, EventView } from "../api";

/** At most this many events are kept in the window; older ones are dropped. */
export const EVENTS_KEEP = 20_000;

// ---------------------------------------------------------------------------------------------
// Targets

export type TargetKind = {
  /** The prefix before the colon: `channel`, `subject`, `notify`, … */
  kind: string;
  label: string;
  placeholder: string;
  hint: string;
};

type KindText = Omit<TargetKind, "kind">;

// What the form says about each kind. Which kinds an engine offers comes from its spec
// (`watchKinds`); a kind the backend adds before the UI knows it still gets a plain entry.
const KIND_TEXTS = new Map<string, KindText>([
  ["channel", { label: "Pub/sub channel", placeholder: "orders", hint: "SUBSCRIBE to one channel" }],
  ["pattern", { label: "Pub/sub pattern", placeholder: "orders.*", hint: "PSUBSCRIBE to a glob" }],
  ["keyspace", { label: "Keyspace notifications", placeholder: "session:*", hint: "key changes matching a glob" }],
  ["stream", { label: "Stream", placeholder: "events", hint: "new entries of a stream key" }],
  ["subject", { label: "Subject", placeholder: "orders.>  or  orders.*@workers", hint: "a subject, optionally @QUEUE group" }],
  ["lag", { label: "Consumer lag", placeholder: "ORDERS/processor", hint: "JetStream STREAM/CONSUMER pending and ack lag" }],
  ["kv", { label: "KV bucket", placeholder: "config  or  config/app.*", hint: "changes in a bucket, optionally /KEYS" }],
  ["notify", { label: "LISTEN channel", placeholder: "orders_changed", hint: "NOTIFY payloads on a channel" }],
  ["changes", { label: "Change stream", placeholder: "orders", hint: "inserts, updates and deletes in a collection" }],
  ["topic", { label: "Topic", placeholder: "orders  or  orders@earliest", hint: "new messages of a topic; @earliest, @OFFSET or @2026-12-07T10:00:00Z to start elsewhere" }],
]);

// Where one kind means something else on another engine, that engine's text wins (purely
// cosmetic, like the badges: which kinds it offers still comes from its spec). Kafka's
// `lag:` names a consumer group, NATS's a JetStream stream and consumer.
const ENGINE_KIND_TEXTS: Partial<Record<Engine, ReadonlyMap<string, KindText>>> = {
  kafka: new Map([["lag", { label: "Consumer group lag", placeholder: "billing  or  billing/orders", hint: "a consumer group's lag, polled: GROUP, or GROUP/TOPIC for one topic" }]]),
};

/** Whether a monitor can watch anything on the engine. Unknown engines cannot. */
export function canWatch(spec: EngineSpec | null): boolean {
  return spec !== null && spec.capabilities.watch && spec.watchKinds.length > 0;
}

/** What the engine can watch, in the order the form offers it (empty when it cannot). */
export function targetKinds(spec: EngineSpec | null): TargetKind[] {
  if (!spec || !canWatch(spec)) return [];
  const own = ENGINE_KIND_TEXTS[spec.engine];
  return spec.watchKinds.map((kind) => ({
    kind,
    ...(own?.get(kind) ?? KIND_TEXTS.get(kind) ?? { label: kind, placeholder: "", hint: `${kind}:NAME` }),
  }));
}

/** The profiles whose engine can be watched, in their order. */
export function watchableProfiles<P extends { engine: Engine }>(profiles: readonly P[], specs: ReadonlyMap<Engine, EngineSpec>): P[] {
  return profiles.filter((p) => canWatch(specs.get(p.engine) ?? null));
}

/** `kind:name` as the backend wants it; null while the name is empty. */
export function buildTarget(kind: string, name: string): string | null {
  const trimmed = name.trim();
  if (kind === "" || trimmed === "") return null;
  return `${kind}:${trimmed}`;
}

/** Splits `kind:name` (the name may contain colons); null when there is no kind. */
export function parseTarget(target: string): { kind: string; name: string } | null {
  const at = target.indexOf(":");
  if (at <= 0) return null;
  return { kind: target.slice(0, at), name: target.slice(at + 1) };
}

// ---------------------------------------------------------------------------------------------
// The bounded buffer

export type Appended = { events: EventView[]; dropped: number };

/**
 * Appends a batch (oldest first, newest last) and keeps at most `keep` events, dropping the
 * oldest. Returns a new array (the old one stays valid, e.g. as a paused view's snapshot) and
 * how many events were dropped by this call.
 */
export function appendBounded(current: readonly EventView[], incoming: readonly EventView[], keep = EVENTS_KEEP): Appended {
  if (incoming.length === 0) return { events: current as EventView[], dropped: 0 };
  const total = current.length + incoming.length;
  const dropped = Math.max(0, total - keep);
  if (dropped === 0) return { events: current.concat(incoming), dropped: 0 };
  if (dropped >= current.length) {
    return { events: incoming.slice(dropped - current.length), dropped };
  }
  return { events: current.slice(dropped).concat(incoming), dropped };
}

// ---------------------------------------------------------------------------------------------
// Filtering

export type KindFilter = "all" | "message" | "lifecycle";

export type EventFilter = { text: string; kind: KindFilter; monitorId: string };

export const NO_EVENT_FILTER: EventFilter = { text: "", kind: "all", monitorId: "" };

/** Every word of `text` must appear (case-insensitively) in the channel, the key or the payload. */
export function eventMatches(event: EventView, filter: EventFilter): boolean {
  if (filter.kind !== "all" && event.kind !== filter.kind) return false;
  if (filter.monitorId !== "" && event.monitorId !== filter.monitorId) return false;
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const channel = event.channel.toLowerCase();
  const key = event.key?.toLowerCase() ?? "";
  const payload = event.payload.toLowerCase();
  return words.every((w) => channel.includes(w) || key.includes(w) || payload.includes(w));
}

export function isFilterEmpty(filter: EventFilter): boolean {
  return filter.kind === "all" && filter.monitorId === "" && filter.text.trim() === "";
}

/** The events that pass the filter, in order; the same array when nothing is filtered. */
export function filterEvents(events: readonly EventView[], filter: EventFilter): readonly EventView[] {
  if (isFilterEmpty(filter)) return events;
  return events.filter((e) => eventMatches(e, filter));
}

/** A severity the list knows how to colour: `info`, `warning`, `error` or `critical`. */
export function severityClass(severity: string): "info" | "warning" | "error" | "critical" {
  const s = severity.toLowerCase();
  if (s === "warning" || s === "warn") return "warning";
  if (s === "error") return "error";
  if (s === "critical" || s === "fatal") return "critical";
  return "info";
}

/** Local time of day to the millisecond, `14:25:01.042`; the text itself when it is not a time. */
export function formatEventTime(ts: string): string {
  const t = new Date(ts);
  if (Number.isNaN(t.getTime())) return ts;
  const two = (n: number): string => String(n).padStart(2, "0");
  return `${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())}.${String(t.getMilliseconds()).padStart(3, "0")}`;
}

/**
 * Where a message sits in its log, as Kafka tools write it: `p1@42 key=order-7` (partition,
 * offset, then the key when it has one); null for events without a position (other engines,
 * lifecycle events).
 */
export function eventPosition(event: Pick<EventView, "partition" | "offset" | "key">): string | null {
  const parts: string[] = [];
  if (event.partition !== null) parts.push(event.offset !== null ? `p${event.partition}@${event.offset}` : `p${event.partition}`);
  else if (event.offset !== null) parts.push(`@${event.offset}`);
  if (event.key !== null) parts.push(`key=${event.key}`);
  return parts.length === 0 ? null : parts.join(" ");
}

/** The payload on one line, shortened for the list. */
export function payloadSummary(payload: string, max = 200): string {
  const flat = payload.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

// ---------------------------------------------------------------------------------------------
// Rates

/** One polled reading: `t` in ms since the epoch, `v` events per second. */
export type RateSample = { t: number; v: number };

/** Adds a reading and forgets those older than `spanMs` before it. */
export function pushRate(samples: readonly RateSample[], t: number, v: number, spanMs = 60_000): RateSample[] {
  const from = t - spanMs;
  const kept = samples.filter((s) => s.t >= from && s.t < t);
  kept.push({ t, v: Number.isFinite(v) && v > 0 ? v : 0 });
  return kept;
}

/** Records the latest rates of the monitors polled, dropping the histories of those gone. */
export function updateRates(
  rates: ReadonlyMap<string, RateSample[]>,
  readings: readonly { monitorId: string; eventsPerSec: number | null }[],
  t: number,
  spanMs = 60_000,
): Map<string, RateSample[]> {
  const next = new Map<string, RateSample[]>();
  for (const r of readings) next.set(r.monitorId, pushRate(rates.get(r.monitorId) ?? [], t, r.eventsPerSec ?? 0, spanMs));
  return next;
}

export type RateSeries = { x: number[]; y: number[] };

/** The chart's data: x in Unix seconds (as uPlot wants it), oldest first, over the `spanMs` up to `now`. */
export function rateSeries(samples: readonly RateSample[], now: number, spanMs = 60_000): RateSeries {
  const from = now - spanMs;
  const inside = samples.filter((s) => s.t >= from && s.t <= now).sort((a, b) => a.t - b.t);
  return { x: inside.map((s) => s.t / 1000), y: inside.map((s) => s.v) };
}

/** Events per second as the cards write it: `0`, `3.4`, `120`, `12.5k`. */
export function formatRate(perSec: number | null): string {
  if (perSec === null || !Number.isFinite(perSec) || perSec <= 0) return "0";
  if (perSec < 10) return perSec.toFixed(1).replace(/\.0$/, "");
  if (perSec < 10_000) return String(Math.round(perSec));
  return `${(perSec / 1000).toFixed(1).replace(/\.0$/, "")}k`;
}

// ---------------------------------------------------------------------------------------------
// Following the newest event

/** Whether a scroll position counts as "at the bottom" (so new events keep it there). */
export function isAtBottom(scrollTop: number, clientHeight: number, scrollHeight: number, slack = 24): boolean {
  return scrollHeight - (scrollTop + clientHeight) <= slack;
}
