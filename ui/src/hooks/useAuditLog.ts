import { useCallback, useRef, useState } from "react";
import { api, toAppError, type AppError, type AuditEntry } from "../api";
import { mergeAudit, pollAfterId } from "../lib/audit";
import { usePolling } from "./usePolling";

const PAGE = 500;

/**
 * The AI audit log, newest first, polled every 2 s for entries newer than the newest seen, or
 * than the oldest still running (a call's row is written before it runs and completed after).
 */
export function useAuditLog(paused: boolean): { entries: AuditEntry[]; error: AppError | null; loaded: boolean } {
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [error, setError] = useState<AppError | null>(null);
  const [loaded, setLoaded] = useState(false);
  const known = useRef<AuditEntry[]>([]);

  const poll = useCallback(async () => {
    try {
      const incoming = await api.auditLog(pollAfterId(known.current), PAGE);
      known.current = mergeAudit(known.current, incoming);
      setEntries(known.current);
      setError(null);
      setLoaded(true);
    } catch (e) {
      setError(toAppError(e));
    }
  }, []);

  usePolling(poll, 2000, !paused);
  return { entries, error, loaded };
}
