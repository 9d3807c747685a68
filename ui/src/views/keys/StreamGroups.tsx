import { useEffect, useState } from "react";
import { api, toAppError, type AppError, type StreamGroupView } from "../../api";
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatCount, formatDuration } from "../../lib/format";

type Props = { profile: string; db: number; name: string };

/** A stream's consumer groups: pending and lag per group, each consumer's pending and idle time. */
export function StreamGroups({ profile, db, name }: Props) {
  const [groups, setGroups] = useState<StreamGroupView[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);

  useEffect(() => {
    let live = true;
    api.keyStreamGroups(profile, db, name).then(
      (found) => live && setGroups(found),
      (e: unknown) => live && setError(toAppError(e)),
    );
    return () => {
      live = false;
    };
  }, [profile, db, name]);

  if (error) return <ErrorNotice error={error} testId="key-groups-error" />;
  if (!groups) return null;
  return (
    <section className="key-groups" data-testid="key-groups" data-count={groups.length}>
      <h3>Consumer groups</h3>
      {groups.length === 0 ? (
        <p className="muted">No consumer groups read this stream.</p>
      ) : (
        <table className="data-table compact">
          <thead>
            <tr>
              <th>Group</th>
              <th className="num" title="Delivered to a consumer, not yet acknowledged">
                Pending
              </th>
              <th className="num" title="Not yet delivered to the group">
                Lag
              </th>
              <th>Last delivered</th>
              <th>Consumers (pending, idle)</th>
            </tr>
          </thead>
          <tbody>
            {groups.map((g) => (
              <tr key={g.name} data-testid="key-group" data-name={g.name}>
                <td className="mono">{g.name}</td>
                <td className="num">{formatCount(g.pending)}</td>
                <td className="num">{g.lag === null ? "?" : formatCount(g.lag)}</td>
                <td className="mono">{g.lastDeliveredId}</td>
                <td className="mono">{g.consumers.map((c) => `${c.name} (${formatCount(c.pending)}, ${formatDuration(c.idleMs)})`).join(", ") || "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
