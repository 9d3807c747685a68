// The demo backend's monitors: fake pub/sub, streams, KV, LISTEN/NOTIFY, change streams and
// consumer lag, each emitting events on a timer (see demoBackend.ts). The PostgreSQL demo
// connection is unreachable, so its monitors keep reconnecting and log errors.

import { ApiError, type ConnectionState, type Severity, type Engine, type EngineSpec, type EventExportForm, type EventView, type LoggedEvent, type MonitorView } from "../api";
import { labelsWhere } from "../lib/engines";
import { canWatch, parseTarget } from "../lib/events";
import { DEMO_ENGINE_SPECS } from "./demoEngines";
import { demoLagPayload, demoTopicPartitions } from "./demoKafka";

type Demo = {
  view: MonitorView;
  engine: Engine;
  kind: string;
  name: string;
  onEvents: (batch: EventView[]) => void;
  timer: ReturnType<typeof setInterval>;
  ticks: number;
  seq: number;
  /** What was sent in the last second, for the rates. */
  recent: { t: number; bytes: number }[];
};

const TICK_MS = 200;
const monitors = new Map<string, Demo>();
const log: LoggedEvent[] = [];
let nextMonitor = 1;
let nextLogId = 1;

const encoder = new TextEncoder();

function logLifecycle(profile: string | null, target: string, severity: string, state: string | null, message: string, at: Date): void {
  log.push({ id: nextLogId++, ts: at.toISOString(), profile, target, severity, state, message });
  if (log.length > 1000) log.shift();
}

// A little history from before this session.
{
  const day = Date.now() - 86_400_000;
  logLifecycle("cache", "channel:orders", "info", "connected", "subscribed to channel orders", new Date(day));
  logLifecycle("cache", "channel:orders", "warning", "reconnecting", "connection reset by peer; reconnecting in 1 s", new Date(day + 600_000));
  logLifecycle("cache", "channel:orders", "info", "connected", "reconnected after 1 attempt", new Date(day + 601_200));
}

function base(d: Demo, over: Partial<EventView>): EventView {
  return {
    monitorId: d.view.monitorId,
    target: d.view.target,
    channel: d.name,
    kind: "message",
    severity: "info",
    category: "communication",
    payload: "",
    json: null,
    size: 0,
    headers: [],
    state: null,
    serverTs: null,
    partition: null,
    offset: null,
    key: null,
    ts: new Date().toISOString(),
    sequence: null,
    ...over,
  };
}

function lifecycle(d: Demo, state: ConnectionState, severity: Severity, message: string): EventView {
  d.view = { ...d.view, state };
  const at = new Date();
  logLifecycle(d.view.profile, d.view.target, severity, state, message, at);
  return base(d, { kind: "lifecycle", severity, category: "server_lifecycle", channel: "", payload: message, state, ts: at.toISOString() });
}

function jsonMessage(d: Demo, channel: string, value: unknown, over: Partial<EventView> = {}): EventView {
  const payload = JSON.stringify(value);
  return base(d, { channel, payload, json: JSON.stringify(value, null, 2), size: encoder.encode(payload).length, ...over });
}

function textMessage(d: Demo, channel: string, payload: string, over: Partial<EventView> = {}): EventView {
  return base(d, { channel, payload, size: payload.startsWith("\\x") ? (payload.length - 2) / 2 : encoder.encode(payload).length, ...over });
}

const STATUSES = ["NEW", "PAID", "PACKED", "SHIPPED", "DELIVERED"];
const pick = <T>(list: readonly T[], n: number): T => list[n % list.length];

