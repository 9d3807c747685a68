import { describe, expect, it } from "vitest";
import type { EngineSpec } from "../api";
import { DEMO_ENGINE_SPECS, demoSpec } from "../dev/demoEngines";
import { canBrowse, canQuery, engineLabel, hasConsumerGroups, labelsWhere, statementNoun } from "./engines";

describe("engine specs", () => {
  it("reads the label and the capabilities from the spec", () => {
    expect(engineLabel(demoSpec("mysql"), "mysql")).toBe("MySQL / MariaDB");
    expect(engineLabel(null, "mssql")).toBe("mssql");
    expect(canBrowse(demoSpec("mongodb"))).toBe(true);
    expect(canBrowse(demoSpec("redis"))).toBe(false);
    expect(canQuery(demoSpec("sqlite"))).toBe(true);
    expect(canQuery(demoSpec("nats"))).toBe(false);
    expect(statementNoun(demoSpec("postgres"))).toBe("a SQL statement");
    expect(statementNoun(demoSpec("mongodb"))).toBe("a MongoDB shell command");
    expect(statementNoun(demoSpec("redis"))).toBe("a Redis command");
    expect(canQuery(demoSpec("redis"))).toBe(true);
    expect(hasConsumerGroups(demoSpec("kafka"))).toBe(true);
    expect(canBrowse(demoSpec("kafka"))).toBe(false);
    expect(canQuery(demoSpec("kafka"))).toBe(false);
    expect(hasConsumerGroups(demoSpec("nats"))).toBe(false);
  });

  it("offers nothing for an engine it does not know", () => {
    expect(canBrowse(null)).toBe(false);
    expect(hasConsumerGroups(null)).toBe(false);
    expect(canQuery(null)).toBe(false);
    expect(statementNoun(null)).toBeNull();
  });

  it("follows the spec, not the engine's name", () => {
    const sqlite = demoSpec("sqlite");
    const bare: EngineSpec = { ...sqlite, label: "SQLite (no schema)", capabilities: { ...sqlite.capabilities, browse: false, query: null } };
    expect(canBrowse(bare)).toBe(false);
    expect(canQuery(bare)).toBe(false);
    expect(engineLabel(bare, "sqlite")).toBe("SQLite (no schema)");
    // Topics and groups go with the capability, whatever the engine is called.
    const redis = demoSpec("redis");
    expect(hasConsumerGroups({ ...redis, capabilities: { ...redis.capabilities, consumerGroups: true } })).toBe(true);
  });

  it("names the engines that can do something, in the backend's order", () => {
    expect(labelsWhere(DEMO_ENGINE_SPECS, (s) => s.capabilities.watch)).toBe("PostgreSQL, MongoDB, Redis, NATS and Kafka");
    expect(labelsWhere(DEMO_ENGINE_SPECS, (s) => s.capabilities.request, "or")).toBe("NATS");
    expect(labelsWhere(DEMO_ENGINE_SPECS, (s) => s.capabilities.createsReadOnlyLogin, "or")).toBe("PostgreSQL or MySQL / MariaDB");
    expect(labelsWhere([], () => true)).toBe("");
  });
});
