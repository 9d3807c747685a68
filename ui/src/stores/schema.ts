// The schema cache, per connection: table names first (one call), a table's details when it is
// expanded or needed for completion. Shared by the schema browser and the query editor.

import { api, toAppError, type AppError, type TableRef } from "../api";
import type { DetailsEntry } from "../lib/schemaTree";
import { canBrowse } from "../lib/engines";
import { qualifiedName } from "../lib/schemaTree";
import { engineSpec } from "./engines";
import { findProfile, profilesStore } from "./profiles";
import { createStore } from "./store";

export type SchemaEntry = {
  tables: TableRef[] | null;
  loading: boolean;
  error: AppError | null;
  details: ReadonlyMap<string, DetailsEntry>;
};

const EMPTY_ENTRY: SchemaEntry = { tables: null, loading: false, error: null, details: new Map() };

export const schemaStore = createStore<ReadonlyMap<string, SchemaEntry>>(new Map());

export function schemaEntry(profile: string | null): SchemaEntry {
  if (profile === null) return EMPTY_ENTRY;
  return schemaStore.get().get(profile) ?? EMPTY_ENTRY;
}

function update(profile: string, change: (entry: SchemaEntry) => SchemaEntry): void {
  schemaStore.set((all) => {
    const next = new Map(all);
    next.set(profile, change(all.get(profile) ?? EMPTY_ENTRY));
    return next;
  });
}

const tablesInFlight = new Map<string, Promise<void>>();

/** Whether the profile's engine has a schema to browse; unknown profiles and engines have none. */
export function browsable(profile: string): boolean {
  return canBrowse(engineSpec(findProfile(profilesStore.get().profiles, profile)?.engine));
}

/**
 * Loads the table names (once; `force` reloads). Callers during a load wait for that load.
 * Engines with nothing to browse are not asked.
 */
export function loadTables(profile: string, force = false): Promise<void> {
  if (!browsable(profile)) return Promise.resolve();
  const pending = tablesInFlight.get(profile);
  if (pending) return pending;
  if (!force && schemaEntry(profile).tables !== null) return Promise.resolve();
  const load = (async () => {
    update(profile, (e) => ({ ...e, loading: true, error: null }));
    try {
      const tables = await api.listTables(profile);
      update(profile, (e) => ({ ...e, tables, loading: false, details: force ? new Map() : e.details }));
    } catch (error) {
      update(profile, (e) => ({ ...e, loading: false, error: toAppError(error) }));
    } finally {
      tablesInFlight.delete(profile);
    }
  })();
  tablesInFlight.set(profile, load);
  return load;
}

export async function loadDetails(profile: string, table: Pick<TableRef, "schema" | "name">, force = false): Promise<void> {
  const key = qualifiedName(table);
  const current = schemaEntry(profile).details.get(key);
  if (current && (current.status === "loading" || (current.status === "ok" && !force))) return;
  setDetails(profile, key, { status: "loading" });
  try {
    const info = await api.tableDetails(profile, key);
    setDetails(profile, key, { status: "ok", info });
  } catch (error) {
    setDetails(profile, key, { status: "error", error: toAppError(error) });
  }
}

function setDetails(profile: string, key: string, value: DetailsEntry): void {
  update(profile, (e) => {
    const details = new Map(e.details);
    details.set(key, value);
    return { ...e, details };
  });
}

/** Loads the details of small schemas in the background so the editor can complete columns. */
export async function prefetchColumns(profile: string, limit = 150): Promise<void> {
  if (!browsable(profile)) return;
  await loadTables(profile);
  const { tables, details } = schemaEntry(profile);
  if (!tables || tables.length > limit) return;
  const pending = tables.filter((t) => !details.has(qualifiedName(t)));
  const workers = [0, 1].map(async (offset) => {
    for (let i = offset; i < pending.length; i += 2) await loadDetails(profile, pending[i]);
  });
  await Promise.all(workers);
}

/** The completion map CodeMirror's SQL language wants: table → column names. */
export function completionSchema(entry: SchemaEntry): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const t of entry.tables ?? []) {
    const key = qualifiedName(t);
    const d = entry.details.get(key);
    out[key] = d?.status === "ok" ? d.info.columns.map((c) => c.name) : [];
  }
  return out;
}
