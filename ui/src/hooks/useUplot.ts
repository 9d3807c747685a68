import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/** A CSS custom property of the page, so charts follow the light and dark themes. */
export function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value === "" ? fallback : value;
}

/**
 * A uPlot chart in the element `hostRef` points at: built once from `options(width)` with
 * `empty` data, resized with its box (never narrower than `minWidth`), destroyed on unmount.
 * Feed it with `plotRef.current?.setData(…)`.
 */
export function useUplot(options: (width: number) => uPlot.Options, empty: uPlot.AlignedData, minWidth: number) {
  const hostRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot | null>(null);
  // The first options and data are the ones used: the chart is built once.
  const initial = useRef({ options, empty });

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return undefined;
    const width = () => Math.max(minWidth, host.clientWidth);
    const plot = new uPlot(initial.current.options(width()), initial.current.empty, host);
    plotRef.current = plot;
    const observer = new ResizeObserver(() => plot.setSize({ width: width(), height: plot.height }));
    observer.observe(host);
    return () => {
      observer.disconnect();
      plot.destroy();
      plotRef.current = null;
    };
  }, [minWidth]);

  return { hostRef, plotRef };
}
