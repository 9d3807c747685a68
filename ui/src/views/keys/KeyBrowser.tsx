import { useCallback, useEffect, useState } from "react";
import { api, toAppError, type AppError, type KeyDatabasesView, type KeyNodeView } from "../../api";
import { EmptyState } from "../../components/EmptyState";
import { ErrorNotice } from "../../components/ErrorNotice";
import { Spinner } from "../../components/Spinner";
import { formatCount } from "../../lib/format";
import { KeyTree } from "./KeyTree";
import { KeyValuePanel } from "./KeyValuePanel";

const TYPES = ["string", "hash", "list", "set", "zset", "stream", "ReJSON-RL"];

/**
 * The keys of a key-value server (Redis), where a database shows its schema: a tree of
 * prefixes loaded one level at a time from bounded scans (never a full scan before the
 * first screen), or the keys matching a glob; the selected key's facts and value on the right.
 */
export function KeyBrowser({ profile }: { profile: string }) {
  const [databases, setDatabases] = useState<KeyDatabasesView | null>(null);
  const [db, setDb] = useState<number | null>(null);
  const [delimiter, setDelimiter] = useState(":");
  const [keyType, setKeyType] = useState<string | null>(null);
  const [filter, setFilter] = useState("");
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  // Bumped by Refresh: the tree reads its levels again.
  const [generation, setGeneration] = useState(0);

  // The Schema view keys this component by profile: a new profile starts afresh.
  useEffect(() => {
    let live = true;
    api.keyDatabases(profile).then(
      (found) => {
        if (!live) return;
        setDatabases(found);
        setDb((current) => current ?? found.selected);
        setError(null);
      },
      (e: unknown) => live && setError(toAppError(e)),
    );
    return () => {
      live = false;
    };
  }, [profile, generation]);

  const refresh = () => setGeneration((g) => g + 1);

  return (
    <div className="key-browser" data-testid="key-browser" data-profile={profile}>
      <div className="key-browser-bar">
        <label>
          Database{" "}
          <select
            data-testid="key-db"
            value={db ?? ""}
            disabled={!databases}
            onChange={(e) => {
              setDb(Number(e.target.value));
              setSelected(null);
            }}
          >
            {databases?.databases.map((d) => (
              <option key={d.index} value={d.index}>
                db{d.index} ({formatCount(d.keys)} keys)
              </option>
            ))}
          </select>
        </label>
        <input
          type="search"
          className="key-filter"
          data-testid="key-filter"
          placeholder="Filter keys (user:*, *:session, cache:?)"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Escape") setFilter("");
          }}
        />
        <select data-testid="key-type" value={keyType ?? ""} onChange={(e) => setKeyType(e.target.value || null)} title="Only keys of this type">
          <option value="">all types</option>
          {TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <label title="What separates the parts of a key name in the tree">
          Delimiter <input className="key-delimiter mono" data-testid="key-delimiter" value={delimiter} maxLength={4} onChange={(e) => setDelimiter(e.target.value)} />
        </label>
        <span className="spacer" />
        <button type="button" className="button small" data-testid="key-refresh" onClick={refresh}>
          Refresh
        </button>
      </div>
      {error && <ErrorNotice error={error} testId="key-error" />}
      <div className="key-body">
        <div className="key-tree-pane">
          {db === null ? (
            !error && (
              <div className="loading-line">
                <Spinner /> Reading the databases…
              </div>
            )
          ) : filter.trim() ? (
            <KeySearch key={`${generation}/${db}/${keyType}/${filter}`} profile={profile} db={db} pattern={filter.trim()} keyType={keyType} selected={selected} onSelect={setSelected} />
          ) : (
            <KeyTree key={`${generation}/${db}/${keyType}/${delimiter}`} profile={profile} db={db} delimiter={delimiter || ":"} keyType={keyType} selected={selected} onSelect={setSelected} />
          )}
        </div>
        <div className="key-detail-pane">
          {selected !== null && db !== null ? (
            <KeyValuePanel key={`${generation}/${db}/${selected}`} profile={profile} db={db} name={selected} />
          ) : (
            <EmptyState title="Select a key">Its type, time to live, memory and value show here, a page at a time.</EmptyState>
          )}
        </div>
      </div>
    </div>
  );
}

type SearchProps = { profile: string; db: number; pattern: string; keyType: string | null; selected: string | null; onSelect: (key: string) => void };

/** The keys matching a glob, a SCAN page at a time. */
function KeySearch({ profile, db, pattern, keyType, selected, onSelect }: SearchProps) {
  const [keys, setKeys] = useState<KeyNodeView[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<AppError | null>(null);

  const search = useCallback((from: string | null) => api.keySearch(profile, db, pattern, keyType, from), [profile, db, pattern, keyType]);

  useEffect(() => {
    let live = true;
    // Typing settles before the server is asked.
    const timer = setTimeout(() => {
      search(null)
        .then(
          (page) => {
            if (!live) return;
            setKeys(page.keys);
            setCursor(page.cursor);
          },
          (e: unknown) => live && setError(toAppError(e)),
        )
        .finally(() => live && setLoading(false));
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [search]);

  const more = async (from: string) => {
    setLoading(true);
    try {
      const page = await search(from);
      setKeys((known) => [...known, ...page.keys]);
      setCursor(page.cursor);
      setError(null);
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setLoading(false);
    }
  };

  return (
    <div data-testid="key-search" data-count={keys.length}>
      {error && <ErrorNotice error={error} testId="key-search-error" />}
      <ul className="key-list">
        {keys.map((k) => (
          <li key={k.name}>
            <button type="button" className={k.name === selected ? "key-row selected" : "key-row"} data-testid="key-node" data-name={k.name} data-kind="key" onClick={() => onSelect(k.name)}>
              <span className={`key-type key-type-${k.types[0] ?? "none"}`}>{k.types[0] ?? "?"}</span>
              <span className="mono key-label">{k.name}</span>
            </button>
          </li>
        ))}
      </ul>
      <div className="key-footer muted">
        {loading ? <Spinner label="Scanning" /> : `${formatCount(keys.length)} matching keys`}
        {cursor !== null && !loading && (
          <button
            type="button"
            className="button small"
            data-testid="key-search-more"
            onClick={() => void more(cursor)}
          >
            Scan more
          </button>
        )}
      </div>
    </div>
  );
}
