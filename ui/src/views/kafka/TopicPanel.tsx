import type { TopicView } from "../../api";
import { EmptyState } from "../../components/EmptyState";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAsyncAction } from "../../hooks/useAsyncAction";
import { formatCount, plural } from "../../lib/format";
import { underReplicated } from "../../lib/kafka";
import { tailTopic } from "../../stores/kafka";

type Props = { profile: string; name: string; topic: TopicView | null };

/** A topic: its partitions (leader, replicas, ISR, offsets), its settings, and a tail in the Events view. */
export function TopicPanel({ profile, name, topic }: Props) {
  const tail = useAsyncAction(tailTopic);
  if (!topic) {
    return <EmptyState title={`Topic ${name} is gone`}>It was not in the cluster when it was last read. Refresh to read it again.</EmptyState>;
  }
  return (
    <div className="details-panel kafka-panel" data-testid="kafka-topic-panel" data-topic={topic.name}>
      <header className="details-header">
        <h2 className="mono">{topic.name}</h2>
        <span className="muted">
          {plural(topic.partitions.length, "partition")}, replication {topic.replication}, {plural(topic.messages, "message")}
        </span>
        <span className="spacer" />
        <button
          type="button"
          className="button primary"
          data-testid="kafka-tail"
          title={`Start a monitor on topic:${topic.name} (new messages from now on) and show it in the Events view`}
          disabled={tail.busy}
          onClick={() => void tail.run(profile, topic.name)}
        >
          {tail.busy ? "Starting…" : "Tail in Events"}
        </button>
      </header>
      {tail.error && <ErrorNotice error={tail.error} testId="kafka-tail-error" onDismiss={tail.reset} />}

      <h3>Partitions</h3>
      <table className="data-table compact" data-testid="kafka-partitions">
        <thead>
          <tr>
            <th className="num">Partition</th>
            <th className="num">Leader</th>
            <th>Replicas</th>
            <th>ISR</th>
            <th className="num">Low</th>
            <th className="num">High</th>
            <th className="num">Messages</th>
          </tr>
        </thead>
        <tbody>
          {topic.partitions.map((p) => (
            <tr key={p.id} data-testid={`kafka-partition-${p.id}`} data-leader={p.leader} data-under-replicated={underReplicated(p)}>
              <td className="num">{p.id}</td>
              <td className="num">{p.leader}</td>
              <td className="mono">{p.replicas.join(", ")}</td>
              <td className={underReplicated(p) ? "mono kafka-warn" : "mono"} title={underReplicated(p) ? "Under-replicated: not every replica is in sync" : undefined}>
                {p.isr.join(", ")}
              </td>
              <td className="num">{formatCount(p.low)}</td>
              <td className="num">{formatCount(p.high)}</td>
              <td className="num">{formatCount(p.messages)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3>Settings</h3>
      {topic.configsError !== null ? (
        <p className="error-text" data-testid="kafka-topic-configs-error">
          settings not read: {topic.configsError}
        </p>
      ) : topic.configs.length === 0 ? (
        <p className="muted">No settings reported.</p>
      ) : (
        <table className="data-table compact" data-testid="kafka-topic-configs">
          <tbody>
            {topic.configs.map(([key, value]) => (
              <tr key={key} data-testid={`kafka-config-${key}`}>
                <th className="mono">{key}</th>
                <td className="mono">{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
