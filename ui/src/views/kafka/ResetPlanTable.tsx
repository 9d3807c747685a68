import type { ResetPlanView } from "../../api";
import { formatCount } from "../../lib/format";
import { formatOffset } from "../../lib/kafka";

/** Each partition's committed offset and lag, before → after the reset (previewed or applied). */
export function ResetPlanTable({ plan }: { plan: ResetPlanView }) {
  return (
    <table className="data-table compact kafka-reset-plan" data-testid="kafka-reset-plan" data-applied={plan.applied}>
      <caption className="muted">
        {plan.applied ? "Applied" : "Preview (nothing changed yet)"}: {plan.group} on {plan.topic}
      </caption>
      <thead>
        <tr>
          <th className="num">Partition</th>
          <th className="num">Offset before</th>
          <th className="num">Offset after</th>
          <th className="num">Lag before</th>
          <th className="num">Lag after</th>
        </tr>
      </thead>
      <tbody>
        {plan.partitions.map((p) => (
          <tr key={p.partition} data-testid={`kafka-reset-row-${p.partition}`} data-old={p.old ?? ""} data-new={p.new}>
            <td className="num">{p.partition}</td>
            <td className="num">{formatOffset(p.old)}</td>
            <td className="num">→ {formatCount(p.new)}</td>
            <td className="num">{formatCount(p.lagBefore)}</td>
            <td className="num">→ {formatCount(p.lagAfter)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr className="kafka-total-row" data-testid="kafka-reset-total" data-lag-before={plan.lagBefore} data-lag-after={plan.lagAfter}>
          <td colSpan={3}>Total</td>
          <td className="num">{formatCount(plan.lagBefore)}</td>
          <td className="num">→ {formatCount(plan.lagAfter)}</td>
        </tr>
      </tfoot>
    </table>
  );
}
