import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useEffect, useRef, useState, type KeyboardEvent } from "react";
import type { EventView } from "../../api";
import { eventPosition, formatEventTime, isAtBottom, payloadSummary, severityClass } from "../../lib/events";
import { formatBytes } from "../../lib/format";

type Props = {
  events: readonly EventView[];
  selected: EventView | null;
  onSelect: (event: EventView) => void;
  paused: boolean;
};

const ROW_HEIGHT = 24;

/**
 * The events, oldest at the top and newest at the bottom, virtualized (only the rows on screen
 * are in the DOM). It follows new events while scrolled to the bottom; scrolling up stops that
 * until the user scrolls back down or presses "Newest".
 */
export function EventList({ events, selected, onSelect, paused }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const followRef = useRef(true);
  const [following, setFollowing] = useState(true);
  const count = events.length;
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });

  useEffect(() => {
    if (followRef.current && count > 0) virtualizer.scrollToIndex(count - 1, { align: "end" });
  }, [events, count, virtualizer]);

  const onScroll = (): void => {
    const el = scrollRef.current;
    if (!el) return;
    const atBottom = isAtBottom(el.scrollTop, el.clientHeight, el.scrollHeight);
    if (atBottom !== followRef.current) {
      followRef.current = atBottom;
      setFollowing(atBottom);
    }
  };

  const jumpToNewest = (): void => {
    followRef.current = true;
    setFollowing(true);
    if (count > 0) virtualizer.scrollToIndex(count - 1, { align: "end" });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    if (count === 0) return;
    e.preventDefault();
    const at = selected ? events.indexOf(selected) : -1;
    const next = at < 0 ? count - 1 : Math.max(0, Math.min(count - 1, at + (e.key === "ArrowDown" ? 1 : -1)));
    onSelect(events[next]);
    virtualizer.scrollToIndex(next);
  };

  return (
    <div className="event-list-wrap">
      <div
        className="event-list"
        ref={scrollRef}
        role="listbox"
        tabIndex={0}
        aria-label="Events"
        data-testid="event-list"
        data-rows={count}
        data-following={following}
        onScroll={onScroll}
        onKeyDown={onKeyDown}
      >
        <div className="event-list-body" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => (
            <EventRow
              key={item.key}
              index={item.index}
              top={item.start}
              event={events[item.index]}
              selected={events[item.index] === selected}
              onSelect={onSelect}
            />
          ))}
        </div>
        {count === 0 && (
          <div className="event-list-empty" data-testid="events-empty">
            {paused ? "Paused — nothing to show." : "No events yet. Start a monitor above; its events appear here as they arrive."}
          </div>
        )}
      </div>
      {!following && count > 0 && (
        <button type="button" className="button small event-follow" data-testid="events-follow" onClick={jumpToNewest}>
          ↓ Newest
        </button>
      )}
    </div>
  );
}

type RowProps = { index: number; top: number; event: EventView; selected: boolean; onSelect: (event: EventView) => void };

const EventRow = memo(function EventRow({ index, top, event, selected, onSelect }: RowProps) {
  const lifecycle = event.kind === "lifecycle";
  const severity = severityClass(event.severity);
  const position = eventPosition(event);
  const classes = ["event-row", lifecycle ? `lifecycle severity-${severity}` : "message"];
  if (selected) classes.push("selected");
  return (
    <div
      className={classes.join(" ")}
      role="option"
      aria-selected={selected}
      data-testid={`event-row-${index}`}
      data-kind={event.kind}
      data-severity={event.severity}
      data-monitor={event.monitorId}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
      title={lifecycle ? `${event.severity}: ${event.payload}` : undefined}
      onClick={() => onSelect(event)}
    >
      <span className="event-time">{formatEventTime(event.ts)}</span>
      <span className="event-channel" title={event.target}>
        {event.channel !== "" ? event.channel : event.target}
      </span>
      <span className="event-kind">
        {lifecycle ? <span className={`severity-badge severity-${severity}`}>{event.state ?? event.severity}</span> : event.json !== null ? "json" : ""}
      </span>
      {position !== null && (
        <span className="event-position" data-testid={`event-position-${index}`} title={position}>
          {position}
        </span>
      )}
      <span className="event-payload">{payloadSummary(event.payload)}</span>
      <span className="event-size">{lifecycle ? "" : formatBytes(event.size)}</span>
    </div>
  );
});
