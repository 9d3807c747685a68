import type { MemberView } from "../../api";
import { assignmentText } from "../../lib/kafka";

type Props = { members: MemberView[] | null; error: string | null };

/** Who consumes for the group, and which partitions each has; or why the broker would not say. */
export function GroupMembers({ members, error }: Props) {
  if (members === null) {
    return (
      <p className="muted" data-testid="kafka-members-error">
        members unavailable: {error ?? "the broker did not describe the group"}
      </p>
    );
  }
  if (members.length === 0) {
    return (
      <p className="muted" data-testid="kafka-members-none">
        No active members: no consumer of this group is running.
      </p>
    );
  }
  return (
    <table className="data-table compact" data-testid="kafka-members">
      <thead>
        <tr>
          <th>Client id</th>
          <th>Host</th>
          <th>Assigned partitions</th>
        </tr>
      </thead>
      <tbody>
        {members.map((m, i) => (
          <tr key={m.id} data-testid={`kafka-member-${i}`} title={m.id}>
            <td className="mono">{m.clientId}</td>
            <td className="mono">{m.host}</td>
            <td className="mono">{assignmentText(m.assignment)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
