import { useCallback, useState, type PointerEvent } from "react";
import { loadSaved, save } from "../stores/store";

/** A drag handle between two stacked panes: returns the top pane's height (kept across restarts). */
export function useVerticalSplit(key: string, initial: number, min: number) {
  const [size, setSize] = useState(() => loadSaved(key, initial, (v): v is number => typeof v === "number" && v >= min));

  const onPointerDown = useCallback(
    (event: PointerEvent<HTMLElement>) => {
      event.preventDefault();
      const startY = event.clientY;
      const startSize = size;
      const target = event.currentTarget;
      target.setPointerCapture(event.pointerId);
      let latest = startSize;
      const onMove = (e: globalThis.PointerEvent): void => {
        const max = Math.max(min, window.innerHeight - 200);
        latest = Math.max(min, Math.min(max, startSize + e.clientY - startY));
        setSize(latest);
      };
      const onUp = (): void => {
        target.removeEventListener("pointermove", onMove);
        target.removeEventListener("pointerup", onUp);
        target.removeEventListener("pointercancel", onUp);
        save(key, latest);
      };
      target.addEventListener("pointermove", onMove);
      target.addEventListener("pointerup", onUp);
      target.addEventListener("pointercancel", onUp);
    },
    [key, min, size],
  );

  return { size, onPointerDown };
}
