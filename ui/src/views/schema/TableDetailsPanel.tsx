import { useEffect } from "react";
import type { ProfileView, TableInfo } from "../../api";
import { ErrorNotice } from "../../components/ErrorNotice";
import { Spinner } from "../../components/Spinner";
import { formatCount } from "../../lib/format";
import { describeForeignKey, kindLabel } from "../../lib/schemaTree";
import { selectRowsSql } from "../../lib/sqlText";
import { useEngineSpec } from "../../stores/engines";
import { loadDetails, schemaStore } from "../../stores/schema";
import { useStoreSelect } from "../../stores/store";
import { openDataTab, openQuery } from "../../stores/tabs";
import { showView } from "../../stores/ui";

/** The selected table: columns, primary key, indexes, foreign keys, and a button to query it. */
export function TableDetailsPanel({ profile, qualified }: { profile: ProfileView; qualified: string }) {
  const entry = useStoreSelect(schemaStore, (all) => all.get(profile.name)?.details.get(qualified));
  const table = useStoreSelect(schemaStore, (all) =>
    all.get(profile.name)?.tables?.find((t) => (t.schema ? `${t.schema}.${t.name}` : t.name) === qualified),
  );

  useEffect(() => {
    if (table) void loadDetails(profile.name, table);
  }, [profile.name, table]);

  if (!entry || entry.status === "loading") {
    return (
      <div className="loading-line">
        <Spinner /> Loading {qualified}…
      </div>
    );
  }
  if (entry.status === "error") {
    return (
      <div className="details-panel">
        <ErrorNotice error={entry.error} testId="table-details-error" />
        {table && (
          <button type="button" className="button" onClick={() => void loadDetails(profile.name, table, true)}>
            Retry
          </button>
        )}
      </div>
    );
  }
  return <TableDetails profile={profile} info={entry.info} onReload={() => table && void loadDetails(profile.name, table, true)} />;
}

function TableDetails({ profile, info, onReload }: { profile: ProfileView; info: TableInfo; onReload: () => void }) {
  const name = info.schema ? `${info.schema}.${info.name}` : info.name;
  const spec = useEngineSpec(profile.engine);
  const sql = selectRowsSql(spec, info);
  return (
    <div className="details-panel" data-testid="table-details" data-table={info.name}>
      <header className="details-header">
        <h2 className="mono">{name}</h2>
        <span className="kind-tag">{kindLabel(info.kind)}</span>
        {info.estimated_rows !== undefined && info.estimated_rows !== null && (
          <span className="muted">≈ {formatCount(info.estimated_rows)} rows</span>
        )}
        <span className="spacer" />
        <button type="button" className="button" onClick={onReload}>
          Reload
        </button>
        {spec?.capabilities.query === "sql" && (
          <button
            type="button"
            className="button primary"
            data-testid="open-table-data"
            title="Browse and edit the rows in a data tab"
            onClick={() => {
              openDataTab(profile.name, name);
              showView("query");
            }}
          >
            Open data
          </button>
        )}
        {sql !== "" && (
          <button
            type="button"
            className="button"
            data-testid="query-table"
            onClick={() => {
              openQuery(profile.name, sql);
              showView("query");
            }}
          >
            Query rows
          </button>
        )}
      </header>
      {info.comment && <p className="muted">{info.comment}</p>}

      <h3>Columns ({info.columns.length})</h3>
      <table className="data-table compact">
        <thead>
          <tr>
            <th>Name</th>
            <th>Type</th>
            <th>Null</th>
            <th>Default</th>
            <th>Comment</th>
          </tr>
        </thead>
        <tbody>
          {info.columns.map((c) => (
            <tr key={c.name} data-testid={`details-column-${c.name}`}>
              <td className="mono">
                {c.primary_key && (
                  <span className="pk" title="Primary key">
                    ⚷{" "}
                  </span>
                )}
                {c.name}
              </td>
              <td className="mono type-cell">{c.type}</td>
              <td>{c.nullable ? "yes" : "no"}</td>
              <td className="mono">{c.default ?? <span className="null-text">—</span>}</td>
              <td className="muted">{c.comment ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3>Keys</h3>
      {info.primary_key.length === 0 && info.foreign_keys.length === 0 ? (
        <p className="muted">No primary or foreign keys.</p>
      ) : (
        <ul className="plain-list mono">
          {info.primary_key.length > 0 && <li>PRIMARY KEY ({info.primary_key.join(", ")})</li>}
          {info.foreign_keys.map((fk, i) => (
            <li key={fk.name ?? i}>
              {fk.name ? `${fk.name}: ` : ""}
              {describeForeignKey(fk)}
            </li>
          ))}
        </ul>
      )}

      <h3>Indexes</h3>
      {info.indexes.length === 0 ? (
        <p className="muted">No indexes.</p>
      ) : (
        <ul className="plain-list mono">
          {info.indexes.map((ix) => (
            <li key={ix.name}>
              {ix.name} ({ix.columns.join(", ")}){ix.primary ? " primary" : ix.unique ? " unique" : ""}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
