import { useEffect, useMemo } from "react";
import { cssVar, useUplot } from "../../hooks/useUplot";
import { rateSeries, type RateSample } from "../../lib/events";
import { eventsStore } from "../../stores/events";
import { useStoreSelect } from "../../stores/store";

const HEIGHT = 70;
const SPAN_MS = 60_000;
const NO_SAMPLES: RateSample[] = [];

/** A monitor's events per second over the last minute (uPlot line, one point per poll). */
export function MonitorRateChart({ monitorId }: { monitorId: string }) {
  const samples = useStoreSelect(eventsStore, (s) => s.rates.get(monitorId) ?? NO_SAMPLES);
  // Each poll adds a sample, so the newest sample's time is "now" for the window.
  const now = samples.length > 0 ? samples[samples.length - 1].t : 0;
  const series = useMemo(() => rateSeries(samples, now, SPAN_MS), [samples, now]);

  const { hostRef, plotRef } = useUplot(
    (width) => {
      const text = cssVar("--text-muted", "#888");
      const grid = cssVar("--border", "#ddd");
      return {
        width,
        height: HEIGHT,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
        axes: [
          { show: false },
          { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { show: false }, size: 34, font: "10px system-ui" },
        ],
        series: [
          {},
          { label: "events/s", stroke: cssVar("--accent", "#2563eb"), fill: cssVar("--accent-soft", "#2563eb33"), width: 1.5, points: { show: false } },
        ],
      };
    },
    [[], []],
    160,
  );

  useEffect(() => {
    const plot = plotRef.current;
    if (!plot) return;
    plot.setData([series.x, series.y]);
    if (now > 0) plot.setScale("x", { min: (now - SPAN_MS) / 1000, max: now / 1000 });
  }, [series, now, plotRef]);

  return (
    <div className="monitor-chart" data-testid={`monitor-chart-${monitorId}`} data-points={series.x.length}>
      <div ref={hostRef} className="rate-chart-plot" />
    </div>
  );
}
