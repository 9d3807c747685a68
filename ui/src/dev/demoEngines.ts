// The demo backend's engine_specs: the same registrations the Rust side reports for a build
// with every engine (crates/core/src/engine.rs). The unit tests use them as the real data.

import type { Capabilities, EngineSpec } from "../api";

const NOTHING: Capabilities = {
  query: null,
  browse: false,
  explain: false,
  cancelOnServer: false,
  readOnlyTransaction: false,
  createsReadOnlyLogin: false,
  watch: false,
  publish: false,
  request: false,
  streamLag: false,
  consumerGroups: false,
  keyBrowser: false,
};

export const DEMO_ENGINE_SPECS: readonly EngineSpec[] = [
  {
    engine: "sqlite",
    label: "SQLite",
    schemes: ["sqlite"],
    defaultPort: null,
    watchKinds: [],
    readCommands: [],
    capabilities: { ...NOTHING, query: "sql", browse: true, explain: true, readOnlyTransaction: true },
  },
  {
    engine: "postgres",
    label: "PostgreSQL",
    schemes: ["postgres", "postgresql"],
    defaultPort: 5432,
    watchKinds: ["notify"],
    readCommands: [],
    capabilities: {
      ...NOTHING,
      query: "sql",
      browse: true,
      explain: true,
      cancelOnServer: true,
      readOnlyTransaction: true,
      createsReadOnlyLogin: true,
      watch: true,
      publish: true,
    },
  },
  {
    engine: "mysql",
    label: "MySQL / MariaDB",
    schemes: ["mysql", "mariadb"],
    defaultPort: 3306,
    watchKinds: [],
    readCommands: [],
    capabilities: {
      ...NOTHING,
      query: "sql",
      browse: true,
      explain: true,
      cancelOnServer: true,
      readOnlyTransaction: true,
      createsReadOnlyLogin: true,
    },
  },
  {
    engine: "mssql",
    label: "SQL Server",
    schemes: ["sqlserver", "mssql"],
    defaultPort: 1433,
    watchKinds: [],
    readCommands: [],
    capabilities: { ...NOTHING, query: "sql", browse: true, cancelOnServer: true },
  },
  {
    engine: "mongodb",
    label: "MongoDB",
    schemes: ["mongodb", "mongodb+srv"],
    defaultPort: 27017,
    watchKinds: ["changes"],
    readCommands: [],
    capabilities: { ...NOTHING, query: "mongo-shell", browse: true, cancelOnServer: true, watch: true },
  },
  {
    engine: "redis",
    label: "Redis",
    schemes: ["redis", "rediss"],
    defaultPort: 6379,
    watchKinds: ["channel", "pattern", "keyspace", "stream"],
    // A few of the Rust list (crates/core/src/read_commands.rs), enough for the demo console.
    readCommands: ["get", "mget", "strlen", "exists", "type", "ttl", "scan", "memory|usage", "hget", "hgetall", "hscan", "lrange", "llen", "smembers", "sscan", "zrange", "zscan", "xrange", "xinfo|stream", "info", "ping"],
    capabilities: { ...NOTHING, query: "redis-command", watch: true, publish: true, streamLag: true, keyBrowser: true },
  },
  {
    engine: "nats",
    label: "NATS",
    schemes: ["nats", "tls"],
    defaultPort: 4222,
    watchKinds: ["subject", "lag", "kv"],
    readCommands: [],
    capabilities: { ...NOTHING, watch: true, publish: true, request: true, streamLag: true },
  },
  {
    engine: "kafka",
    label: "Kafka",
    schemes: ["kafka", "kafka+ssl"],
    defaultPort: 9092,
    watchKinds: ["topic", "lag"],
    readCommands: [],
    capabilities: { ...NOTHING, watch: true, publish: true, streamLag: true, consumerGroups: true },
  },
];

/** The demo's registration of `engine` (every engine is compiled into the demo). */
export function demoSpec(engine: EngineSpec["engine"]): EngineSpec {
  const spec = DEMO_ENGINE_SPECS.find((s) => s.engine === engine);
  if (!spec) throw new Error(`the demo has no engine ${engine}`);
  return spec;
}
