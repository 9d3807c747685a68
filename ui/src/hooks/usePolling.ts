import { useEffect, useRef } from "react";

/**
 * Runs `task` now and then every `intervalMs` after the previous run finished (never two at
 * once), skipping turns while the window is hidden. The task reports its own errors.
 */
export function usePolling(task: () => Promise<void>, intervalMs: number, enabled = true): void {
  const taskRef = useRef(task);
  useEffect(() => {
    taskRef.current = task;
  }, [task]);

  useEffect(() => {
    if (!enabled) return undefined;
    let stopped = false;
    let timer: number | undefined;
    const tick = async (): Promise<void> => {
      if (stopped) return;
      if (!document.hidden) {
        try {
          await taskRef.current();
        } catch (error) {
          console.error("polling task failed", error);
        }
      }
      if (!stopped) timer = window.setTimeout(() => void tick(), intervalMs);
    };
    void tick();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [intervalMs, enabled]);
}
