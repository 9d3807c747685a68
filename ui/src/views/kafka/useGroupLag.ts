import { useCallback, useEffect, useRef, useState } from "react";
import { api, toAppError, type AppError, type GroupView } from "../../api";
import { usePolling } from "../../hooks/usePolling";
import { pushLagPoint, type LagPoint } from "../../lib/kafka";

/** How often an open group panel asks for the group's lag. */
export const GROUP_POLL_MS = 2000;

export type GroupLag = {
  /** null until the first answer. */
  group: GroupView | null;
  /** The last poll's failure (the last good answer stays shown). */
  error: AppError | null;
  /** Total lag per poll, for the chart. */
  points: LagPoint[];
  /** Asks again now (after a reset), or right after the poll under way when one is. */
  refresh: () => void;
};

type Polled = Omit<GroupLag, "refresh">;

const NOTHING_YET: Polled = { group: null, error: null, points: [] };

/**
 * Polls one group's members and lag every GROUP_POLL_MS while the component using it is
 * mounted, never two requests at once. The caller keys it by profile and group, so a new
 * group starts a new chart.
 */
export function useGroupLag(profile: string, group: string): GroupLag {
  const [polled, setPolled] = useState<Polled>(NOTHING_YET);
  const busy = useRef(false);
  const again = useRef(false);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const poll = useCallback(async (): Promise<void> => {
    // A refresh during a poll waits for it and then asks once more: the answer under way
    // may predate what the refresh is for (a reset just applied).
    if (busy.current) {
      again.current = true;
      return;
    }
    busy.current = true;
    try {
      do {
        again.current = false;
        try {
          const view = await api.kafkaGroup(profile, group, null);
          setPolled((p) => ({ group: view, error: null, points: pushLagPoint(p.points, Date.now(), view.totalLag) }));
        } catch (error) {
          setPolled((p) => ({ ...p, error: toAppError(error) }));
        }
      } while (again.current && mounted.current);
    } finally {
      busy.current = false;
    }
  }, [profile, group]);

  usePolling(poll, GROUP_POLL_MS);
  const refresh = useCallback(() => void poll(), [poll]);
  return { ...polled, refresh };
}
