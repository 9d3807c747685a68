import type { PartitionLagView } from "../../api";
import { formatCount } from "../../lib/format";
import { formatOffset } from "../../lib/kafka";

/** The group's position on each partition it committed on, and what is left to read. */
export function LagTable({ rows, totalLag }: { rows: readonly PartitionLagView[]; totalLag: number }) {
  if (rows.length === 0) {
    return (
      <p className="muted" data-testid="kafka-lag-empty">
        The group has committed no offsets yet.
      </p>
    );
  }
  return (
    <table className="data-table compact" data-testid="kafka-lag-table">
      <thead>
        <tr>
          <th>Topic</th>
          <th className="num">Partition</th>
          <th className="num">Committed</th>
          <th className="num">End offset</th>
          <th className="num">Lag</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr
            key={`${r.topic}\n${r.partition}`}
            data-testid={`kafka-lag-row-${r.topic}-${r.partition}`}
            data-lag={r.lag}
            data-committed={r.committed ?? ""}
          >
            <td className="mono">{r.topic}</td>
            <td className="num">{r.partition}</td>
            <td className="num" title={r.committed === null ? "never committed: counted from the first message kept" : undefined}>
              {formatOffset(r.committed)}
            </td>
            <td className="num">{formatOffset(r.endOffset)}</td>
            <td className={r.lag > 0 ? "num kafka-lagging" : "num"}>{formatCount(r.lag)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr className="kafka-total-row">
          <td colSpan={4}>Total</td>
          <td className="num" data-testid="kafka-lag-total">
            {formatCount(totalLag)}
          </td>
        </tr>
      </tfoot>
    </table>
  );
}
