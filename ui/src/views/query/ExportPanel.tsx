import { useEffect, useMemo, useState } from "react";
import { api, type ExportFormat } from "../../api";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAsyncAction } from "../../hooks/useAsyncAction";
import { defaultExportPath, exportPreview, withFormatExtension } from "../../lib/exportPreview";
import { plural } from "../../lib/format";
import { loadEndpoint, profilesStore } from "../../stores/profiles";
import type { RunState } from "../../stores/runs";
import { useStore } from "../../stores/store";

/** Writes the whole result of the last run to a CSV or JSON file (no native dialog: a path field). */
export function ExportPanel({ run, onClose }: { run: RunState; onClose: () => void }) {
  const { endpoint } = useStore(profilesStore);
  const [format, setFormat] = useState<ExportFormat>("csv");
  const [openedAt] = useState(() => new Date());
  const [edited, setPath] = useState<string | null>(null);
  const exporting = useAsyncAction((queryId: string, target: string, fmt: ExportFormat) => api.exportResult(queryId, target, fmt));

  useEffect(() => {
    void loadEndpoint();
  }, []);
  const path = edited ?? (endpoint ? defaultExportPath(endpoint.home, format, openedAt) : "");

  const preview = useMemo(() => exportPreview(format, run.columns ?? [], run.rows, 5), [format, run.columns, run.rows]);
  const ready = run.status === "done" && run.queryId !== null;

  return (
    <section className="side-panel export-panel" data-testid="export-panel" aria-label="Export result">
      <header className="panel-header">
        <h3>Export result</h3>
        <span className="spacer" />
        <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      <form
        className="export-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (ready && run.queryId) void exporting.run(run.queryId, path.trim(), format);
        }}
      >
        <label className="field">
          <span className="field-label">Format</span>
          <select
            data-testid="export-format"
            value={format}
            onChange={(e) => {
              const next = e.target.value as ExportFormat;
              setFormat(next);
              if (edited !== null) setPath(withFormatExtension(edited, next));
            }}
          >
            <option value="csv">CSV</option>
            <option value="json">JSON</option>
          </select>
        </label>
        <label className="field">
          <span className="field-label">File</span>
          <input
            className="mono"
            data-testid="export-path"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            spellCheck={false}
            placeholder="/path/to/result.csv"
          />
        </label>
        <button type="submit" className="button primary" data-testid="export-run" disabled={!ready || path.trim() === "" || exporting.busy}>
          {exporting.busy ? "Exporting…" : `Export ${plural(run.summary?.rowCount ?? run.rows.length, "row")}`}
        </button>
        {!ready && <p className="muted">Run a query to completion to export its result.</p>}
      </form>
      {exporting.error && <ErrorNotice error={exporting.error} testId="export-error" />}
      {exporting.result && (
        <div className="ok-text" data-testid="export-result" data-rows={exporting.result.rows}>
          Wrote {plural(exporting.result.rows, "row")} to <span className="mono">{exporting.result.path}</span>
        </div>
      )}
      <div className="field-label">Preview (first rows)</div>
      <pre className="export-preview" data-testid="export-preview">
        {preview}
      </pre>
    </section>
  );
}
