import { useCallback, useEffect, useState } from "react";
import { api, toAppError, type AppError, type KeyLevelView } from "../../api";
import { ErrorNotice } from "../../components/ErrorNotice";
import { Spinner } from "../../components/Spinner";
import { plural } from "../../lib/format";
import { coverageText, keyCountText, mergeLevel } from "../../lib/keys";

type Props = { profile: string; db: number; delimiter: string; keyType: string | null; selected: string | null; onSelect: (key: string) => void };

/** The top level of the key tree; each prefix opens its own level when expanded. */
export function KeyTree(props: Props) {
  return (
    <div className="key-tree" data-testid="key-tree" role="tree">
      <KeyLevel {...props} prefix="" depth={0} />
    </div>
  );
}

/** One level: read when it is first shown, scanned further on request, its prefixes expandable. */
function KeyLevel({ profile, db, delimiter, keyType, selected, onSelect, prefix, depth }: Props & { prefix: string; depth: number }) {
  const [level, setLevel] = useState<KeyLevelView | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<AppError | null>(null);
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());

  const fetchLevel = useCallback(
    (from: KeyLevelView | null) => api.keyLevel(profile, db, prefix, delimiter, from?.cursor ?? null, keyType),
    [profile, db, prefix, delimiter, keyType],
  );

  useEffect(() => {
    let live = true;
    fetchLevel(null)
      .then(
        (first) => live && setLevel(first),
        (e: unknown) => live && setError(toAppError(e)),
      )
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [fetchLevel]);

  /** Scans on from where the level's scan stopped; the counts add up. */
  const scanMore = async (from: KeyLevelView) => {
    setLoading(true);
    try {
      setLevel(mergeLevel(from, await fetchLevel(from)));
      setError(null);
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setLoading(false);
    }
  };

  const toggle = (name: string) =>
    setOpen((was) => {
      const now = new Set(was);
      if (now.has(name)) now.delete(name);
      else now.add(name);
      return now;
    });

  const indent = { paddingLeft: `${depth * 14 + 4}px` };
  return (
    <div className="key-level" data-testid="key-level" data-prefix={prefix} data-complete={level?.complete ?? false}>
      {error && <ErrorNotice error={error} testId="key-level-error" />}
      {level?.children.map((node) =>
        node.isKey ? (
          <button
            key={node.name}
            type="button"
            role="treeitem"
            style={indent}
            className={node.name === selected ? "key-row selected" : "key-row"}
            data-testid="key-node"
            data-name={node.name}
            data-kind="key"
            onClick={() => onSelect(node.name)}
          >
            <span className={`key-type key-type-${node.types[0] ?? "none"}`}>{node.types[0] ?? "?"}</span>
            <span className="mono key-label">{node.label || node.name}</span>
          </button>
        ) : (
          <div key={node.name}>
            <button
              type="button"
              role="treeitem"
              aria-expanded={open.has(node.name)}
              style={indent}
              className="key-row key-prefix"
              data-testid="key-node"
              data-name={node.name}
              data-kind="prefix"
              data-keys={node.keys}
              onClick={() => toggle(node.name)}
            >
              <span className="key-caret">{open.has(node.name) ? "▾" : "▸"}</span>
              <span className="mono key-label">{node.label}</span>
              <span className="muted key-count" title={level.complete ? "keys under this prefix" : "estimated from the part of the keyspace scanned so far"}>
                {keyCountText(node, level)}
              </span>
              <span className="muted key-types">{node.types.join(", ")}</span>
            </button>
            {open.has(node.name) && (
              <KeyLevel profile={profile} db={db} delimiter={delimiter} keyType={keyType} selected={selected} onSelect={onSelect} prefix={node.name} depth={depth + 1} />
            )}
          </div>
        ),
      )}
      <div className="key-footer muted" style={indent} data-testid="key-level-footer">
        {loading ? (
          <Spinner label="Scanning" />
        ) : (
          level && (
            <>
              <span>{coverageText(level)}</span>
              {level.hidden > 0 && <span>; {plural(level.hidden, "more entry", "more entries")} not listed (filter to find them)</span>}
              {!level.complete && (
                <button
                  type="button"
                  className="button small"
                  data-testid="key-scan-more"
                  onClick={() => void scanMore(level)}
                >
                  Scan more
                </button>
              )}
            </>
          )
        )}
      </div>
    </div>
  );
}
