import type { EventView } from "../../api";
import { formatTimestamp } from "../../lib/format";
import { severityClass } from "../../lib/events";

/** The selected event in full: where it came from, its headers, and its payload (JSON pretty-printed). */
export function EventDetails({ event, onClose }: { event: EventView; onClose: () => void }) {
  const lifecycle = event.kind === "lifecycle";
  return (
    <aside className="event-details" data-testid="event-details" data-kind={event.kind} aria-label="Event details">
      <header className="panel-header">
        <h3>{lifecycle ? "Lifecycle event" : "Message"}</h3>
        {lifecycle && <span className={`severity-badge severity-${severityClass(event.severity)}`}>{event.severity}</span>}
        <span className="spacer" />
        <button type="button" className="icon-button" aria-label="Close" data-testid="event-details-close" onClick={onClose}>
          ×
        </button>
      </header>
      <dl className="facts">
        <dt>Target</dt>
        <dd className="mono">{event.target}</dd>
        {event.channel !== "" && (
          <>
            <dt>Channel</dt>
            <dd className="mono" data-testid="event-details-channel">
              {event.channel}
            </dd>
          </>
        )}
        <dt>Received</dt>
        <dd>{formatTimestamp(event.ts)}</dd>
        {event.serverTs && (
          <>
            <dt>Server time</dt>
            <dd>{formatTimestamp(event.serverTs)}</dd>
          </>
        )}
        {event.partition !== null && (
          <>
            <dt>Partition</dt>
            <dd data-testid="event-details-partition">{event.partition}</dd>
          </>
        )}
        {event.offset !== null && (
          <>
            <dt>Offset</dt>
            <dd data-testid="event-details-offset">{event.offset}</dd>
          </>
        )}
        {event.key !== null && (
          <>
            <dt>Key</dt>
            <dd className="mono" data-testid="event-details-key">
              {event.key === "" ? <span className="muted">(empty)</span> : event.key}
            </dd>
          </>
        )}
        {event.sequence !== null && (
          <>
            <dt>Sequence</dt>
            <dd>{event.sequence}</dd>
          </>
        )}
        <dt>Category</dt>
        <dd>{event.category}</dd>
        {event.state && (
          <>
            <dt>State</dt>
            <dd>{event.state}</dd>
          </>
        )}
        {!lifecycle && (
          <>
            <dt>Size</dt>
            <dd>{event.size} bytes</dd>
          </>
        )}
      </dl>
      <h4 className="event-details-heading">Headers</h4>
      {event.headers.length === 0 ? (
        <p className="muted" data-testid="event-details-no-headers">
          No headers.
        </p>
      ) : (
        <table className="data-table compact" data-testid="event-details-headers">
          <tbody>
            {event.headers.map(([name, value], i) => (
              <tr key={`${name}-${i}`} data-testid={`event-header-${i}`}>
                <th className="mono">{name}</th>
                <td className="mono">{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h4 className="event-details-heading">{event.json !== null ? "Payload (JSON)" : "Payload"}</h4>
      {event.json !== null ? (
        <pre className="event-payload-full mono" data-testid="event-details-json">
          {event.json}
        </pre>
      ) : (
        <pre className="event-payload-full mono" data-testid="event-details-payload">
          {event.payload === "" ? <span className="muted">(empty)</span> : event.payload}
        </pre>
      )}
    </aside>
  );
}
