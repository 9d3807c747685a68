// What the UI says about each engine: its name, the short badge in lists, and whether it has
// a schema to browse and a query editor.

import type { Engine } from "../api";

export type EngineInfo = { label: string; badge: string; hasSchema: boolean; queryLanguage: string };

export const ENGINES: Record<Engine, EngineInfo> = {
  sqlite: { label: "SQLite", badge: "SQ", hasSchema: true, queryLanguage: "SQL" },
  postgres: { label: "PostgreSQL", badge: "PG", hasSchema: true, queryLanguage: "SQL" },
  mysql: { label: "MySQL / MariaDB", badge: "MY", hasSchema: true, queryLanguage: "SQL" },
  mssql: { label: "SQL Server", badge: "MS", hasSchema: true, queryLanguage: "T-SQL" },
  mongodb: { label: "MongoDB", badge: "MG", hasSchema: true, queryLanguage: "MongoDB query" },
  redis: { label: "Redis", badge: "RD", hasSchema: false, queryLanguage: "Redis command" },
  nats: { label: "NATS", badge: "NT", hasSchema: false, queryLanguage: "NATS request" },
};

export const ACCESS_LABELS: Record<string, string> = {
  none: "No AI access",
  "read-only": "Read-only",
  "read-write": "Read & write",
  ask: "Ask before writes",
};

/** The colours the form offers for tagging a connection (any CSS colour is accepted). */
export const PROFILE_COLORS = ["#e5484d", "#f76b15", "#ffc53d", "#30a46c", "#12a594", "#0090ff", "#6e56cf", "#d6409f"];
