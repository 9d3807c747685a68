import { useEffect, useState } from "react";
import { api, type ImportReport } from "../../api";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAsyncAction } from "../../hooks/useAsyncAction";
import { plural } from "../../lib/format";
import { loadEndpoint, profilesStore, refreshProfiles } from "../../stores/profiles";
import { useStore } from "../../stores/store";
import { editConnection } from "../../stores/ui";

/** Export every saved connection to a JSON file (never with secrets), or import one. */
export function ProfileTransfer() {
  const { endpoint } = useStore(profilesStore);
  const [edited, setPath] = useState<string | null>(null);
  useEffect(() => {
    void loadEndpoint();
  }, []);
  const path = edited ?? (endpoint ? `${endpoint.home.replace(/[\\/]+$/, "")}/profiles.json` : "");

  const exporting = useAsyncAction(async (target: string) => ({ kind: "export" as const, count: await api.exportProfiles(target), path: target }));
  const importing = useAsyncAction(async (source: string) => {
    const report = await api.importProfiles(source);
    await refreshProfiles();
    return { kind: "import" as const, report, path: source };
  });
  const last = importing.result ?? exporting.result;
  const error = importing.error ?? exporting.error;

  return (
    <section className="panel transfer" aria-label="Import and export">
      <h3>Import / export</h3>
      <p className="muted">A JSON file of the connections, without passwords: share it, or move to another machine.</p>
      <div className="input-with-button">
        <input
          className="mono"
          data-testid="profiles-path"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          placeholder="/path/to/profiles.json"
          spellCheck={false}
        />
        <button
          type="button"
          className="button"
          data-testid="profiles-export"
          disabled={path.trim() === "" || exporting.busy}
          onClick={() => {
            importing.reset();
            void exporting.run(path.trim());
          }}
        >
          Export
        </button>
        <button
          type="button"
          className="button"
          data-testid="profiles-import"
          disabled={path.trim() === "" || importing.busy}
          onClick={() => {
            exporting.reset();
            void importing.run(path.trim());
          }}
        >
          Import
        </button>
      </div>
      {error && <ErrorNotice error={error} testId="profiles-transfer-error" />}
      {last && (
        <div className="transfer-result" data-testid="profiles-transfer-result">
          {last.kind === "export" ? (
            <span className="ok-text">
              Wrote {plural(last.count, "connection")} to <span className="mono">{last.path}</span>.
            </span>
          ) : (
            <ImportSummary report={last.report} />
          )}
        </div>
      )}
    </section>
  );
}

function ImportSummary({ report }: { report: ImportReport }) {
  const lines: { label: string; names: string[]; tone: string }[] = [
    { label: "Added", names: report.added, tone: "ok" },
    { label: "Already here, unchanged", names: report.unchanged, tone: "muted" },
    { label: "Kept yours (a different connection has this name)", names: report.conflicts, tone: "warn" },
  ];
  return (
    <div className="import-summary">
      {lines.map((l) =>
        l.names.length > 0 ? (
          <div key={l.label} className={`import-line ${l.tone}`}>
            <strong>{l.label}:</strong> {l.names.join(", ")}
          </div>
        ) : null,
      )}
      {report.added.length + report.unchanged.length + report.conflicts.length === 0 && <div>The file had no connections.</div>}
      {report.needSecrets.length > 0 && (
        <div className="import-line warn" data-testid="profiles-need-secrets">
          <strong>Need a password:</strong>{" "}
          {report.needSecrets.map((name, i) => (
            <span key={name}>
              {i > 0 && ", "}
              <button type="button" className="link-button" onClick={() => editConnection({ mode: "edit", name })}>
                {name}
              </button>
            </span>
          ))}
        </div>
      )}
    </div>
  );
}
