import { useEffect, useMemo } from "react";
import { cssVar, useUplot } from "../../hooks/useUplot";
import { formatCount } from "../../lib/format";
import { lagAxisMax, lagSeries, lagTrend, LAG_CHART_POINTS, type LagPoint } from "../../lib/kafka";

const HEIGHT = 110;
const TREND_TEXT = { up: "rising", down: "falling", flat: "steady" } as const;

/** The group's total lag per poll while its panel is open (uPlot line, like the monitors' rate charts). */
export function LagChart({ points }: { points: readonly LagPoint[] }) {
  const series = useMemo(() => lagSeries(points), [points]);

  const { hostRef, plotRef } = useUplot(
    (width) => {
      const text = cssVar("--text-muted", "#888");
      const grid = cssVar("--border", "#ddd");
      return {
        width,
        height: HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, lagAxisMax(max)] } },
        axes: [
          { stroke: text, grid: { show: false }, ticks: { stroke: grid }, font: "10px system-ui" },
          { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { show: false }, size: 52, font: "10px system-ui" },
        ],
        series: [
          {},
          { label: "lag", stroke: cssVar("--warn", "#f76b15"), fill: cssVar("--warn-soft", "#f76b1533"), width: 1.5, points: { show: false } },
        ],
      };
    },
    [[], []],
    200,
  );

  useEffect(() => {
    plotRef.current?.setData([series.x, series.y]);
  }, [series, plotRef]);

  const latest = points.at(-1);
  return (
    <div className="rate-chart kafka-lag-chart" data-testid="kafka-lag-chart" data-points={points.length}>
      <div className="rate-chart-title">
        Total lag, last {LAG_CHART_POINTS} polls{" "}
        {latest && (
          <span className="muted">
            ({formatCount(latest.lag)} now, {TREND_TEXT[lagTrend(points)]})
          </span>
        )}
      </div>
      <div ref={hostRef} className="rate-chart-plot" />
    </div>
  );
}
