import { useCallback, useEffect, useState } from "react";
import { api, toAppError, type AppError, type ProfileChange } from "../../api";
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatTimestamp } from "../../lib/format";
import { refreshProfiles } from "../../stores/profiles";

const LIMIT = 30;

/** The recent changes to connections (who, what, never a secret), each with Undo. */
export function ProfileHistory() {
  const [changes, setChanges] = useState<ProfileChange[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const load = useCallback(async () => {
    try {
      setChanges(await api.configHistory(LIMIT));
      setError(null);
    } catch (e) {
      setError(toAppError(e));
    }
  }, []);
  useEffect(() => {
    let cancelled = false;
    api.configHistory(LIMIT).then(
      (list) => {
        if (!cancelled) setChanges(list);
      },
      (e: unknown) => {
        if (!cancelled) setError(toAppError(e));
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);
  const undo = async (id: number) => {
    setBusy(true);
    try {
      await api.undoChange(id);
      await refreshProfiles();
      await load();
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel transfer" aria-label="History" data-testid="profile-history">
      <header className="panel-header">
        <h3>History</h3>
        <span className="spacer" />
        <button type="button" className="button small" data-testid="history-refresh" onClick={() => void load()}>
          Refresh
        </button>
      </header>
      {error && <ErrorNotice error={error} testId="history-error" />}
      {changes !== null && changes.length === 0 && <p className="muted">No changes yet.</p>}
      {changes !== null && changes.length > 0 && (
        <ul className="bulk-items">
          {changes.map((c) => (
            <li key={c.id} data-testid={`history-${c.id}`} data-action={c.action}>
              <span className="muted">
                #{c.id} {formatTimestamp(c.at)} {c.actor}
              </span>{" "}
              <strong>{c.undoes !== null ? `undo #${c.undoes}` : c.action}</strong> {c.profile}
              {c.diff.length > 0 && <span className="mono muted"> — {c.diff.slice(0, 3).join("; ")}{c.diff.length > 3 ? " …" : ""}</span>}
              {c.undoneBy !== null ? (
                <span className="muted"> (undone by #{c.undoneBy})</span>
              ) : (
                c.undoes === null && (
                  <button type="button" className="link-button" data-testid={`history-undo-${c.id}`} disabled={busy} onClick={() => void undo(c.id)}>
                    Undo
                  </button>
                )
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
