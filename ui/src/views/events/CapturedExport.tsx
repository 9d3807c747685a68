import { useState } from "react";
import { api, type EventExportForm } from "../../api";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAsyncAction } from "../../hooks/useAsyncAction";
import { plural } from "../../lib/format";

/** Export of one monitor's captured events (the newest 50,000, kept on the Rust side) to a file. */
export function CapturedExport({ monitorId, home }: { monitorId: string; home: string | null }) {
  const [path, setPath] = useState(home ? `${home.replace(/[\\/]+$/, "")}/${monitorId}.jsonl` : "");
  const [format, setFormat] = useState<EventExportForm["format"]>("jsonl");
  const exporting = useAsyncAction(async () => ({ count: await api.exportMonitorEvents(monitorId, path.trim(), format), path: path.trim() }));
  return (
    <div className="event-export" data-testid="captured-export">
      <span className="muted">Export this monitor&apos;s events:</span>
      <input className="mono" aria-label="Export file" data-testid="captured-export-path" value={path} onChange={(e) => setPath(e.target.value)} />
      <select
        aria-label="Format"
        value={format}
        onChange={(e) => {
          const next = e.target.value === "csv" ? "csv" : "jsonl";
          setFormat(next);
          setPath((p) => p.replace(/\.(jsonl|csv)$/, `.${next}`));
        }}
      >
        <option value="jsonl">JSON Lines</option>
        <option value="csv">CSV</option>
      </select>
      <button type="button" className="button small" data-testid="captured-export-run" disabled={path.trim() === "" || exporting.busy} onClick={() => void exporting.run()}>
        Export
      </button>
      {exporting.error && <ErrorNotice error={exporting.error} />}
      {exporting.result && (
        <span className="ok-text" data-testid="captured-export-result">
          Wrote {plural(exporting.result.count, "event")}.
        </span>
      )}
    </div>
  );
}
