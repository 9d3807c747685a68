// Running monitors and the events they send. Events arrive over Tauri channels in batches;
// the store publishes them at most every 100 ms, keeping the newest EVENTS_KEEP, so a flood
// never freezes the window. Monitors keep running (and events keep arriving) when the Events
// view is not shown.

import { api, toAppError, type AppError, type EventView, type MonitorView } from "../api";
import { appendBounded, EVENTS_KEEP, updateRates, type RateSample } from "../lib/events";
import { offerHostKey } from "./hostKeys";
import { createStore } from "./store";

export type EventsState = {
  /** Oldest first, newest last; a new array each time more arrive. */
  events: EventView[];
  /** Events dropped from the window's buffer (beyond EVENTS_KEEP) since the last clear. */
  dropped: number;
  /** Events received since the last clear. */
  received: number;
  monitors: MonitorView[];
  monitorsLoaded: boolean;
  monitorsError: AppError | null;
  /** Events per second over the last minute, per monitor (from the 1 s polls). */
  rates: ReadonlyMap<string, RateSample[]>;
};

export const eventsStore = createStore<EventsState>({
  events: [],
  dropped: 0,
  received: 0,
  monitors: [],
  monitorsLoaded: false,
  monitorsError: null,
  rates: new Map(),
});

const PUBLISH_EVERY_MS = 100;
let pending: EventView[] = [];
let timer: number | undefined;

function publish(): void {
  timer = undefined;
  const batch = pending;
  pending = [];
  if (batch.length === 0) return;
  eventsStore.set((s) => {
    const { events, dropped } = appendBounded(s.events, batch, EVENTS_KEEP);
    return { ...s, events, dropped: s.dropped + dropped, received: s.received + batch.length };
  });
}

/** Takes a batch from a monitor's channel; it shows up within PUBLISH_EVERY_MS. */
export function receiveEvents(batch: readonly EventView[]): void {
  if (batch.length === 0) return;
  for (const e of batch) pending.push(e);
  // Never hold more than the window keeps, even before a publish.
  if (pending.length > EVENTS_KEEP) {
    const extra = pending.length - EVENTS_KEEP;
    pending = pending.slice(extra);
    eventsStore.set((s) => ({ ...s, dropped: s.dropped + extra, received: s.received + extra }));
  }
  if (timer === undefined) timer = window.setTimeout(publish, PUBLISH_EVERY_MS);
}

export function clearEvents(): void {
  pending = [];
  eventsStore.set((s) => ({ ...s, events: [], dropped: 0, received: 0 }));
}

export async function startMonitor(profile: string, target: string): Promise<MonitorView> {
  let monitor: MonitorView;
  try {
    monitor = await api.startMonitor(profile, target, receiveEvents);
  } catch (error) {
    // An unknown SSH host key is asked about; Start again once it is trusted.
    offerHostKey(profile, toAppError(error));
    throw error;
  }
  eventsStore.set((s) => ({
    ...s,
    monitors: [...s.monitors.filter((m) => m.monitorId !== monitor.monitorId), monitor],
  }));
  return monitor;
}

export async function stopMonitor(monitorId: string): Promise<boolean> {
  const stopped = await api.stopMonitor(monitorId);
  eventsStore.set((s) => {
    const rates = new Map(s.rates);
    rates.delete(monitorId);
    return { ...s, monitors: s.monitors.filter((m) => m.monitorId !== monitorId), rates };
  });
  return stopped;
}

/** Starts a monitor that gave up reconnecting on a fresh schedule; its state follows by polling. */
export async function retryMonitor(monitorId: string): Promise<boolean> {
  return api.retryMonitor(monitorId);
}

/** Polls every monitor's counters and records its rate for the charts. */
export async function refreshMonitors(): Promise<void> {
  try {
    const monitors = await api.monitorStatuses();
    const now = Date.now();
    eventsStore.set((s) => ({
      ...s,
      monitors,
      monitorsLoaded: true,
      monitorsError: null,
      rates: updateRates(s.rates, monitors, now),
    }));
  } catch (error) {
    eventsStore.set((s) => ({ ...s, monitorsError: toAppError(error), monitorsLoaded: true }));
  }
}
