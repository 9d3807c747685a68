// What each compiled engine is and can do (the backend's engine_specs), loaded once before the
// first render (main.tsx), so no view ever shows an option its engine lacks, not even for a
// moment. An engine without a spec (not compiled in, or the load failed) offers nothing.

import { api, toAppError, type AppError, type Engine, type EngineSpec } from "../api";
import { createStore, useStoreSelect } from "./store";

export type EnginesState = {
  /** null until loaded (and when loading failed). */
  specs: ReadonlyMap<Engine, EngineSpec> | null;
  error: AppError | null;
};

export const enginesStore = createStore<EnginesState>({ specs: null, error: null });

let loading: Promise<void> | null = null;

/** Loads the specs once; never throws (a failure is kept in `error`). */
export function loadEngineSpecs(): Promise<void> {
  loading ??= (async () => {
    try {
      const list = await api.engineSpecs();
      enginesStore.set({ specs: new Map(list.map((s) => [s.engine, s])), error: null });
    } catch (error) {
      enginesStore.set({ specs: null, error: toAppError(error) });
    }
  })();
  return loading;
}

/** The engine's spec; null when it is unknown (the caller then offers nothing). */
export function engineSpec(engine: Engine | null | undefined): EngineSpec | null {
  if (engine === null || engine === undefined) return null;
  return enginesStore.get().specs?.get(engine) ?? null;
}

/** The spec of `engine`, as a hook (a spec object is stable for the session). */
export function useEngineSpec(engine: Engine | null | undefined): EngineSpec | null {
  return useStoreSelect(enginesStore, () => engineSpec(engine));
}

const NO_SPECS: ReadonlyMap<Engine, EngineSpec> = new Map();

/** Every known spec by engine, for views that list profiles of several engines. */
export function useEngineSpecs(): ReadonlyMap<Engine, EngineSpec> {
  return useStoreSelect(enginesStore, (s) => s.specs ?? NO_SPECS);
}
