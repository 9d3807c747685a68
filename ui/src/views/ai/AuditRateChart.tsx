import { useEffect, useMemo } from "react";
import uPlot from "uplot";
import type { AuditEntry } from "../../api";
import { useNow } from "../../hooks/useNow";
import { cssVar, useUplot } from "../../hooks/useUplot";
import { ratePerMinute } from "../../lib/audit";

const HEIGHT = 110;

/** AI calls per minute over the last hour (uPlot bars: successful and failed calls). */
export function AuditRateChart({ entries }: { entries: readonly AuditEntry[] }) {
  const now = useNow(15_000);
  const series = useMemo(() => ratePerMinute(entries, now, 60), [entries, now]);
  const total = series.ok.reduce((a, b) => a + b, 0) + series.errors.reduce((a, b) => a + b, 0);

  const { hostRef, plotRef } = useUplot(
    (width) => {
      const text = cssVar("--text-muted", "#888");
      const grid = cssVar("--border", "#ddd");
      const bars = uPlot.paths.bars?.({ size: [0.7, 12], align: 0 });
      return {
        width,
        height: HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(4, max)] } },
        axes: [
          { stroke: text, grid: { show: false }, ticks: { stroke: grid }, font: "11px system-ui" },
          { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { show: false }, size: 36, font: "11px system-ui" },
        ],
        series: [
          {},
          { label: "calls", stroke: cssVar("--ok", "#30a46c"), fill: cssVar("--ok-soft", "#30a46c55"), paths: bars, points: { show: false } },
          { label: "errors", stroke: cssVar("--danger", "#e5484d"), fill: cssVar("--danger-soft", "#e5484d55"), paths: bars, points: { show: false } },
        ],
      };
    },
    [[], [], []],
    200,
  );

  useEffect(() => {
    // Failed calls are drawn over the total, so each bar shows its failed part in red.
    const totals = series.ok.map((n, i) => n + series.errors[i]);
    plotRef.current?.setData([series.minutes, totals, series.errors]);
  }, [series, plotRef]);

  return (
    <div className="rate-chart" data-testid="audit-rate-chart" data-total={total}>
      <div className="rate-chart-title">
        AI calls per minute, last hour <span className="muted">({total} calls)</span>
      </div>
      <div ref={hostRef} className="rate-chart-plot" />
    </div>
  );
}
