import { useEffect, useMemo, useState } from "react";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useNow } from "../../hooks/useNow";
import { formatAgo, formatDuration, formatTimestamp, plural } from "../../lib/format";
import { collapseRepeats, searchHistory } from "../../lib/history";
import { sqlSummary } from "../../lib/sqlText";
import { historyStore, loadHistory } from "../../stores/history";
import { useStoreSelect } from "../../stores/store";

type Props = { profile: string; onPick: (sql: string) => void; onClose: () => void };

/** The statements run on this connection, newest first; click one to put it in the editor. */
export function HistoryPanel({ profile, onPick, onClose }: Props) {
  const state = useStoreSelect(historyStore, (all) => all.get(profile));
  const [search, setSearch] = useState("");
  const now = useNow(30_000);

  useEffect(() => {
    void loadHistory(profile);
  }, [profile]);

  const items = useMemo(() => searchHistory(collapseRepeats(state?.entries ?? []), search), [state?.entries, search]);

  return (
    <section className="side-panel history-panel" data-testid="history-panel" aria-label="Query history">
      <header className="panel-header">
        <h3>History</h3>
        <span className="muted">{profile}</span>
        <span className="spacer" />
        <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      <input
        type="search"
        className="panel-search"
        placeholder="Search statements and errors"
        value={search}
        data-testid="history-search"
        onChange={(e) => setSearch(e.target.value)}
      />
      {state?.error && <ErrorNotice error={state.error} testId="history-error" />}
      {state?.entries?.length === 0 && <p className="muted panel-note">Nothing run on {profile} yet.</p>}
      <ol className="history-list">
        {items.map(({ entry, repeats }) => (
          <li key={entry.id}>
            <button
              type="button"
              className={entry.ok ? "history-entry" : "history-entry failed"}
              data-testid={`history-entry-${entry.id}`}
              title={`${formatTimestamp(entry.at)}\n${entry.sql}${entry.error ? `\n\n${entry.error}` : ""}`}
              onClick={() => onPick(entry.sql)}
            >
              <span className="history-sql mono">{sqlSummary(entry.sql, 160)}</span>
              <span className="history-meta">
                <span className={entry.ok ? "ok-mark" : "err-mark"}>{entry.ok ? "✓" : "✗"}</span>
                {formatAgo(entry.at, now)}
                {entry.rowCount !== null && ` · ${plural(entry.rowCount, "row")}`}
                {entry.elapsedMs !== null && ` · ${formatDuration(entry.elapsedMs)}`}
                {repeats > 1 && ` · ×${repeats}`}
              </span>
              {entry.error && <span className="history-error">{entry.error}</span>}
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}
