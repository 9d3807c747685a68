import { useCallback, useEffect, useState } from "react";
import { api, toAppError, type AppError, type KeyInfoView, type ValueEntryView, type ValuePageRequest } from "../../api";
import { ErrorNotice } from "../../components/ErrorNotice";
import { Spinner } from "../../components/Spinner";
import { formatBytes, formatCount } from "../../lib/format";
import { ttlText, valueText } from "../../lib/keys";
import { StreamGroups } from "./StreamGroups";

type Props = { profile: string; db: number; name: string };

/** How a value is paged: what the request takes besides the key and the position. */
type Paging = Pick<ValuePageRequest, "scoreMin" | "scoreMax" | "reverse" | "pattern">;
const NO_PAGING: Paging = { scoreMin: null, scoreMax: null, reverse: false, pattern: null };

/** Entries read per page. */
const PAGE = 100;

/** What the first column of a type's entries is called (none for sets and strings). */
const FIRST_COLUMN: Record<string, string | undefined> = { hash: "Field", list: "Index", zset: "Rank", stream: "Entry id" };

/** One key: its facts, then its value a page at a time, with the paging each type allows. */
export function KeyValuePanel({ profile, db, name }: Props) {
  const [info, setInfo] = useState<KeyInfoView | null>(null);
  const [entries, setEntries] = useState<ValueEntryView[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<AppError | null>(null);
  // What the user types; it applies (and the value is read again) on Apply.
  const [pattern, setPattern] = useState("");
  const [scoreMin, setScoreMin] = useState("");
  const [scoreMax, setScoreMax] = useState("");
  const [applied, setApplied] = useState<Paging>(NO_PAGING);
  const [pretty, setPretty] = useState(true);

  const fetchPage = useCallback(
    (cursor: string | null) => api.keyValue(profile, { db, key: name, cursor, count: PAGE, ...applied }),
    [profile, db, name, applied],
  );

  // The facts and the first page, again whenever the paging changes.
  useEffect(() => {
    let live = true;
    Promise.all([api.keyInfo(profile, db, name), fetchPage(null)])
      .then(
        ([facts, page]) => {
          if (!live) return;
          setInfo(facts);
          setEntries(page.entries);
          setTotal(page.total);
          setNext(page.next);
          setError(null);
        },
        (e: unknown) => live && setError(toAppError(e)),
      )
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [profile, db, name, fetchPage]);

  const loadMore = async (cursor: string) => {
    setLoading(true);
    try {
      const page = await fetchPage(cursor);
      setEntries((known) => [...known, ...page.entries]);
      setTotal(page.total);
      setNext(page.next);
      setError(null);
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setLoading(false);
    }
  };

  const apply = (change: Partial<Paging>) => {
    setLoading(true);
    const byScore = scoreMin.trim() !== "" || scoreMax.trim() !== "";
    setApplied((was) => ({
      ...was,
      scoreMin: byScore ? scoreMin.trim() || "-inf" : null,
      scoreMax: byScore ? scoreMax.trim() || "+inf" : null,
      pattern: pattern.trim() || null,
      ...change,
    }));
  };

  const type = info?.keyType ?? "";
  const first = FIRST_COLUMN[type];
  return (
    <div className="details-panel key-panel" data-testid="key-panel" data-key={name} data-type={type}>
      <header className="details-header">
        <h2 className="mono key-title">{name}</h2>
        {info && (
          <span className="muted" data-testid="key-facts">
            <span className={`key-type key-type-${type}`}>{type}</span> {info.length !== null && (type === "string" ? formatBytes(info.length) : `${formatCount(info.length)} entries`)} · {ttlText(info.ttlMs)}
            {info.memoryBytes !== null && ` · ${formatBytes(info.memoryBytes)} in memory`}
            {info.encoding && ` · ${info.encoding}`}
          </span>
        )}
      </header>
      {error && <ErrorNotice error={error} testId="key-value-error" />}
      <div className="key-value-options">
        {(type === "list" || type === "zset" || type === "stream") && (
          <label>
            <input type="checkbox" data-testid="key-reverse" checked={applied.reverse} onChange={(e) => apply({ reverse: e.target.checked })} /> {type === "stream" ? "Newest first" : "From the end"}
          </label>
        )}
        {(type === "hash" || type === "set") && (
          <input type="search" data-testid="key-match" placeholder={type === "hash" ? "Fields matching (glob)" : "Members matching (glob)"} value={pattern} onChange={(e) => setPattern(e.target.value)} onKeyDown={(e) => e.key === "Enter" && apply({})} />
        )}
        {type === "zset" && (
          <span>
            Score <input className="key-score" data-testid="key-score-min" placeholder="-inf" value={scoreMin} onChange={(e) => setScoreMin(e.target.value)} /> to{" "}
            <input className="key-score" data-testid="key-score-max" placeholder="+inf" value={scoreMax} onChange={(e) => setScoreMax(e.target.value)} />
          </span>
        )}
        {(type === "hash" || type === "set" || type === "zset") && (
          <button type="button" className="button small" data-testid="key-apply" onClick={() => apply({})}>
            Apply
          </button>
        )}
        {entries.some((e) => e.json) && (
          <label>
            <input type="checkbox" checked={pretty} onChange={(e) => setPretty(e.target.checked)} /> Format JSON
          </label>
        )}
      </div>
      {type === "string" || type === "ReJSON-RL" ? (
        entries.map((e, i) => (
          <pre key={i} className="key-string mono" data-testid="key-string" data-hex={e.hex}>
            {e.hex && <span className="muted">(binary, hex) </span>}
            {valueText(e, pretty)}
            {e.cutFrom !== null && <span className="muted"> … ({formatBytes(e.cutFrom)} in all)</span>}
          </pre>
        ))
      ) : (
        <table className="data-table compact key-entries" data-testid="key-entries" data-count={entries.length}>
          <thead>
            <tr>
              {first && <th>{first}</th>}
              {type === "zset" && <th className="num">Score</th>}
              <th>{type === "stream" ? "Fields" : type === "hash" ? "Value" : "Member"}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e, i) => (
              <tr key={`${e.field ?? e.index ?? ""}/${i}`} data-testid="key-entry">
                {first && <td className="mono">{e.field ?? e.index}</td>}
                {type === "zset" && <td className="num">{e.score}</td>}
                <td className="mono key-cell">
                  {e.hex && <span className="muted">(hex) </span>}
                  {valueText(e, pretty && type !== "stream")}
                  {e.cutFrom !== null && <span className="muted"> … ({formatBytes(e.cutFrom)})</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="key-footer muted">
        {loading ? (
          <Spinner label="Reading" />
        ) : (
          <span data-testid="key-shown">
            {formatCount(entries.length)} shown{total !== null && type !== "string" ? ` of ${formatCount(total)}` : ""}
          </span>
        )}
        {next !== null && !loading && (
          <button
            type="button"
            className="button small"
            data-testid="key-load-more"
            onClick={() => void loadMore(next)}
          >
            Load {type === "string" ? "more" : `${PAGE} more`}
          </button>
        )}
      </div>
      {type === "stream" && <StreamGroups profile={profile} db={db} name={name} />}
    </div>
  );
}
