import { useEffect, useState } from "react";

/** The current time (performance.now() or Date.now()), refreshed every `intervalMs` while enabled. */
export function useNow(intervalMs: number, enabled = true, clock: "wall" | "monotonic" = "wall"): number {
  const read = (): number => (clock === "wall" ? Date.now() : performance.now());
  const [now, setNow] = useState(read);
  useEffect(() => {
    if (!enabled) return undefined;
    const timer = window.setInterval(() => setNow(clock === "wall" ? Date.now() : performance.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs, enabled, clock]);
  return now;
}
