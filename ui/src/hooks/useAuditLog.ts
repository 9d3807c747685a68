import { useCallback, useRef, useState } from "react";
import { api, toAppError, type AppError, type AuditEntry } from "../api";
import { mergeAudit, newestId } from "../lib/audit";
import { usePolling } from "./usePolling";

const PAGE = 500;

/** The AI audit log, newest first, polled every 2 s for entries newer than the newest seen. */
export function useAuditLog(paused: boolean): { entries: AuditEntry[]; error: AppError | null; loaded: boolean } {
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [error, setError] = useState<AppError | null>(null);
  const [loaded, setLoaded] = useState(false);
  const newest = useRef<number | null>(null);

  const poll = useCallback(async () => {
    try {
      const incoming = await api.auditLog(newest.current, PAGE);
      const seen = newestId(incoming);
      if (seen !== null && (newest.current === null || seen > newest.current)) newest.current = seen;
      setEntries((current) => mergeAudit(current, incoming));
      setError(null);
      setLoaded(true);
    } catch (e) {
      setError(toAppError(e));
    }
  }, []);

  usePolling(poll, 2000, !paused);
  return { entries, error, loaded };
}
