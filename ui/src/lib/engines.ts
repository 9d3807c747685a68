// How the UI draws each engine (the short badge in lists; colours are in CSS by data-engine),
// and plain questions about an engine's spec. What an engine is called and what it can do come
// from the backend (stores/engines.ts), never from a list of names here.

import type { Engine, EngineSpec } from "../api";

/** Purely cosmetic: two letters for the badge. */
export const ENGINE_BADGES: Record<Engine, string> = {
  sqlite: "SQ",
  postgres: "PG",
  mysql: "MY",
  mssql: "MS",
  mongodb: "MG",
  redis: "RD",
  nats: "NT",
  kafka: "KF",
};

/** The name people know the engine by; its id when the backend does not know it. */
export function engineLabel(spec: EngineSpec | null, engine: Engine): string {
  return spec?.label ?? engine;
}

/** Whether it has a schema (tables or collections) to browse. */
export function canBrowse(spec: EngineSpec | null): boolean {
  return spec?.capabilities.browse ?? false;
}

/** Whether it has topics and consumer groups to browse (the Schema view shows them instead of tables). */
export function hasConsumerGroups(spec: EngineSpec | null): boolean {
  return spec?.capabilities.consumerGroups ?? false;
}

/** Whether it has keys to browse by prefix (the Schema view shows the key browser instead of tables). */
export function hasKeyBrowser(spec: EngineSpec | null): boolean {
  return spec?.capabilities.keyBrowser ?? false;
}

/** Whether it takes statements in the query editor. */
export function canQuery(spec: EngineSpec | null): boolean {
  return (spec?.capabilities.query ?? null) !== null;
}

/** "a SQL statement", "a MongoDB command": what the editor's empty state asks for; null without a language. */
export function statementNoun(spec: EngineSpec | null): string | null {
  switch (spec?.capabilities.query) {
    case "sql":
      return "a SQL statement";
    case "mongo-shell":
      return "a MongoDB shell command";
    case "redis-command":
      return "a Redis command";
    default:
      return null;
  }
}

/** "A, B and C" (or "A, B or C"): the labels of the specs that pass `test`, in the backend's order. */
export function labelsWhere(specs: Iterable<EngineSpec>, test: (spec: EngineSpec) => boolean, last: "and" | "or" = "and"): string {
  const labels = [...specs].filter(test).map((s) => s.label);
  if (labels.length <= 1) return labels.join("");
  return `${labels.slice(0, -1).join(", ")} ${last} ${labels[labels.length - 1]}`;
}

export const ACCESS_LABELS: Record<string, string> = {
  none: "No AI access",
  "read-only": "Read-only",
  "read-write": "Read & write",
  ask: "Ask before writes",
};

/** The colours the form offers for tagging a connection (any CSS colour is accepted). */
export const PROFILE_COLORS = ["#e5484d", "#f76b15", "#ffc53d", "#30a46c", "#12a594", "#0090ff", "#6e56cf", "#d6409f"];
