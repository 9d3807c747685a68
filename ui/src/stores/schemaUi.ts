// What the schema browser shows per connection (open nodes, filter, selected table), kept
// while the user visits other views.

import type { Expansion } from "../lib/schemaTree";
import { createStore } from "./store";

export type SchemaUi = { expansion: Expansion; filter: string; selected: string | null };

const EMPTY: SchemaUi = { expansion: new Map(), filter: "", selected: null };

export const schemaUiStore = createStore<ReadonlyMap<string, SchemaUi>>(new Map());

export function schemaUiOf(all: ReadonlyMap<string, SchemaUi>, profile: string | null): SchemaUi {
  return (profile !== null && all.get(profile)) || EMPTY;
}

export function updateSchemaUi(profile: string, change: (ui: SchemaUi) => SchemaUi): void {
  schemaUiStore.set((all) => new Map(all).set(profile, change(schemaUiOf(all, profile))));
}
