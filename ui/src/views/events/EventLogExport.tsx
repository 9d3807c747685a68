import { useState } from "react";
import { api, type EventExportForm, type Severity } from "../../api";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAsyncAction } from "../../hooks/useAsyncAction";
import { plural } from "../../lib/format";

const SEVERITIES: Severity[] = ["info", "warning", "error", "critical"];

/**
 * Export of the lifecycle log to JSON Lines or CSV, filtered by monitor, time, severity and
 * text. The Rust side streams it row by row to the file, so its size does not matter here.
 */
export function EventLogExport({ home }: { home: string | null }) {
  const [form, setForm] = useState<EventExportForm>({
    path: home ? `${home.replace(/[\\/]+$/, "")}/events.jsonl` : "",
    format: "jsonl",
    monitor: "",
    since: "",
    until: "",
    minSeverity: null,
    text: "",
  });
  const exporting = useAsyncAction(async (f: EventExportForm) => ({ count: await api.exportEventLog(f), path: f.path }));
  const set = (patch: Partial<EventExportForm>) => setForm({ ...form, ...patch });
  return (
    <div className="event-export" data-testid="events-export">
      <input className="mono" aria-label="Export file" data-testid="events-export-path" value={form.path} placeholder="/path/to/events.jsonl" onChange={(e) => set({ path: e.target.value })} />
      <select
        aria-label="Format"
        value={form.format}
        onChange={(e) => {
          const format = e.target.value === "csv" ? "csv" : "jsonl";
          set({ format, path: form.path.replace(/\.(jsonl|csv)$/, `.${format}`) });
        }}
      >
        <option value="jsonl">JSON Lines</option>
        <option value="csv">CSV</option>
      </select>
      <input aria-label="Monitor" placeholder="monitor or target" value={form.monitor} onChange={(e) => set({ monitor: e.target.value })} />
      <input aria-label="Since" placeholder="since (2h, 2026-12-01)" value={form.since} onChange={(e) => set({ since: e.target.value })} />
      <input aria-label="Until" placeholder="until" value={form.until} onChange={(e) => set({ until: e.target.value })} />
      <select aria-label="Severity" value={form.minSeverity ?? ""} onChange={(e) => set({ minSeverity: SEVERITIES.find((s) => s === e.target.value) ?? null })}>
        <option value="">any severity</option>
        {SEVERITIES.map((s) => (
          <option key={s} value={s}>
            {s} and worse
          </option>
        ))}
      </select>
      <input aria-label="Text" placeholder="text" value={form.text} onChange={(e) => set({ text: e.target.value })} />
      <button type="button" className="button small" data-testid="events-export-run" disabled={form.path.trim() === "" || exporting.busy} onClick={() => void exporting.run(form)}>
        {exporting.busy ? "Exporting…" : "Export"}
      </button>
      {exporting.error && <ErrorNotice error={exporting.error} testId="events-export-error" />}
      {exporting.result && (
        <span className="ok-text" data-testid="events-export-result">
          Wrote {plural(exporting.result.count, "event")} to <span className="mono">{exporting.result.path}</span>.
        </span>
      )}
    </div>
  );
}
