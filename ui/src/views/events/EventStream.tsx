import { useEffect, useMemo, useState } from "react";
import type { EventView } from "../../api";
import { EVENTS_KEEP, filterEvents, NO_EVENT_FILTER, type EventFilter, type KindFilter } from "../../lib/events";
import { formatCount } from "../../lib/format";
import { clearEvents, eventsStore } from "../../stores/events";
import { loadEndpoint, profilesStore } from "../../stores/profiles";
import { useStore } from "../../stores/store";
import { CapturedExport } from "./CapturedExport";
import { EventDetails } from "./EventDetails";
import { EventList } from "./EventList";

type Frozen = { events: EventView[]; received: number };

/**
 * The live list of every monitor's events, newest at the bottom. Pause freezes what is shown
 * while events keep arriving into the (bounded) buffer; Resume shows them.
 */
export function EventStream() {
  const { events, dropped, received, monitors } = useStore(eventsStore);
  const [frozen, setFrozen] = useState<Frozen | null>(null);
  const [filter, setFilter] = useState<EventFilter>(NO_EVENT_FILTER);
  const [selected, setSelected] = useState<EventView | null>(null);
  const { endpoint } = useStore(profilesStore);
  useEffect(() => {
    void loadEndpoint();
  }, []);

  const paused = frozen !== null;
  const shown = frozen?.events ?? events;
  const visible = useMemo(() => filterEvents(shown, filter), [shown, filter]);
  const arrivedWhilePaused = frozen ? received - frozen.received : 0;

  // Monitors to filter by: the running ones.
  const monitorOptions = useMemo(() => {
    const targets = new Map<string, string>();
    for (const m of monitors) targets.set(m.monitorId, `${m.profile} · ${m.target}`);
    return [...targets.entries()];
  }, [monitors]);

  const togglePause = (): void => setFrozen((f) => (f ? null : { events, received }));

  return (
    <section className="panel event-stream" aria-label="Live events">
      <header className="panel-header event-stream-header">
        <h3>Live events</h3>
        <span className={paused ? "pill" : "pill live"} data-testid="events-live">
          {paused ? "paused" : "live"}
        </span>
        {paused && arrivedWhilePaused > 0 && (
          <span className="muted" data-testid="events-paused-new" data-count={arrivedWhilePaused}>
            +{formatCount(arrivedWhilePaused)} new
          </span>
        )}
        <span className="spacer" />
        <input
          type="search"
          className="events-filter"
          data-testid="events-filter"
          placeholder="Filter: channel or payload…"
          value={filter.text}
          onChange={(e) => setFilter((f) => ({ ...f, text: e.target.value }))}
        />
        <select
          data-testid="events-kind"
          aria-label="Kind"
          value={filter.kind}
          onChange={(e) => setFilter((f) => ({ ...f, kind: e.target.value as KindFilter }))}
        >
          <option value="all">Messages and lifecycle</option>
          <option value="message">Messages</option>
          <option value="lifecycle">Lifecycle</option>
        </select>
        <select
          data-testid="events-monitor"
          aria-label="Monitor"
          value={filter.monitorId}
          onChange={(e) => setFilter((f) => ({ ...f, monitorId: e.target.value }))}
        >
          <option value="">All monitors</option>
          {monitorOptions.map(([id, label]) => (
            <option key={id} value={id}>
              {label}
            </option>
          ))}
        </select>
        <button type="button" className={paused ? "button small toggled" : "button small"} data-testid="events-pause" aria-pressed={paused} onClick={togglePause}>
          {paused ? "Resume" : "Pause"}
        </button>
        <button
          type="button"
          className="button small"
          data-testid="events-clear"
          onClick={() => {
            clearEvents();
            setFrozen((f) => (f ? { events: [], received: 0 } : null));
            setSelected(null);
          }}
        >
          Clear
        </button>
      </header>
      {filter.monitorId !== "" && <CapturedExport key={`${filter.monitorId}:${endpoint?.home ?? ""}`} monitorId={filter.monitorId} home={endpoint?.home ?? null} />}
      <div className={selected ? "event-stream-body with-details" : "event-stream-body"}>
        <EventList events={visible} selected={selected} onSelect={setSelected} paused={paused} />
        {selected && <EventDetails event={selected} onClose={() => setSelected(null)} />}
      </div>
      <div className="event-stream-foot muted">
        <span data-testid="events-count" data-count={visible.length} data-total={shown.length}>
          {visible.length === shown.length
            ? `${formatCount(shown.length)} events`
            : `${formatCount(visible.length)} of ${formatCount(shown.length)} events`}
        </span>
        {dropped > 0 && (
          <span className="events-dropped" data-testid="events-dropped" data-dropped={dropped}>
            {formatCount(dropped)} older events dropped — the window keeps the newest {formatCount(EVENTS_KEEP)}
          </span>
        )}
      </div>
    </section>
  );
}