/** One message as the target's kind would deliver it. */
function message(d: Demo): EventView {
  d.seq += 1;
  const n = d.seq;
  const now = new Date().toISOString();
  const order = { id: 1000 + n, status: pick(STATUSES, n), total: ((n * 17.3) % 400).toFixed(2), customer: { id: (n % 50) + 1 } };
  switch (d.kind) {
    case "channel":
      return n % 9 === 0 ? textMessage(d, d.name, `ping ${n}`) : jsonMessage(d, d.name, order);
    case "pattern": {
      const channel = d.name.replace(/\*/g, pick(["created", "paid", "shipped", "eu.created", "us.paid"], n)).replace(/[?[\]]/g, "x");
      return n % 13 === 0 ? textMessage(d, channel, "\\x00ff10a2c3") : jsonMessage(d, channel, order);
    }
    case "keyspace": {
      const key = d.name.replace(/\*/g, `u${(n * 7) % 300}`);
      return textMessage(d, `__keyspace@0__:${key}`, pick(["set", "expire", "del", "expired", "hset"], n));
    }
    case "stream":
      return jsonMessage(d, d.name, { type: pick(["page_view", "click", "signup"], n), user: `u${n % 80}` }, { sequence: n, serverTs: now, headers: [["id", `${Date.now()}-${n % 3}`]] });
    case "subject": {
      const [subject, queue] = d.name.split("@");
      const concrete = subject.replace(/>/g, pick(["created", "paid.eu", "shipped"], n)).replace(/\*/g, pick(["eu", "us", "apac"], n));
      const headers: [string, string][] = [
        ["Nats-Msg-Id", `msg-${n}`],
        ["trace-id", (n * 2654435761).toString(16).slice(-12)],
      ];
      if (queue) headers.push(["queue", queue]);
      return jsonMessage(d, concrete, order, { headers, sequence: n, serverTs: now });
    }
    case "kv": {
      const [bucket, keys = ">"] = d.name.split("/");
      const key = keys.replace(/[*>]/g, pick(["feature.dark_mode", "limits.rate", "banner"], n));
      return n % 5 === 0
        ? textMessage(d, `${bucket}.${key}`, "", { headers: [["KV-Operation", "DEL"]], sequence: n })
        : jsonMessage(d, `${bucket}.${key}`, { enabled: n % 2 === 0, revision: n }, { headers: [["KV-Operation", "PUT"]], sequence: n, serverTs: now });
    }
    case "changes":
      return jsonMessage(
        d,
        d.name,
        { operationType: pick(["insert", "update", "update", "delete"], n), documentKey: { _id: `65f0c0de${String(n).padStart(16, "0")}` }, updateDescription: n % 4 === 0 ? null : { updatedFields: { status: pick(STATUSES, n) } } },
        { serverTs: now, category: "communication" },
      );
    case "topic": {
      // topic:NAME[@start]: messages spread over the topic's partitions, keyed by order.
      const topic = d.name.split("@")[0];
      const partitions = demoTopicPartitions(topic);
      const partition = n % partitions;
      const offset = 18_000 + Math.floor(n / partitions);
      const headers: [string, string][] = [["content-type", "application/json"], ["producer", "orders-service"]];
      return jsonMessage(d, topic, order, { partition, offset, key: `order-${order.id}`, headers, serverTs: now });
    }
    case "lag": {
      if (d.engine === "kafka") return jsonMessage(d, d.name, demoLagPayload(d.name), { category: "performance", serverTs: now });
      const pending = Math.max(0, Math.round(400 + 380 * Math.sin(n / 6) + ((n * 37) % 50)));
      return jsonMessage(d, d.name, { stream: d.name.split("/")[0], consumer: d.name.split("/")[1] ?? "", pending, ackPending: Math.round(pending / 10), redelivered: n % 7, lastDelivered: 90_000 + n * 12 }, { category: "performance", sequence: n, serverTs: now });
    }
    default:
      return textMessage(d, d.name, `event ${n}`);
  }
}

/** How many messages a tick brings: a gentle wave, much more for patterns (to show dropping). */
function perTick(d: Demo): number {
  if (d.kind === "lag") return d.ticks % 5 === 0 ? 1 : 0;
  const base = d.kind === "pattern" ? 60 : d.kind === "keyspace" ? 6 : 1.6;
  const wave = 1 + 0.8 * Math.sin(d.ticks / 25);
  const exact = base * wave;
  return Math.floor(exact) + (Math.random() < exact - Math.floor(exact) ? 1 : 0);
}

function tick(d: Demo): void {
  d.ticks += 1;
  const batch: EventView[] = [];
  if (d.engine === "postgres") {
    // The demo PostgreSQL server is unreachable: retry every 2 s.
    if (d.ticks % 10 === 0) {
      const attempts = d.view.reconnectAttempts + 1;
      const error = "could not connect to staging.internal:5432: connection refused";
      batch.push(lifecycle(d, "reconnecting", attempts % 3 === 0 ? "error" : "warning", `${error}; retrying (attempt ${attempts})`));
      d.view = { ...d.view, reconnectAttempts: attempts, lastError: error };
    }
  } else if (d.kind === "channel" && d.ticks % 225 === 0) {
    // Now and then the connection drops and comes back.
    batch.push(lifecycle(d, "reconnecting", "warning", "connection reset by peer; reconnecting in 1 s"));
    d.view = { ...d.view, reconnectAttempts: d.view.reconnectAttempts + 1, lastError: "connection reset by peer" };
  } else if (d.view.state === "reconnecting") {
    batch.push(lifecycle(d, "connected", "info", "reconnected"));
  } else {
    const count = perTick(d);
    for (let i = 0; i < count; i += 1) batch.push(message(d));
    // The pattern monitor's buffer overflows now and then, like a slow window would cause.
    if (d.kind === "pattern" && d.ticks % 40 === 0) d.view = { ...d.view, dropped: (d.view.dropped ?? 0) + 25 };
  }
  send(d, batch);
}

