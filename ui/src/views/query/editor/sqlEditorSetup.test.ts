import { MSSQL, PostgreSQL, SQLite, StandardSQL } from "@codemirror/lang-sql";
import { describe, expect, it } from "vitest";
import type { EngineSpec } from "../../../api";
import { demoSpec } from "../../../dev/demoEngines";
import { dialectFor } from "./sqlEditorSetup";

describe("the editor's language", () => {
  it("highlights SQL in the engine's dialect, and nothing else", () => {
    expect(dialectFor(demoSpec("sqlite"))).toBe(SQLite);
    expect(dialectFor(demoSpec("postgres"))).toBe(PostgreSQL);
    expect(dialectFor(demoSpec("mssql"))).toBe(MSSQL);
    expect(dialectFor(demoSpec("mongodb"))).toBeNull();
    expect(dialectFor(demoSpec("redis"))).toBeNull();
    expect(dialectFor(null)).toBeNull();
  });

  it("asks the spec whether the engine takes SQL", () => {
    const pg = demoSpec("postgres");
    const noQuery: EngineSpec = { ...pg, capabilities: { ...pg.capabilities, query: null } };
    expect(dialectFor(noQuery)).toBeNull();
    // An engine that takes SQL but has no dialect here still gets SQL highlighting.
    const nats = demoSpec("nats");
    const sqlNats: EngineSpec = { ...nats, capabilities: { ...nats.capabilities, query: "sql" } };
    expect(dialectFor(sqlNats)).toBe(StandardSQL);
  });
});
