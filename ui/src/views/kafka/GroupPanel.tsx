import { useCallback, useState } from "react";
import type { TopicView } from "../../api";
import { ErrorNotice } from "../../components/ErrorNotice";
import { Spinner } from "../../components/Spinner";
import { formatCount } from "../../lib/format";
import { GroupMembers } from "./GroupMembers";
import { LagChart } from "./LagChart";
import { LagTable } from "./LagTable";
import { ResetOffsetsDialog } from "./ResetOffsetsDialog";
import { GROUP_POLL_MS, useGroupLag } from "./useGroupLag";

type Props = { profile: string; group: string; topics: readonly TopicView[] };

/**
 * A consumer group, live: its state and members, its lag per partition and the total over
 * time (polled every 2 s while this panel is open), and the offset reset.
 */
export function GroupPanel({ profile, group, topics }: Props) {
  const lag = useGroupLag(profile, group);
  const [resetting, setResetting] = useState(false);
  // Stable, or the dialog would take the focus back at every poll.
  const closeReset = useCallback(() => setResetting(false), []);
  const view = lag.group;

  return (
    <div className="details-panel kafka-panel" data-testid="kafka-group-panel" data-group={group}>
      <header className="details-header">
        <h2 className="mono">{group}</h2>
        <span className="kind-tag" data-testid="kafka-group-state">
          {view ? (view.state ?? "state unknown") : "…"}
        </span>
        {view && (
          <span data-testid="kafka-total-lag" data-lag={view.totalLag}>
            Total lag <strong>{formatCount(view.totalLag)}</strong>
          </span>
        )}
        <span className="spacer" />
        <span className="muted" title="The group is read again every 2 seconds while this panel is open">
          live, every {GROUP_POLL_MS / 1000} s
        </span>
        <button type="button" className="button" data-testid="kafka-reset-offsets" disabled={!view} onClick={() => setResetting(true)}>
          Reset offsets…
        </button>
      </header>
      {lag.error && <ErrorNotice error={lag.error} testId="kafka-group-error" compact />}
      {!view ? (
        !lag.error && (
          <div className="loading-line">
            <Spinner /> Reading group {group}…
          </div>
        )
      ) : (
        <>
          <LagChart points={lag.points} />
          <h3>Lag by partition</h3>
          <LagTable rows={view.lag} totalLag={view.totalLag} />
          <h3>Members</h3>
          <GroupMembers members={view.members} error={view.membersError} />
        </>
      )}
      {resetting && view && (
        <ResetOffsetsDialog profile={profile} group={view} topics={topics} onApplied={lag.refresh} onClose={closeReset} />
      )}
    </div>
  );
}