function send(d: Demo, batch: EventView[]): void {
  if (batch.length === 0) return;
  const now = Date.now();
  let bytes = 0;
  let messages = 0;
  for (const e of batch) {
    if (e.kind !== "message") continue;
    messages += 1;
    bytes += e.size;
    d.recent.push({ t: now, bytes: e.size });
  }
  d.view = { ...d.view, eventsTotal: (d.view.eventsTotal ?? 0) + messages, bytesTotal: (d.view.bytesTotal ?? 0) + bytes };
  d.onEvents(batch);
}

function status(d: Demo): MonitorView {
  const now = Date.now();
  d.recent = d.recent.filter((r) => r.t > now - 1000);
  const bytes = d.recent.reduce((a, r) => a + r.bytes, 0);
  return { ...d.view, eventsPerSec: d.recent.length, bytesPerSec: bytes };
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The monitor half of the demo backend; `specOf` throws NOT_FOUND for an unknown connection. */
export function demoMonitors(specOf: (profile: string) => EngineSpec) {
  return {
    startMonitor: async (profile: string, target: string, onEvents: (batch: EventView[]) => void): Promise<MonitorView> => {
      await wait(60);
      const spec = specOf(profile);
      const engine = spec.engine;
      if (!canWatch(spec)) {
        const watchable = labelsWhere(DEMO_ENGINE_SPECS, canWatch, "or");
        throw new ApiError({ code: "UNSUPPORTED", message: `${spec.label} connections have no events to watch; use a ${watchable} connection` });
      }
      const parsed = parseTarget(target);
      const kinds = spec.watchKinds;
      if (!parsed || !kinds.includes(parsed.kind) || parsed.name.trim() === "") {
        throw new ApiError({ code: "INVALID_INPUT", message: `"${target}" is not a target for ${engine}; use ${kinds.map((k) => `${k}:NAME`).join(", ")}` });
      }
      const monitorId = `mon-${nextMonitor++}`;
      const d: Demo = {
        view: { monitorId, profile, target, state: "connecting", eventsTotal: 0, bytesTotal: 0, dropped: 0, buffered: 0, eventsPerSec: 0, bytesPerSec: 0, reconnectAttempts: 0, lastError: null },
        engine,
        kind: parsed.kind,
        name: parsed.name.trim(),
        onEvents,
        timer: setInterval(() => tick(d), TICK_MS),
        ticks: 0,
        seq: 0,
        recent: [],
      };
      monitors.set(monitorId, d);
      const first = lifecycle(d, "connecting", "info", `connecting to ${profile}`);
      const second =
        engine === "postgres"
          ? lifecycle(d, "reconnecting", "error", "could not connect to staging.internal:5432: connection refused; retrying")
          : lifecycle(d, "connected", "info", `watching ${target}`);
      if (engine === "postgres") d.view = { ...d.view, lastError: "could not connect to staging.internal:5432: connection refused" };
      setTimeout(() => send(d, [first, second]), 0);
      return status(d);
    },
    stopMonitor: async (monitorId: string): Promise<boolean> => {
      await wait(30);
      const d = monitors.get(monitorId);
      if (!d) return false;
      clearInterval(d.timer);
      monitors.delete(monitorId);
      send(d, [lifecycle(d, "disconnected", "info", "stopped")]);
      return true;
    },
    retryMonitor: async (monitorId: string): Promise<boolean> => {
      await wait(30);
      const d = monitors.get(monitorId);
      if (!d || d.view.state !== "error") return false;
      send(d, [lifecycle(d, "reconnecting", "warning", "retrying: reconnect attempt 1 of 10 in 1.0 s")]);
      return true;
    },
    monitorStatuses: async (): Promise<MonitorView[]> => {
      await wait(10);
      return [...monitors.values()].map(status);
    },
    eventLog: async (limit: number): Promise<LoggedEvent[]> => {
      await wait(30);
      return [...log].reverse().slice(0, Math.min(limit, 1000));
    },
    exportMonitorEvents: async (monitorId: string): Promise<number> => {
      await wait(60);
      if (!monitors.has(monitorId)) throw new ApiError({ code: "NOT_FOUND", message: `no monitor ${monitorId} is running` });
      return 0;
    },
    exportEventLog: async (form: EventExportForm): Promise<number> => {
      await wait(80);
      const text = form.text.trim().toLowerCase();
      return log.filter((e) => text === "" || e.message.toLowerCase().includes(text) || e.target.toLowerCase().includes(text)).length;
    },
  };
}
