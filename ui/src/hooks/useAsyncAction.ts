import { useCallback, useEffect, useRef, useState } from "react";
import { toAppError, type AppError } from "../api";

export type AsyncAction<A extends unknown[], T> = {
  run: (...args: A) => Promise<T | undefined>;
  busy: boolean;
  error: AppError | null;
  result: T | undefined;
  reset: () => void;
};

/** A button's backend call: busy while it runs, its result or its error kept for display. */
export function useAsyncAction<A extends unknown[], T>(action: (...args: A) => Promise<T>): AsyncAction<A, T> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [result, setResult] = useState<T | undefined>(undefined);
  const actionRef = useRef(action);
  useEffect(() => {
    actionRef.current = action;
  }, [action]);
  const generation = useRef(0);

  const run = useCallback(async (...args: A): Promise<T | undefined> => {
    generation.current += 1;
    const mine = generation.current;
    setBusy(true);
    setError(null);
    try {
      const value = await actionRef.current(...args);
      if (mine === generation.current) setResult(value);
      return value;
    } catch (e) {
      if (mine === generation.current) {
        setError(toAppError(e));
        setResult(undefined);
      }
      return undefined;
    } finally {
      if (mine === generation.current) setBusy(false);
    }
  }, []);

  const reset = useCallback(() => {
    generation.current += 1;
    setBusy(false);
    setError(null);
    setResult(undefined);
  }, []);

  return { run, busy, error, result, reset };
}
